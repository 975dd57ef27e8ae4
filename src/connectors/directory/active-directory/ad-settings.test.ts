import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { activeDirectorySettingsSchema } from './ad-settings.js';

const direct = {
  connection: 'direct',
  baseDn: 'DC=contoso,DC=example',
  url: 'ldaps://dc1.contoso.example:636/',
  username: 'svc-toolbox@contoso.example',
  password: 'secret',
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const messages = (input: unknown) => {
  const result = activeDirectorySettingsSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

test('direct: the contract keys, the URL kept to scheme and host, a DNS name required', () => {
  const parsed = activeDirectorySettingsSchema.parse(direct);
  assert.equal(parsed.connection, 'direct');
  assert.equal(parsed.connection === 'direct' && parsed.url, 'ldaps://dc1.contoso.example:636');
  assert.equal(parsed.timeoutMs, 10_000);
  assert.ok(
    activeDirectorySettingsSchema.safeParse({ ...direct, url: 'ldap://dc1.contoso.example' }).success,
    'ldap:// (StartTLS) is allowed',
  );
  assert.match(messages({ ...direct, url: 'https://dc1.contoso.example' }).join(), /ldaps:\/\/ \(port 636\) or ldap:\/\//);
  assert.match(messages({ ...direct, url: 'ldaps://10.0.0.5' }).join(), /DNS name/);
  assert.match(messages({ ...direct, baseDn: 'contoso.example' }).join(), /baseDn is a distinguished name/);
  assert.match(messages({ ...direct, password: '' }).join(), /password is required/);
  assert.match(messages({ ...direct, agentToken: 'x'.repeat(40) }).join(), /agentToken/, 'an agent key on a direct connection is refused');
});

test('caCertificate: PEM text, or a file holding one; a wrong path says which', () => {
  assert.equal(activeDirectorySettingsSchema.parse({ ...direct, caCertificate: PEM }).connection === 'direct', true);
  const dir = mkdtempSync(join(tmpdir(), 'ad-settings-'));
  writeFileSync(join(dir, 'ca.pem'), PEM);
  writeFileSync(join(dir, 'not.pem'), 'hello');
  const fromFile = activeDirectorySettingsSchema.parse({ ...direct, caCertificate: join(dir, 'ca.pem') });
  assert.equal(fromFile.connection === 'direct' && fromFile.caCertificate, PEM);
  assert.match(messages({ ...direct, caCertificate: join(dir, 'missing.pem') }).join(), /cannot be read \(ENOENT\)/);
  assert.match(messages({ ...direct, caCertificate: join(dir, 'not.pem') }).join(), /holds no PEM certificate/);
});

test('agent: refused until the on-prem agent exists, saying so; the connection kind is required', () => {
  const token = 'a'.repeat(43);
  assert.match(
    messages({ connection: 'agent', baseDn: 'DC=contoso,DC=example', agentToken: token }).join(),
    /connection: agent \(the on-prem agent\) is not available in this version yet/,
  );
  assert.match(messages({ connection: 'agent', baseDn: 'DC=contoso,DC=example', agentToken: 'short' }).join(), /at least 32/);
  assert.ok(messages({ baseDn: 'DC=contoso,DC=example' }).length > 0);
});
