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

test('agent: a pre-shared token is optional, at least 32 characters when given; the LDAP keys are the agent’s, not the toolbox’s', () => {
  const token = 'a'.repeat(43);
  const parsed = activeDirectorySettingsSchema.parse({ connection: 'agent', baseDn: 'DC=contoso,DC=example', agentToken: token });
  assert.equal(parsed.connection === 'agent' && parsed.agentToken, token);
  assert.equal(activeDirectorySettingsSchema.safeParse({ connection: 'agent', baseDn: 'DC=contoso,DC=example' }).success, true);
  assert.match(messages({ connection: 'agent', baseDn: 'DC=contoso,DC=example', agentToken: 'short' }).join(), /at least 32/);
  assert.match(
    messages({ connection: 'agent', baseDn: 'DC=contoso,DC=example', password: 'x' }).join(),
    /password/,
    'the domain password of an agent directory stays with the agent',
  );
  assert.ok(messages({ baseDn: 'DC=contoso,DC=example' }).length > 0);
});
