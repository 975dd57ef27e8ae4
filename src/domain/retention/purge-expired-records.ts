import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Days each kind of record is kept; executions 0 = for ever. */
export type RetentionDays = { launches: number; jobs: number; executions: number };

export type PurgeResult = { launches: number; jobs: number; executions: number };

/**
 * Deletes what the retention settings say has been kept long enough: screen pops (launches: the
 * ticket, company and contact details the PSA reads brought), finished background jobs, and
 * finished executions when a limit is set. Runs on every instance (create-services.ts, hourly);
 * the store deletes in small batches and two instances purging at once only share the work.
 */
export async function purgeExpiredRecords(
  deps: { store: Pick<Store, 'maintenance'>; clock: Clock },
  days: RetentionDays,
): Promise<PurgeResult> {
  const now = deps.clock.now();
  const before = (keepDays: number) => new Date(now - keepDays * DAY_MS).toISOString();
  const launches = await deps.store.maintenance.purgeLaunches(before(days.launches));
  const jobs = await deps.store.maintenance.purgeFinishedJobs(before(days.jobs));
  const executions = days.executions > 0 ? await deps.store.maintenance.purgeFinishedExecutions(before(days.executions)) : 0;
  return { launches, jobs, executions };
}
