import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { demoTenants } from '../../demo/demo-data.js';
import { createManualClock } from '../../lib/clock.js';
import { createGraphSimulator, type GraphSimulator } from './graph-simulator.js';

// The identity platform's sign-in endpoints (identity-oidc-routes.ts), driven in-process.
const BASE = 'https://login.test';
const contoso = demoTenants[0]!;
const REDIRECT = 'https://toolbox.example/auth/microsoft/callback';
const MEGAN = 'megan.bowen@contosodental.example';
const VERIFIER = 'a-code-verifier-that-is-long-enough-for-pkce-0123456789';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

const simulator = (overrides: Parameters<typeof createGraphSimulator>[0] = {}) =>
  createGraphSimulator({
    signIn: {
      redirectUris: { contoso: [REDIRECT, 'http://127.0.0.1:3000/auth/microsoft/callback'] },
      appRoleAssignments: { contoso: { [MEGAN]: ['Toolbox.Technician'] } },
      assignmentRequired: ['contoso'],
      groupsClaim: true,
    },
    ...overrides,
  });

const authorizeUrl = (params: Record<string, string> = {}) => {
  const url = new URL(`${BASE}/${contoso.tenantId}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({
    client_id: contoso.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    state: 'the-state',
    nonce: 'the-nonce',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...params,
  }))
    url.searchParams.set(k, v);
  return url;
};

async function codeFor(sim: GraphSimulator, user = MEGAN, params: Record<string, string> = {}) {
  sim.signIn.autoSignIn(user);
  const response = await sim.handler(new Request(authorizeUrl(params)));
  assert.equal(response.status, 302, await response.clone().text());
  const back = new URL(response.headers.get('location')!);
  assert.equal(back.searchParams.get('state'), 'the-state');
  return back.searchParams.get('code')!;
}

const redeem = (sim: GraphSimulator, code: string, overrides: Record<string, string> = {}) =>
  sim.handler(
    new Request(`${BASE}/${contoso.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: contoso.clientId,
        client_secret: contoso.clientSecret,
        code,
        redirect_uri: REDIRECT,
        code_verifier: VERIFIER,
        ...overrides,
      }),
    }),
  );

const keysOf = async (sim: GraphSimulator) =>
  (await (await sim.handler(new Request(`${BASE}/${contoso.tenantId}/discovery/v2.0/keys`))).json()) as { keys: { kid: string }[] };

describe('graph simulator: technician sign-in', () => {
  it('discovery names the tenant issuer and the sign-in endpoints', async () => {
    const sim = simulator();
    const doc = (await (
      await sim.handler(new Request(`${BASE}/${contoso.tenantId}/v2.0/.well-known/openid-configuration`))
    ).json()) as Record<string, string>;
    assert.equal(doc.issuer, `${BASE}/${contoso.tenantId}/v2.0`);
    assert.equal(doc.authorization_endpoint, `${BASE}/${contoso.tenantId}/oauth2/v2.0/authorize`);
    assert.equal(doc.jwks_uri, `${BASE}/${contoso.tenantId}/discovery/v2.0/keys`);
  });

  it('issues an RS256 ID token with a kid from the JWKS, the nonce, tid, oid and the app roles', async () => {
    const clock = createManualClock(Date.now());
    const sim = simulator({ clock });
    const response = await redeem(sim, await codeFor(sim));
    assert.equal(response.status, 200);
    const body = (await response.json()) as { id_token: string; access_token: string; token_type: string };
    assert.equal(body.token_type, 'Bearer');
    assert.ok(body.access_token);
    const header = decodeProtectedHeader(body.id_token);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.kid, sim.signIn.currentKid());
    const { payload } = await jwtVerify(body.id_token, createLocalJWKSet((await keysOf(sim)) as never), {
      issuer: `${BASE}/${contoso.tenantId}/v2.0`,
      audience: contoso.clientId,
    });
    assert.equal(payload.nonce, 'the-nonce');
    assert.equal(payload.tid, contoso.tenantId);
    assert.equal(payload.preferred_username, MEGAN);
    assert.deepEqual(payload.roles, ['Toolbox.Technician']);
    assert.ok(Array.isArray(payload.groups));
  });

  it('a code works once (54005), only with its verifier (PKCE) and its redirect URI', async () => {
    const sim = simulator();
    const code = await codeFor(sim);
    assert.equal((await redeem(sim, code)).status, 200);
    const again = await redeem(sim, code);
    assert.equal(again.status, 400);
    const body = (await again.json()) as { error: string; error_codes: number[] };
    assert.equal(body.error, 'invalid_grant');
    assert.deepEqual(body.error_codes, [54005]);

    const mismatch = (await (
      await redeem(sim, await codeFor(sim), { code_verifier: 'another-verifier-of-enough-length-0123456789abc' })
    ).json()) as {
      error: string;
      error_codes: number[];
    };
    assert.equal(mismatch.error, 'invalid_grant');
    assert.deepEqual(mismatch.error_codes, [501481]);

    const otherRedirect = await redeem(sim, await codeFor(sim), { redirect_uri: 'https://toolbox.example/other' });
    assert.equal(((await otherRedirect.json()) as { error: string }).error, 'invalid_grant');
    const badSecret = await redeem(sim, await codeFor(sim), { client_secret: 'wrong' });
    assert.equal(badSecret.status, 401);
  });

  it('refuses on its own page a redirect URI not registered (AADSTS50011, exact except a loopback port) and an unassigned user (AADSTS50105)', async () => {
    const sim = simulator();
    const wrong = await sim.handler(new Request(authorizeUrl({ redirect_uri: 'https://evil.example/cb' })));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.headers.get('location'), null);
    assert.match(await wrong.text(), /AADSTS50011/);
    const caseChanged = await sim.handler(new Request(authorizeUrl({ redirect_uri: REDIRECT.replace('callback', 'Callback') })));
    assert.match(await caseChanged.text(), /AADSTS50011/);
    sim.signIn.autoSignIn(MEGAN);
    const loopbackPort = await sim.handler(new Request(authorizeUrl({ redirect_uri: 'http://127.0.0.1:49152/auth/microsoft/callback' })));
    assert.equal(loopbackPort.status, 302, 'the port of a loopback redirect URI is ignored');

    sim.signIn.autoSignIn('dsiciliani@contosodental.example');
    const unassigned = await sim.handler(new Request(authorizeUrl()));
    assert.equal(unassigned.status, 400);
    assert.match(await unassigned.text(), /AADSTS50105/);
  });

  it('a declined sign-in comes back with access_denied and the state; the page signs a chosen user in', async () => {
    const sim = simulator();
    sim.signIn.declineNext();
    const declined = new URL((await sim.handler(new Request(authorizeUrl()))).headers.get('location')!);
    assert.equal(declined.searchParams.get('error'), 'access_denied');
    assert.match(declined.searchParams.get('error_description')!, /AADSTS65004/);
    assert.equal(declined.searchParams.get('state'), 'the-state');

    const page = await (await sim.handler(new Request(authorizeUrl()))).text();
    assert.match(page, /<option value="megan\.bowen@contosodental\.example">/);
    const form = new URLSearchParams([...authorizeUrl().searchParams.entries(), ['login', MEGAN], ['action', 'signin']]);
    const posted = await sim.handler(
      new Request(authorizeUrl().toString().split('?')[0]!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      }),
    );
    assert.equal(posted.status, 302);
    assert.ok(new URL(posted.headers.get('location')!).searchParams.get('code'));
  });

  it('rolls its signing key: the JWKS then lists the new kid (and the old one only when kept)', async () => {
    const sim = simulator();
    const first = sim.signIn.currentKid();
    const kept = sim.signIn.rollKeys({ keepOld: true });
    assert.deepEqual(
      (await keysOf(sim)).keys.map((k) => k.kid),
      [kept, first],
    );
    const dropped = sim.signIn.rollKeys();
    assert.deepEqual(
      (await keysOf(sim)).keys.map((k) => k.kid),
      [dropped],
    );
    assert.equal(sim.signIn.jwksReads(), 2);
  });

  it('above the overage limit the token carries _claim_names, and getMemberObjects lists the groups for an app token', async () => {
    const sim = createGraphSimulator({
      signIn: { redirectUris: { contoso: [REDIRECT] }, groupsClaim: true, groupOverageLimit: 1 },
    });
    const body = (await (await redeem(sim, await codeFor(sim))).json()) as { id_token: string };
    const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.groups, undefined);
    assert.deepEqual(claims._claim_names, { groups: 'src1' });

    const tokenResponse = await sim.handler(
      new Request(`${BASE}/${contoso.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: contoso.clientId,
          client_secret: contoso.clientSecret,
          scope: 'https://graph.microsoft.com/.default',
        }),
      }),
    );
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    const members = await sim.handler(
      new Request(`${BASE}/v1.0/users/${claims.oid}/getMemberObjects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ securityEnabledOnly: false }),
      }),
    );
    assert.equal(members.status, 200);
    const expected = contoso.groups.filter((g) => g.memberIds.includes(String(claims.oid))).map((g) => g.id);
    assert.deepEqual(((await members.json()) as { value: string[] }).value, expected);
    const anonymous = await sim.handler(new Request(`${BASE}/v1.0/users/${claims.oid}/getMemberObjects`, { method: 'POST', body: '{}' }));
    assert.equal(anonymous.status, 401);
  });
});
