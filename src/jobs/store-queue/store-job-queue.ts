import { hostname } from 'node:os';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { type JobRepo, LeaseLostError } from '../../store/types.js';
import type { JobHandler, JobQueue } from '../types.js';

export type StoreJobQueueOptions = {
  jobs: JobRepo;
  clock: Clock;
  logger: Logger;
  /** Jobs run at once by this instance. */
  concurrency?: number;
  /** How often idle workers look for due jobs (jobs enqueued here wake them at once). */
  pollIntervalMs?: number;
  /**
   * How long a claim lasts without a heartbeat: a job whose worker stopped (killed, cut off) is
   * taken over by another worker this long after its last heartbeat, plus at most one poll.
   */
  leaseMs?: number;
  /** How often a running job's lease is renewed; a third of the lease by default. */
  heartbeatMs?: number;
};

/** A dead worker's job is taken over within 15 s + one poll (the issue asks for 30 s). */
export const DEFAULT_JOB_LEASE_MS = 15_000;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A job queue over the store's `jobs` table: one code path on SQLite and PostgreSQL. Jobs enqueued
 * by this process wake its workers immediately, so an execution starts without waiting for a
 * poll; other instances find them on their next poll. A running job is held by a lease its worker
 * renews (heartbeat); when the worker dies, another takes the job over once the lease runs out.
 */
export function createStoreJobQueue(options: StoreJobQueueOptions): JobQueue {
  const { jobs, clock, logger } = options;
  const concurrency = options.concurrency ?? 4;
  const leaseMs = options.leaseMs ?? DEFAULT_JOB_LEASE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? Math.min(1000, leaseMs / 2);
  const heartbeatMs = options.heartbeatMs ?? leaseMs / 3;
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
    // Each claim has its own token: a worker that lost this job and claims another is not mistaken
    // for the holder of the first.
    const token = `${workerId}:${newId(6)}`;
    const job = await jobs.claimNext(token, iso(now), iso(now + leaseMs));
    if (!job) return false;
    const handler = handlers[job.kind];
    const log = logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    if (!handler) {
      await jobs.fail(job.id, `No handler for job kind "${job.kind}"`, null, iso(clock.now()), token);
      log.error('job has no handler');
      return true;
    }
    // The heartbeat keeps the claim while the handler runs, however long a step takes. A missed
    // beat (the database unreachable) is logged; a lost claim is noticed by the next fenced write.
    const beat = setInterval(() => {
      const at = clock.now();
      jobs.heartbeat(job.id, token, iso(at + leaseMs), iso(at)).then(
        (held) => {
          if (!held) log.warn('another worker took this job over; this one stops at its next write');
        },
        (error) => log.warn({ err: error }, 'job heartbeat failed'),
      );
    }, heartbeatMs);
    beat.unref();
    try {
      await handler(job.payload, { id: job.id, attempt: job.attempts, lease: { jobId: job.id, token } });
      await jobs.complete(job.id, iso(clock.now()), token);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        log.warn('stopped: the job was taken over by another worker');
        return true;
      }
      const retry = job.attempts < job.maxAttempts;
      const retryAt = retry ? iso(clock.now() + Math.min(60_000, 1000 * 2 ** job.attempts)) : null;
      await jobs.fail(job.id, error instanceof Error ? error.message : String(error), retryAt, iso(clock.now()), token);
      log.error({ err: error, retry }, 'job failed');
    } finally {
      clearInterval(beat);
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
