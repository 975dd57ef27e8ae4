/**
 * The job-queue port: work that must survive a restart and may run on another instance
 * (executions today; scheduled offboarding and note retries later).
 */
export type JobHandler = (payload: unknown, job: { id: string; attempt: number; lease: JobLease }) => Promise<void>;

/**
 * The claim a worker holds on a job while it runs it, kept alive by a heartbeat. Passed to the
 * store with each step update (`StoreFence`): the update happens only while this claim still holds
 * the job, so a worker that lost its job (paused, cut off) stops before it writes anything more.
 */
export type JobLease = { jobId: string; token: string };

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
  /** Starts taking jobs with these handlers. */
  start(handlers: Record<string, JobHandler>): void;
  /**
   * Stops taking new jobs and waits for running ones. With `timeoutMs`, jobs still running when it
   * runs out are handed back (queued again for another instance or the next start), not waited for.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** True between start() and stop(): readiness reports it. */
  isRunning(): boolean;
};
