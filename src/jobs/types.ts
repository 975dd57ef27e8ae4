/**
 * The job-queue port: work that must survive a restart and may run on another instance
 * (executions today; scheduled offboarding and note retries later).
 */
export type JobHandler = (payload: unknown, job: { id: string; attempt: number }) => Promise<void>;

export type EnqueueOptions = {
  /** When to run; default now. */
  runAt?: number;
  /** A second enqueue with the same key is ignored (idempotent submit). */
  uniqueKey?: string;
  maxAttempts?: number;
};

export type JobQueue = {
  enqueue(kind: string, payload: unknown, options?: EnqueueOptions): Promise<{ id: string; created: boolean }>;
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
