import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/types.js';
import { createPgBossJobQueue } from './pg-boss/pg-boss-job-queue.js';
import { createStoreJobQueue } from './store-queue/store-job-queue.js';
import type { JobQueue } from './types.js';

export type JobQueueDeps = {
  store: Store;
  clock: Clock;
  logger: Logger;
  concurrency?: number;
  /** Store queue: how long a claim lasts without a heartbeat. */
  leaseMs?: number;
  /** pg-boss: days finished jobs are kept. */
  retentionDays?: () => number;
};

/**
 * The job-queue registry. `store` keeps jobs in the service's own database, which needs nothing
 * else to run: the embedded SQLite default, one process. `pg-boss` is a maintained job engine for
 * PostgreSQL, where several instances share the work (docs/architecture.md, "Job engine").
 */
export const jobQueueKinds = {
  'pg-boss': (deps: JobQueueDeps): JobQueue => {
    if (!deps.store.postgres) throw new Error('The pg-boss job engine needs the store on PostgreSQL.');
    const { url, schema } = deps.store.postgres;
    return createPgBossJobQueue({
      connectionString: url,
      // Beside the store's schema: `pgboss` for `public`, `<schema>_pgboss` for another.
      schema: schema === 'public' ? 'pgboss' : `${schema}_pgboss`,
      logger: deps.logger,
      ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
      ...(deps.retentionDays ? { retentionDays: deps.retentionDays } : {}),
    });
  },
  store: (deps: JobQueueDeps): JobQueue =>
    createStoreJobQueue({
      jobs: deps.store.jobs,
      clock: deps.clock,
      logger: deps.logger,
      ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
      ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
    }),
};

/** The engine a database gets unless the configuration says otherwise. */
export function defaultJobQueueKind(store: Pick<Store, 'dialect'>): keyof typeof jobQueueKinds {
  return store.dialect === 'postgres' ? 'pg-boss' : 'store';
}
