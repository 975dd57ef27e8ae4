import type { Logger } from '../lib/logger.js';
import type { JobRepo } from '../store/types.js';
import type { JobQueue } from './types.js';

/**
 * Carries the jobs left in the store's `jobs` table over to another engine (pg-boss) when an
 * install on PostgreSQL moves off the store queue: a scheduled offboarding or a pending note retry
 * must not be stranded in a table nobody reads any more. Each job keeps its time, its attempts and
 * a unique key, so two instances starting together carry it over once; only then is it marked done
 * in the store. Every instance of the old version must be stopped first (docs/operations.md,
 * "Upgrades"): one still running could run a job that is being carried over.
 */
export async function handOverStoreJobs(deps: { jobs: JobRepo; queue: JobQueue; logger: Logger; now: () => string }): Promise<number> {
  const pending = await deps.jobs.listUnfinished();
  for (const job of pending) {
    await deps.queue.enqueue(job.kind, job.payload, {
      runAt: Date.parse(job.runAt),
      maxAttempts: Math.max(1, job.maxAttempts - job.attempts),
      uniqueKey: job.uniqueKey ?? `store-job:${job.id}`,
    });
    await deps.jobs.complete(job.id, deps.now());
  }
  if (pending.length > 0) deps.logger.info({ jobs: pending.length }, 'jobs carried over from the store queue to the job engine');
  return pending.length;
}
