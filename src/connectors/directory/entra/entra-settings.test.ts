import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createRsaTestCertificate, type RsaTestCertificate } from '../../../../test/helpers/rsa-test-certificate.js';
import { createSelfSignedCertificate } from '../../../lib/self-signed-certificate.js';
import { entraSettingsSchema } from './entra-settings.js';

const BASE = { tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-2222-4333-8444-555555555555' };

let certificate: RsaTestCertificate;
let other: RsaTestCertificate;

before(() => {
  certificate = createRsaTestCertificate();
  other = createRsaTestCertificate();
});

/** The single problem of a refused input, as [field, message]. */
function refusal(input: Record<string, unknown>): [string, string] {
  const result = entraSettingsSchema.safeParse({ ...BASE, ...input });
  assert.equal(result.success, false, 'expected the settings to be refused');
  const issues = result.error!.issues;
  assert.equal(issues.length, 1, JSON.stringify(issues));
  const message = issues[0]!.message;
  for (const text of [certificate.privateKeyPem, other.privateKeyPem]) {
    const keyLine = text.split('\n')[3]!;
    assert.equal(message.includes(keyLine), false, 'a message never repeats the key');
  }
  return [String(issues[0]!.path[0]), message];
}

describe('entra settings: client secret or certificate', () => {
  it('keeps a client secret as before', () => {
    const settings = entraSettingsSchema.parse({ ...BASE, clientSecret: 's3cret' });
    assert.equal(settings.clientSecret, 's3cret');
    assert.equal(settings.certificateInfo, undefined);
  });

  it('refuses neither and both, naming the fields', () => {
    const [field, message] = refusal({});
    assert.equal(field, 'clientSecret');
    assert.match(message, /client secret, or sign in with a certificate instead: its private key \(privateKey\) and the certificate/);
    assert.equal(refusal({ clientSecret: '  ' })[0], 'clientSecret');
    const [bothField, bothMessage] = refusal({
      clientSecret: 's3cret',
      privateKey: certificate.privateKeyPem,
      certificate: certificate.certificatePem,
    });
    assert.equal(bothField, 'clientSecret');
    assert.match(bothMessage, /not both/);
    assert.match(refusal({ clientSecret: 's3cret', certificate: certificate.certificatePem })[1], /not both/);
  });

  it('computes the thumbprints from the certificate and normalises the key to PKCS#8', () => {
    const settings = entraSettingsSchema.parse({
      ...BASE,
      certificate: certificate.certificatePem,
      privateKey: certificate.rsaPrivateKeyPem,
    });
    assert.equal(settings.clientSecret, undefined);
    assert.equal(settings.certificateInfo?.thumbprintSha256, certificate.thumbprintSha256);
    assert.equal(settings.certificateInfo?.thumbprintSha1, certificate.thumbprintSha1);
    assert.equal(settings.certificateInfo?.subject, 'CN=Technician Toolbox test app');
    assert.ok(Date.parse(settings.certificateInfo?.notAfter ?? '') > Date.now());
    assert.match(settings.privateKey ?? '', /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(settings.certificate, certificate.certificatePem);
  });

  it('takes the key and certificate pasted together, even with the line breaks lost', () => {
    for (const pasted of [
      certificate.combinedPem,
      certificate.combinedPem.replaceAll('\n', ''),
      certificate.combinedPem.replaceAll('\n', ' '),
    ]) {
      const settings = entraSettingsSchema.parse({ ...BASE, privateKey: pasted });
      assert.equal(settings.certificateInfo?.thumbprintSha256, certificate.thumbprintSha256);
      assert.equal(settings.certificate, certificate.certificatePem);
    }
  });

  it('picks the matching certificate out of a chain', () => {
    const settings = entraSettingsSchema.parse({
      ...BASE,
      certificate: `${other.certificatePem}${certificate.certificatePem}`,
      privateKey: certificate.privateKeyPem,
    });
    assert.equal(settings.certificateInfo?.thumbprintSha1, certificate.thumbprintSha1);
  });

  it('refuses a missing half, a mismatched pair, and text that is not PEM', () => {
    assert.deepEqual(refusal({ certificate: certificate.certificatePem }).slice(0, 1), ['privateKey']);
    const [field, message] = refusal({ privateKey: certificate.privateKeyPem });
    assert.equal(field, 'certificate');
    assert.match(message, /paste the certificate you uploaded to the app registration/);
    const [mismatchField, mismatch] = refusal({ certificate: other.certificatePem, privateKey: certificate.privateKeyPem });
    assert.equal(mismatchField, 'certificate');
    assert.match(mismatch, /does not belong to this certificate/);
    assert.match(refusal({ certificate: certificate.certificatePem, privateKey: 'hunter2' })[1], /No private key found.*openssl pkcs12/);
    assert.match(refusal({ certificate: 'MIIB…', privateKey: certificate.privateKeyPem })[1], /No certificate found/);
    const cut = certificate.certificatePem.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n');
    assert.deepEqual(refusal({ certificate: cut, privateKey: certificate.privateKeyPem })[0], 'certificate');
  });

  it('refuses keys Microsoft 365 sign-in cannot use: encrypted, not RSA, shorter than 2048 bits', async () => {
    const { privateKey: encrypted } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    assert.match(refusal({ certificate: certificate.certificatePem, privateKey: encrypted })[1], /protected by a password/);

    const ec = await createSelfSignedCertificate({ hostnames: ['app.example'] });
    const [ecField, ecMessage] = refusal({ certificate: ec.cert, privateKey: ec.key });
    assert.equal(ecField, 'privateKey');
    assert.match(ecMessage, /The private key is EC, which cannot sign in to Microsoft 365: create the certificate with an RSA key/);

    const small = createRsaTestCertificate({ modulusLength: 1024 });
    assert.match(
      refusal({ certificate: small.certificatePem, privateKey: small.privateKeyPem })[1],
      /1024 bits; Microsoft 365 sign-in needs 2048/,
    );
  });
});
