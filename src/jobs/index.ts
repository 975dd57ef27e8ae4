import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/types.js';
import { createStoreJobQueue } from './store-queue/store-job-queue.js';
import type { JobQueue } from './types.js';

/**
 * The job-queue registry. `store` keeps jobs in the service's own database (SQLite or PostgreSQL),
 * which needs nothing else to run; a broker-backed queue would be another folder and another entry.
 */
export const jobQueueKinds = {
  store: (deps: { store: Store; clock: Clock; logger: Logger; concurrency?: number; leaseMs?: number }): JobQueue =>
    createStoreJobQueue({
      jobs: deps.store.jobs,
      clock: deps.clock,
      logger: deps.logger,
      ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
      ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
    }),
};
