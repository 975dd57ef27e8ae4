import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { LookupFunction } from 'node:net';
import { createInterface } from 'node:readline';
import { Client } from 'ldapts';
import { ActiveDirectoryLdap } from '../../src/connectors/directory/active-directory/active-directory-ldap.js';
import { createLogger, type Logger } from '../../src/lib/logger.js';

/**
 * The real Samba AD domain controller the Active Directory tests run against (not a mock: LDAPS
 * with Samba's certificate, the domain's password policy, AD's group semantics). `npm test` starts
 * one for the whole suite (scripts/test.mjs, through scripts/samba-dc.mjs) and passes it in
 * TEST_SAMBA_DC; a test file run alone starts its own. Tests keep to an OU of their own.
 */
export type TestSambaDc = {
  /** `ldaps://dc1.test.lan:636`: the DC's name, which its certificate carries. */
  url: string;
  serverName: string;
  host: string;
  caPem: string;
  baseDn: string;
  realm: string;
  adminUser: string;
  adminPassword: string;
};

/** Why Samba tests cannot run here, or undefined. Under CI nothing is skipped: a missing DC fails. */
export const sambaSkip: string | undefined = (() => {
  if (process.env.TEST_SAMBA_DC || process.env.CI) return undefined;
  if (process.getuid?.() !== 0) return 'the Samba AD DC needs root (ports below 1024)';
  if (spawnSync('samba-tool', ['--version']).status !== 0) return 'samba-tool is not installed (apt-get install samba samba-ad-dc)';
  return undefined;
})();

let started: Promise<TestSambaDc> | undefined;
let child: ChildProcess | undefined;

/** The suite's DC, or one started for this process (stopped when the process ends). */
export function useSambaDc(): Promise<TestSambaDc> {
  if (process.env.TEST_SAMBA_DC) return Promise.resolve(JSON.parse(process.env.TEST_SAMBA_DC) as TestSambaDc);
  started ??= new Promise<TestSambaDc>((resolve, reject) => {
    const script = new URL('../../scripts/samba-dc.mjs', import.meta.url).pathname;
    child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.unref();
    (child.stdout as NodeJS.ReadableStream & { unref?: () => void }).unref?.();
    (child.stdin as NodeJS.WritableStream & { unref?: () => void }).unref?.();
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => resolve(JSON.parse(line) as TestSambaDc));
    child.once('exit', (code) => reject(new Error(`the Samba DC did not start (exit ${code})`)));
  });
  return started;
}

/** Name resolution that sends the DC's name to loopback, as a DNS server would in a customer's network. */
export function sambaLookup(dc: TestSambaDc): LookupFunction {
  return ((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const done = typeof options === 'function' ? (options as typeof callback) : callback;
    if (hostname.toLowerCase() !== dc.serverName.toLowerCase()) {
      done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
      return;
    }
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    if (all) done(null, [{ address: dc.host, family: 4 }]);
    else done(null, dc.host, 4);
  }) as LookupFunction;
}

/** How a test reaches the DC as its administrator: the values a direct connection or an agent.yaml holds. */
export const sambaLdapSettings = (dc: TestSambaDc) => ({
  url: dc.url,
  username: dc.adminUser,
  password: dc.adminPassword,
  caCertificate: dc.caPem,
});

/** The connector's own LDAP class on the DC, as its administrator: tests' set-up and read-backs (the whole domain unless `baseDn`). */
export function sambaLdap(dc: TestSambaDc, options: { baseDn?: string; logger?: Logger } = {}): ActiveDirectoryLdap {
  return new ActiveDirectoryLdap(
    { ...sambaLdapSettings(dc), baseDn: options.baseDn ?? dc.baseDn, timeoutMs: 10_000 },
    { logger: options.logger ?? createLogger({ level: 'silent' }), lookup: sambaLookup(dc) },
  );
}

/** An LDAP client to the DC over LDAPS (not yet bound): tests' own set-up and checks. */
export function sambaClient(dc: TestSambaDc): Client {
  return new Client({ url: dc.url, tlsOptions: { ca: [dc.caPem], servername: dc.serverName, lookup: sambaLookup(dc) } });
}

/** Signs in as a user, as a workstation would: 'ok', or AD's answer (with its `data` code). */
export async function bindAs(dc: TestSambaDc, upn: string, password: string): Promise<string> {
  const client = sambaClient(dc);
  try {
    await client.bind(upn, password);
    return 'ok';
  } catch (error) {
    return String((error as Error).message);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/**
 * A test's own OU on the shared DC, made by the domain admin, with OUs of the given names inside
 * (e.g. "Disabled users"): the admin client stays bound for the test's own set-up and `deleteOu`.
 */
export async function createTestOu(dc: TestSambaDc, name: string, children: string[] = []): Promise<{ admin: Client; ou: string }> {
  const admin = sambaClient(dc);
  await admin.bind(dc.adminUser, dc.adminPassword);
  const ou = `OU=${name},${dc.baseDn}`;
  await admin.add(ou, { objectClass: ['top', 'organizationalUnit'], ou: name });
  for (const child of children) await admin.add(`OU=${child},${ou}`, { objectClass: ['top', 'organizationalUnit'], ou: child });
  return { admin, ou };
}

/** Leaves the shared DC as found: deletes a test's OU with everything in it, deepest first. */
export async function deleteOu(admin: Client, ou: string): Promise<void> {
  const { searchEntries } = await admin.search(ou, { scope: 'sub', filter: '(objectClass=*)', attributes: ['dn'] });
  for (const entry of searchEntries.sort((a, b) => b.dn.length - a.dn.length)) await admin.del(entry.dn).catch(() => undefined);
}
