import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRsaTestCertificate } from '../../test/helpers/rsa-test-certificate.js';
import { directoryConnectors } from '../connectors/directory/index.js';
import { psaConnectors } from '../connectors/psa/index.js';
import { ConfigError, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'toolbox-sign-in-config-'));
const load = (yaml: string, env: Record<string, string> = {}) => {
  const path = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return loadConfig({ env: { ...env, TOOLBOX_CONFIG: path }, psaConnectors, directoryConnectors, availableForms: [], cwd: dir });
};
const problems = (yaml: string, env: Record<string, string> = {}) => {
  try {
    load(yaml, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
};
const TENANT = '0e1d5a3c-1111-4222-8333-944455556666';
const CLIENT = '7c3f0b1e-aaaa-4bbb-8ccc-ddddeeeeffff';

describe('configuration: microsoft block', () => {
  it('reads a secret from env:, with the default hosts and the roles', () => {
    const config = load(
      `microsoft:\n  clientId: ${CLIENT}\n  clientSecret: env:MSP_APP_SECRET\n  tenantId: ${TENANT.toUpperCase()}\n  roles:\n    admin: [Toolbox.Admin]\n    technician: [Toolbox.Technician, 3f1c2d4e-0000-4000-8000-000000000001]\n`,
      { MSP_APP_SECRET: 's3cret-value' },
    );
    assert.equal(config.microsoft?.clientSecret, 's3cret-value');
    assert.equal(config.microsoft?.tenantId, TENANT);
    assert.equal(config.microsoft?.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(config.microsoft?.graphUrl, 'https://graph.microsoft.com');
    assert.deepEqual(config.microsoft?.roles, {
      admin: ['Toolbox.Admin'],
      technician: ['Toolbox.Technician', '3f1c2d4e-0000-4000-8000-000000000001'],
    });
    assert.equal(config.oidc, undefined);
  });

  it('without roles, the app is configured but Microsoft sign-in is not offered', () => {
    const config = load(`microsoft: { clientId: ${CLIENT}, clientSecret: x, tenantId: ${TENANT} }\n`);
    assert.equal(config.microsoft?.roles, undefined);
  });

  it('reads a certificate from a PEM file next to the configuration, the key from env:', () => {
    const cert = createRsaTestCertificate();
    writeFileSync(join(dir, 'msp-app.pem'), cert.certificatePem);
    const config = load(
      `microsoft:\n  clientId: ${CLIENT}\n  tenantId: ${TENANT}\n  certificate: { privateKey: env:MSP_KEY, certificate: msp-app.pem }\n`,
      { MSP_KEY: cert.rsaPrivateKeyPem },
    );
    assert.equal(config.microsoft?.certificateInfo?.thumbprintSha256, cert.thumbprintSha256);
    assert.match(config.microsoft?.privateKey ?? '', /BEGIN PRIVATE KEY/);
    assert.equal(config.microsoft?.clientSecret, undefined);
  });

  it('names each problem: no credential, both credentials, a bad tenant, an unset env:, an unknown key', () => {
    assert.match(
      problems(`microsoft: { clientId: ${CLIENT}, tenantId: ${TENANT} }\n`).join('\n'),
      /microsoft\.clientSecret: the MSP app needs a credential/,
    );
    const cert = createRsaTestCertificate();
    assert.match(
      problems(
        `microsoft: { clientId: ${CLIENT}, tenantId: ${TENANT}, clientSecret: x, certificate: { privateKey: env:K, certificate: "${cert.certificatePem.replaceAll('\n', '\\n')}" } }\n`,
        {
          K: cert.privateKeyPem,
        },
      ).join('\n'),
      /not both/,
    );
    assert.match(
      problems(`microsoft: { clientId: ${CLIENT}, tenantId: contoso.com, clientSecret: x }\n`).join('\n'),
      /microsoft\.tenantId: is the MSP’s own tenant ID/,
    );
    assert.match(
      problems(`microsoft: { clientId: ${CLIENT}, tenantId: ${TENANT}, clientSecret: env:NOPE }\n`).join('\n'),
      /microsoft\.clientSecret: refers to the environment variable NOPE/,
    );
    assert.match(
      problems(`microsoft: { clientId: ${CLIENT}, tenantId: ${TENANT}, clientSecret: x, tenant: y }\n`).join('\n'),
      /microsoft\.tenant: is not a known setting/,
    );
    assert.match(
      problems(`microsoft: { clientId: ${CLIENT}, tenantId: ${TENANT}, certificate: { privateKey: x, certificate: missing.pem } }\n`).join(
        '\n',
      ),
      /microsoft\.certificate\.certificate: is neither PEM text nor a readable file/,
    );
  });
});

describe('configuration: oidc block', () => {
  it('defaults the label, scopes and roles claim, and always asks for openid', () => {
    const config = load(
      `oidc:\n  issuer: https://id.example-msp.com/\n  clientId: toolbox\n  clientSecret: env:OIDC\n  scopes: [profile, groups]\n  roles: { admin: [toolbox-admins] }\n`,
      {
        OIDC: 'oidc-secret',
      },
    );
    assert.deepEqual(config.oidc, {
      issuer: 'https://id.example-msp.com',
      clientId: 'toolbox',
      clientSecret: 'oidc-secret',
      label: 'SSO',
      scopes: ['openid', 'profile', 'groups'],
      rolesClaim: 'groups',
      roles: { admin: ['toolbox-admins'], technician: [] },
    });
  });

  it('refuses plain http except on loopback, and roles that let nobody in', () => {
    assert.match(
      problems(`oidc: { issuer: http://id.example.com, clientId: t, roles: { admin: [a] } }\n`).join('\n'),
      /oidc\.issuer: must be an https:\/\/ URL/,
    );
    assert.equal(
      load(`oidc: { issuer: http://127.0.0.1:4010, clientId: t, roles: { admin: [a] } }\n`).oidc?.issuer,
      'http://127.0.0.1:4010',
    );
    assert.match(
      problems(`oidc: { issuer: https://id.example.com, clientId: t, roles: {} }\n`).join('\n'),
      /oidc\.roles: list at least one value/,
    );
  });
});
