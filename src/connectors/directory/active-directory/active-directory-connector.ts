import type { LookupFunction } from 'node:net';
import type { CapabilityProof, DirectoryConnector } from '../types.js';
import { createActiveDirectoryClient } from './active-directory-client.js';
import { ActiveDirectoryLdap } from './active-directory-ldap.js';
import { AD_CHECK } from './active-directory-systems-check.js';
import { type ActiveDirectorySettings, activeDirectorySettingsSchema } from './ad-settings.js';

const proof = (label: string, checkName: string): CapabilityProof => ({ label, checkName });
const connection = proof('An encrypted connection and a bind as the toolbox’s account', AD_CHECK.connection);
const writeUsers = proof('Write userAccountControl, pwdLastSet and lockoutTime on the users', AD_CHECK.writeUsers);

/**
 * On-prem Active Directory over LDAPS (or StartTLS) with ldapts, `kind: active-directory`
 * (../shared/reference/active-directory-ldap.md). `connection: direct` reaches the domain
 * controller from the toolbox; `connection: agent` goes through the on-prem agent, which is not
 * in this version yet: such a directory is refused when the configuration loads, saying so.
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
        options: [{ value: 'direct', label: 'Directly (LDAPS from the toolbox)' }],
        help: 'Directly: the toolbox connects to the domain controller (a VPN, or the toolbox inside the customer’s network).',
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
      { name: 'timeoutMs', label: 'Timeout (ms)', type: 'number', advanced: true },
    ],
    create(settings, deps) {
      if (settings.connection !== 'direct') {
        throw new Error('connection: agent is refused by the settings schema until the on-prem agent exists');
      }
      const ad = new ActiveDirectoryLdap(settings, { logger: deps.logger, ...(options.lookup ? { lookup: options.lookup } : {}) });
      return createActiveDirectoryClient(ad, { now: () => deps.clock.now() });
    },
  };
}

export const activeDirectoryConnector = createActiveDirectoryConnector();
