import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { rejection } from '../../../../test/helpers/rejection.js';
import { demoTenants } from '../../../demo/demo-data.js';
import { createManualClock } from '../../../lib/clock.js';
import { createHttpFetch } from '../../../lib/http-fetch.js';
import { createLogger } from '../../../lib/logger.js';
import { createSelfSignedCertificate } from '../../../lib/self-signed-certificate.js';
import { createGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../../../simulators/graph/graph-simulator.js';
import { checkLineState } from '../../systems-check.js';
import { ENTRA_CAPABILITY_PROOFS, ENTRA_SIGN_IN } from './entra-capabilities.js';
import { createEntraConnector, type EntraClient } from './entra-connector.js';
import { type EntraSettings, entraSettingsSchema } from './entra-settings.js';

// Every test talks to the simulator over real HTTPS on 127.0.0.1 with a generated certificate,
// through the same createHttpFetch the service uses: MSAL, TLS trust and headers are all real.
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;
const [megan, diego, diegoAdmin, itAdmin] = contoso.users as [
  (typeof contoso.users)[0],
  (typeof contoso.users)[0],
  (typeof contoso.users)[0],
  (typeof contoso.users)[0],
];
const lee = fabrikam.users[1]!;
const GOOD_PASSWORD = 'Tq8#vNw3zLp6';

let tls: { key: string; cert: string };
const fetch = { current: undefined as unknown as ReturnType<typeof createHttpFetch> };
const logLines: string[] = [];
const servers: { close(): Promise<void> }[] = [];

before(async () => {
  tls = await createSelfSignedCertificate({ hostnames: ['localhost', '127.0.0.1', '::1'] });
  fetch.current = createHttpFetch({ extraCaPem: [tls.cert] });
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await fetch.current.close();
  // No secret, password or token ever reaches the log, whatever the test did.
  const log = logLines.join('\n');
  assert.ok(logLines.length > 20, 'the tests produced debug log lines to inspect');
  for (const tenant of demoTenants) assert.equal(log.includes(tenant.clientSecret), false, 'client secret in log');
  for (const secret of [GOOD_PASSWORD, 'wrong-secret', 'Password123!', 'eyJ', 'Bearer '])
    assert.equal(log.includes(secret), false, `${secret} in log`);
});

type Setup = {
  sim: GraphSimulator;
  client: EntraClient;
  sleeps: number[];
  clock: ReturnType<typeof createManualClock>;
  settings: EntraSettings;
  tokenRequests: () => number;
  graphRequests: (method?: string, pathPart?: string) => GraphSimulator['state']['requests'];
};

async function setup(
  options: { sim?: GraphSimulatorOptions; tenant?: (typeof demoTenants)[number]; settings?: Partial<EntraSettings> } = {},
): Promise<Setup> {
  const sim = createGraphSimulator(options.sim);
  const server = await sim.listen({ port: 0, host: '127.0.0.1', tls });
  servers.push(server);
  const tenant = options.tenant ?? contoso;
  const connector = createEntraConnector();
  const settings = entraSettingsSchema.parse({
    tenantId: tenant.tenantId,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    authorityHost: server.url,
    graphUrl: server.url,
  });
  const merged = { ...settings, ...options.settings };
  const sleeps: number[] = [];
  const clock = createManualClock();
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const client = connector.create(merged, {
    fetch: fetch.current,
    logger: createLogger({ level: 'debug', destination }),
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return {
    sim,
    client,
    sleeps,
    clock,
    settings: merged,
    tokenRequests: () => sim.state.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length,
    graphRequests: (method, pathPart) =>
      sim.state.requests.filter(
        (r) => r.path.startsWith('/v1.0/') && (!method || r.method === method) && (!pathPart || r.path.includes(pathPart)),
      ),
  };
}

describe('entra connector: tokens', () => {
  it('gets one token for many calls, sends it as a bearer, and renews it near expiry', async () => {
    const t = await setup();
    await Promise.all([t.client.getUser(megan.id), t.client.findUsersByUpn(megan.userPrincipalName), t.client.searchUsers('meg')]);
    await t.client.getUser(diego.id);
    assert.equal(t.tokenRequests(), 1, 'concurrent callers share one in-flight token request');
    const graphCalls = t.graphRequests();
    assert.equal(graphCalls.length, 4);
    assert.ok(
      graphCalls.every((r) => r.bearer && r.tokenTenantId === contoso.tenantId),
      'every Graph call carried the tenant’s token',
    );
    t.clock.advance(56 * 60_000); // within 5 minutes of the 3599 s lifetime
    await t.client.getUser(megan.id);
    assert.equal(t.tokenRequests(), 2);
  });

  it('turns a wrong secret into a readable error with the AADSTS code, never the secret', async () => {
    const t = await setup({ settings: { clientSecret: 'wrong-secret' } });
    const error = await rejection(t.client.getUser(megan.id));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_AUTH');
    assert.match(error.message, /rejected the client secret/);
    assert.equal(error.upstream?.service, 'identity');
    assert.equal(error.upstream?.status, 401);
    assert.equal(error.upstream?.code, 'AADSTS7000215');
    assert.equal(JSON.stringify(error.toLog()).includes('wrong-secret'), false);
    assert.equal(t.graphRequests().length, 0, 'no Graph call without a token');
  });

  it('explains an unknown app and an unknown tenant', async () => {
    const app = await setup({ settings: { clientId: fabrikam.clientId } });
    const appError = await rejection(app.client.getUser(megan.id));
    assert.equal(appError.upstream?.code, 'AADSTS700016');
    assert.match(appError.message, /not known in tenant/);
    const tenant = await setup({ settings: { tenantId: 'nowhere.example' } });
    const tenantError = await rejection(tenant.client.getUser(megan.id));
    assert.equal(tenantError.upstream?.code, 'AADSTS90002');
    assert.match(tenantError.message, /has no tenant nowhere\.example/);
  });

  it('re-acquires once when Graph says the token expired', async () => {
    const simClock = createManualClock();
    const t = await setup({ sim: { clock: simClock, tokenLifetimeSeconds: 3599 } });
    await t.client.getUser(megan.id);
    simClock.advance(3600_000); // the simulator's clock moved; the connector still trusts its cache
    const user = await t.client.getUser(megan.id);
    assert.equal(user.id, megan.id);
    assert.equal(t.tokenRequests(), 2);
    assert.deepEqual(
      t.graphRequests().map((r) => r.status),
      [200, 401, 200],
    );
  });

  it('keeps tenants apart: tenant A’s token cannot see tenant B’s users', async () => {
    const t = await setup();
    const error = await rejection(t.client.getUser(lee.id));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_NOT_FOUND');
    assert.equal(error.upstream?.code, 'Request_ResourceNotFound');
    assert.deepEqual(await t.client.findUsersByEmail(lee.mail), []);
    assert.ok(t.graphRequests().every((r) => r.tokenTenantId === contoso.tenantId));
  });
});

describe('entra connector: lookups', () => {
  it('finds users by e-mail, including an alias in proxyAddresses, as an advanced query', async () => {
    const t = await setup();
    const users = await t.client.findUsersByEmail('Diego@ContosoDental.example');
    assert.deepEqual(users.map((u) => u.id).sort(), [diego.id, diegoAdmin.id]);
    const request = t.graphRequests('GET', '/users').at(-1)!;
    assert.equal(request.consistencyLevel, 'eventual');
    assert.match(request.query, /\$count=true/);
    assert.match(request.query, /proxyAddresses\/any\(p:p eq 'smtp:Diego@ContosoDental\.example'\)/);
    assert.deepEqual(
      users.find((u) => u.id === diego.id),
      {
        id: diego.id,
        userPrincipalName: diego.userPrincipalName,
        displayName: diego.displayName,
        mail: diego.mail,
        givenName: diego.givenName,
        surname: diego.surname,
        jobTitle: diego.jobTitle,
        accountEnabled: true,
        onPremisesSyncEnabled: false,
      },
    );
  });

  it('finds by UPN and by display name (case-insensitive), and searches by prefix', async () => {
    const t = await setup();
    assert.deepEqual(
      (await t.client.findUsersByUpn(megan.userPrincipalName.toUpperCase())).map((u) => u.id),
      [megan.id],
    );
    assert.deepEqual(
      (await t.client.findUsersByDisplayName('megan bowen')).map((u) => u.id),
      [megan.id],
    );
    assert.deepEqual(
      (await t.client.searchUsers('Diego')).map((u) => u.id),
      [diego.id, diegoAdmin.id],
    );
    assert.equal((await t.client.searchUsers('Diego', { limit: 1 })).length, 1);
    assert.deepEqual(await t.client.findUsersByUpn('nobody@contosodental.example'), []);
    const user = await t.client.getUser(megan.userPrincipalName);
    assert.equal(user.onPremisesSyncEnabled, false);
    assert.match(
      t.graphRequests('GET').at(-1)!.query,
      /\$select=id,displayName,userPrincipalName,mail,givenName,surname,jobTitle,department,accountEnabled,onPremisesSyncEnabled/,
    );
  });

  it('escapes quotes so an injection attempt is searched for, not executed', async () => {
    const t = await setup();
    assert.deepEqual(await t.client.findUsersByEmail("x' or 1 eq 1 or mail eq 'y"), []);
    assert.deepEqual(await t.client.findUsersByDisplayName("' or displayName eq 'Megan Bowen"), []);
    assert.deepEqual(await t.client.searchUsers("o'brien"), []);
    const queries = t.graphRequests('GET', '/users').map((r) => r.query);
    assert.ok(queries.some((q) => q.includes("mail eq 'x'' or 1 eq 1 or mail eq ''y'")));
    assert.ok(
      t.graphRequests().every((r) => r.status === 200),
      'every escaped filter parsed',
    );
  });

  it('follows @odata.nextLink up to the requested limit', async () => {
    const many = structuredClone(contoso);
    many.users = Array.from({ length: 30 }, (_, i) => ({
      ...structuredClone(megan),
      id: `c0000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`,
      userPrincipalName: `temp${i}@contosodental.example`,
      displayName: `Temp Worker ${i}`,
    }));
    const t = await setup({ sim: { tenants: [many] } });
    assert.equal((await t.client.findUsersByDisplayName('Temp Worker 7')).length, 1);
    assert.equal((await t.client.searchUsers('Temp', { limit: 25 })).length, 25);
  });

  it('lists directory roles', async () => {
    const t = await setup();
    assert.deepEqual(
      (await t.client.listDirectoryRoles(itAdmin.id)).map((r) => r.displayName),
      ['Global Administrator'],
    );
    assert.deepEqual(await t.client.listDirectoryRoles(megan.id), []);
  });
});

describe('entra connector: password reset and sessions', () => {
  it('resets a cloud user’s password with the force-change flag', async () => {
    const t = await setup();
    await t.client.resetPassword(megan.id, { password: GOOD_PASSWORD, forceChangeNextSignIn: true });
    assert.equal(t.sim.state.checkPassword(contoso.tenantId, megan.id, GOOD_PASSWORD), true);
    assert.deepEqual(
      t.sim.state.passwordChanges.map((c) => [c.userId, c.forceChangePasswordNextSignIn]),
      [[megan.id, true]],
    );
    await t.client.resetPassword(diego.id, { password: GOOD_PASSWORD, forceChangeNextSignIn: false });
    assert.equal(t.sim.state.passwordChanges.at(-1)?.forceChangePasswordNextSignIn, false);
  });

  it('shows Graph’s own text when the password is too weak', async () => {
    const t = await setup();
    const error = await rejection(t.client.resetPassword(megan.id, { password: 'Password123!', forceChangeNextSignIn: true }));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_PASSWORD_REJECTED');
    assert.match(error.message, /^The password does not meet the tenant’s rules: The specified password does not comply/);
    assert.equal(error.upstream?.status, 400);
    assert.match(error.upstream?.message ?? '', /request-id [0-9a-f-]{36}/);
    assert.equal(t.sim.state.passwordChanges.length, 0);
  });

  it('refuses a synced user with the on-prem AD message and sends no PATCH', async () => {
    const t = await setup({ tenant: fabrikam });
    const error = await rejection(t.client.resetPassword(lee.id, { password: GOOD_PASSWORD, forceChangeNextSignIn: true }));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_SYNCED_USER');
    assert.equal(error.httpStatus, 409);
    assert.match(error.message, /on-premises Active Directory/);
    assert.equal(t.graphRequests('PATCH').length, 0);
  });

  it('explains a 403 on an admin account', async () => {
    const t = await setup();
    const error = await rejection(t.client.resetPassword(itAdmin.id, { password: GOOD_PASSWORD, forceChangeNextSignIn: true }));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_PRIVILEGED_TARGET');
    assert.equal(error.httpStatus, 403);
    assert.match(error.message, /Global Administrator/);
    assert.match(error.message, /Privileged Authentication Administrator/);
    assert.equal(error.upstream?.code, 'Authorization_RequestDenied');
  });

  it('says which permission is missing on a 403 for a non-admin', async () => {
    const t = await setup();
    t.sim.failNext('PATCH /v1.0/users/', 403, 'Authorization_RequestDenied');
    const error = await rejection(t.client.resetPassword(megan.id, { password: GOOD_PASSWORD, forceChangeNextSignIn: true }));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(
      error.message,
      /^The app registration lacks the permission or Entra role for this: .*User\.ReadWrite\.All.*User Administrator/,
    );
  });

  it('retries the password PATCH only when Graph rejected it before running it', async () => {
    const t = await setup();
    t.sim.failNext('PATCH /v1.0/users/', 503, 'ServiceUnavailable', 1, { retryAfterSeconds: 1 });
    await t.client.resetPassword(megan.id, { password: GOOD_PASSWORD, forceChangeNextSignIn: true });
    assert.deepEqual(t.sleeps, [1000]);
    assert.equal(t.graphRequests('PATCH').length, 2);

    t.sim.failNext('PATCH /v1.0/users/', 504, 'GatewayTimeout', 1, { retryAfterSeconds: 1 });
    const error = await rejection(t.client.resetPassword(megan.id, { password: GOOD_PASSWORD, forceChangeNextSignIn: true }));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_UNAVAILABLE');
    assert.equal(error.retryable, true);
    assert.equal(t.graphRequests('PATCH').length, 3, 'a 504 may have run: not repeated');
  });

  it('revokes sessions', async () => {
    const t = await setup();
    await t.client.sessions.revokeSessions(megan.id);
    assert.deepEqual(
      t.sim.state.revocations.map((r) => r.userId),
      [megan.id],
    );
    assert.ok(t.graphRequests('POST', 'revokeSignInSessions')[0]?.bearer);
  });
});

describe('entra connector: throttling and failures', () => {
  it('honours Retry-After on 429 and succeeds', async () => {
    const t = await setup();
    await t.client.getUser(megan.id); // token first, so only Graph calls are throttled below
    t.sim.failNext('GET /v1.0/users', 429, 'TooManyRequests', 2, { retryAfterSeconds: 2 });
    const users = await t.client.findUsersByUpn(megan.userPrincipalName);
    assert.equal(users.length, 1);
    assert.deepEqual(t.sleeps, [2000, 2000]);
  });

  it('surfaces 429 after the retry bound with a readable message', async () => {
    const t = await setup({ sim: { throttle: { requests: 1, windowMs: 4_000 } } });
    await t.client.getUser(megan.id);
    const error = await rejection(t.client.getUser(megan.id));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_THROTTLED');
    assert.equal(error.retryable, true);
    assert.match(error.message, /^Microsoft 365 is throttling requests for tenant .*; the toolbox retried 2 times/);
    assert.equal(error.upstream?.code, 'TooManyRequests');
    assert.equal(t.sleeps.length, 2);
    assert.ok(
      t.sleeps.every((ms) => ms >= 1000 && ms <= 4000),
      `Retry-After honoured: ${t.sleeps}`,
    );
  });

  it('does not wait for a Retry-After longer than the interactive bound', async () => {
    const t = await setup();
    await t.client.getUser(megan.id);
    t.sim.failNext('GET /v1.0/users', 429, 'TooManyRequests', 1, { retryAfterSeconds: 120 });
    const error = await rejection(t.client.getUser(megan.id));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_THROTTLED');
    assert.deepEqual(t.sleeps, []);
  });

  it('reports a timeout as retryable', async () => {
    const t = await setup({ sim: { latencyMs: 300 }, settings: { timeoutMs: 100 } });
    const error = await rejection(t.client.getUser(megan.id));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_TIMEOUT');
    assert.equal(error.retryable, true);
  });
});

describe('entra connector: systems check', () => {
  it('reports token, permissions, reads and the unverifiable role as lines', async () => {
    const t = await setup();
    const lines = await t.client.systemsCheck();
    assert.deepEqual(
      lines.map((l) => [l.name, checkLineState(l)]),
      [
        ['Sign-in to the tenant', 'pass'],
        ['Permission User.ReadWrite.All', 'pass'],
        ['Permission User.RevokeSessions.All', 'pass'],
        ['Permission UserAuthenticationMethod.ReadWrite.All', 'pass'],
        ['Permission GroupMember.ReadWrite.All', 'pass'],
        ['Permission LicenseAssignment.ReadWrite.All', 'pass'],
        ['Permission MailboxSettings.ReadWrite', 'pass'],
        ['Permission Domain.Read.All', 'pass'],
        ['Permission Organization.Read.All', 'pass'],
        ['Read users', 'pass'],
        ['Read directory roles', 'pass'],
        ['Read groups', 'pass'],
        // Only a real reset proves the roles: said as such, never as a green pass.
        ['Entra role for password resets', 'unverified'],
        ['Entra role for MFA resets', 'unverified'],
        ['Permission Exchange.ManageAsApp', 'pass'],
        ['Exchange Online commands', 'unverified'],
      ],
    );
    const byName = Object.fromEntries(lines.map((l) => [l.name, l]));
    // Every line the forms catalogue relies on (entra-capabilities.ts) is one the check reports.
    for (const proof of [ENTRA_SIGN_IN, ...Object.values(ENTRA_CAPABILITY_PROOFS).flat()]) {
      assert.ok(byName[proof.checkName], `the systems check has no line "${proof.checkName}" (${proof.label})`);
    }
    assert.match(byName['Entra role for password resets']!.message, /^Not verifiable without attempting a reset/);
    assert.match(byName['Entra role for MFA resets']!.message, /Authentication Administrator/);
    assert.match(byName['Exchange Online commands']!.message, /Get-OrganizationConfig.*Not verifiable without a change/s);
    // The Exchange line ran a cmdlet with Exchange's own token.
    assert.deepEqual(
      t.sim.state.exchangeRequests.map((r) => [r.cmdlet, r.status]),
      [['Get-OrganizationConfig', 200]],
    );
  });

  it('flags missing permissions and a forbidden read without throwing', async () => {
    const t = await setup({ sim: { appPermissions: { contoso: ['User.Read.All'] } } });
    t.sim.failNext('GET /v1.0/users', 403, 'Authorization_RequestDenied');
    const lines = await t.client.systemsCheck();
    const byName = Object.fromEntries(lines.map((l) => [l.name, l]));
    assert.equal(byName['Permission User.ReadWrite.All']?.ok, false);
    assert.equal(byName['Permission UserAuthenticationMethod.ReadWrite.All']?.ok, false);
    assert.match(byName['Permission UserAuthenticationMethod.ReadWrite.All']?.message ?? '', /MFA method resets/);
    // Onboarding reads are advisory: missing, they warn without failing the check (and never read as a pass).
    assert.equal(byName['Permission Domain.Read.All']?.ok, false);
    assert.equal(byName['Permission Domain.Read.All']?.outcome, 'warning');
    assert.match(byName['Permission Domain.Read.All']?.message ?? '', /^Not granted \(advisory\)/);
    assert.match(byName['Permission Organization.Read.All']?.hint ?? '', /Organization\.Read\.All/);
    assert.equal(byName['Read users']?.ok, false);
    assert.equal(byName['Read users']?.upstreamCode, 'Authorization_RequestDenied');
    assert.equal(byName['Permission GroupMember.ReadWrite.All']?.ok, false);
    assert.equal(byName['Permission Exchange.ManageAsApp']?.ok, false);
    assert.equal(byName['Exchange Online commands']?.ok, false);
    assert.match(byName['Exchange Online commands']?.message ?? '', /Exchange\.ManageAsApp/);
  });

  it('stops after a failed sign-in, with the AADSTS code', async () => {
    const t = await setup({ settings: { clientSecret: 'wrong-secret' } });
    const lines = await t.client.systemsCheck();
    assert.equal(lines[0]?.ok, false);
    assert.equal(lines[0]?.upstreamCode, 'AADSTS7000215');
    // The rest is not run, not failed.
    assert.deepEqual(
      lines.slice(1).map((line) => checkLineState(line)),
      ['not-run'],
    );
  });
});
