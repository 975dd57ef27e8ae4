import { randomBytes } from 'node:crypto';
import { createActiveDirectoryConnector } from '../src/connectors/directory/active-directory/active-directory-connector.js';
import { ActiveDirectoryLdap } from '../src/connectors/directory/active-directory/active-directory-ldap.js';
import type { DirectoryConnector } from '../src/connectors/directory/types.js';
import { createLogger } from '../src/lib/logger.js';
import { bindAs, deleteOu, sambaClient, sambaLookup, type TestSambaDc, useSambaDc } from '../test/helpers/samba-dc.js';

/**
 * How the toolbox reaches a customer's domain in the AD password-reset measurement: `direct`
 * (LDAPS from the toolbox to the DC) today. `agent` is the seam for the on-prem agent: when it
 * exists, `openBenchActiveDirectory('agent', …)` starts one against the same DC and returns the
 * directory entry with `connection: agent` and its connector; the measurement and its tables
 * take it as they take `direct` (one more row per database).
 */
export type AdConnection = 'direct' | 'agent';
export const AD_CONNECTIONS: readonly AdConnection[] = ['direct', 'agent'];

/** The screen pop of the AD runs: Tailspin Toys' ticket and contact in the ConnectWise demo seed. */
export const AD_TARGET = { ticketId: '1031', companyId: '253', contactId: '331' };
const CONTACT_MAIL = 'rob.young@tailspintoys.example';
const INITIAL_PASSWORD = `Bench-${randomBytes(4).toString('hex')}-Passw0rd!`;

export type BenchActiveDirectory = {
  connection: AdConnection;
  /** What the measurement is against, for the report (the DC's name, never its password). */
  describe: string;
  /** The `directories` entry serving AD_TARGET's company. */
  directory: Record<string, unknown>;
  /** The connectors that entry needs (the real AD connector, pointed at the DC's name). */
  directoryConnectors: Record<string, DirectoryConnector<unknown>>;
  /** The account the runs reset: found from the contact's e-mail as a technician's screen pop finds it. */
  userId: string;
  /** Locks the account out with wrong passwords, as a user does, so that each run's unlock step has a lockout to lift. */
  lockOut(): Promise<void>;
  /** Deletes the bench's OU and account: the shared DC is left as found. */
  close(): Promise<void>;
};

/**
 * The domain controller to measure against: TEST_SAMBA_DC (npm test's, or the one a shared
 * machine runs), or, with `startDc`, one started through scripts/samba-dc.mjs (root, Samba
 * installed, and its fixed ports free: never where another DC runs). Without either, the AD part
 * is skipped with the reason (a benchmark may skip; the tests run it in CI).
 */
export async function openBenchActiveDirectory(
  connection: AdConnection,
  options: { startDc: boolean },
): Promise<BenchActiveDirectory | { skip: string }> {
  if (connection === 'agent') {
    return { skip: 'over the agent: the on-prem agent is not in this version yet (connection: agent is refused by the settings)' };
  }
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
  const ad = new ActiveDirectoryLdap(
    { url: dc.url, username: dc.adminUser, password: dc.adminPassword, caCertificate: dc.caPem, baseDn: dc.baseDn, timeoutMs: 10_000 },
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
    return {
      connection,
      describe: `${dc.serverName} (Samba ${dc.realm}) over LDAPS`,
      directory: {
        id: 'bench-ad',
        kind: 'active-directory',
        name: 'Tailspin Toys (bench AD)',
        psaCompanyIds: [AD_TARGET.companyId],
        connection: 'direct',
        // The bench's own OU: the contact's address matches this account only.
        baseDn: ou,
        url: dc.url,
        username: dc.adminUser,
        password: dc.adminPassword,
        caCertificate: dc.caPem,
      },
      directoryConnectors: {
        'active-directory': createActiveDirectoryConnector({ lookup: sambaLookup(dc) }) as DirectoryConnector<unknown>,
      },
      userId: user.id,
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
  } catch (error) {
    await ad.close();
    await deleteOu(admin, ou).catch(() => undefined);
    await admin.unbind().catch(() => undefined);
    throw error;
  }
}
