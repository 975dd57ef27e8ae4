import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import { systemClock } from '../../lib/clock.js';
import { createSilentLogger } from '../../lib/logger.js';
import type { Store } from '../../store/types.js';
import { createStoreJobQueue } from './store-job-queue.js';

for (const database of TEST_DATABASES) {
  describe(`store job queue on ${database.name}`, { skip: database.skip }, () => {
    let store: Store & { drop(): Promise<void> };
    before(async () => {
      store = await database.open();
    });
    after(async () => {
      await store.drop();
    });

    test('runs each job once across two queues, retries a failure, ignores a duplicate key', async () => {
      const seen: number[] = [];
      let failures = 0;
      const handler = async (payload: unknown) => {
        const n = (payload as { n: number }).n;
        if (n === 3 && failures === 0) {
          failures++;
          throw new Error('transient');
        }
        seen.push(n);
      };
      const queues = [0, 1].map(() =>
        createStoreJobQueue({ jobs: store.jobs, clock: systemClock, logger: createSilentLogger(), concurrency: 2, pollIntervalMs: 20 }),
      );
      for (const queue of queues) await queue.start({ count: handler });
      for (let n = 0; n < 10; n++) {
        await queues[n % 2]!.enqueue('count', { n }, { maxAttempts: 2, uniqueKey: `n-${n}` });
      }
      const duplicate = await queues[0]!.enqueue('count', { n: 0 }, { uniqueKey: 'n-0' });
      assert.equal(duplicate.created, false);

      const deadline = Date.now() + 10_000;
      while (seen.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await Promise.all(queues.map((q) => q.stop()));
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      assert.equal(failures, 1);
    });
  });
}
