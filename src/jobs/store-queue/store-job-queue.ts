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
  // Jobs claimed and not finished (by id, with their claim's token), for handing back at a
  // shutdown that cannot wait for them.
  const claimed = new Map<string, string>();
  const handedBack = new Set<string>();
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
    claimed.set(job.id, token);
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
      await handler(job.payload, {
        id: job.id,
        attempt: job.attempts,
        final: job.attempts >= job.maxAttempts,
        lease: { jobId: job.id, token },
      });
      if (!handedBack.has(job.id)) await jobs.complete(job.id, iso(clock.now()), token);
    } catch (error) {
      // Handed back at shutdown, or taken over: the job is someone else's now (the fenced writes
      // of a handed-back job fail the same way, so its handler stops at its next write).
      if (handedBack.has(job.id)) return true;
      if (error instanceof LeaseLostError) {
        log.warn('stopped: the job was taken over by another worker');
        return true;
      }
      const retry = job.attempts < job.maxAttempts;
      const retryAt = retry ? iso(clock.now() + Math.min(60_000, 1000 * 2 ** job.attempts)) : null;
      await jobs.fail(job.id, error instanceof Error ? error.message : String(error), retryAt, iso(clock.now()), token);
      log.error({ err: error, retry }, 'job failed');
    } finally {
      claimed.delete(job.id);
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
    async start(nextHandlers) {
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
    async stop(stopOptions = {}) {
      running = false;
      if (timer) clearInterval(timer);
      wake();
      const finished = Promise.all([...inFlight]).then(() => true);
      let deadline: NodeJS.Timeout | undefined;
      const timedOut =
        stopOptions.timeoutMs === undefined
          ? Promise.race([])
          : new Promise<false>((resolve) => {
              deadline = setTimeout(() => resolve(false), stopOptions.timeoutMs);
            });
      const allFinished = await Promise.race([finished, timedOut]);
      clearTimeout(deadline);
      if (!allFinished) {
        // Handed back rather than waited for: the next claim (here after a restart, or another
        // instance) takes them without waiting for the lease to run out.
        const held = [...claimed];
        const ids = held.map(([id]) => id);
        for (const id of ids) handedBack.add(id);
        const now = iso(clock.now());
        await Promise.all(held.map(([id, token]) => jobs.release(id, token, now)));
        logger.warn({ jobIds: ids }, 'jobs still running at shutdown were handed back');
      }
      logger.debug({ active }, 'job queue stopped');
    },
    isRunning: () => running,
  };
}
