import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The values a step hands to later steps (`facts`, JSON text), saved with the step that produced
 * them: a run resumed after a crash sees what an uninterrupted one would have seen. And a job for
 * every execution a crash left without one.
 */
export const stepFactsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('execution_steps').addColumn('facts', 'text').execute();
    // Executions left queued without a job by the earlier two-transaction submit (a crash between
    // the two writes) get their job now: nothing else would ever run or free them.
    await sql`
      insert into jobs (id, kind, payload, status, attempts, max_attempts, run_at, locked_until, locked_by, last_error, unique_key, created_at, updated_at)
      select 'recovered-' || e.id, 'execution.run', '{"executionId":"' || e.id || '"}', 'queued', 0, 3, e.created_at, null, null, null,
             'execution:' || e.id, e.created_at, e.created_at
      from executions e
      where e.status = 'queued'
        and not exists (select 1 from jobs j where j.unique_key = 'execution:' || e.id)
    `.execute(db);
  },

  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('execution_steps').dropColumn('facts').execute();
  },
};
