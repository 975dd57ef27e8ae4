import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoTenants } from '../../demo/demo-data.js';
import { createManualClock } from '../../lib/clock.js';
import { createGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './graph-simulator.js';

// In-process (no socket), like graph-simulator.test.ts: the rules of reference §6 as the
// simulator enforces them. The connector's side is in entra-auth-methods.test.ts.
const BASE = 'http://graph.test';
const contoso = demoTenants[0]!;
const adatum = demoTenants[2]!;
const megan = contoso.users[0]!;
const diego = contoso.users[1]!;
const nestor = demoTenants[1]!.users[3]!;
const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';
const MOBILE = '3179e48a-750b-4051-897c-87b9720928f7';
const ALTERNATE_MOBILE = 'b6332ec1-7057-4abe-9331-3d72feddfe41';
const EMAIL = '3ddfcfc8-9383-446f-83cc-3ab9be4be18f';

async function accessToken(sim: GraphSimulator, tenant = contoso) {
  const response = await sim.handler(
    new Request(`${BASE}/${tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    }),
  );
  assert.equal(response.status, 200);
  return ((await response.json()) as { access_token: string }).access_token;
}

type Answer = { status: number; headers: Headers; body: Record<string, unknown> & { error?: { code: string; message: string } } };

/** A client for one tenant; `path` starts with /v1.0 or /beta. */
async function client(options: GraphSimulatorOptions = {}, tenant = contoso) {
  const sim = createGraphSimulator(options);
  const bearer = await accessToken(sim, tenant);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await sim.handler(
      new Request(`${BASE}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      }),
    );
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
  };
  const methods = async (userId: string) =>
    ((await call('GET', `/v1.0/users/${userId}/authentication/methods`)).body.value as { '@odata.type': string; id: string }[]).map(
      (m) => m.id,
    );
  const del = (userId: string, segment: string, id: string) => call('DELETE', `/v1.0/users/${userId}/authentication/${segment}/${id}`);
  const tap = (userId: string, body: unknown) => call('POST', `/v1.0/users/${userId}/authentication/temporaryAccessPassMethods`, body);
  return { sim, call, methods, del, tap };
}

describe('graph simulator: authentication methods', () => {
  it('lists methods in Graph’s shape, the password first with its well-known id', async () => {
    const g = await client();
    const answer = await g.call('GET', `/v1.0/users/${megan.userPrincipalName}/authentication/methods`);
    assert.equal(answer.status, 200);
    assert.match(
      String(answer.body['@odata.context']),
      /\/v1\.0\/\$metadata#users\('c0000000-0000-4000-8000-000000000001'\)\/authentication\/methods$/,
    );
    assert.deepEqual(answer.body.value, [
      {
        '@odata.type': '#microsoft.graph.passwordAuthenticationMethod',
        id: PASSWORD_METHOD_ID,
        password: null,
        createdDateTime: '2024-01-08T09:00:00Z',
      },
      {
        '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
        id: 'c2000000-0000-4000-8000-000000000011',
        displayName: 'iPhone 15',
        deviceTag: 'SoftwareTokenActivated',
        phoneAppVersion: '6.8.17',
        createdDateTime: '2025-03-04T15:22:10Z',
      },
      {
        '@odata.type': '#microsoft.graph.phoneAuthenticationMethod',
        id: MOBILE,
        phoneNumber: '+1 5550101001',
        phoneType: 'mobile',
        smsSignInState: 'notAllowedByPolicy',
      },
    ]);
    // A user who never registered anything still has the password method.
    const fabrikam = await client({}, demoTenants[1]);
    assert.deepEqual(await fabrikam.methods(nestor.id), [PASSWORD_METHOD_ID]);
    assert.equal((await g.call('GET', '/v1.0/users/nobody@contosodental.example/authentication/methods')).status, 404);
    // Methods live beside the user, not on it.
    assert.equal('authMethods' in (g.sim.state.getUser(contoso.key, megan.id) ?? {}), false);
  });

  it('answers beta signInPreferences, which v1.0 does not have', async () => {
    const g = await client();
    const answer = await g.call('GET', `/beta/users/${megan.id}/authentication/signInPreferences`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.userPreferredMethodForSecondaryAuthentication, 'push');
    assert.equal(answer.body.isSystemPreferredAuthenticationMethodEnabled, true);
    assert.equal((await g.call('GET', `/v1.0/users/${megan.id}/authentication/signInPreferences`)).status, 400);
    assert.equal((await g.call('GET', `/beta/users/${megan.id}`)).status, 400, 'the rest of beta is not simulated');
    assert.equal(g.sim.state.preferredSecondFactor(contoso.key, diego.id), 'sms');
  });

  it('deletes through the segment of the method’s type only, never the password, and 404s a missing method', async () => {
    const g = await client();
    assert.equal((await g.del(diego.id, 'emailMethods', MOBILE)).status, 400, 'segment does not match the type');
    assert.equal((await g.del(diego.id, 'passwordMethods', PASSWORD_METHOD_ID)).status, 400);
    assert.equal((await g.del(diego.id, 'phoneMethods', PASSWORD_METHOD_ID)).status, 400);
    assert.equal((await g.del(diego.id, 'hardwareOathMethods', EMAIL)).status, 400, 'no such v1.0 segment');
    assert.equal((await g.del(diego.id, 'fido2Methods', 'c2000000-0000-4000-8000-0000000000ff')).status, 404);
    const removed = await g.del(diego.id, 'emailMethods', EMAIL);
    assert.equal(removed.status, 204);
    assert.equal((await g.del(diego.id, 'emailMethods', EMAIL)).status, 404, 'already gone');
    assert.equal((await g.methods(diego.id)).includes(EMAIL), false);
    assert.equal((await g.call('DELETE', `/v1.0/users/${adatum.users[0]!.id}/authentication/emailMethods/${EMAIL}`)).status, 404);
  });

  it('keeps the default phone until it is the last method, and mobile while an alternate mobile exists', async () => {
    const g = await client();
    const refused = await g.del(diego.id, 'phoneMethods', MOBILE);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error?.code, 'badRequest');
    assert.match(refused.body.error?.message ?? '', /default phone authentication method cannot be deleted/);
    assert.match(String(refused.headers.get('request-id')), /^[0-9a-f-]{36}$/);

    assert.equal((await g.del(diego.id, 'emailMethods', EMAIL)).status, 204);
    assert.equal((await g.del(diego.id, 'softwareOathMethods', 'c2000000-0000-4000-8000-000000000021')).status, 204);
    const alternateFirst = await g.del(diego.id, 'phoneMethods', MOBILE);
    assert.equal(alternateFirst.status, 400, 'the alternate mobile is another method: still refused');
    assert.equal((await g.del(diego.id, 'phoneMethods', ALTERNATE_MOBILE)).status, 204);
    assert.equal((await g.del(diego.id, 'phoneMethods', MOBILE)).status, 204);
    assert.deepEqual(await g.methods(diego.id), [PASSWORD_METHOD_ID]);
    assert.equal(g.sim.state.preferredSecondFactor(contoso.key, diego.id), null, 'no default once it is gone');

    // Not the default, but the alternate mobile needs it.
    const tenant = structuredClone(contoso);
    tenant.users[1] = { ...diego, preferredSecondFactor: 'oath' };
    const h = await client({ tenants: [tenant] });
    const needed = await h.del(diego.id, 'phoneMethods', MOBILE);
    assert.equal(needed.status, 400);
    assert.match(needed.body.error?.message ?? '', /alternate mobile/);
  });

  it('lets the default Authenticator go, after which there is no default', async () => {
    const g = await client();
    assert.equal((await g.del(megan.id, 'microsoftAuthenticatorMethods', 'c2000000-0000-4000-8000-000000000011')).status, 204);
    assert.equal(g.sim.state.preferredSecondFactor(contoso.key, megan.id), null);
    // The mobile number was never the default, so it goes at once.
    assert.equal((await g.del(megan.id, 'phoneMethods', MOBILE)).status, 204);
  });

  it('issues one Temporary Access Pass per user, keeping only a hash of it', async () => {
    const clock = createManualClock();
    const g = await client({ clock, tokenLifetimeSeconds: 86_400 });
    const created = await g.tap(megan.id, { lifetimeInMinutes: 60, isUsableOnce: true });
    assert.equal(created.status, 201);
    const pass = String(created.body.temporaryAccessPass);
    assert.match(pass, /^[A-Za-z0-9!#%+?@]{12}$/);
    assert.equal(created.body['@odata.type'], '#microsoft.graph.temporaryAccessPassAuthenticationMethod');
    assert.equal(created.body.lifetimeInMinutes, 60);
    assert.equal(created.body.isUsableOnce, true);
    assert.equal(created.body.isUsable, true);
    assert.equal(created.body.startDateTime, new Date(clock.now()).toISOString());
    assert.equal(g.sim.state.checkTemporaryAccessPass(contoso.key, megan.id, pass), true);
    assert.equal(
      g.sim.state.checkTemporaryAccessPass(contoso.key, megan.id, pass.toLowerCase() === pass ? `${pass}x` : pass.toLowerCase()),
      false,
    );
    const listed = g.sim.state.listAuthMethods(contoso.key, megan.id).find((m) => m.id === created.body.id);
    assert.equal(listed?.temporaryAccessPass, null, 'never shown again');
    assert.equal(JSON.stringify(g.sim.state.listAuthMethods(contoso.key, megan.id)).includes(pass), false);

    const second = await g.tap(megan.id, { lifetimeInMinutes: 60, isUsableOnce: false });
    assert.equal(second.status, 400);
    assert.match(second.body.error?.message ?? '', /already has a Temporary Access Pass/);

    clock.advance(61 * 60_000);
    assert.equal(g.sim.state.checkTemporaryAccessPass(contoso.key, megan.id, pass), false, 'expired');
    assert.equal(
      g.sim.state.listAuthMethods(contoso.key, megan.id).find((m) => m.id === created.body.id)?.methodUsabilityReason,
      'Expired',
    );
    assert.equal((await g.del(megan.id, 'temporaryAccessPassMethods', String(created.body.id))).status, 204);
    assert.equal((await g.tap(megan.id, {})).status, 201, 'both properties are optional (policy defaults)');
  });

  it('validates the TAP body', async () => {
    const g = await client();
    const cases: [unknown, RegExp][] = [
      [{ lifetimeInMinutes: 9, isUsableOnce: true }, /between 10 and 43200 minutes/],
      [{ lifetimeInMinutes: 43_201, isUsableOnce: true }, /between 10 and 43200 minutes/],
      [{ lifetimeInMinutes: '60', isUsableOnce: true }, /lifetimeInMinutes/],
      [{ lifetimeInMinutes: 60, isUsableOnce: 'yes' }, /isUsableOnce/],
      [{ lifetimeInMinutes: 60, isUsableOnce: true, temporaryAccessPass: 'Chosen1!' }, /Property 'temporaryAccessPass' does not exist/],
      [{ lifetimeInMinutes: 60, startDateTime: 'soon' }, /startDateTime/],
      ['[1]', /JSON/],
    ];
    for (const [body, message] of cases) {
      const answer = await g.tap(megan.id, body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.body.error?.message ?? '', message);
    }
    assert.equal((await g.tap(megan.id, '{oops')).status, 400);
    assert.equal(
      (
        await g.call('POST', `/v1.0/users/${megan.id}/authentication/temporaryAccessPassMethods`, undefined, {
          'content-type': 'text/plain',
        })
      ).status,
      415,
    );
    assert.equal(g.sim.state.listAuthMethods(contoso.key, megan.id).length, 3, 'nothing was created');
  });

  it('refuses TAPs where the tenant policy disables them', async () => {
    const g = await client({ temporaryAccessPassDisabledTenants: [contoso.tenantId] });
    const answer = await g.tap(megan.id, { lifetimeInMinutes: 60, isUsableOnce: true });
    assert.equal(answer.status, 400);
    assert.match(answer.body.error?.message ?? '', /not enabled .* authentication methods policy/);
  });

  it('needs UserAuthenticationMethod permissions in the token: Read.All to read, ReadWrite.All to change', async () => {
    const none = await client({ appPermissions: { contoso: ['User.ReadWrite.All'] } });
    for (const answer of [
      await none.call('GET', `/v1.0/users/${megan.id}/authentication/methods`),
      await none.call('GET', `/beta/users/${megan.id}/authentication/signInPreferences`),
      await none.del(megan.id, 'phoneMethods', MOBILE),
      await none.tap(megan.id, { lifetimeInMinutes: 60, isUsableOnce: true }),
    ]) {
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error?.code, 'Authorization_RequestDenied');
    }
    const read = await client({ appPermissions: { [contoso.tenantId]: ['UserAuthenticationMethod.Read.All'] } });
    assert.equal((await read.call('GET', `/v1.0/users/${megan.id}/authentication/methods`)).status, 200);
    assert.equal((await read.del(megan.id, 'phoneMethods', MOBILE)).status, 403);
    assert.equal(read.sim.state.listAuthMethods(contoso.key, megan.id).length, 3);
  });

  it('in a legacy-MFA tenant answers 204 to every valid DELETE but removes only every other time', async () => {
    const g = await client({ legacyMfaTenants: ['contoso'] });
    const authenticator = 'c2000000-0000-4000-8000-000000000011';
    assert.equal((await g.del(megan.id, 'microsoftAuthenticatorMethods', authenticator)).status, 204);
    assert.equal((await g.methods(megan.id)).includes(authenticator), true, 'still there');
    assert.equal((await g.del(diego.id, 'phoneMethods', MOBILE)).status, 400, 'the rules still apply, and do not count');
    assert.equal((await g.del(megan.id, 'microsoftAuthenticatorMethods', authenticator)).status, 204);
    assert.equal((await g.methods(megan.id)).includes(authenticator), false);
    const other = await client({ legacyMfaTenants: ['contoso'] }, adatum);
    assert.equal((await other.del(adatum.users[0]!.id, 'fido2Methods', 'a2000000-0000-4000-8000-000000000011')).status, 204);
    assert.equal((await other.methods(adatum.users[0]!.id)).length, 2, 'other tenants remove at once');
  });

  it('applies failNext and throttling to the new paths, with Graph-shaped errors on beta too', async () => {
    const g = await client();
    g.sim.failNext('GET /beta/users/', 404, 'ResourceNotFound');
    const injected = await g.call('GET', `/beta/users/${megan.id}/authentication/signInPreferences`);
    assert.equal(injected.status, 404);
    assert.equal(injected.body.error?.code, 'ResourceNotFound');
    g.sim.failNext(/^DELETE .*\/phoneMethods\//, 429, 'TooManyRequests', 1, { retryAfterSeconds: 3 });
    const throttled = await g.del(megan.id, 'phoneMethods', MOBILE);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '3');
    assert.deepEqual(
      g.sim.state.requests.slice(-2).map((r) => [r.method, r.path, r.bearer, r.status]),
      [
        ['GET', `/beta/users/${megan.id}/authentication/signInPreferences`, true, 404],
        ['DELETE', `/v1.0/users/${megan.id}/authentication/phoneMethods/${MOBILE}`, true, 429],
      ],
    );

    const t = await client({ throttle: { requests: 1, windowMs: 60_000 } });
    assert.equal((await t.call('GET', `/v1.0/users/${megan.id}/authentication/methods`)).status, 200);
    const limited = await t.call('GET', `/beta/users/${megan.id}/authentication/signInPreferences`);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });
});
