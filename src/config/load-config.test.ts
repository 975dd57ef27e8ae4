import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { directoryConnectors } from '../connectors/directory/index.js';
import { psaConnectors } from '../connectors/psa/index.js';
import { builtInForms } from '../forms/index.js';

const formDefaultsSchemas = builtInForms.defaultsSchemas;

import { ConfigError, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'toolbox-config-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const load = (env: Record<string, string | undefined>) =>
  loadConfig({ env, psaConnectors, directoryConnectors, availableForms: ['password_reset'], formDefaultsSchemas, cwd: dir });

const VALID = `
publicUrl: https://toolbox.example.com
screenpop:
  secret: env:SCREENPOP_SECRET
psa:
  kind: connectwise
  siteUrl: https://na.myconnectwise.net
  apiUrl: https://api-na.myconnectwise.net/v4_6_release/apis/3.0/
  companyId: northwind
  publicKey: env:CW_PUBLIC_KEY
  privateKey: env:CW_PRIVATE_KEY
  clientId: 5b3f6a7e-0c1d-4e2f-9a8b-7c6d5e4f3a21
directories:
  - id: contoso
    kind: entra
    tenantId: 00000000-0000-0000-0000-000000000001
    clientId: 00000000-0000-0000-0000-0000000000aa
    clientSecret: env:CONTOSO_SECRET
    psaCompanyIds: [250, "251"]
users:
  - { email: admin@msp.example, password: env:ADMIN_PASSWORD, role: admin }
`;
const ENV = {
  SCREENPOP_SECRET: 'screen-pop-secret',
  CW_PUBLIC_KEY: 'pub',
  CW_PRIVATE_KEY: 'priv',
  CONTOSO_SECRET: 'sec',
  ADMIN_PASSWORD: 'admin-password-long',
};

test('a valid YAML file with env: references loads, with defaults', () => {
  const config = load({ ...ENV, TOOLBOX_CONFIG: write('ok.yaml', VALID) });
  assert.equal(config.source, 'file');
  assert.equal(config.publicUrl, 'https://toolbox.example.com');
  assert.equal(config.screenpop.secret, 'screen-pop-secret');
  assert.deepEqual(config.directories[0]?.psaCompanyIds, ['250', '251']);
  assert.equal(config.directories[0]?.allowPrivilegedTargets, false);
  assert.equal((config.psa!.settings as { apiUrl: string }).apiUrl, 'https://api-na.myconnectwise.net');
  assert.equal((config.psa!.settings as { privateKey: string }).privateKey, 'priv');
  assert.deepEqual(config.database, { kind: 'sqlite', path: join(dir, 'data', 'toolbox.sqlite') });
  // Not set in the file: the admin console decides (and with nothing saved there, no form is enabled).
  assert.equal(config.forms.enabled, undefined);
  assert.equal(config.launch.ttlMinutes, 30);
  assert.equal(config.port, 3000);
});

test('environment overrides: PORT, HOST, DATABASE_URL, TOOLBOX_DATA_DIR', () => {
  const config = load({
    ...ENV,
    TOOLBOX_CONFIG: write('ok2.yaml', VALID),
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgres://u@127.0.0.1/db',
    TOOLBOX_DATA_DIR: 'var',
  });
  assert.equal(config.port, 8080);
  assert.equal(config.host, '0.0.0.0');
  assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://u@127.0.0.1/db' });
  assert.equal(config.dataDir, join(dir, 'var'));
});

test('JSON works too', () => {
  const config = load({
    TOOLBOX_CONFIG: write(
      'ok.json',
      JSON.stringify({
        psa: {
          kind: 'connectwise',
          siteUrl: 'https://a.example',
          apiUrl: 'https://api-a.example',
          companyId: 'c',
          publicKey: 'p',
          privateKey: 'k',
          clientId: 'x',
        },
      }),
    ),
  });
  assert.equal(config.directories.length, 0);
});

test('every problem is reported at once, naming the key and what is expected', () => {
  const bad = `
screenpop:
  secrt: nope
psa:
  kind: connectwise
  siteUrl: https://na.myconnectwise.net
  apiUrl: https://api-na.myconnectwise.net
  companyId: northwind
  publicKey: env:MISSING_KEY
  privateKey: x
directories:
  - id: Contoso Dental
    kind: entra
    tenantId: not a tenant
    clientId: 00000000-0000-0000-0000-0000000000aa
    clientSecret: s
    psaCompanyIds: [250]
  - id: other
    kind: ldap
    psaCompanyIds: [250]
`;
  try {
    load({ TOOLBOX_CONFIG: write('bad.yaml', bad) });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const text = error.message;
    assert.match(text, /screenpop\.secrt: is not a known setting/);
    assert.match(text, /psa\.publicKey: refers to the environment variable MISSING_KEY, which is not set/);
    assert.match(text, /directories\[0\]\.id: must be lowercase letters/);
  }
  try {
    load({
      TOOLBOX_CONFIG: write(
        'bad2.yaml',
        bad.replace('  secrt: nope\n', '  secret: long-enough-secret\n').replace('Contoso Dental', 'contoso'),
      ),
      MISSING_KEY: 'k',
    });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const text = error.message;
    assert.match(text, /psa\.clientId: /);
    assert.match(text, /directories\[0\]\.tenantId: Enter the tenant ID/);
    assert.match(text, /directories\[1\]\.psaCompanyIds: PSA company 250 is already served by directory "contoso"/);
    assert.match(text, /directories\[1\]\.kind: "ldap" is not a known directory kind\. Known: entra/);
  }
});

test('an unknown form in forms.enabled, an unreadable file and bad YAML are explained', () => {
  assert.throws(
    () => load({ ...ENV, TOOLBOX_CONFIG: write('forms.yaml', `${VALID}\nforms:\n  enabled: [password_reset, make_coffee]\n`) }),
    /forms\.enabled: "make_coffee" is not available/,
  );
  assert.throws(() => load({ TOOLBOX_CONFIG: join(dir, 'nope.yaml') }), /cannot be read \(ENOENT\)/);
  assert.throws(() => load({ TOOLBOX_CONFIG: write('broken.yaml', 'psa: [unclosed') }), /not valid YAML/);
  assert.throws(() => load({ ...ENV, TOOLBOX_CONFIG: write('port.yaml', VALID), PORT: 'eighty' }), /PORT: "eighty" is not a port number/);
});

test('per-customer form defaults are checked against each form, naming the bad key', () => {
  const withDefaults = VALID.replace(
    '    psaCompanyIds: [250, "251"]\n',
    '    psaCompanyIds: [250, "251"]\n    formDefaults:\n      password_reset: { passwordMode: passphrase, mustChange: false }\n      reset_mfa: { tapLifetimeMinutes: 240 }\n',
  );
  const config = load({ ...ENV, TOOLBOX_CONFIG: write('defaults.yaml', withDefaults) });
  assert.deepEqual(config.directories[0]?.formDefaults, {
    password_reset: { passwordMode: 'passphrase', mustChange: false },
    reset_mfa: { tapLifetimeMinutes: 240 },
  });
  const bad = VALID.replace(
    '    psaCompanyIds: [250, "251"]\n',
    '    psaCompanyIds: [250, "251"]\n    formDefaults:\n      password_reset: { passwordMode: magic, mustChnage: true }\n      reset_mfa: { tapLifetimeMinutes: 7 }\n      make_coffee: { sugar: 2 }\n',
  );
  assert.throws(
    () => load({ ...ENV, TOOLBOX_CONFIG: write('bad-defaults.yaml', bad) }),
    (error: Error) => {
      assert.match(error.message, /directories\[0\]\.formDefaults\.password_reset\.passwordMode: /);
      assert.match(error.message, /directories\[0\]\.formDefaults\.password_reset\.mustChnage: is not a known setting/);
      assert.match(error.message, /directories\[0\]\.formDefaults\.reset_mfa\.tapLifetimeMinutes: must be one of 60, 240, 480, 1440/);
      assert.match(error.message, /directories\[0\]\.formDefaults\.make_coffee: no form with this name takes defaults/);
      return true;
    },
  );
});

test('trustedProxies takes addresses and subnets, and names an entry that is neither; the default trusts no proxy', () => {
  const ok = load({ TOOLBOX_CONFIG: write('proxies.yaml', 'trustedProxies: [127.0.0.1, "10.0.0.0/8", "fd00::/8", "::1"]\n') });
  assert.deepEqual(ok.trustedProxies, ['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1']);
  assert.deepEqual(load({ TOOLBOX_CONFIG: write('none.yaml', 'port: 3000\n') }).trustedProxies, []);
  for (const bad of ['proxy.internal', '10.0.0.0/33', '10.0.0.1/8/1', '']) {
    assert.throws(
      () => load({ TOOLBOX_CONFIG: write('bad-proxies.yaml', `trustedProxies: ["${bad}"]\n`) }),
      (error: unknown) => error instanceof ConfigError && /trustedProxies\[0\]: must be an IP address or a subnet/.test(error.message),
      bad,
    );
  }
});

test('a hybrid company: one Microsoft 365 and one Active Directory directory may share a company, two of a side may not', () => {
  const env = {
    SCREENPOP_SECRET: 'a-long-enough-screenpop-secret',
    CW_PUBLIC_KEY: 'pub',
    CW_PRIVATE_KEY: 'priv',
    CONTOSO_SECRET: 's',
    AD_PASSWORD: 'p',
  };
  const base = VALID.split('directories:')[0];
  const entra = `
  - id: contoso
    kind: entra
    tenantId: 00000000-0000-0000-0000-000000000001
    clientId: 00000000-0000-0000-0000-0000000000aa
    clientSecret: env:CONTOSO_SECRET
    psaCompanyIds: [250]`;
  const ad = (id: string) => `
  - id: ${id}
    kind: active-directory
    psaCompanyIds: [250]
    baseDn: "DC=contoso,DC=example"
    connection: direct
    url: ldaps://dc1.contoso.example:636
    username: svc-toolbox@contoso.example
    password: env:AD_PASSWORD`;
  const config = load({ ...env, TOOLBOX_CONFIG: write('hybrid.yaml', `${base}directories:${entra}${ad('contoso-ad')}\n`) });
  assert.deepEqual(
    config.directories.map((directory) => [directory.id, directory.psaCompanyIds]),
    [
      ['contoso', ['250']],
      ['contoso-ad', ['250']],
    ],
  );
  assert.throws(
    () => load({ ...env, TOOLBOX_CONFIG: write('two-ads.yaml', `${base}directories:${entra}${ad('contoso-ad')}${ad('second-ad')}\n`) }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /directories\[2\]\.psaCompanyIds: PSA company 250 is already served by directory "contoso-ad"\. A company has one directory, or two for a hybrid customer/.test(
        error.message,
      ),
  );
});
