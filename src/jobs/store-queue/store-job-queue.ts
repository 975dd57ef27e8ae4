import { hostname } from 'node:os';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { JobRepo } from '../../store/types.js';
import type { JobHandler, JobQueue } from '../types.js';

export type StoreJobQueueOptions = {
  jobs: JobRepo;
  clock: Clock;
  logger: Logger;
  /** Jobs run at once by this instance. */
  concurrency?: number;
  /** How often idle workers look for due jobs (jobs enqueued here wake them at once). */
  pollIntervalMs?: number;
  /** How long a claimed job is ours before another instance may take it over. */
  leaseMs?: number;
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A job queue over the store's `jobs` table: one code path on SQLite and PostgreSQL. Jobs enqueued
 * by this process wake its workers immediately, so an execution starts without waiting for a
 * poll; other instances find them on their next poll.
 */
export function createStoreJobQueue(options: StoreJobQueueOptions): JobQueue {
  const { jobs, clock, logger } = options;
  const concurrency = options.concurrency ?? 4;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const workerId = `${hostname()}:${process.pid}:${newId(4)}`;
  let handlers: Record<string, JobHandler> = {};
  let running = false;
  let active = 0;
  const idle = new Set<() => void>();
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;

  const wake = () => {
    for (const resolve of idle) resolve();
    idle.clear();
  };

  async function runOne(): Promise<boolean> {
    const now = clock.now();
    const job = await jobs.claimNext(workerId, iso(now), iso(now + leaseMs));
    if (!job) return false;
    const handler = handlers[job.kind];
    const log = logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    if (!handler) {
      await jobs.fail(job.id, `No handler for job kind "${job.kind}"`, null, iso(clock.now()));
      log.error('job has no handler');
      return true;
    }
    try {
      await handler(job.payload, { id: job.id, attempt: job.attempts });
      await jobs.complete(job.id, iso(clock.now()));
    } catch (error) {
      const retry = job.attempts < job.maxAttempts;
      const retryAt = retry ? iso(clock.now() + Math.min(60_000, 1000 * 2 ** job.attempts)) : null;
      await jobs.fail(job.id, error instanceof Error ? error.message : String(error), retryAt, iso(clock.now()));
      log.error({ err: error, retry }, 'job failed');
    }
    return true;
  }

  async function loop(): Promise<void> {
    while (running) {
      let worked = false;
      try {
        worked = await runOne();
      } catch (error) {
        logger.error({ err: error }, 'job queue could not claim a job');
      }
      if (!worked && running) {
        await new Promise<void>((resolve) => {
          idle.add(resolve);
        });
      }
    }
  }

  return {
    async enqueue(kind, payload, enqueueOptions = {}) {
      const id = newId();
      const now = clock.now();
      const created = await jobs.enqueue(
        {
          id,
          kind,
          payload,
          runAt: iso(enqueueOptions.runAt ?? now),
          maxAttempts: enqueueOptions.maxAttempts ?? 1,
          ...(enqueueOptions.uniqueKey ? { uniqueKey: enqueueOptions.uniqueKey } : {}),
        },
        iso(now),
      );
      if (created) wake();
      return { id, created };
    },
    notify() {
      if (running) wake();
    },
    start(nextHandlers) {
      if (running) return;
      handlers = nextHandlers;
      running = true;
      for (let i = 0; i < concurrency; i++) {
        active++;
        const worker = loop().finally(() => {
          active--;
          inFlight.delete(worker);
        });
        inFlight.add(worker);
      }
      timer = setInterval(wake, pollIntervalMs);
      timer.unref();
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      wake();
      await Promise.all([...inFlight]);
      logger.debug({ active }, 'job queue stopped');
    },
  };
}
