import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mspAppFromConfig } from './msp-app-from-config.js';

const base = {
  clientId: '7c3f0000-0000-4000-8000-000000000001',
  tenantId: '0e1d0000-0000-4000-8000-000000000002',
  authorityHost: 'https://login.microsoftonline.com/',
  graphUrl: 'https://graph.microsoft.com',
  roles: undefined,
};

test('the microsoft block becomes the MSP app the tenants consent to: a secret or a certificate, hosts without a trailing slash', () => {
  assert.equal(mspAppFromConfig(undefined), undefined);
  assert.deepEqual(mspAppFromConfig({ ...base, clientSecret: 's3cret' }), {
    clientId: base.clientId,
    tenantId: base.tenantId,
    credential: { kind: 'secret', secret: 's3cret' },
    authorityHost: 'https://login.microsoftonline.com',
    graphUrl: 'https://graph.microsoft.com',
  });
  assert.deepEqual(mspAppFromConfig({ ...base, certificate: 'CERT PEM', privateKey: 'KEY PEM' })?.credential, {
    kind: 'certificate',
    privateKeyPem: 'KEY PEM',
    certificatePem: 'CERT PEM',
  });
  assert.equal(mspAppFromConfig({ ...base, certificate: 'CERT PEM' }), undefined, 'a certificate without its key signs nothing');
});
