import { createHash, randomUUID } from 'node:crypto';
import { type JobWithMetadata, PgBoss } from 'pg-boss';
import type { Logger } from '../../lib/logger.js';
import { LeaseLostError, type NewJob, type TransactionSql } from '../../store/types.js';
import type { EnqueueOptions, JobBacklog, JobHandler, JobQueue } from '../types.js';

export type PgBossJobQueueOptions = {
  /** The service's PostgreSQL database: pg-boss keeps its tables there, in `schema`. */
  connectionString: string;
  /** pg-boss's schema (`pgboss` beside the store's `public`). */
  schema: string;
  logger: Logger;
  /** Jobs this instance runs at once, per kind. */
  concurrency?: number;
  /**
   * A running job's worker proves it is alive this often (pg-boss refreshes it at half the
   * interval); a job whose heartbeat is this old is failed and retried by any instance's
   * supervisor. pg-boss's minimum is 10 s.
   */
  heartbeatSeconds?: number;
  /** How often the instances look for jobs whose worker stopped heartbeating (default 2 s). */
  superviseIntervalSeconds?: number;
  /** Days finished jobs are kept before pg-boss deletes them. */
  retentionDays?: () => number;
  /** Connections pg-boss opens (besides its LISTEN connection). */
  poolSize?: number;
};

/**
 * pg-boss counts a fetch that a crash interrupted as an attempt: these extra attempts let a job
 * that was interrupted twice (two instances killed in turn) still finish.
 */
const CRASH_ATTEMPTS = 2;

/**
 * The job queue on PostgreSQL, where several instances share the work: pg-boss, chosen over
 * graphile-worker and our store queue by measurement (docs/architecture.md, "Job engine").
 *
 * - The execution's job is written by pg-boss's own `send` inside the store's transaction
 *   (`transactionalWriter`), so an execution never exists without its job.
 * - LISTEN/NOTIFY wakes a worker on any instance as the transaction commits.
 * - A worker heartbeats its job; a killed worker's job is failed by the next supervisor pass of
 *   any instance and retried, with backoff for jobs that failed by throwing.
 * - Writes are fenced on pg-boss's own claim (the job `active` with the `retry_count` this worker
 *   fetched): a worker whose job was taken over stops at its next write.
 */
export function createPgBossJobQueue(options: PgBossJobQueueOptions): JobQueue {
  const { logger, schema } = options;
  const concurrency = options.concurrency ?? 4;
  const heartbeatSeconds = Math.max(10, options.heartbeatSeconds ?? 10);
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema,
    useListenNotify: true,
    // A queue's jobs with a missed heartbeat are failed (and retried) by a monitor pass, which
    // runs per queue at most once per monitor interval across all instances: both at 2 s, so a
    // dead worker's job is retried within about heartbeat + 2 s + the retry delay (a query per
    // queue every 2 s, shared by all instances).
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? 2,
    monitorIntervalSeconds: options.superviseIntervalSeconds ?? 2,
    max: options.poolSize ?? 4,
    application_name: 'technician-toolbox jobs',
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job engine error'));
  let started: Promise<void> | undefined;
  let running = false;
  const queues = new Map<string, Promise<void>>();

  const begin = () => {
    started ??= boss.start().then(() => undefined);
    return started;
  };
  // A queue is created once, before the first job is sent to it (pg-boss refuses others).
  const ensureQueue = (kind: string) => {
    let created = queues.get(kind);
    if (!created) {
      const deleteAfterSeconds = Math.round((options.retentionDays?.() ?? 7) * 86_400);
      created = begin()
        .then(() =>
          boss.createQueue(kind, {
            notify: true,
            heartbeatSeconds,
            retryDelay: 1,
            retryBackoff: true,
            retryDelayMax: 60,
            deleteAfterSeconds,
          }),
        )
        .then(() => undefined);
      created.catch(() => queues.delete(kind));
      queues.set(kind, created);
    }
    return created;
  };
  const sendOptions = (job: { runAt?: number; maxAttempts?: number; id: string }) => ({
    id: job.id,
    ...(job.runAt !== undefined ? { startAfter: new Date(job.runAt) } : {}),
    retryLimit: Math.max(0, (job.maxAttempts ?? 1) - 1) + CRASH_ATTEMPTS,
  });

  return {
    async enqueue(kind, payload, enqueueOptions: EnqueueOptions = {}) {
      await ensureQueue(kind);
      // pg-boss ids are UUIDs; a unique key becomes a deterministic one, so a second enqueue with
      // the same key finds the first and sends nothing.
      const id = enqueueOptions.uniqueKey ? uuidFromKey(enqueueOptions.uniqueKey) : randomUUID();
      const sent = await boss.send(kind, toJson(payload), sendOptions({ id, ...enqueueOptions }));
      return { id, created: sent !== null };
    },
    transactionalWriter: async (job: NewJob, sql: TransactionSql) => {
      await ensureQueue(job.kind);
      const id = job.uniqueKey ? uuidFromKey(job.uniqueKey) : randomUUID();
      await boss.send(job.kind, toJson(job.payload), {
        ...sendOptions({ id, runAt: Date.parse(job.runAt), maxAttempts: job.maxAttempts }),
        db: { executeSql: (text: string, values?: unknown[]) => sql.executeSql(text, values) },
      });
    },
    // LISTEN/NOTIFY wakes the workers of every instance when the transaction commits.
    notify() {},
    async start(handlers) {
      if (running) return;
      await begin();
      for (const [kind, handler] of Object.entries(handlers)) {
        await ensureQueue(kind);
        let workerId: string | undefined;
        workerId = await boss.work(
          kind,
          // NOTIFY wakes workers for new jobs only; retried and scheduled ones are found by this poll.
          { localConcurrency: concurrency, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1, includeMetadata: true },
          async ([job]) => {
            if (!job) return;
            try {
              await runJob(kind, job, handler);
            } finally {
              // A worker that finished a job looks for the next at once instead of after its poll
              // interval: a backlog (a burst) drains at the speed of the jobs, not of the poll.
              if (workerId) boss.notifyWorker(workerId);
            }
          },
        );
      }
      running = true;
    },
    async stop(stopOptions = {}) {
      running = false;
      if (!started) return;
      // Graceful: running jobs get `timeoutMs` to finish; pg-boss then fails the rest, so another
      // instance (or the next start) retries them at once instead of waiting for their heartbeat.
      await boss.stop({ graceful: true, timeout: stopOptions.timeoutMs ?? 30_000, close: true });
      started = undefined;
      queues.clear();
    },
    isRunning: () => running,
    async backlog(): Promise<JobBacklog> {
      if (!started) return [];
      const result = await boss.getDb().executeSql(
        `select name, case when state = 'active' then 'running' when start_after > now() then 'scheduled' else 'due' end as state,
                  count(*)::int as count, min(start_after) as oldest
             from ${quoteIdent(schema)}.job where state in ('created', 'retry', 'active') group by 1, 2`,
      );
      return result.rows.map((row: { name: string; state: JobBacklog[number]['state']; count: number; oldest: Date | null }) => ({
        kind: row.name,
        state: row.state,
        count: row.count,
        oldestRunAt: row.oldest ? new Date(row.oldest).toISOString() : null,
      }));
    },
  };

  async function runJob(kind: string, job: JobWithMetadata<unknown>, handler: JobHandler): Promise<void> {
    const log = logger.child({ jobId: job.id, kind, attempt: job.retryCount + 1 });
    try {
      await handler(job.data, {
        id: job.id,
        attempt: job.retryCount + 1,
        final: job.retryCount >= job.retryLimit,
        lease: { engine: 'pg-boss', schema, queue: kind, jobId: job.id, retryCount: job.retryCount },
      });
    } catch (error) {
      // Taken over (its heartbeat was missed) or failed at shutdown: the job is another worker's
      // now, and pg-boss settles nothing for a claim that no longer holds it.
      if (error instanceof LeaseLostError) {
        log.warn('stopped: the job was taken over by another worker');
        return;
      }
      log.error({ err: error }, 'job failed');
      throw error;
    }
  }
}

/** A stable UUID (version-8 layout) for a unique key. */
function uuidFromKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const toJson = (payload: unknown): object => (payload ?? {}) as object;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
