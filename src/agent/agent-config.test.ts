import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAgentConfig } from './agent-config.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const problems = (path: string, env: Record<string, string> = {}) => {
  try {
    loadAgentConfig(path, env);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
};

test('agent.yaml: env: references resolved, the LDAP settings checked like a direct connection', () => {
  const path = file(
    'good.yaml',
    'server: https://toolbox.example.com/\ntoken: env:AGENT_TOKEN\nname: dc1-agent\nldap:\n  url: ldaps://dc1.contoso.example:636\n  username: svc@contoso.example\n  password: env:AD_PASSWORD\n  baseDn: DC=contoso,DC=example\n',
  );
  const config = loadAgentConfig(path, { AGENT_TOKEN: 't'.repeat(40), AD_PASSWORD: 'secret' });
  assert.equal(config.server, 'https://toolbox.example.com');
  assert.equal(config.token, 't'.repeat(40));
  assert.equal(config.ldap.password, 'secret');
  assert.equal(config.ldap.timeoutMs, 10_000);
  assert.equal(config.concurrency, 4);
});

test('agent.yaml: every problem named at once, with what to do', () => {
  assert.match(problems(join(dir, 'missing.yaml')), /cannot be read \(ENOENT\)/);
  assert.match(problems(file('bad.yaml', 'server: [')), /not valid YAML/);
  const message = problems(
    file(
      'wrong.yaml',
      'server: http://toolbox.example.com\ntoken: short\nldap:\n  url: ldaps://10.0.0.1\n  username: u\n  password: env:NOPE\n  baseDn: DC=x\n  colour: red\n',
    ),
  );
  assert.match(message, /server: must start with https:\/\//);
  assert.match(message, /token: is the agent token/);
  assert.match(message, /ldap\.password: refers to the environment variable NOPE/);
  assert.match(problems(file('nolap.yaml', `server: https://t.example\ntoken: ${'t'.repeat(40)}\n`)), /ldap: is required/);
  const ldap = problems(
    file(
      'ldap.yaml',
      `server: https://t.example\ntoken: ${'t'.repeat(40)}\nldap:\n  url: ldaps://10.0.0.1\n  username: u\n  password: p\n  baseDn: DC=x\n  colour: red\n`,
    ),
  );
  assert.match(ldap, /ldap\.url: .*DNS name/);
  assert.match(ldap, /ldap\.colour: is not a known setting/);
  assert.equal(
    loadAgentConfig(
      file(
        'local.yaml',
        `server: http://localhost:3000\ntoken: ${'t'.repeat(40)}\nldap:\n  url: ldaps://dc1.x.example\n  username: u\n  password: p\n  baseDn: DC=x\n`,
      ),
      {},
    ).server,
    'http://localhost:3000',
  );
});
