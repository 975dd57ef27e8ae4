import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '../../lib/clock.js';
import { demoHaloPsa } from './halopsa-seed.js';
import { createHaloPsaSimulator, type HaloPsaSimulatorOptions } from './halopsa-simulator.js';

const BASE = 'https://northwind.halopsa.test';

function setup(options: HaloPsaSimulatorOptions = {}) {
  const clock = createManualClock();
  const sim = createHaloPsaSimulator({ clock, ...options });
  const token = (form: Record<string, string>, query = '', contentType = 'application/x-www-form-urlencoded') =>
    sim.fetch(`${BASE}/auth/token${query}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: contentType.includes('json') ? JSON.stringify(form) : new URLSearchParams(form).toString(),
    });
  const good = {
    grant_type: 'client_credentials',
    client_id: demoHaloPsa.clientId,
    client_secret: demoHaloPsa.clientSecret,
    scope: 'all',
  };
  const bearer = async () =>
    ((await (await token(good, options.hosted ? '?tenant=northwind' : '')).json()) as { access_token: string }).access_token;
  return { sim, clock, token, good, bearer };
}

describe('HaloPSA simulator: token endpoint', () => {
  it('issues a bearer token for the client-credentials grant, form-encoded, expiring after an hour', async () => {
    const { token, good } = setup();
    const response = await token(good);
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'all');
    assert.equal(typeof body.access_token, 'string');
  });

  it('answers a wrong client id or secret with 401 invalid_client, and never says which', async () => {
    const { token, good } = setup();
    for (const form of [
      { ...good, client_secret: 'wrong' },
      { ...good, client_id: 'b6a1e0c2-0000-4000-8000-000000000000' },
    ]) {
      const response = await token(form);
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { error: 'invalid_client' });
    }
  });

  it('refuses a JSON body and another grant type', async () => {
    const { token, good } = setup();
    const asJson = await token(good, '', 'application/json');
    assert.equal(asJson.status, 400);
    assert.equal(((await asJson.json()) as { error: string }).error, 'invalid_request');
    const password = await token({ ...good, grant_type: 'password' });
    assert.equal(((await password.json()) as { error: string }).error, 'unsupported_grant_type');
  });

  it('requires the right ?tenant= on a hosted instance and ignores it on a self-hosted one', async () => {
    const hosted = setup({ hosted: true });
    const missing = await hosted.token(hosted.good);
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error_description: string }).error_description, /tenant/);
    const wrong = await hosted.token(hosted.good, '?tenant=contoso');
    assert.equal(wrong.status, 400);
    assert.match(((await wrong.json()) as { error_description: string }).error_description, /Tenant 'contoso'/);
    assert.equal((await hosted.token(hosted.good, '?tenant=Northwind')).status, 200);

    const selfHosted = setup();
    assert.equal((await selfHosted.token(selfHosted.good, '?tenant=anything')).status, 200);
  });

  it('refuses scopes the application was not granted', async () => {
    const { token, good } = setup({ grantedScopes: ['read:tickets'] });
    assert.equal((await token({ ...good, scope: 'read:tickets' })).status, 200);
    const refused = await token({ ...good, scope: 'all' });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'invalid_scope');
  });

  it('logs the token request without the secret', async () => {
    const { sim, token, good } = setup();
    await token(good);
    const entry = sim.state.requests[0];
    assert.deepEqual(entry?.body, { grant_type: 'client_credentials', scope: 'all', has_client_secret: true });
    assert.ok(!JSON.stringify(sim.state.requests).includes(demoHaloPsa.clientSecret));
  });
});

describe('HaloPSA simulator: bearer auth on /api', () => {
  it('answers 401 without a token, with an unknown one and with an expired one', async () => {
    const { sim, clock, bearer } = setup();
    const none = await sim.fetch(`${BASE}/api/Tickets/1001`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const unknown = await sim.fetch(`${BASE}/api/Tickets/1001`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(unknown.status, 401);

    const token = await bearer();
    const ok = await sim.fetch(`${BASE}/api/Tickets/1001`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    clock.advance(3600 * 1000);
    const expired = await sim.fetch(`${BASE}/api/Tickets/1001`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate') ?? '', /expired/);
  });

  it('serves /api/authinfo without a token, naming the auth server and the hosted tenant', async () => {
    const { sim } = setup({ hosted: true });
    const response = await sim.fetch(`${BASE}/api/authinfo`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { auth_url: `${BASE}/auth`, tenant_id: 'northwind' });
  });

  it('answers a path outside /api and /auth with an HTML 404, as a wrong URL would get', async () => {
    const { sim } = setup();
    const response = await sim.fetch(`${BASE}/halo/auth/token`, { method: 'POST' });
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  });

  it('throttles past the request budget with 429 and Retry-After, the token request included', async () => {
    const { sim, clock, bearer } = setup({ rateLimit: { requests: 3, windowMs: 60_000 } });
    const token = await bearer();
    const read = () => sim.fetch(`${BASE}/api/Client/250`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await read()).status, 200);
    assert.equal((await read()).status, 200);
    const limited = await read();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '60');
    clock.advance(60_000);
    assert.equal((await read()).status, 200);

    sim.state.rateLimit = { requests: 0, windowMs: 1000, retryAfterHeader: false };
    const bare = await read();
    assert.equal(bare.status, 429);
    assert.equal(bare.headers.get('retry-after'), null);
  });
});
