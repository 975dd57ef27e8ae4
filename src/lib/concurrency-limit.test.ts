import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConcurrencyLimit, QueueFullError } from './concurrency-limit.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A task the test finishes by hand, recording how many ran at once. */
function gate() {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const releases: (() => void)[] = [];
  const task = (id: number) => () => {
    running++;
    most = Math.max(most, running);
    started.push(id);
    return new Promise<number>((resolve) => {
      releases.push(() => {
        running--;
        resolve(id);
      });
    });
  };
  return { task, started, most: () => most, releaseNext: () => releases.shift()?.() };
}

describe('ConcurrencyLimit', () => {
  test('runs at most `limit` calls at once, the others in arrival order', async () => {
    const limit = new ConcurrencyLimit({ limit: 3, maxQueue: 100 });
    const g = gate();
    const results = Array.from({ length: 12 }, (_, i) => limit.run(g.task(i)));
    await tick();
    assert.deepEqual(g.started, [0, 1, 2]);
    assert.equal(limit.active, 3);
    assert.equal(limit.queued, 9);
    for (let i = 0; i < 12; i++) {
      g.releaseNext();
      await tick();
    }
    assert.deepEqual(await Promise.all(results), [...Array(12).keys()]);
    assert.deepEqual(g.started, [...Array(12).keys()]);
    assert.equal(g.most(), 3);
    assert.equal(limit.active, 0);
  });

  test('a full queue refuses at once; a failed task frees its slot', async () => {
    const limit = new ConcurrencyLimit({ limit: 1, maxQueue: 2 });
    const g = gate();
    const running = limit.run(g.task(0));
    const waiting = [limit.run(g.task(1)), limit.run(g.task(2))];
    await assert.rejects(limit.run(g.task(3)), QueueFullError);
    assert.equal(limit.queued, 2);
    g.releaseNext();
    await running;
    await tick();
    g.releaseNext();
    g.releaseNext();
    await tick();
    g.releaseNext();
    await Promise.all(waiting);
    await assert.rejects(
      limit.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(limit.active, 0);
  });

  test('a waiting call whose signal aborts leaves the queue with the signal reason', async () => {
    const limit = new ConcurrencyLimit({ limit: 1, maxQueue: 10 });
    const g = gate();
    const running = limit.run(g.task(0));
    const controller = new AbortController();
    const waiting = limit.run(g.task(1), controller.signal);
    const after = limit.run(g.task(2));
    assert.equal(limit.queued, 2);
    controller.abort(new Error('timed out'));
    await assert.rejects(waiting, /timed out/);
    assert.equal(limit.queued, 1);
    g.releaseNext();
    await running;
    await tick();
    assert.deepEqual(g.started, [0, 2], 'the aborted call never ran');
    g.releaseNext();
    await after;
  });

  test('estimates the wait from how long calls held their slot, and admits only what starts in time', async () => {
    let now = 0;
    const limit = new ConcurrencyLimit({ limit: 2, maxQueue: 8, now: () => now });
    const g = gate();
    assert.equal(limit.expectedWaitMs(3), 0, 'idle: no wait known, none expected');
    // Two calls of 100 ms teach it the hold time.
    const first = [limit.run(g.task(0)), limit.run(g.task(1))];
    await tick();
    now = 100;
    g.releaseNext();
    g.releaseNext();
    await Promise.all(first);
    assert.equal(limit.averageHoldMs, 100);
    // Now 2 running and 4 waiting: the last of 3 more calls is the 7th beyond the 2 slots, so it
    // starts after 4 rounds of 100 ms.
    const busy = Array.from({ length: 6 }, (_, i) => limit.run(g.task(10 + i)));
    await tick();
    assert.equal(limit.expectedWaitMs(3), 400);
    assert.equal(limit.admits(3, 400), true);
    assert.equal(limit.admits(3, 399), false);
    assert.equal(limit.admits(5, 10_000), false, 'the queue (8) has room for 4 more only');
    // A call running longer than the average raises the estimate before it ends.
    now = 1_100;
    assert.equal(limit.expectedWaitMs(3), 4_000);
    for (let i = 0; i < 6; i++) {
      g.releaseNext();
      await tick();
    }
    await Promise.all(busy);
    assert.equal(limit.expectedWaitMs(2), 0);
  });
});

describe('ConcurrencyLimit reservations', () => {
  test('reserved calls count as waiting until they arrive or lapse', async () => {
    let now = 0;
    const limit = new ConcurrencyLimit({ limit: 1, maxQueue: 2, now: () => now });
    const g = gate();
    const first = limit.run(g.task(0));
    await tick();
    now = 50;
    g.releaseNext();
    await first;
    assert.equal(limit.averageHoldMs, 50);
    limit.reserve(3, 1_000);
    assert.equal(limit.reserved, 3);
    assert.equal(limit.expectedWaitMs(1), 150, 'three reserved ahead of it, 50 ms each');
    assert.equal(limit.admits(1, 10_000), false, 'no queue room left beside the reservations');
    const arriving = limit.run(g.task(1));
    assert.equal(limit.reserved, 2, 'an arriving call takes its reservation');
    now = 1_050;
    assert.equal(limit.reserved, 0, 'unused reservations lapse');
    g.releaseNext();
    await arriving;
  });
});
