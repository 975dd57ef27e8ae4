import assert from 'node:assert/strict';
import { constants, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createRsaTestCertificate, type RsaTestCertificate } from '../../../test/helpers/rsa-test-certificate.js';
import { demoTenants } from '../../demo/demo-data.js';
import { createManualClock } from '../../lib/clock.js';
import { JWT_BEARER_ASSERTION_TYPE } from './client-assertion.js';
import { createGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './graph-simulator.js';

// In-process, like graph-simulator.test.ts. Assertions are signed here with node:crypto, so each
// of Entra's checks can be broken on purpose; the connector tests use MSAL's own assertions.
const BASE = 'http://graph.test';
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;
const TOKEN_ENDPOINT = `${BASE}/${contoso.tenantId}/oauth2/v2.0/token`;

let registered: RsaTestCertificate;
let other: RsaTestCertificate;
let expired: RsaTestCertificate;

before(() => {
  registered = createRsaTestCertificate();
  other = createRsaTestCertificate({ commonName: 'not registered' });
  expired = createRsaTestCertificate({
    notBefore: new Date(Date.now() - 400 * 24 * 3600_000),
    notAfter: new Date(Date.now() - 24 * 3600_000),
  });
});

const simulator = (options: GraphSimulatorOptions = {}) =>
  createGraphSimulator({ appCertificates: { contoso: [registered.certificatePem, expired.certificatePem] }, ...options });

type AssertionOptions = {
  alg?: 'PS256' | 'RS256';
  /** Which certificate's thumbprint goes in the header; default the signing one. */
  thumbprintOf?: RsaTestCertificate;
  thumbprintHeader?: 'x5t#S256' | 'x5t' | 'none';
  claims?: Record<string, unknown>;
};

function assertion(signer: RsaTestCertificate, options: AssertionOptions = {}): string {
  const alg = options.alg ?? 'PS256';
  const headerName = options.thumbprintHeader ?? (alg === 'PS256' ? 'x5t#S256' : 'x5t');
  const thumbprintSource = options.thumbprintOf ?? signer;
  const thumbprint = headerName === 'x5t' ? thumbprintSource.thumbprintSha1 : thumbprintSource.thumbprintSha256;
  const header: Record<string, string> = { alg, typ: 'JWT' };
  if (headerName !== 'none') header[headerName] = Buffer.from(thumbprint, 'hex').toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: TOKEN_ENDPOINT,
    iss: contoso.clientId,
    sub: contoso.clientId,
    jti: randomUUID(),
    nbf: now,
    exp: now + 600,
    ...options.claims,
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${encode(header)}.${encode(claims)}`;
  const key = createPrivateKey(signer.privateKeyPem);
  const signature =
    alg === 'PS256'
      ? sign('sha256', Buffer.from(signed), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
      : sign('sha256', Buffer.from(signed), key);
  return `${signed}.${signature.toString('base64url')}`;
}

async function tokenRequest(sim: GraphSimulator, fields: Record<string, string>, tenantPath = contoso.tenantId) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: contoso.clientId,
    scope: 'https://graph.microsoft.com/.default',
    ...fields,
  });
  const response = await sim.handler(
    new Request(`${BASE}/${tenantPath}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    }),
  );
  return {
    status: response.status,
    body: (await response.json()) as { access_token?: string; error?: string; error_description?: string; error_codes?: number[] },
  };
}

const withAssertion = (jwt: string) => ({ client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: jwt });

describe('graph simulator: certificate client assertions', () => {
  it('issues a token for a PS256 assertion with x5t#S256 and for an RS256 one with x5t, as for a secret', async () => {
    const sim = simulator();
    for (const jwt of [assertion(registered), assertion(registered, { alg: 'RS256' })]) {
      const { status, body } = await tokenRequest(sim, withAssertion(jwt));
      assert.equal(status, 200, body.error_description);
      assert.ok(body.access_token);
      const graphCall = await sim.handler(
        new Request(`${BASE}/v1.0/users?$top=1`, { headers: { authorization: `Bearer ${body.access_token}` } }),
      );
      assert.equal(graphCall.status, 200, 'the token works for Graph');
    }
    assert.deepEqual(
      sim.state.tokensIssued.map((t) => t.tenantId),
      [contoso.tenantId, contoso.tenantId],
    );
  });

  it('accepts the audience with any of the tenant’s names, as MSAL builds it from the configured authority', async () => {
    const sim = simulator();
    const aud = `${BASE}/contosodental.example/oauth2/v2.0/token`;
    const { status } = await tokenRequest(sim, withAssertion(assertion(registered, { claims: { aud } })), 'contosodental.example');
    assert.equal(status, 200);
  });

  it('refuses a certificate not registered on the app with AADSTS700027 “key was not found”, naming the thumbprint', async () => {
    const { status, body } = await tokenRequest(simulator(), withAssertion(assertion(other)));
    assert.equal(status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [700027]);
    assert.match(
      body.error_description ?? '',
      /^AADSTS700027: Client assertion contains an invalid signature\. \[Reason - The key was not found\./,
    );
    assert.ok(body.error_description?.includes(other.thumbprintSha256), 'the thumbprint the client used');
    assert.ok(body.error_description?.includes(contoso.clientId));
  });

  it('refuses a registered thumbprint signed with another key (signature check)', async () => {
    const { status, body } = await tokenRequest(simulator(), withAssertion(assertion(other, { thumbprintOf: registered })));
    assert.equal(status, 401);
    assert.deepEqual(body.error_codes, [700027]);
    assert.match(body.error_description ?? '', /The provided signature value did not match/);
  });

  it('refuses a tampered payload even with the right key', async () => {
    const jwt = assertion(registered);
    const [header, , signature] = jwt.split('.');
    const forged = Buffer.from(
      JSON.stringify({ aud: TOKEN_ENDPOINT, iss: contoso.clientId, sub: contoso.clientId, jti: 'x', exp: 4102444800 }),
    ).toString('base64url');
    const { body } = await tokenRequest(simulator(), withAssertion(`${header}.${forged}.${signature}`));
    assert.deepEqual(body.error_codes, [700027]);
  });

  it('refuses a certificate whose registration has expired', async () => {
    const { status, body } = await tokenRequest(simulator(), withAssertion(assertion(expired)));
    assert.equal(status, 401);
    assert.deepEqual(body.error_codes, [700027]);
    assert.match(body.error_description ?? '', /The key used is expired\..*Found key 'Start=/);
  });

  it('checks iss = sub = client id, the audience, and the time range', async () => {
    const sim = simulator();
    const iss = await tokenRequest(
      sim,
      withAssertion(assertion(registered, { claims: { iss: fabrikam.clientId, sub: fabrikam.clientId } })),
    );
    assert.deepEqual([iss.status, iss.body.error_codes], [401, [700021]]);
    const sub = await tokenRequest(sim, withAssertion(assertion(registered, { claims: { sub: fabrikam.clientId } })));
    assert.deepEqual(sub.body.error_codes, [700021]);

    for (const aud of [
      `${BASE}/${fabrikam.tenantId}/oauth2/v2.0/token`,
      'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      BASE,
    ]) {
      const wrongAudience = await tokenRequest(sim, withAssertion(assertion(registered, { claims: { aud } })));
      assert.deepEqual([wrongAudience.status, wrongAudience.body.error_codes], [401, [700023]], aud);
      assert.match(wrongAudience.body.error_description ?? '', /audience claim does not match Realm issuer/);
    }

    const now = Math.floor(Date.now() / 1000);
    const stale = await tokenRequest(sim, withAssertion(assertion(registered, { claims: { nbf: now - 3600, exp: now - 600 } })));
    assert.deepEqual([stale.status, stale.body.error_codes], [401, [700024]]);
    assert.match(stale.body.error_description ?? '', /not within its valid time range\. Current time: /);
    const future = await tokenRequest(sim, withAssertion(assertion(registered, { claims: { nbf: now + 3600, exp: now + 4200 } })));
    assert.deepEqual(future.body.error_codes, [700024]);
    // Within the skew Entra tolerates, a slightly late assertion still passes.
    const skewed = await tokenRequest(sim, withAssertion(assertion(registered, { claims: { exp: now - 60 } })));
    assert.equal(skewed.status, 200);
  });

  it('judges the time range by the simulator’s clock', async () => {
    const clock = createManualClock(Date.now() + 2 * 3600_000);
    const { body } = await tokenRequest(simulator({ clock }), withAssertion(assertion(registered)));
    assert.deepEqual(body.error_codes, [700024]);
  });

  it('requires a thumbprint header, a jti, a supported algorithm and a well-formed JWT', async () => {
    const sim = simulator();
    const noThumbprint = await tokenRequest(sim, withAssertion(assertion(registered, { thumbprintHeader: 'none' })));
    assert.deepEqual([noThumbprint.status, noThumbprint.body.error_codes], [400, [50027]]);
    assert.match(noThumbprint.body.error_description ?? '', /No certificate thumbprint specified in token header/);
    const noJti = await tokenRequest(sim, withAssertion(assertion(registered, { claims: { jti: undefined } })));
    assert.deepEqual(noJti.body.error_codes, [50027]);
    const hs256 = assertion(registered).split('.');
    hs256[0] = Buffer.from(JSON.stringify({ alg: 'HS256', 'x5t#S256': 'AA' })).toString('base64url');
    const badAlg = await tokenRequest(sim, withAssertion(hs256.join('.')));
    assert.deepEqual(badAlg.body.error_codes, [50027]);
    const garbage = await tokenRequest(sim, withAssertion('not-a-jwt'));
    assert.deepEqual([garbage.status, garbage.body.error_codes], [400, [50027]]);
  });

  it('requires the jwt-bearer assertion type, and one credential only', async () => {
    const sim = simulator();
    const wrongType = await tokenRequest(sim, { client_assertion_type: 'jwt', client_assertion: assertion(registered) });
    assert.deepEqual([wrongType.status, wrongType.body.error], [400, 'invalid_request']);
    const typeOnly = await tokenRequest(sim, { client_assertion_type: JWT_BEARER_ASSERTION_TYPE });
    assert.deepEqual([typeOnly.status, typeOnly.body.error_codes], [400, [900144]]);
    const both = await tokenRequest(sim, { client_secret: contoso.clientSecret, ...withAssertion(assertion(registered)) });
    assert.deepEqual([both.status, both.body.error], [400, 'invalid_request']);
    assert.equal(sim.state.tokensIssued.length, 0);
  });

  it('refuses assertions for a tenant with no registered certificate, and keeps client secrets working', async () => {
    const sim = simulator();
    const fabrikamAssertion = assertion(registered, {
      claims: { aud: `${BASE}/${fabrikam.tenantId}/oauth2/v2.0/token`, iss: fabrikam.clientId, sub: fabrikam.clientId },
    });
    const noCertificates = await tokenRequest(
      sim,
      { client_id: fabrikam.clientId, ...withAssertion(fabrikamAssertion) },
      fabrikam.tenantId,
    );
    assert.deepEqual([noCertificates.status, noCertificates.body.error_codes], [401, [700027]]);

    const secret = await tokenRequest(sim, { client_secret: contoso.clientSecret });
    assert.equal(secret.status, 200);
    const wrongSecret = await tokenRequest(sim, { client_secret: 'wrong-secret' });
    assert.deepEqual([wrongSecret.status, wrongSecret.body.error_codes], [401, [7000215]]);
    const none = await tokenRequest(sim, {});
    assert.deepEqual([none.status, none.body.error_codes], [401, [7000218]]);
  });
});
