import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import { systemClock } from '../../lib/clock.js';
import { createSilentLogger } from '../../lib/logger.js';
import type { Store } from '../../store/types.js';
import { createStoreJobQueue } from './store-job-queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const database of TEST_DATABASES) {
  describe(`store job queue shutdown on ${database.name}`, { skip: database.skip }, () => {
    let store: Store & { drop(): Promise<void> };
    before(async () => {
      store = await database.open();
    });
    after(async () => {
      await store.drop();
    });

    const queue = () => createStoreJobQueue({ jobs: store.jobs, clock: systemClock, logger: createSilentLogger(), pollIntervalMs: 20 });

    test('stop() takes no new job and lets a running one finish within the timeout', async () => {
      const q = queue();
      let release: () => void = () => {};
      const started: string[] = [];
      await q.start({
        slow: async (payload) => {
          started.push((payload as { name: string }).name);
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      });
      assert.equal(q.isRunning(), true);
      const first = await q.enqueue('slow', { name: 'first' });
      while (started.length === 0) await sleep(5);
      const stopping = q.stop({ timeoutMs: 5000 });
      assert.equal(q.isRunning(), false);
      const second = await q.enqueue('slow', { name: 'second' });
      await sleep(100);
      release();
      await stopping;
      assert.deepEqual(started, ['first'], 'a job enqueued after stop() was taken');
      assert.equal((await store.jobs.get(first.id))!.status, 'done');
      assert.equal((await store.jobs.get(second.id))!.status, 'queued');
    });

    test('a job still running when the timeout runs out is handed back: queued and unlocked, not completed later', async () => {
      const q = queue();
      let release: () => void = () => {};
      let running = false;
      await q.start({
        stuck: async () => {
          running = true;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      });
      const job = await q.enqueue('stuck', {});
      while (!running) await sleep(5);
      const began = Date.now();
      await q.stop({ timeoutMs: 200 });
      assert.ok(Date.now() - began < 2000, 'stop() waited past its timeout');
      const handedBack = (await store.jobs.get(job.id))!;
      assert.equal(handedBack.status, 'queued');
      assert.equal(handedBack.lockedUntil, null);
      assert.equal(handedBack.attempts, 0, 'the interrupted attempt was counted against the job');
      assert.ok(Date.parse(handedBack.runAt) <= Date.now());
      // The abandoned handler finishing later does not mark the job done behind the next worker's back.
      release();
      await sleep(50);
      assert.equal((await store.jobs.get(job.id))!.status, 'queued');

      // Another worker (another instance, or this one after a restart) takes it at once.
      const next = queue();
      let ranAgain = false;
      await next.start({
        stuck: async () => {
          ranAgain = true;
        },
      });
      const deadline = Date.now() + 5000;
      while (!ranAgain && Date.now() < deadline) await sleep(10);
      await next.stop();
      assert.equal(ranAgain, true);
      assert.equal((await store.jobs.get(job.id))!.status, 'done');
    });
  });
}
