import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoTenants } from '../../demo/demo-data.js';
import { createManualClock } from '../../lib/clock.js';
import { createGraphSimulator, type GraphSimulator } from './graph-simulator.js';

// These tests drive the simulator in-process (no socket); the connector tests use real HTTPS.
const BASE = 'http://graph.test';
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;

async function token(sim: GraphSimulator, tenant = contoso, overrides: Record<string, string> = {}, path = tenant.tenantId) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: tenant.clientId,
    client_secret: tenant.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
    ...overrides,
  });
  return sim.handler(
    new Request(`${BASE}/${path}/oauth2/v2.0/token?client-request-id=abc`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    }),
  );
}

async function accessToken(sim: GraphSimulator, tenant = contoso) {
  const response = await token(sim, tenant);
  assert.equal(response.status, 200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function graph(
  sim: GraphSimulator,
  bearer: string | undefined,
  path: string,
  init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await sim.handler(new Request(`${BASE}/v1.0${path}`, { ...init, headers }));
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe('graph simulator: identity platform', () => {
  it('serves openid configuration pointing at itself, by tenant id or verified domain', async () => {
    const sim = createGraphSimulator();
    for (const tenant of [contoso.tenantId, 'contosodental.example']) {
      const response = await sim.handler(new Request(`${BASE}/${tenant}/v2.0/.well-known/openid-configuration`));
      const body = (await response.json()) as Record<string, string>;
      assert.equal(response.status, 200);
      for (const key of ['token_endpoint', 'authorization_endpoint', 'issuer', 'jwks_uri', 'end_session_endpoint']) {
        assert.ok(body[key]?.startsWith(`${BASE}/${contoso.tenantId}/`), key);
      }
    }
  });

  it('issues a bearer token bound to the tenant and reads a domain as the tenant', async () => {
    const sim = createGraphSimulator();
    const response = await token(sim, contoso, {}, 'contosodental.example');
    const body = (await response.json()) as { token_type: string; expires_in: number; access_token: string };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3599);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.tid, contoso.tenantId);
    assert.ok(claims.roles.includes('User.ReadWrite.All'));
    assert.equal(sim.state.tokensIssued.length, 1);
  });

  it('answers AADSTS-shaped errors', async () => {
    const sim = createGraphSimulator();
    const cases: [Record<string, string>, string, number, number][] = [
      [{ client_secret: 'wrong' }, 'invalid_client', 401, 7000215],
      [{ client_id: fabrikam.clientId }, 'unauthorized_client', 400, 700016],
      [{ scope: 'User.Read' }, 'invalid_scope', 400, 1002012],
      [{ grant_type: 'password' }, 'unsupported_grant_type', 400, 70003],
    ];
    for (const [overrides, error, status, code] of cases) {
      const response = await token(sim, contoso, overrides);
      const body = (await response.json()) as { error: string; error_description: string; error_codes: number[] };
      assert.equal(response.status, status, error);
      assert.equal(body.error, error);
      assert.deepEqual(body.error_codes, [code]);
      assert.match(body.error_description, new RegExp(`^AADSTS${code}: `));
      assert.doesNotMatch(body.error_description, /demo-secret/);
    }
    const unknownTenant = await token(sim, contoso, {}, 'nowhere.example');
    assert.equal(unknownTenant.status, 400);
    assert.deepEqual(((await unknownTenant.json()) as { error_codes: number[] }).error_codes, [90002]);
  });
});

describe('graph simulator: Graph rules', () => {
  it('requires a valid, unexpired bearer token, with Graph-shaped 401s', async () => {
    const clock = createManualClock();
    const sim = createGraphSimulator({ clock, tokenLifetimeSeconds: 60 });
    const none = await graph(sim, undefined, '/users');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'InvalidAuthenticationToken');
    assert.ok(none.body.error.innerError['request-id']);
    assert.ok(none.body.error.innerError.date);
    assert.equal((await graph(sim, 'made.up.token', '/users')).status, 401);
    const bearer = await accessToken(sim);
    assert.equal((await graph(sim, bearer, '/users')).status, 200);
    clock.advance(61_000);
    const expired = await graph(sim, bearer, '/users');
    assert.equal(expired.status, 401);
    assert.match(expired.body.error.message, /expired/);
    assert.deepEqual(
      sim.state.requests.filter((r) => r.path === '/v1.0/users').map((r) => r.bearer),
      [false, true, true, true],
    );
  });

  it('shows each token only its own tenant', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim, contoso);
    const all = await graph(sim, bearer, '/users?$select=id');
    assert.equal(all.body.value.length, contoso.users.length);
    const other = await graph(sim, bearer, `/users/${fabrikam.users[0]!.id}`);
    assert.equal(other.status, 404);
    assert.equal(other.body.error.code, 'Request_ResourceNotFound');
    assert.equal(sim.state.requests.at(-1)?.tokenTenantId, contoso.tenantId);
  });

  it('filters with eq/or/any/startswith, case-insensitively, and honours $select', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim);
    const filter = encodeURIComponent(
      "mail eq 'DIEGO@contosodental.example' or proxyAddresses/any(p:p eq 'smtp:diego@contosodental.example')",
    );
    const found = await graph(sim, bearer, `/users?$filter=${filter}&$select=id,displayName`);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body.value.map((u: { id: string }) => u.id).sort(), [contoso.users[1]!.id, contoso.users[2]!.id]);
    assert.deepEqual(Object.keys(found.body.value[0]).sort(), ['displayName', 'id']);
    const starts = await graph(sim, bearer, `/users?$filter=${encodeURIComponent("startswith(displayName,'meg')")}`);
    assert.equal(starts.body.value.length, 1);
    // Default projection leaves out accountEnabled / onPremisesSyncEnabled, like Graph.
    assert.equal('onPremisesSyncEnabled' in starts.body.value[0], false);
  });

  it('treats an unescaped quote as a syntax error, and an escaped one as data', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim);
    const injected = await graph(sim, bearer, `/users?$filter=${encodeURIComponent("mail eq 'x' or 1 eq 1 or mail eq 'y'")}`);
    assert.equal(injected.status, 400);
    const escaped = await graph(sim, bearer, `/users?$filter=${encodeURIComponent("mail eq 'x'' or 1 eq 1 or mail eq ''y'")}`);
    assert.equal(escaped.status, 200);
    assert.equal(escaped.body.value.length, 0);
  });

  it('rejects advanced queries without ConsistencyLevel: eventual, and $search without it', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim);
    const ne = `/users?$filter=${encodeURIComponent('accountEnabled ne true')}`;
    const rejected = await graph(sim, bearer, ne);
    assert.equal(rejected.status, 400);
    assert.match(rejected.body.error.message, /ConsistencyLevel:eventual/);
    const accepted = await graph(sim, bearer, `${ne}&$count=true`, { headers: { ConsistencyLevel: 'eventual' } });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body['@odata.count'], 1);
    assert.equal((await graph(sim, bearer, '/users?$count=true')).status, 400);
    const search = `/users?$search=${encodeURIComponent('"displayName:diego"')}`;
    assert.equal((await graph(sim, bearer, search)).status, 400);
    const searched = await graph(sim, bearer, search, { headers: { ConsistencyLevel: 'eventual' } });
    assert.equal(searched.body.value.length, 2);
  });

  it('pages with $top and @odata.nextLink', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim);
    const first = await graph(sim, bearer, '/users?$top=2&$select=id');
    assert.equal(first.body.value.length, 2);
    const next = new URL(first.body['@odata.nextLink']);
    assert.equal(next.origin, BASE);
    const second = await graph(sim, bearer, `${next.pathname.slice('/v1.0'.length)}${next.search}`);
    assert.equal(second.body.value.length, 2);
    assert.notEqual(second.body.value[0].id, first.body.value[0].id);
    assert.equal((await graph(sim, bearer, '/users?$top=0')).status, 400);
  });

  it('validates the password PATCH like Graph', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim);
    const patch = (id: string, body: unknown) =>
      graph(sim, bearer, `/users/${id}`, { method: 'PATCH', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const megan = contoso.users[0]!.id;
    assert.equal((await patch(megan, { passwordProfile: { password: 'short1A' } })).status, 400);
    assert.equal((await patch(megan, { passwordProfile: { password: 'alllowercaseletters' } })).status, 400);
    const banned = await patch(megan, { passwordProfile: { password: 'Password123!' } });
    assert.equal(banned.status, 400);
    assert.match(banned.body.error.message, /password complexity/);
    assert.equal((await patch(megan, { passwordProfile: { password: 'Kx7#pLm2qRt9' }, favouriteColour: 'blue' })).status, 400);
    assert.equal((await patch(megan, { passwordProfile: { password: 'Kx7#pLm2qRt9', expires: true } })).status, 400);
    const ok = await patch(megan, { passwordProfile: { password: 'Kx7#pLm2qRt9', forceChangePasswordNextSignIn: true } });
    assert.equal(ok.status, 204);
    assert.equal(sim.state.checkPassword(contoso.tenantId, megan, 'Kx7#pLm2qRt9'), true);
    assert.equal(sim.state.checkPassword('contoso', megan, 'wrong'), false);
    assert.deepEqual(
      sim.state.passwordChanges.map((c) => [c.userId, c.forceChangePasswordNextSignIn]),
      [[megan, true]],
    );
    const admin = await patch(contoso.users[3]!.id, { passwordProfile: { password: 'Kx7#pLm2qRt9' } });
    assert.equal(admin.status, 403);
    assert.equal(admin.body.error.code, 'Authorization_RequestDenied');
  });

  it('refuses a password PATCH on a synced user with the on-premises message', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim, fabrikam);
    const lee = fabrikam.users[1]!;
    const response = await graph(sim, bearer, `/users/${lee.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ passwordProfile: { password: 'Kx7#pLm2qRt9' } }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /on-premises mastered Directory Sync objects/);
  });

  it('revokes sessions and lists directory roles', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim);
    const revoked = await graph(sim, bearer, `/users/${contoso.users[0]!.id}/revokeSignInSessions`, { method: 'POST' });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.value, true);
    assert.match(revoked.body['@odata.context'], /\$metadata#Edm\.Boolean$/);
    assert.equal(sim.state.revocations.length, 1);
    const roles = await graph(
      sim,
      bearer,
      `/users/${contoso.users[3]!.id}/transitiveMemberOf/microsoft.graph.directoryRole?$select=id,displayName`,
    );
    assert.deepEqual(
      roles.body.value.map((r: { displayName: string }) => r.displayName),
      ['Global Administrator'],
    );
  });

  it('throttles per tenant with 429 TooManyRequests and Retry-After', async () => {
    const clock = createManualClock();
    const sim = createGraphSimulator({ clock, throttle: { requests: 2, windowMs: 10_000 } });
    const a = await accessToken(sim, contoso);
    const b = await accessToken(sim, fabrikam);
    assert.equal((await graph(sim, a, '/users?$top=1')).status, 200);
    assert.equal((await graph(sim, a, '/users?$top=1')).status, 200);
    const throttled = await graph(sim, a, '/users?$top=1');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error.code, 'TooManyRequests');
    assert.equal(throttled.headers.get('retry-after'), '10');
    assert.equal((await graph(sim, b, '/users?$top=1')).status, 200, 'other tenants are not affected');
    clock.advance(10_000);
    assert.equal((await graph(sim, a, '/users?$top=1')).status, 200);
  });

  it('injects failures with failNext', async () => {
    const sim = createGraphSimulator();
    const bearer = await accessToken(sim);
    sim.failNext('GET /v1.0/users', 503, 'ServiceUnavailable', 1, { retryAfterSeconds: 3 });
    const failed = await graph(sim, bearer, '/users');
    assert.equal(failed.status, 503);
    assert.equal(failed.headers.get('retry-after'), '3');
    assert.equal((await graph(sim, bearer, '/users')).status, 200);
  });
});
