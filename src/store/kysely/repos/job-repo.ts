import type { Kysely, Selectable } from 'kysely';
import type { JobRecord, JobRepo, JobStatus, NewJob } from '../../types.js';
import type { Database, JobTable } from '../database.js';

const toJob = (row: Selectable<JobTable>): JobRecord => ({
  id: row.id,
  kind: row.kind,
  payload: JSON.parse(row.payload),
  status: row.status as JobStatus,
  attempts: Number(row.attempts),
  maxAttempts: Number(row.max_attempts),
  runAt: row.run_at,
  lockedUntil: row.locked_until,
  lastError: row.last_error,
  uniqueKey: row.unique_key,
});

/**
 * Writes a job row; a job whose unique key exists already is left out. Takes a transaction too:
 * an execution and its job are written together (execution-repo.ts).
 */
export async function insertJob(db: Kysely<Database>, job: NewJob, now: string): Promise<boolean> {
  const result = await db
    .insertInto('jobs')
    .values({
      id: job.id,
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      status: 'queued',
      attempts: 0,
      max_attempts: job.maxAttempts,
      run_at: job.runAt,
      locked_until: null,
      locked_by: null,
      last_error: null,
      unique_key: job.uniqueKey ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export function createJobRepo(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): JobRepo {
  return {
    enqueue: (job, now) => insertJob(db, job, now),
    async claimNext(token, now, leaseUntil) {
      // One statement picks and locks: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets several
      // workers claim in parallel without waiting on each other; SQLite has a single writer.
      // A `running` job whose lease ran out belonged to a worker that died: it is taken again.
      const rows = await db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          attempts: eb('attempts', '+', 1),
          locked_until: leaseUntil,
          locked_by: token,
          updated_at: now,
        }))
        .where('id', '=', (eb) =>
          eb
            .selectFrom('jobs')
            .select('id')
            .where((w) =>
              w.or([
                w.and([w('status', '=', 'queued'), w('run_at', '<=', now)]),
                w.and([w('status', '=', 'running'), w('locked_until', '<', now)]),
              ]),
            )
            .orderBy('run_at')
            .limit(1)
            .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked()),
        )
        .returningAll()
        .execute();
      const row = rows[0];
      return row && toJob(row);
    },
    async heartbeat(id, token, leaseUntil, now) {
      const result = await db
        .updateTable('jobs')
        .set({ locked_until: leaseUntil, updated_at: now })
        .where('id', '=', id)
        .where('locked_by', '=', token)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async complete(id, now, token) {
      await db
        .updateTable('jobs')
        .set({ status: 'done', locked_until: null, updated_at: now })
        .where('id', '=', id)
        .$if(token !== undefined, (q) => q.where('locked_by', '=', token as string))
        .execute();
    },
    async fail(id, error, retryAt, now, token) {
      await db
        .updateTable('jobs')
        .set({
          status: retryAt ? 'queued' : 'failed',
          run_at: retryAt ?? now,
          last_error: error.slice(0, 2000),
          locked_until: null,
          updated_at: now,
        })
        .where('id', '=', id)
        .$if(token !== undefined, (q) => q.where('locked_by', '=', token as string))
        .execute();
    },
    async release(id, token, now) {
      await db
        .updateTable('jobs')
        // The interrupted attempt is given back: a shutdown is not a failure of the job.
        .set((eb) => ({
          status: 'queued',
          attempts: eb('attempts', '-', 1),
          run_at: now,
          locked_until: null,
          locked_by: null,
          updated_at: now,
        }))
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', token)
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toJob(row);
    },
    async listUnfinished() {
      const rows = await db.selectFrom('jobs').selectAll().where('status', 'in', ['queued', 'running']).orderBy('run_at').execute();
      return rows.map(toJob);
    },
  };
}
