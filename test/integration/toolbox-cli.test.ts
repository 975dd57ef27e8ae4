import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { demoMsp, demoTenants } from '../../src/demo/demo-data.js';
import { createSelfSignedCertificate } from '../../src/lib/self-signed-certificate.js';
import { createConnectWiseSimulator } from '../../src/simulators/connectwise/connectwise-simulator.js';
import { createGraphSimulator } from '../../src/simulators/graph/graph-simulator.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'toolbox-cli-'));

// Asynchronous on purpose: the simulators answer from this process's event loop.
function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/toolbox.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', TOOLBOX_DATA_DIR: join(dir, 'data'), ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const closers: (() => Promise<void>)[] = [];
let configPath = '';
let badConfigPath = '';
let caPath = '';
let cwSim: ReturnType<typeof createConnectWiseSimulator> | undefined;

before(async () => {
  const certificate = await createSelfSignedCertificate({ hostnames: ['localhost', '127.0.0.1'] });
  caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, certificate.cert);
  const tls = { key: certificate.key, cert: certificate.cert };
  cwSim = createConnectWiseSimulator();
  const cw = await cwSim.listen({ port: 0, host: '127.0.0.1', tls });
  const graph = await createGraphSimulator().listen({ port: 0, host: '127.0.0.1', tls });
  closers.push(cw.close, graph.close);
  const tenant = demoTenants[0]!;
  const config = {
    psa: {
      kind: 'connectwise',
      siteUrl: cw.url,
      apiUrl: cw.url,
      companyId: demoMsp.connectWiseCompanyId,
      publicKey: demoMsp.publicKey,
      privateKey: 'env:CW_KEY',
      clientId: demoMsp.clientId,
    },
    directories: [
      {
        id: tenant.key,
        kind: 'entra',
        tenantId: tenant.tenantId,
        clientId: tenant.clientId,
        clientSecret: tenant.clientSecret,
        authorityHost: graph.url,
        graphUrl: graph.url,
      },
    ],
  };
  configPath = join(dir, 'toolbox.json');
  writeFileSync(configPath, JSON.stringify(config));
  badConfigPath = join(dir, 'bad.json');
  writeFileSync(badConfigPath, JSON.stringify({ ...config, psa: { ...config.psa, privateKey: 'wrong-key' } }));
});
after(async () => {
  for (const close of closers) await close();
});

test('user add / list / disable, with the password from the environment and never from argv', async () => {
  const added = await cli(['user', 'add', '--email', 'Jane@MSP.example', '--name', 'Jane', '--role', 'admin'], {
    TOOLBOX_NEW_PASSWORD: 'a-long-enough-password',
  });
  assert.equal(added.status, 0, added.stderr);
  assert.match(added.stdout, /Added admin jane@msp\.example/);
  const duplicate = await cli(['user', 'add', '--email', 'jane@msp.example'], { TOOLBOX_NEW_PASSWORD: 'a-long-enough-password' });
  assert.equal(duplicate.status, 2);
  assert.match(duplicate.stderr, /already exists/);
  const short = await cli(['user', 'add', '--email', 'bob@msp.example'], { TOOLBOX_NEW_PASSWORD: 'short' });
  assert.equal(short.status, 2);
  assert.match(short.stderr, /at least 12 characters/);
  assert.equal((await cli(['user', 'disable', '--email', 'jane@msp.example'])).status, 0);
  const listed = await cli(['user', 'list']);
  assert.match(listed.stdout, /jane@msp\.example\tadmin\tdisabled\tcli/);
  assert.match((await cli(['--help'])).stdout, /user add --email E/);
});

test('check reports each PSA and directory check, and fails when the keys are wrong', async () => {
  const good = await cli(['check'], { TOOLBOX_CONFIG: configPath, NODE_EXTRA_CA_CERTS: caPath, CW_KEY: demoMsp.privateKey });
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /PSA \(connectwise, file\)/);
  assert.match(good.stdout, /Directory contoso \(entra\)/);
  assert.ok(!/FAIL/.test(good.stdout), good.stdout);
  const bad = await cli(['check'], { TOOLBOX_CONFIG: badConfigPath, NODE_EXTRA_CA_CERTS: caPath });
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /FAIL/);
  assert.ok(!bad.stdout.includes('wrong-key'), 'the key is printed');
  // Throttled: ConnectWise answered (apiUrl is right) and the keys are not blamed.
  cwSim?.failNext('/system/info', 429, 1, { retryAfterSeconds: 30 });
  const throttled = await cli(['check'], { TOOLBOX_CONFIG: configPath, NODE_EXTRA_CA_CERTS: caPath, CW_KEY: demoMsp.privateKey });
  assert.equal(throttled.status, 1);
  assert.match(throttled.stdout, /PASS +ConnectWise API host answers/);
  assert.match(throttled.stdout, /FAIL +API keys and clientId accepted: ConnectWise is rate-limiting us; try again in 30 s/);
  assert.match(throttled.stdout, /what to do: ConnectWise is limiting how many API calls it answers \(HTTP 429\)/);
  assert.doesNotMatch(throttled.stdout, /Check apiUrl|privateKey/);
  const none = await cli(['check']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /check needs TOOLBOX_CONFIG/);
});
