import { type Kysely, sql } from 'kysely';
import type { MaintenanceRepo, OperationalCounts } from '../../types.js';
import type { Database } from '../database.js';

/** Rows deleted per statement: short write locks, so screen pops and workers are not held up. */
const BATCH = 500;

/** Deletes in batches until a batch comes back short; `deleteBatch` returns how many it deleted. */
async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

export function createMaintenanceRepo(db: Kysely<Database>): MaintenanceRepo {
  return {
    async ping() {
      await sql`select 1`.execute(db);
    },
    purgeLaunches(before) {
      return inBatches(async () => {
        const result = await db
          .deleteFrom('launches')
          .where('id', 'in', (eb) => eb.selectFrom('launches').select('id').where('created_at', '<', before).limit(BATCH))
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
    purgeFinishedJobs(before) {
      return inBatches(async () => {
        const result = await db
          .deleteFrom('jobs')
          .where('id', 'in', (eb) =>
            eb.selectFrom('jobs').select('id').where('status', 'in', ['done', 'failed']).where('updated_at', '<', before).limit(BATCH),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
    purgeFinishedExecutions(before) {
      // Only executions with a finish time: queued, scheduled and running ones have none.
      return inBatches(() =>
        db.transaction().execute(async (trx) => {
          const ids = (
            await trx
              .selectFrom('executions')
              .select('id')
              .where('finished_at', 'is not', null)
              .where('finished_at', '<', before)
              .limit(BATCH)
              .execute()
          ).map((row) => row.id);
          if (ids.length === 0) return 0;
          // The steps go by the foreign key's cascade too; deleting them first does not depend on it.
          await trx.deleteFrom('execution_steps').where('execution_id', 'in', ids).execute();
          const result = await trx.deleteFrom('executions').where('id', 'in', ids).executeTakeFirst();
          return Number(result.numDeletedRows);
        }),
      );
    },
    async counts(now) {
      const [executions, steps, jobs] = await Promise.all([
        db
          .selectFrom('executions')
          .select(['form_name', 'status', (eb) => eb.fn.countAll<string | number>().as('count')])
          .groupBy(['form_name', 'status'])
          .execute(),
        db
          .selectFrom('execution_steps')
          .select(['status', (eb) => eb.fn.countAll<string | number>().as('count')])
          .groupBy('status')
          .execute(),
        db
          .selectFrom('jobs')
          .select((eb) => [
            'kind',
            eb
              .case()
              .when('status', '=', 'running')
              .then('running')
              .when('run_at', '<=', now)
              .then('due')
              .else('scheduled')
              .end()
              .as('state'),
            eb.fn.countAll<string | number>().as('count'),
            eb.fn.min('run_at').as('oldest_run_at'),
          ])
          .where('status', 'in', ['queued', 'running'])
          .groupBy(['kind', 'state'])
          .execute(),
      ]);
      return {
        executions: executions.map((row) => ({ formName: row.form_name, status: row.status, count: Number(row.count) })),
        steps: steps.map((row) => ({ status: row.status, count: Number(row.count) })),
        jobs: jobs.map((row) => ({
          kind: row.kind,
          state: row.state as OperationalCounts['jobs'][number]['state'],
          count: Number(row.count),
          oldestRunAt: row.oldest_run_at ?? null,
        })),
      };
    },
  };
}
