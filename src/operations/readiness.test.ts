import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReadiness } from './readiness.js';

test('not ready before migrations, when the database does not answer (bounded wait), or while draining', async () => {
  let ping: () => Promise<void> = async () => {};
  let running = false;
  const readiness = createReadiness({ store: { maintenance: { ping: () => ping() } as never }, jobQueue: { isRunning: () => running } });

  assert.deepEqual(await readiness.check(), {
    ready: false,
    state: 'starting',
    checks: { database: 'ok', migrations: 'pending', jobEngine: 'stopped' },
  });
  readiness.markMigrated();
  running = true;
  assert.equal((await readiness.check()).ready, true);
  assert.equal(readiness.isStarted(), true);

  ping = async () => {
    throw new Error('connection refused');
  };
  assert.deepEqual((await readiness.check()).checks.database, 'unreachable');
  // A database that hangs does not hang the probe.
  ping = () => new Promise(() => {});
  const began = Date.now();
  const hung = await readiness.check({ timeoutMs: 50 });
  assert.equal(hung.ready, false);
  assert.equal(hung.checks.database, 'unreachable');
  assert.ok(Date.now() - began < 1000);

  ping = async () => {};
  readiness.markDraining();
  assert.deepEqual(await readiness.check(), {
    ready: false,
    state: 'draining',
    checks: { database: 'ok', migrations: 'done', jobEngine: 'running' },
  });
});
