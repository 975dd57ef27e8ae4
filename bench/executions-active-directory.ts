import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type RunningAgent, runAgent } from '../src/agent/run-agent.js';
import { createActiveDirectoryConnector } from '../src/connectors/directory/active-directory/active-directory-connector.js';
import { ActiveDirectoryLdap } from '../src/connectors/directory/active-directory/active-directory-ldap.js';
import type { DirectoryConnector } from '../src/connectors/directory/types.js';
import { createLogger } from '../src/lib/logger.js';
import type { ConnectWiseSeed } from '../src/simulators/connectwise/connectwise-seed.js';
import { bindAs, deleteOu, sambaClient, sambaLookup, type TestSambaDc, useSambaDc } from '../test/helpers/samba-dc.js';
import { BENCH_PUBLIC_URL, type BenchToolbox } from './executions-harness.js';

/**
 * How the toolbox reaches a customer's domain in the AD password-reset measurement: `direct`
 * (LDAPS from the toolbox to the DC), or `agent`: through an on-prem agent (runAgent, the loop
 * `npm run agent` runs) started in this process, which polls the toolbox's real HTTP routes
 * (/agent/v1/poll and /agent/v1/answer, through the app's in-process `request`: no socket, no
 * TLS) and reaches the same DC over LDAPS itself. The hub keeps production's timings.
 */
export type AdConnection = 'direct' | 'agent';
export const AD_CONNECTIONS: readonly AdConnection[] = ['direct', 'agent'];

/** The screen pop of the AD runs: Tailspin Toys' ticket and contact in the ConnectWise demo seed. */
export const AD_TARGET = { ticketId: '1031', companyId: '253', contactId: '331' };
/**
 * The agent's runs need a company of their own (a PSA company is served by one directory): a
 * bench-only copy of Tailspin Toys, its contact and ticket, added to the simulator's seed.
 */
const AGENT_TARGET = { ticketId: '1041', companyId: '254', contactId: '341' };
const CONTACT_MAIL = 'rob.young@tailspintoys.example';
const INITIAL_PASSWORD = `Bench-${randomBytes(4).toString('hex')}-Passw0rd!`;

/** One directory operation as the agent ran it (performance.now(), this process's clock). */
export type AgentOperationTime = { method: string; start: number; end: number };

export type BenchActiveDirectory = {
  connection: AdConnection;
  /** What the measurement is against, for the report (the DC's name, never its password). */
  describe: string;
  /** The screen pop of this connection's runs. */
  target: { ticketId: string; companyId: string; contactId: string };
  /** The `directories` entry serving the target's company. */
  directory: Record<string, unknown>;
  /** The connectors that entry needs (the real AD connector, pointed at the DC's name). */
  directoryConnectors: Record<string, DirectoryConnector<unknown>>;
  /** What the target needs in the ConnectWise simulator beyond the demo seed. */
  psaSeed?: Pick<ConnectWiseSeed, 'companies' | 'contacts' | 'tickets'>;
  /** The account the runs reset: found from the contact's e-mail as a technician's screen pop finds it. */
  userId: string;
  /**
   * Whatever must run beside this toolbox for the directory to answer (the agent, connected
   * before this resolves); the returned function stops it before the toolbox closes.
   */
  attach(toolbox: BenchToolbox): Promise<() => Promise<void>>;
  /** The operations the agent ran since the last call (none over `direct`: nothing sees them there). */
  takeAgentOperations(): AgentOperationTime[];
  /** Locks the account out with wrong passwords, as a user does, so that each run's unlock step has a lockout to lift. */
  lockOut(): Promise<void>;
  /** Deletes the bench's OU and account: the shared DC is left as found. */
  close(): Promise<void>;
};

/**
 * The domain controller to measure against: TEST_SAMBA_DC (npm test's, or the one a shared
 * machine runs), or, with `startDc`, one started through scripts/samba-dc.mjs (root, Samba
 * installed, and its fixed ports free: never where another DC runs). Without either, the AD part
 * is skipped with the reason (a benchmark may skip; the tests run it in CI). Each connection has
 * an OU and an account of its own.
 */
export async function openBenchActiveDirectory(
  connection: AdConnection,
  options: { startDc: boolean },
): Promise<BenchActiveDirectory | { skip: string }> {
  if (!process.env.TEST_SAMBA_DC && !options.startDc) {
    return {
      skip: 'no domain controller: set TEST_SAMBA_DC to a running Samba DC’s JSON (as npm test passes it), or pass --start-samba-dc where no DC runs',
    };
  }
  let dc: TestSambaDc;
  try {
    dc = await useSambaDc();
  } catch (error) {
    return { skip: `the Samba DC could not be used (${(error as Error).message})` };
  }
  const suffix = randomBytes(3).toString('hex');
  const ou = `OU=bench-${suffix},${dc.baseDn}`;
  const admin = sambaClient(dc);
  await admin.bind(dc.adminUser, dc.adminPassword);
  await admin.add(ou, { objectClass: ['top', 'organizationalUnit'], ou: `bench-${suffix}` });
  const ldapSettings = {
    url: dc.url,
    username: dc.adminUser,
    password: dc.adminPassword,
    caCertificate: dc.caPem,
    // The bench's own OU: the contact's address matches this connection's account only.
    baseDn: ou,
    timeoutMs: 10_000,
  };
  const ad = new ActiveDirectoryLdap(
    { ...ldapSettings, baseDn: dc.baseDn },
    { logger: createLogger({ level: 'silent' }), lookup: sambaLookup(dc) },
  );
  const upn = `rob.${suffix}@${dc.realm.toLowerCase()}`;
  try {
    const user = await ad.createUser({
      parentDn: ou,
      givenName: 'Rob',
      surname: 'Young',
      displayName: 'Rob Young',
      sAMAccountName: `rob${suffix}`,
      userPrincipalName: upn,
      mail: CONTACT_MAIL,
      password: INITIAL_PASSWORD,
      mustChangePassword: false,
    });
    const common = {
      connection,
      userId: user.id,
      directoryConnectors: {
        'active-directory': createActiveDirectoryConnector({ lookup: sambaLookup(dc) }) as DirectoryConnector<unknown>,
      },
      async lockOut() {
        // The test domain locks after 5 wrong passwords; one more makes sure.
        for (let attempt = 0; attempt < 6; attempt++) await bindAs(dc, upn, 'wrong-password');
      },
      async close() {
        await ad.close();
        await deleteOu(admin, ou);
        await admin.unbind();
      },
    };
    if (connection === 'direct') {
      return {
        ...common,
        describe: `${dc.serverName} (Samba ${dc.realm}) over LDAPS`,
        target: AD_TARGET,
        directory: {
          id: 'bench-ad',
          kind: 'active-directory',
          name: 'Tailspin Toys (bench AD)',
          psaCompanyIds: [AD_TARGET.companyId],
          connection: 'direct',
          ...ldapSettings,
        },
        attach: async () => async () => {},
        takeAgentOperations: () => [],
      };
    }
    const directoryId = 'bench-ad-agent';
    const token = `bench-${randomBytes(24).toString('base64url')}`;
    let operations: AgentOperationTime[] = [];
    const begun = new Map<string, number>();
    return {
      ...common,
      describe: `${dc.serverName} (Samba ${dc.realm}) over LDAPS from an in-process on-prem agent (runAgent), which reaches the toolbox's /agent/v1 routes through app.request: HTTP parsing, routing and JSON as in production, but no socket or TLS on the agent's hop`,
      target: AGENT_TARGET,
      directory: {
        id: directoryId,
        kind: 'active-directory',
        name: 'Tailspin Toys (bench AD, agent)',
        psaCompanyIds: [AGENT_TARGET.companyId],
        connection: 'agent',
        baseDn: ou,
        agentToken: token,
      },
      psaSeed: {
        companies: [{ id: 254, identifier: 'TAILSPINAGENT', name: 'Tailspin Toys (agent)', adDomainKey: 'tailspin' }],
        contacts: [
          { id: 341, companyId: 254, firstName: 'Rob', lastName: 'Young', email: CONTACT_MAIL, phone: '5550105001', title: 'Sales' },
        ],
        tickets: [
          {
            id: 1041,
            summary: 'Rob locked out of his PC after the holidays (agent)',
            companyId: 254,
            contactId: 341,
            boardId: 1,
            status: 'New',
            recordType: 'ServiceTicket',
          },
        ],
      },
      async attach(toolbox) {
        const agent: RunningAgent = runAgent({
          config: {
            server: BENCH_PUBLIC_URL,
            token,
            name: 'bench-agent',
            ldap: { connection: 'direct', ...ldapSettings },
            // agent.yaml's defaults.
            concurrency: 4,
            logLevel: 'info',
          },
          // At agent.yaml's default level, into nothing: its log lines are formatted as in production.
          logger: createLogger({ level: 'info', destination: { write: () => {} } }),
          version: 'bench',
          lookup: sambaLookup(dc),
          fetch: (input, init) => Promise.resolve(toolbox.app.request(String(input), init)),
          onWork(work, phase) {
            const now = performance.now();
            if (phase === 'before') begun.set(work.id, now);
            else
              operations.push({
                method: work.part ? `${work.part}.${work.method}` : work.method,
                start: begun.get(work.id) ?? now,
                end: now,
              });
          },
        });
        const until = Date.now() + 15_000;
        while ((await toolbox.services.agents.status(directoryId)).connected.length === 0) {
          if (Date.now() > until) {
            agent.kill();
            throw new Error('the bench agent did not connect to the toolbox within 15 s');
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return () => agent.stop();
      },
      takeAgentOperations() {
        const taken = operations;
        operations = [];
        begun.clear();
        return taken;
      },
    };
  } catch (error) {
    await ad.close();
    await deleteOu(admin, ou).catch(() => undefined);
    await admin.unbind().catch(() => undefined);
    throw error;
  }
}
