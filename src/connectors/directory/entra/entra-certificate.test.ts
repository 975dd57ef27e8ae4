import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { rejection } from '../../../../test/helpers/rejection.js';
import { createRsaTestCertificate, type RsaTestCertificate } from '../../../../test/helpers/rsa-test-certificate.js';
import { demoTenants } from '../../../demo/demo-data.js';
import { createManualClock } from '../../../lib/clock.js';
import { createHttpFetch } from '../../../lib/http-fetch.js';
import { createLogger } from '../../../lib/logger.js';
import { createSelfSignedCertificate } from '../../../lib/self-signed-certificate.js';
import { createGraphSimulator, type GraphSimulator } from '../../../simulators/graph/graph-simulator.js';
import { createEntraConnector } from './entra-connector.js';
import { ENTRA_ERROR_CODES } from './graph-errors.js';

// Certificate sign-in end to end: MSAL signs the client assertion with the private key from the
// settings, and the simulator verifies it against the certificates registered on the app, over
// real HTTPS like entra-connector.test.ts.
const contoso = demoTenants[0]!;
const megan = contoso.users[0]!;

let tls: { key: string; cert: string };
let fetch: ReturnType<typeof createHttpFetch>;
let registered: RsaTestCertificate;
let rotated: RsaTestCertificate;
let unregistered: RsaTestCertificate;
let expired: RsaTestCertificate;
const logLines: string[] = [];
const servers: { close(): Promise<void> }[] = [];

before(async () => {
  tls = await createSelfSignedCertificate({ hostnames: ['localhost', '127.0.0.1', '::1'] });
  fetch = createHttpFetch({ extraCaPem: [tls.cert] });
  registered = createRsaTestCertificate();
  rotated = createRsaTestCertificate({ commonName: 'rotated' });
  unregistered = createRsaTestCertificate({ commonName: 'never uploaded' });
  expired = createRsaTestCertificate({
    notBefore: new Date(Date.now() - 400 * 24 * 3600_000),
    notAfter: new Date(Date.now() - 2 * 24 * 3600_000),
  });
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await fetch.close();
  // The private keys, and the client assertions MSAL signed with them, never reach the log.
  const log = logLines.join('\n');
  assert.ok(log.includes('AADSTS700027'), 'the refusals were logged, with their upstream code');
  for (const certificate of [registered, rotated, unregistered, expired]) {
    const keyLines = certificate.privateKeyPem.split('\n').filter((line) => line.length === 64);
    assert.ok(keyLines.length > 10);
    for (const line of keyLines) assert.equal(log.includes(line), false, 'a line of a private key in the log');
  }
  for (const text of ['PRIVATE KEY', 'client_assertion=', 'eyJ', 'Bearer ']) assert.equal(log.includes(text), false, `${text} in log`);
});

type Setup = { sim: GraphSimulator; connector: ReturnType<typeof createEntraConnector>; url: string; tokenRequests: () => number };

async function setup(appCertificates: string[]): Promise<Setup> {
  const sim = createGraphSimulator({ appCertificates: { contoso: appCertificates } });
  const server = await sim.listen({ port: 0, host: '127.0.0.1', tls });
  servers.push(server);
  return {
    sim,
    connector: createEntraConnector(),
    url: server.url,
    tokenRequests: () => sim.state.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length,
  };
}

function client(t: Setup, credential: Record<string, string>) {
  const settings = t.connector.settings.parse({
    tenantId: contoso.tenantId,
    clientId: contoso.clientId,
    authorityHost: t.url,
    graphUrl: t.url,
    ...credential,
  });
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  return t.connector.create(settings, {
    fetch,
    logger: createLogger({ level: 'debug', destination }),
    clock: createManualClock(Date.now()),
    sleep: async () => {},
  });
}

const pair = (certificate: RsaTestCertificate) => ({ certificate: certificate.certificatePem, privateKey: certificate.privateKeyPem });

describe('entra connector: certificate credential', () => {
  it('signs in with a certificate and calls Graph with the token', async () => {
    const t = await setup([registered.certificatePem]);
    const directory = client(t, pair(registered));
    const user = await directory.getUser(megan.id);
    assert.equal(user?.id, megan.id);
    assert.equal(t.sim.state.tokensIssued.length, 1);
    const graphCall = t.sim.state.requests.find((r) => r.path.startsWith('/v1.0/users/'));
    assert.equal(graphCall?.tokenTenantId, contoso.tenantId, 'Graph saw the token issued for the certificate sign-in');
  });

  it('signs in with the key and certificate pasted together in privateKey (line breaks lost)', async () => {
    const t = await setup([registered.certificatePem]);
    const directory = client(t, { privateKey: registered.combinedPem.replaceAll('\n', ' ') });
    assert.equal((await directory.getUser(megan.id))?.id, megan.id);
  });

  it('reports the certificate and its validity on a passing systems check', async () => {
    const t = await setup([registered.certificatePem]);
    const results = await client(t, pair(registered)).systemsCheck();
    const signIn = results.find((r) => r.name === 'Sign-in to the tenant');
    assert.equal(signIn?.ok, true);
    assert.ok(signIn?.message.includes(registered.thumbprintSha1), signIn?.message);
    assert.equal(signIn?.hint, undefined, 'a certificate valid for a year needs no renewal notice');
    const soon = createRsaTestCertificate({ notAfter: new Date(Date.now() + 10 * 24 * 3600_000) });
    const t2 = await setup([soon.certificatePem]);
    const soonLine = (await client(t2, pair(soon)).systemsCheck()).find((r) => r.name === 'Sign-in to the tenant');
    assert.equal(soonLine?.ok, true);
    assert.match(soonLine?.hint ?? '', /expires within 30 days/);
  });

  it('translates a certificate the app does not know, keeping AADSTS700027 for the log', async () => {
    const t = await setup([registered.certificatePem]);
    const error = await rejection(client(t, pair(unregistered)).getUser(megan.id));
    assert.equal(error.code, ENTRA_ERROR_CODES.auth);
    assert.equal(error.upstream?.code, 'AADSTS700027');
    assert.equal(error.upstream?.status, 401);
    assert.match(error.message, /does not accept the certificate with thumbprint [0-9A-F]{40}/);
    assert.ok(error.message.includes(unregistered.thumbprintSha1));
    assert.match(error.message, /Upload the certificate’s public part .* to the app registration under Certificates & secrets/);
    assert.doesNotMatch(error.message, /client secret/i);
  });

  it('says the certificate expired, in the error and in the systems check hint', async () => {
    const t = await setup([expired.certificatePem]);
    const directory = client(t, pair(expired));
    const error = await rejection(directory.getUser(megan.id));
    assert.equal(error.upstream?.code, 'AADSTS700027');
    assert.match(error.message, /expired on \d{4}-\d{2}-\d{2}\. Create a new certificate, upload its public part/);

    const results = await directory.systemsCheck();
    // Nothing else is checked without a token: the rest is one "not run" line.
    assert.deepEqual(
      results.slice(1).map((line) => [line.ok, line.outcome]),
      [[false, 'not-run']],
    );
    const [signIn] = results;
    assert.equal(signIn?.ok, false);
    assert.equal(signIn?.upstreamCode, 'AADSTS700027');
    assert.match(signIn?.hint ?? '', /Upload the certificate’s public part/);
    assert.match(signIn?.hint ?? '', /has not expired/);
    assert.ok(signIn?.hint?.includes(expired.thumbprintSha1));
  });

  it('keeps the client secret hint for secret-based tenants', async () => {
    const t = await setup([]);
    const [signIn] = await client(t, { clientSecret: 'wrong-secret' }).systemsCheck();
    assert.equal(signIn?.upstreamCode, 'AADSTS7000215');
    assert.match(signIn?.hint ?? '', /client secret/);
  });

  it('asks for a new token after the certificate is rotated, and shares one for the same certificate', async () => {
    const t = await setup([registered.certificatePem, rotated.certificatePem]);
    await client(t, pair(registered)).getUser(megan.id);
    await client(t, pair(registered)).getUser(megan.id);
    assert.equal(t.tokenRequests(), 1, 'a second client with the same certificate reuses the cached token');
    await client(t, pair(rotated)).getUser(megan.id);
    assert.equal(t.tokenRequests(), 2, 'the rotated certificate does not reuse the old token');
    await client(t, { clientSecret: contoso.clientSecret }).getUser(megan.id);
    assert.equal(t.tokenRequests(), 3, 'switching to a secret is a new credential too');
  });
});
