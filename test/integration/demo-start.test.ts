import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_MICROSOFT_SIGN_IN, DEMO_SCREENPOP_SECRET } from '../../src/demo/demo-config.js';
import { demoMspTenant } from '../../src/demo/demo-data.js';

/** Starts `src/main.ts` as `npm run dev` does and returns what it printed once it is ready. */
async function startMain(env: Record<string, string>): Promise<{ output: string; child: ChildProcess }> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 30 s: ${output}`)), 30_000);
    child.stdout?.on('data', () => {
      if (output.includes('Database:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${output}`));
    });
  });
  return { output, child };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

test('the demo prints its screen-pop URLs with its secret, and a printed URL is accepted as it is', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'toolbox-demo-start-'));
  const { output, child } = await startMain({ TOOLBOX_DATA_DIR: dataDir });
  try {
    const urls = output.match(/http:\/\/\S+\/hooks\/screenpop\?\S+/g) ?? [];
    assert.ok(urls.length >= 5, output);
    for (const url of urls) assert.ok(url.endsWith(`&secret=${DEMO_SCREENPOP_SECRET}`), url);
    assert.ok(
      urls.some((url) => url.includes('ticket_id=1031&company_id=253&contact_id=331&form_name=password_reset')),
      'the AD-only customer’s password reset is printed',
    );
    assert.match(output, new RegExp(`carry the demo's webhook secret, ${DEMO_SCREENPOP_SECRET}`));
    assert.match(output, /"Sign in with Microsoft"/);
    assert.ok(output.includes(DEMO_MICROSOFT_SIGN_IN.technician), 'the Microsoft account to pick is printed');
    assert.match(output, /Contoso Dental is connected through the MSP app/);
    const pop = await fetch(urls[0] as string, { redirect: 'manual' });
    assert.equal(pop.status, 303);
    assert.match(pop.headers.get('location') ?? '', /^\/launches\//);
    const unsigned = await fetch((urls[0] as string).replace(/&secret=.*$/, ''), { redirect: 'manual' });
    assert.equal(unsigned.status, 401);
  } finally {
    await stop(child);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('TOOLBOX_DEMO=console says screen pops wait for a secret set in the console', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'toolbox-demo-start-'));
  const { output, child } = await startMain({ TOOLBOX_DATA_DIR: dataDir, TOOLBOX_DEMO: 'console' });
  try {
    assert.match(output, /Screen pops are refused until you set a webhook secret under http:\/\/\S+\/admin\/screenpop/);
    assert.ok(!output.includes(DEMO_SCREENPOP_SECRET), 'the console demo has no secret set');
    // The consent walk-through, and the MSP app's demo values to type in the console.
    assert.match(output, /\/admin\/microsoft → "Connect a Microsoft 365 tenant".*admin@fabrikamlogistics\.example/);
    assert.match(output, /The MSP app, to enter at http:\/\/\S+\/admin\/microsoft/);
    for (const value of [demoMspTenant.clientId, demoMspTenant.tenantId, demoMspTenant.clientSecret])
      assert.ok(output.includes(value), value);
  } finally {
    await stop(child);
    await rm(dataDir, { recursive: true, force: true });
  }
});
