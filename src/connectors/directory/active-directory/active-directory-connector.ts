import type { LookupFunction } from 'node:net';
import type { SystemsCheckResult } from '../../systems-check.js';
import { createRelayedDirectoryClient } from '../directory-operations.js';
import type { CapabilityProof, DirectoryAgentLink, DirectoryClient, DirectoryConnector } from '../types.js';
import { createActiveDirectoryClient } from './active-directory-client.js';
import { ActiveDirectoryLdap } from './active-directory-ldap.js';
import { AD_CHECK, AD_CHECK_LINES } from './active-directory-systems-check.js';
import { type ActiveDirectorySettings, activeDirectorySettingsSchema } from './ad-settings.js';

const proof = (label: string, checkName: string): CapabilityProof => ({ label, checkName });
const connection = proof('An encrypted connection and a bind as the toolbox’s account', AD_CHECK.connection);
const writeUsers = proof('Write userAccountControl, pwdLastSet and lockoutTime on the users', AD_CHECK.writeUsers);

/**
 * On-prem Active Directory over LDAPS (or StartTLS) with ldapts, `kind: active-directory`
 * (../shared/reference/active-directory-ldap.md). `connection: direct` reaches the domain
 * controller from the toolbox; `connection: agent` goes through the on-prem agent (src/agent), which runs this same client
 * next to the DC: the toolbox's client then sends each operation of the port to it.
 *
 * `lookup` is for tests, which point the DC's name at a local Samba DC as a customer's DNS would.
 */
export function createActiveDirectoryConnector(options: { lookup?: LookupFunction } = {}): DirectoryConnector<ActiveDirectorySettings> {
  return {
    kind: 'active-directory',
    label: 'Active Directory (on-premises)',
    settings: activeDirectorySettingsSchema,
    capabilities: {
      signIn: connection,
      proofs: {
        accountCheck: [connection],
        resetPassword: [proof('The Reset Password right on the users', AD_CHECK.resetPasswords), writeUsers],
        enableDisable: [writeUsers],
        groups: [proof('Write member on the groups', AD_CHECK.groups)],
        createUsers: [proof('Create user objects in the OU', AD_CHECK.createUsers)],
        unlock: [writeUsers],
        move: [proof('Create user objects in the target OU (and delete in the source)', AD_CHECK.createUsers)],
        domains: [connection],
        syncSource: [connection],
      },
    },
    setupGuide: {
      intro:
        'Create a service account for the toolbox in the customer’s domain (not a Domain Admin) and delegate it these rights on the OUs that hold the users and groups it may change (Active Directory Users and Computers → the OU → Delegate Control). The domain controller must offer LDAPS (port 636) or StartTLS with a certificate for its DNS name.',
      permissions: [
        { name: 'Reset user passwords and force password change at next logon', why: 'password resets' },
        { name: 'Read and write userAccountControl and lockoutTime', why: 'enable, disable and unlock' },
        { name: 'Modify the membership of a group (write member)', why: 'group membership changes' },
        { name: 'Create, delete and manage user accounts', why: 'onboarding, and moving offboarded users to another OU' },
      ],
      roles: [],
    },
    // A domain controller serves many LDAP operations on one connection; a small bound keeps the
    // toolbox from flooding a customer's DC during a burst.
    maxConcurrentRequests: 8,
    fields: [
      {
        name: 'connection',
        label: 'How the toolbox reaches the domain',
        type: 'select',
        options: [
          { value: 'direct', label: 'Directly (LDAPS from the toolbox)' },
          { value: 'agent', label: 'Through the on-prem agent' },
        ],
        help: 'Directly: the toolbox connects to the domain controller (a VPN, or the toolbox inside the customer’s network). Through the on-prem agent: a small service on the customer’s server connects out to the toolbox and keeps the domain credentials (docs/active-directory.md).',
      },
      { name: 'baseDn', label: 'Base DN', placeholder: 'DC=contoso,DC=example', help: 'The domain, or the OU the toolbox may work in.' },
      {
        name: 'url',
        label: 'Domain controller URL',
        type: 'url',
        placeholder: 'ldaps://dc1.contoso.example:636',
        help: 'ldaps:// (636), or ldap:// (389) which is always upgraded with StartTLS. Use the DC’s DNS name: its certificate carries it.',
        showWhen: { field: 'connection', values: ['direct'] },
      },
      {
        name: 'username',
        label: 'Service account',
        placeholder: 'svc-toolbox@contoso.example',
        help: 'user@domain or a DN; a delegated account, not a Domain Admin.',
        showWhen: { field: 'connection', values: ['direct'] },
      },
      { name: 'password', label: 'Service account password', secret: true, showWhen: { field: 'connection', values: ['direct'] } },
      {
        name: 'caCertificate',
        label: 'CA certificate (PEM)',
        type: 'multiline',
        placeholder: '-----BEGIN CERTIFICATE----- …',
        help: 'The certificate of the CA that signed the DC’s certificate, when it is the domain’s own CA.',
        showWhen: { field: 'connection', values: ['direct'] },
        advanced: true,
      },
      {
        name: 'agentToken',
        label: 'Pre-shared agent token (optional)',
        secret: true,
        help: 'Leave empty and create the agent’s token on this directory’s page after saving; or set one of at least 32 random characters and put the same in the agent’s agent.yaml.',
        showWhen: { field: 'connection', values: ['agent'] },
        advanced: true,
      },
      { name: 'timeoutMs', label: 'Timeout (ms)', type: 'number', advanced: true },
    ],
    create(settings, deps) {
      if (settings.connection === 'agent') {
        const { agents, directoryId } = deps;
        if (!agents || !directoryId) throw new Error('connection: agent needs the agent link and the directory id');
        return createAgentRelayedClient(agents, directoryId, settings.timeoutMs);
      }
      const ad = new ActiveDirectoryLdap(settings, { logger: deps.logger, ...(options.lookup ? { lookup: options.lookup } : {}) });
      return createActiveDirectoryClient(ad, { now: () => deps.clock.now() });
    },
  };
}

export const activeDirectoryConnector = createActiveDirectoryConnector();

/** The systems check's first line over the agent. */
export const AGENT_CONNECTED_CHECK = 'On-prem agent connected';

/**
 * The client of a directory reached through its on-prem agent: the same operations as the direct
 * client (the core, unlock, move, domains, finding synced users' accounts), each sent to the agent, which runs the direct client
 * next to the DC. The systems check is the agent's own (the same lines, run there) after a line
 * saying whether an agent is connected.
 */
function createAgentRelayedClient(agents: DirectoryAgentLink, directoryId: string, timeoutMs: number): DirectoryClient {
  // The link's own wait comes on top of the DC's: the agent's LDAP timeout is its own setting.
  const send = (operation: Parameters<DirectoryAgentLink['call']>[1]) =>
    agents.call(directoryId, operation, { timeoutMs: timeoutMs + 5_000 });
  const relayed = createRelayedDirectoryClient(['unlock', 'move', 'domains', 'syncSource'], send);
  return {
    ...relayed,
    async systemsCheck(): Promise<SystemsCheckResult[]> {
      const status = await agents.status(directoryId);
      const when = status.lastSeen ? `last seen ${status.lastSeen.replace('T', ' ').slice(0, 19)} UTC` : 'never connected';
      if (status.connected.length === 0) {
        return [
          {
            name: AGENT_CONNECTED_CHECK,
            ok: false,
            message: `No on-prem agent for ${directoryId} is connected (${when}).`,
            hint: 'Start the agent on the customer’s server (docs/active-directory.md, "The on-prem agent") and check its log for the toolbox’s answer.',
          },
          ...AD_CHECK_LINES.map((name) => ({ name, ok: false, outcome: 'not-run' as const, message: 'Not run: no agent is connected.' })),
        ];
      }
      let lines: SystemsCheckResult[];
      try {
        lines = await relayed.systemsCheck();
      } catch (error) {
        return [
          { name: AGENT_CONNECTED_CHECK, ok: false, message: error instanceof Error ? error.message : String(error) },
          ...AD_CHECK_LINES.map((name) => ({
            name,
            ok: false,
            outcome: 'not-run' as const,
            message: 'Not run: the agent did not answer.',
          })),
        ];
      }
      return [
        {
          name: AGENT_CONNECTED_CHECK,
          ok: true,
          message: `Connected: ${status.connected.join(', ')}. The lines below were run by the agent.`,
        },
        ...lines,
      ];
    },
  };
}
