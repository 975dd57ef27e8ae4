import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { rejection } from '../../../../test/helpers/rejection.js';
import { type DemoTenant, type DemoUser, demoTenants } from '../../../demo/demo-data.js';
import { createManualClock } from '../../../lib/clock.js';
import { createHttpFetch } from '../../../lib/http-fetch.js';
import { createLogger } from '../../../lib/logger.js';
import { createSelfSignedCertificate } from '../../../lib/self-signed-certificate.js';
import { createGraphSimulator, type GraphSimulatorOptions } from '../../../simulators/graph/graph-simulator.js';
import type { AuthMethod } from '../types.js';
import { createEntraConnector, type EntraClient } from './entra-connector.js';

// MFA methods and Temporary Access Passes against the simulator over real HTTPS, as in
// entra-connector.test.ts: every assertion about Graph is about what the simulator received.
const contoso = demoTenants[0]!;
const adatum = demoTenants[2]!;
const megan = contoso.users[0]!;
const diego = contoso.users[1]!;
const grady = adatum.users[1]!;
const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';

/** A user with one method of every kind, for the DELETE segments; the mobile number is not the default. */
const everything: DemoUser = {
  ...structuredClone(megan),
  id: 'c0000000-0000-4000-8000-0000000000e1',
  userPrincipalName: 'every.method@contosodental.example',
  displayName: 'Every Method',
  preferredSecondFactor: 'push',
  authMethods: [
    { type: 'phone', id: '3179e48a-750b-4051-897c-87b9720928f7', phoneNumber: '+1 5550100001', phoneType: 'mobile' },
    { type: 'phone', id: 'b6332ec1-7057-4abe-9331-3d72feddfe41', phoneNumber: '+1 5550100002', phoneType: 'alternateMobile' },
    { type: 'phone', id: 'e37fc753-ff3b-4958-9484-eaa9425c82bc', phoneNumber: '+1 5550100003', phoneType: 'office' },
    { type: 'email', id: '3ddfcfc8-9383-446f-83cc-3ab9be4be18f', emailAddress: 'every@personal.example' },
    { type: 'fido2', id: 'e1000000-0000-4000-8000-000000000001', displayName: 'Desk key', model: 'YubiKey 5 NFC' },
    { type: 'microsoftAuthenticator', id: 'e1000000-0000-4000-8000-000000000002', displayName: 'Pixel 9', phoneAppVersion: '6.2501.1' },
    { type: 'softwareOath', id: 'e1000000-0000-4000-8000-000000000003' },
    { type: 'windowsHelloForBusiness', id: 'e1000000-0000-4000-8000-000000000004', displayName: 'LAPTOP-42' },
    { type: 'platformCredential', id: 'e1000000-0000-4000-8000-000000000005', displayName: 'MacBook Air', platform: 'macOS' },
    { type: 'externalAuthentication', id: 'e1000000-0000-4000-8000-000000000006', displayName: 'Duo' },
    { type: 'hardwareOath', id: 'e1000000-0000-4000-8000-000000000007', displayName: 'Token 0042', serialNumber: '0042' },
  ],
};
const contosoPlus: DemoTenant = { ...structuredClone(contoso), users: [...structuredClone(contoso.users), everything] };

let tls: { key: string; cert: string };
const fetch = { current: undefined as unknown as ReturnType<typeof createHttpFetch> };
const logLines: string[] = [];
const servers: { close(): Promise<void> }[] = [];
/** Every Temporary Access Pass issued in these tests: none may reach the log. */
const issuedPasses: string[] = [];

before(async () => {
  tls = await createSelfSignedCertificate({ hostnames: ['localhost', '127.0.0.1', '::1'] });
  fetch.current = createHttpFetch({ extraCaPem: [tls.cert] });
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await fetch.current.close();
  const log = logLines.join('\n');
  assert.ok(issuedPasses.length >= 2, 'the tests issued passes to look for');
  for (const pass of issuedPasses) assert.equal(log.includes(pass), false, 'a Temporary Access Pass reached the log');
  for (const secret of [contoso.clientSecret, adatum.clientSecret, 'eyJ', 'Bearer ']) assert.equal(log.includes(secret), false);
});

async function setup(options: { sim?: GraphSimulatorOptions; tenant?: DemoTenant } = {}) {
  const sim = createGraphSimulator({ tenants: [contosoPlus, structuredClone(adatum)], ...options.sim });
  const server = await sim.listen({ port: 0, host: '127.0.0.1', tls });
  servers.push(server);
  const tenant = options.tenant ?? contoso;
  const connector = createEntraConnector();
  const settings = connector.settings.parse({
    tenantId: tenant.tenantId,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    authorityHost: server.url,
    graphUrl: server.url,
  });
  const sleeps: number[] = [];
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      lines.push(String(chunk));
      callback();
    },
  });
  const client: EntraClient = connector.create(settings, {
    fetch: fetch.current,
    logger: createLogger({ level: 'debug', destination }),
    clock: createManualClock(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return {
    sim,
    client,
    sleeps,
    lines,
    /** Graph calls (v1.0 and beta) the simulator received, optionally by method and path part. */
    graphRequests: (method?: string, pathPart?: string) =>
      sim.state.requests.filter(
        (r) => /^\/(v1\.0|beta)\//.test(r.path) && (!method || r.method === method) && (!pathPart || r.path.includes(pathPart)),
      ),
  };
}

const byKind = (methods: AuthMethod[], kind: AuthMethod['kind'], phoneType?: string) =>
  methods.find((m) => m.kind === kind && (phoneType === undefined || m.phoneType === phoneType))!;

describe('entra connector: listing authentication methods', () => {
  it('maps each method to a kind and a readable label, and marks the default from beta signInPreferences', async () => {
    const t = await setup();
    const methods = await t.client.authMethods.listAuthMethods(megan.id);
    assert.deepEqual(methods, [
      {
        id: PASSWORD_METHOD_ID,
        kind: 'password',
        label: 'Password',
        isDefault: false,
        removable: false,
        createdAt: '2024-01-08T09:00:00Z',
      },
      {
        id: 'c2000000-0000-4000-8000-000000000011',
        kind: 'microsoftAuthenticator',
        label: 'Authenticator: iPhone 15 (app 6.8.17)',
        isDefault: true,
        removable: true,
        createdAt: '2025-03-04T15:22:10Z',
      },
      {
        id: '3179e48a-750b-4051-897c-87b9720928f7',
        kind: 'phone',
        label: 'Phone (mobile): +1 5550101001',
        phoneType: 'mobile',
        isDefault: false,
        removable: true,
      },
    ]);
    const list = t.graphRequests('GET', '/authentication/methods');
    const preferences = t.graphRequests('GET', '/authentication/signInPreferences');
    assert.deepEqual(
      [...list, ...preferences].map((r) => [r.path, r.bearer, r.tokenTenantId, r.status]),
      [
        [`/v1.0/users/${megan.id}/authentication/methods`, true, contoso.tenantId, 200],
        [`/beta/users/${megan.id}/authentication/signInPreferences`, true, contoso.tenantId, 200],
      ],
    );
  });

  it('marks the phone type that sms, voiceMobile or voiceOffice designates, and labels every kind', async () => {
    const t = await setup();
    const diegos = await t.client.authMethods.listAuthMethods(diego.id);
    assert.deepEqual(
      diegos.map((m) => [m.kind, m.label, m.isDefault]),
      [
        ['password', 'Password', false],
        ['phone', 'Phone (mobile): +1 5550101002', true],
        ['phone', 'Phone (alternate mobile): +1 5550109002', false],
        ['email', 'Email: diego.siciliani@outlook.example', false],
        ['softwareOath', 'Authenticator app code (OATH)', false],
      ],
    );
    const g = await setup({ tenant: adatum });
    const gradys = await g.client.authMethods.listAuthMethods(grady.id);
    assert.equal(byKind(gradys, 'phone', 'office').isDefault, true);
    assert.equal(byKind(gradys, 'windowsHelloForBusiness').label, 'Windows Hello for Business: ADATUM-LT-0142');
    assert.equal(gradys.filter((m) => m.isDefault).length, 1);

    const all = await t.client.authMethods.listAuthMethods(everything.id);
    assert.deepEqual(
      all.map((m) => [m.kind, m.label, m.removable]),
      [
        ['password', 'Password', false],
        ['phone', 'Phone (mobile): +1 5550100001', true],
        ['phone', 'Phone (alternate mobile): +1 5550100002', true],
        ['phone', 'Phone (office): +1 5550100003', true],
        ['email', 'Email: every@personal.example', true],
        ['fido2', 'Security key: Desk key (YubiKey 5 NFC)', true],
        ['microsoftAuthenticator', 'Authenticator: Pixel 9 (app 6.2501.1)', true],
        ['softwareOath', 'Authenticator app code (OATH)', true],
        ['windowsHelloForBusiness', 'Windows Hello for Business: LAPTOP-42', true],
        ['platformCredential', 'Platform credential: MacBook Air (macOS)', true],
        ['externalAuthentication', 'External method: Duo', true],
        ['other', 'Hardware token (OATH)', false],
      ],
    );
  });

  it('still lists when beta signInPreferences fails: no default, a debug line says why', async () => {
    for (const [status, code] of [
      [404, 'ResourceNotFound'],
      [403, 'Authorization_RequestDenied'],
      [500, 'InternalServerError'],
    ] as const) {
      const t = await setup();
      t.sim.failNext('GET /beta/users/', status, code, 5);
      const methods = await t.client.authMethods.listAuthMethods(megan.id);
      assert.equal(methods.length, 3);
      assert.ok(
        methods.every((m) => !m.isDefault),
        `no default after a ${status}`,
      );
      const reason = t.lines.map((l) => JSON.parse(l)).find((l) => /beta signInPreferences failed/.test(l.msg));
      assert.equal(reason?.level, 20, 'logged at debug');
      assert.equal(reason?.upstreamStatus, status);
      const warnings = t.lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 40 && l.msg === 'graph call failed');
      assert.deepEqual(warnings, [], 'an optional beta read is not a warning');
    }
  });

  it('says which permission is missing on a 403', async () => {
    const t = await setup({ sim: { appPermissions: { contoso: ['User.ReadWrite.All'] } } });
    const error = await rejection(t.client.authMethods.listAuthMethods(megan.id));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(error.message, /UserAuthenticationMethod\.ReadWrite\.All/);
    assert.equal(error.upstream?.code, 'Authorization_RequestDenied');
  });
});

describe('entra connector: removing authentication methods', () => {
  it('deletes each kind through its own v1.0 segment, and refuses the password and beta-only kinds without a call', async () => {
    const t = await setup();
    const methods = await t.client.authMethods.listAuthMethods(everything.id);
    // Phones last, alternate before mobile: the order a reset workflow uses.
    const order = [
      ...methods.filter((m) => m.kind !== 'phone'),
      ...['office', 'alternateMobile', 'mobile'].map((p) => byKind(methods, 'phone', p)),
    ];
    for (const method of order.filter((m) => m.removable)) await t.client.authMethods.removeAuthMethod(everything.id, method);
    const deletes = t.graphRequests('DELETE');
    assert.deepEqual(
      deletes.map((r) => [r.path.replace(`/v1.0/users/${everything.id}/authentication/`, '').split('/')[0], r.bearer, r.status]),
      [
        ['emailMethods', true, 204],
        ['fido2Methods', true, 204],
        ['microsoftAuthenticatorMethods', true, 204],
        ['softwareOathMethods', true, 204],
        ['windowsHelloForBusinessMethods', true, 204],
        ['platformCredentialMethods', true, 204],
        ['externalAuthenticationMethods', true, 204],
        ['phoneMethods', true, 204],
        ['phoneMethods', true, 204],
        ['phoneMethods', true, 204],
      ],
    );
    assert.equal(deletes[0]?.path, `/v1.0/users/${everything.id}/authentication/emailMethods/3ddfcfc8-9383-446f-83cc-3ab9be4be18f`);

    for (const method of [byKind(methods, 'password'), byKind(methods, 'other')]) {
      const error = await rejection(t.client.authMethods.removeAuthMethod(everything.id, method));
      assert.equal(error.code, 'TBX_ERR_DIRECTORY_METHOD_NOT_REMOVABLE');
      assert.equal(error.httpStatus, 400);
    }
    assert.equal(t.graphRequests('DELETE').length, deletes.length, 'no call for the password or hardware token');
    assert.deepEqual(
      t.sim.state.listAuthMethods(contoso.tenantId, everything.id).map((m) => m['@odata.type']),
      ['#microsoft.graph.passwordAuthenticationMethod', '#microsoft.graph.hardwareOathAuthenticationMethod'],
    );
  });

  it('treats a 404 on DELETE (already gone) as success', async () => {
    const t = await setup();
    const authenticator = byKind(await t.client.authMethods.listAuthMethods(megan.id), 'microsoftAuthenticator');
    await t.client.authMethods.removeAuthMethod(megan.id, authenticator);
    await t.client.authMethods.removeAuthMethod(megan.id, authenticator);
    await t.client.authMethods.removeAuthMethod(megan.id, { id: 'c2000000-0000-4000-8000-0000000000ff', kind: 'fido2' });
    assert.deepEqual(
      t.graphRequests('DELETE').map((r) => r.status),
      [204, 404, 404],
    );
  });

  it('refuses the default phone method while others remain, then removes it last', async () => {
    const t = await setup();
    const methods = await t.client.authMethods.listAuthMethods(diego.id);
    const mobile = byKind(methods, 'phone', 'mobile');
    assert.equal(mobile.isDefault, true);
    const error = await rejection(t.client.authMethods.removeAuthMethod(diego.id, mobile));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_DEFAULT_METHOD');
    assert.match(error.message, /default sign-in method.*only removes the default phone method after the user’s other methods are gone/);
    assert.equal(error.upstream?.status, 400);
    assert.equal(t.graphRequests('DELETE').length, 1, 'a 400 is not retried');

    for (const method of methods.filter((m) => m.removable && m !== mobile)) await t.client.authMethods.removeAuthMethod(diego.id, method);
    await t.client.authMethods.removeAuthMethod(diego.id, mobile);
    assert.deepEqual(
      (await t.client.authMethods.listAuthMethods(diego.id)).map((m) => m.kind),
      ['password'],
    );
    assert.equal(t.sim.state.preferredSecondFactor(contoso.tenantId, diego.id), null);
  });

  it('refuses the mobile number while an alternate mobile number remains', async () => {
    const t = await setup();
    const methods = await t.client.authMethods.listAuthMethods(everything.id);
    const error = await rejection(t.client.authMethods.removeAuthMethod(everything.id, byKind(methods, 'phone', 'mobile')));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_DEFAULT_METHOD');
    assert.match(error.message, /alternate mobile number without a mobile number/);
    await t.client.authMethods.removeAuthMethod(everything.id, byKind(methods, 'phone', 'alternateMobile'));
    await t.client.authMethods.removeAuthMethod(everything.id, byKind(methods, 'phone', 'mobile'));
  });

  it('names the permission and the Authentication Administrator role on a 403', async () => {
    const t = await setup({ sim: { appPermissions: { contoso: ['User.ReadWrite.All', 'UserAuthenticationMethod.Read.All'] } } });
    const methods = await t.client.authMethods.listAuthMethods(megan.id);
    const error = await rejection(t.client.authMethods.removeAuthMethod(megan.id, byKind(methods, 'microsoftAuthenticator')));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(
      error.message,
      /UserAuthenticationMethod\.ReadWrite\.All.*Authentication Administrator.*Privileged Authentication Administrator/,
    );
    const phone = await rejection(t.client.authMethods.removeAuthMethod(megan.id, byKind(methods, 'phone')));
    assert.equal(phone.code, 'TBX_ERR_DIRECTORY_FORBIDDEN', 'a 403 on a phone is not the default-method rule');
  });

  it('retries a DELETE after 429 Retry-After, but not after a 504', async () => {
    const t = await setup();
    const methods = await t.client.authMethods.listAuthMethods(megan.id);
    t.sim.failNext('DELETE /v1.0/users/', 429, 'TooManyRequests', 1, { retryAfterSeconds: 1 });
    await t.client.authMethods.removeAuthMethod(megan.id, byKind(methods, 'microsoftAuthenticator'));
    assert.deepEqual(t.sleeps, [1000]);
    assert.deepEqual(
      t.graphRequests('DELETE').map((r) => r.status),
      [429, 204],
    );
    t.sim.failNext('DELETE /v1.0/users/', 504, 'GatewayTimeout');
    const error = await rejection(t.client.authMethods.removeAuthMethod(megan.id, byKind(methods, 'phone')));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_UNAVAILABLE');
    assert.equal(t.graphRequests('DELETE').length, 3, 'a 504 may have run: not repeated');
  });

  it('shows a legacy-MFA tenant’s incomplete removal: 204, yet the method is still listed until removed again', async () => {
    const t = await setup({ sim: { legacyMfaTenants: ['contoso'] } });
    const authenticator = byKind(await t.client.authMethods.listAuthMethods(megan.id), 'microsoftAuthenticator');
    await t.client.authMethods.removeAuthMethod(megan.id, authenticator);
    assert.ok(
      (await t.client.authMethods.listAuthMethods(megan.id)).some((m) => m.id === authenticator.id),
      'still there after a 204',
    );
    // What a workflow does: re-list and repeat, with a bound.
    for (let round = 0; round < 3; round++) {
      if (!(await t.client.authMethods.listAuthMethods(megan.id)).some((m) => m.id === authenticator.id)) break;
      await t.client.authMethods.removeAuthMethod(megan.id, authenticator);
    }
    assert.equal(
      (await t.client.authMethods.listAuthMethods(megan.id)).some((m) => m.id === authenticator.id),
      false,
    );
    assert.deepEqual(
      t.graphRequests('DELETE').map((r) => r.status),
      [204, 204],
    );
  });
});

describe('entra connector: Temporary Access Pass', () => {
  it('creates a pass the simulator accepts, without the pass reaching the log', async () => {
    const t = await setup();
    const tap = await t.client.temporaryAccessPass.createTemporaryAccessPass(megan.id, { lifetimeInMinutes: 60, isUsableOnce: true });
    issuedPasses.push(tap.pass);
    assert.equal(tap.lifetimeInMinutes, 60);
    assert.equal(tap.isUsableOnce, true);
    assert.ok(tap.startDateTime && !Number.isNaN(Date.parse(tap.startDateTime)));
    assert.equal(t.sim.state.checkTemporaryAccessPass(contoso.tenantId, megan.id, tap.pass), true);
    assert.equal(t.sim.state.checkTemporaryAccessPass(contoso.tenantId, megan.id, `${tap.pass}x`), false);
    const post = t.graphRequests('POST', '/temporaryAccessPassMethods');
    assert.deepEqual(
      post.map((r) => [r.path, r.bearer, r.status]),
      [[`/v1.0/users/${megan.id}/authentication/temporaryAccessPassMethods`, true, 201]],
    );
    assert.ok(
      t.lines.some((l) => l.includes('temporaryAccessPassMethods')),
      'the call was logged',
    );
    assert.equal(
      t.lines.some((l) => l.includes(tap.pass)),
      false,
      'the pass is not in the debug log',
    );

    const listed = byKind(await t.client.authMethods.listAuthMethods(megan.id), 'temporaryAccessPass');
    assert.equal(listed.label, 'Temporary Access Pass (60 min, one-time)');
    assert.equal(listed.removable, true);

    const second = await rejection(
      t.client.temporaryAccessPass.createTemporaryAccessPass(megan.id, { lifetimeInMinutes: 60, isUsableOnce: false }),
    );
    assert.equal(second.code, 'TBX_ERR_DIRECTORY_TAP_EXISTS');
    assert.match(second.message, /already has a Temporary Access Pass, and Microsoft 365 allows only one/);
    assert.equal(JSON.stringify(second.toLog()).includes(tap.pass), false);

    // Removing the old pass makes room for a new one.
    await t.client.authMethods.removeAuthMethod(megan.id, listed);
    const replacement = await t.client.temporaryAccessPass.createTemporaryAccessPass(megan.id, {
      lifetimeInMinutes: 480,
      isUsableOnce: false,
    });
    issuedPasses.push(replacement.pass);
    assert.equal(t.sim.state.checkTemporaryAccessPass(contoso.tenantId, megan.id, replacement.pass), true);
    assert.equal(t.sim.state.checkTemporaryAccessPass(contoso.tenantId, megan.id, tap.pass), false);
  });

  it('refuses a lifetime outside 10–43200 minutes without calling Graph', async () => {
    const t = await setup();
    for (const lifetimeInMinutes of [9, 43_201, 90.5, Number.NaN]) {
      const error = await rejection(
        t.client.temporaryAccessPass.createTemporaryAccessPass(megan.id, { lifetimeInMinutes, isUsableOnce: true }),
      );
      assert.equal(error.code, 'TBX_ERR_DIRECTORY_INVALID_INPUT');
      assert.equal(error.httpStatus, 400);
      assert.match(error.message, /between 10 minutes and 43200 minutes/);
    }
    assert.equal(t.graphRequests().length, 0);
  });

  it('explains a tenant whose policy has TAP disabled, and a missing permission', async () => {
    const t = await setup({ sim: { temporaryAccessPassDisabledTenants: ['contoso'] } });
    const disabled = await rejection(
      t.client.temporaryAccessPass.createTemporaryAccessPass(megan.id, { lifetimeInMinutes: 60, isUsableOnce: true }),
    );
    assert.equal(disabled.code, 'TBX_ERR_DIRECTORY_TAP_DISABLED');
    assert.match(disabled.message, /^Temporary Access Pass is not enabled in this tenant’s authentication methods policy/);

    const f = await setup({ sim: { appPermissions: { contoso: ['User.ReadWrite.All'] } } });
    const forbidden = await rejection(
      f.client.temporaryAccessPass.createTemporaryAccessPass(megan.id, { lifetimeInMinutes: 60, isUsableOnce: true }),
    );
    assert.equal(forbidden.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(forbidden.message, /UserAuthenticationMethod\.ReadWrite\.All/);
  });

  it('retries the POST after a 429 but not after a 504, so a lost answer cannot make a second pass', async () => {
    const t = await setup();
    await t.client.getUser(megan.id);
    t.sim.failNext('POST /v1.0/users/', 429, 'TooManyRequests', 1, { retryAfterSeconds: 2 });
    const tap = await t.client.temporaryAccessPass.createTemporaryAccessPass(megan.id, { lifetimeInMinutes: 60, isUsableOnce: true });
    issuedPasses.push(tap.pass);
    assert.deepEqual(t.sleeps, [2000]);
    const g = await setup();
    g.sim.failNext('POST /v1.0/users/', 504, 'GatewayTimeout');
    const error = await rejection(
      g.client.temporaryAccessPass.createTemporaryAccessPass(megan.id, { lifetimeInMinutes: 60, isUsableOnce: true }),
    );
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_UNAVAILABLE');
    assert.equal(g.graphRequests('POST').length, 1);
  });
});
