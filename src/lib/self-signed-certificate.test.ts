import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { connect } from 'node:tls';
import { readClientCertificate } from '../connectors/directory/entra/entra-settings.js';
import { createAppCertificate, createSelfSignedCertificate } from './self-signed-certificate.js';

const hostnames = ['localhost', '127.0.0.1', '::1'];

describe('createSelfSignedCertificate', () => {
  it('produces a PEM key and a certificate with DNS and IP alternative names', async () => {
    const { key, cert } = await createSelfSignedCertificate({ hostnames });
    assert.match(key, /^-----BEGIN PRIVATE KEY-----\n/);
    const x509 = new X509Certificate(cert);
    assert.equal(x509.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.equal(x509.checkHost('localhost'), 'localhost');
    assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x509.checkIP('::1'), '::1');
    assert.ok(x509.verify(x509.publicKey), 'self-signed signature verifies');
    assert.ok(x509.checkIssued(x509));
    assert.ok(new Date(x509.validTo).getTime() > Date.now() + 300 * 24 * 3600_000);
  });

  it('is trusted for TLS on 127.0.0.1 and localhost when given as the only CA', async () => {
    const { key, cert } = await createSelfSignedCertificate({ hostnames });
    const server = createServer({ key, cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      for (const servername of ['localhost', undefined]) {
        const authorized = await new Promise<boolean>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, ca: [cert], ...(servername ? { servername } : {}) }, () => {
            resolve(socket.authorized);
            socket.end();
          });
          socket.on('error', reject);
        });
        assert.equal(authorized, true);
      }
      // And an unrelated CA is refused: the test above is not vacuous.
      const other = await createSelfSignedCertificate({ hostnames });
      await assert.rejects(
        new Promise((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, ca: [other.cert] }, () => resolve(socket.end()));
          socket.on('error', reject);
        }),
      );
    } finally {
      server.close();
    }
  });
});

describe('createAppCertificate', () => {
  it('makes an RSA key and a certificate that belong together, valid for the days asked, readable as an Entra credential', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const made = createAppCertificate({ commonName: 'Technician Toolbox MSP app', days: 200, now });
    const certificate = new X509Certificate(made.certificatePem);
    assert.ok(certificate.checkPrivateKey(createPrivateKey(made.privateKeyPem)));
    assert.equal(createPrivateKey(made.privateKeyPem).asymmetricKeyDetails?.modulusLength, 3072);
    assert.equal(new Date(certificate.validTo).toISOString(), made.notAfter);
    assert.equal(made.notAfter, '2026-09-17T00:00:00.000Z');
    assert.equal(certificate.fingerprint.replaceAll(':', ''), made.thumbprintSha1);
    assert.match(certificate.subject, /CN=Technician Toolbox MSP app/);
    const read = readClientCertificate(made.certificatePem, made.privateKeyPem);
    assert.ok(!('problem' in read), JSON.stringify(read));
  });
});
