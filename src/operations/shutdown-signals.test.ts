import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSilentLogger } from '../lib/logger.js';
import { handleShutdownSignals } from './shutdown-signals.js';

const logger = createSilentLogger();

test('SIGTERM drains with the configured timeout and exits 0; a second signal exits 1 at once', async () => {
  const exits: number[] = [];
  const drains: number[] = [];
  let finish: () => void = () => {};
  const remove = handleShutdownSignals({
    drainTimeoutMs: 1234,
    logger,
    exit: (code) => exits.push(code),
    close: async ({ drainTimeoutMs }) => {
      drains.push(drainTimeoutMs);
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    },
  });
  try {
    process.emit('SIGTERM');
    assert.deepEqual(drains, [1234]);
    assert.deepEqual(exits, []);
    process.emit('SIGINT');
    assert.deepEqual(exits, [1]);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(exits, [1, 0]);
    assert.deepEqual(drains, [1234], 'the second signal started another drain');
  } finally {
    remove();
  }
});

test('a drain that hangs past its deadline and the grace period exits 1', async () => {
  const exits: number[] = [];
  const remove = handleShutdownSignals({
    drainTimeoutMs: 20,
    graceMs: 20,
    logger,
    exit: (code) => exits.push(code),
    close: () => new Promise(() => {}),
  });
  try {
    process.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(exits, [1]);
  } finally {
    remove();
  }
});
