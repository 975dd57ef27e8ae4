import type { StoreFence, TransactionalJobWriter } from '../store/types.js';

/**
 * The job-queue port: work that must survive a restart and may run on another instance
 * (executions today; scheduled offboarding and note retries later).
 */
export type JobHandler = (
  payload: unknown,
  job: {
    id: string;
    attempt: number;
    /** This is the job's last attempt: if the handler throws now, nothing will run it again. */
    final: boolean;
    lease: JobLease;
  },
) => Promise<void>;

/**
 * The claim a worker holds on a job while it runs it, kept alive by a heartbeat. Passed to the
 * store with each step update (`StoreFence`): the update happens only while this claim still holds
 * the job, so a worker that lost its job (paused, cut off) stops before it writes anything more.
 */
export type JobLease = StoreFence;

export type EnqueueOptions = {
  /** When to run; default now. */
  runAt?: number;
  /** A second enqueue with the same key is ignored (idempotent submit). */
  uniqueKey?: string;
  maxAttempts?: number;
};

export type JobQueue = {
  enqueue(kind: string, payload: unknown, options?: EnqueueOptions): Promise<{ id: string; created: boolean }>;
  /**
   * Says jobs were added through the store, in the transaction of the record they belong to (an
   * execution and its job): this instance looks for them now instead of at its next poll.
   */
  notify(): void;
  /** Starts taking jobs with these handlers (resolves once it takes them). */
  start(handlers: Record<string, JobHandler>): Promise<void>;
  /**
   * Stops taking new jobs and waits for running ones. With `timeoutMs`, jobs still running when it
   * runs out are handed back (queued again for another instance or the next start), not waited for.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** True between start() and stop(): readiness reports it. */
  isRunning(): boolean;
  /**
   * Optional capability: a queue whose jobs live outside the store's `jobs` table writes an
   * execution's job through this, inside the store's transaction. Absent: the store writes it.
   */
  transactionalWriter?: TransactionalJobWriter;
  /**
   * Optional capability: unfinished jobs by kind and state, for metrics, when they are not in the
   * store's `jobs` table (the store reports those itself).
   */
  backlog?(): Promise<JobBacklog>;
};

/** Unfinished jobs by kind and state, as `Store.maintenance.stats().jobs` reports the store's. */
export type JobBacklog = { kind: string; state: 'due' | 'scheduled' | 'running'; count: number; oldestRunAt: string | null }[];
