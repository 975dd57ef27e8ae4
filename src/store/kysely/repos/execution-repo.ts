import { CompiledQuery, type Kysely, type Selectable, sql } from 'kysely';
import {
  type ExecutionRecord,
  type ExecutionRepo,
  type ExecutionStatus,
  LeaseLostError,
  type NoteStatus,
  type StepRecord,
  type StepStatus,
  type StoreFence,
} from '../../types.js';
import type { Database, ExecutionStepTable, ExecutionTable } from '../database.js';
import { insertJob } from './job-repo.js';

const toExecution = (row: Selectable<ExecutionTable>): ExecutionRecord => ({
  id: row.id,
  launchId: row.launch_id,
  psaKind: row.psa_kind,
  formName: row.form_name,
  status: row.status as ExecutionStatus,
  technicianUserId: row.technician_user_id,
  technicianEmail: row.technician_email,
  ticketId: row.ticket_id,
  companyId: row.company_id,
  contactId: row.contact_id,
  directoryId: row.directory_id,
  targetUserId: row.target_user_id,
  targetDisplay: row.target_display,
  inputs: JSON.parse(row.inputs),
  hasSecret: row.secret_sealed !== null,
  secretRevealedAt: row.secret_revealed_at,
  noteStatus: row.note_status as NoteStatus,
  noteText: row.note_text,
  noteError: row.note_error,
  errorMessage: row.error_message,
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

const toStep = (row: Selectable<ExecutionStepTable>): StepRecord => ({
  executionId: row.execution_id,
  seq: Number(row.seq),
  key: row.step_key,
  label: row.label,
  status: row.status as StepStatus,
  message: row.message,
  upstreamCode: row.upstream_code,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
  facts: row.facts ? JSON.parse(row.facts) : null,
});

export function createExecutionRepo(db: Kysely<Database>): ExecutionRepo {
  const get = async (id: string) => {
    const row = await db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toExecution(row);
  };

  return {
    get,
    async findByLaunch(launchId) {
      const row = await db.selectFrom('executions').selectAll().where('launch_id', '=', launchId).executeTakeFirst();
      return row && toExecution(row);
    },
    async createOnce(execution, now, writeJob) {
      const inserted = await db.transaction().execute(async (trx) => {
        const result = await trx
          .insertInto('executions')
          .values({
            id: execution.id,
            launch_id: execution.launchId,
            psa_kind: execution.psaKind,
            form_name: execution.formName,
            status: 'queued',
            technician_user_id: execution.technicianUserId,
            technician_email: execution.technicianEmail,
            ticket_id: execution.ticketId,
            company_id: execution.companyId,
            contact_id: execution.contactId,
            directory_id: execution.directoryId,
            target_user_id: execution.targetUserId,
            target_display: execution.targetDisplay,
            inputs: JSON.stringify(execution.inputs),
            secret_sealed: execution.secretSealed,
            secret_expires_at: execution.secretExpiresAt,
            secret_revealed_at: null,
            note_status: 'pending',
            note_text: null,
            note_error: null,
            error_message: null,
            created_at: now,
            started_at: null,
            finished_at: null,
          })
          // A second submit of the same launch must not create a second run.
          .onConflict((oc) => oc.column('launch_id').doNothing())
          .executeTakeFirst();
        if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
        if (execution.steps.length > 0) {
          await trx
            .insertInto('execution_steps')
            .values(
              execution.steps.map((step, index) => ({
                execution_id: execution.id,
                seq: index + 1,
                step_key: step.key,
                label: step.label,
                status: 'pending',
                message: null,
                upstream_code: null,
                started_at: null,
                finished_at: null,
                duration_ms: null,
                facts: null,
              })),
            )
            .execute();
        }
        if (execution.job) {
          if (writeJob) {
            const job = execution.job;
            await writeJob(job, {
              executeSql: async (text, values = []) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows }),
            });
          } else {
            await insertJob(trx, execution.job, now);
          }
        }
        return true;
      });
      if (inserted) return { execution: (await get(execution.id))!, created: true };
      const existing = await db.selectFrom('executions').selectAll().where('launch_id', '=', execution.launchId).executeTakeFirstOrThrow();
      return { execution: toExecution(existing), created: false };
    },
    async steps(id) {
      const rows = await db.selectFrom('execution_steps').selectAll().where('execution_id', '=', id).orderBy('seq').execute();
      return rows.map(toStep);
    },
    async setStatus(id, status, now, errorMessage) {
      await db
        .updateTable('executions')
        .set({
          status,
          ...(status === 'running' ? { started_at: now } : {}),
          ...(status === 'succeeded' || status === 'partial' || status === 'failed' ? { finished_at: now } : {}),
          ...(errorMessage !== undefined ? { error_message: errorMessage } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    async updateStep(executionId, seq, changes, fence) {
      const result = await db
        .updateTable('execution_steps')
        .set({
          ...(changes.key !== undefined ? { step_key: changes.key } : {}),
          ...(changes.label !== undefined ? { label: changes.label } : {}),
          ...(changes.status !== undefined ? { status: changes.status } : {}),
          ...(changes.message !== undefined ? { message: changes.message } : {}),
          ...(changes.upstreamCode !== undefined ? { upstream_code: changes.upstreamCode } : {}),
          ...(changes.startedAt !== undefined ? { started_at: changes.startedAt } : {}),
          ...(changes.finishedAt !== undefined ? { finished_at: changes.finishedAt } : {}),
          ...(changes.durationMs !== undefined ? { duration_ms: changes.durationMs } : {}),
          ...(changes.facts !== undefined ? { facts: changes.facts === null ? null : JSON.stringify(changes.facts) } : {}),
        })
        .where('execution_id', '=', executionId)
        .where('seq', '=', seq)
        // Fencing: in the same statement, so no other worker can take the job between check and write.
        // A raw fragment: the expression builder costs measurably more CPU on every step write.
        .$if(fence !== undefined, (q) => q.where(fenceHolds(fence!)))
        .executeTakeFirst();
      if (fence && Number(result.numUpdatedRows) === 0) throw new LeaseLostError(fence.jobId);
    },
    async appendStep(step) {
      await db
        .insertInto('execution_steps')
        .values({
          execution_id: step.executionId,
          seq: step.seq,
          step_key: step.key,
          label: step.label,
          status: step.status,
          message: step.message,
          upstream_code: step.upstreamCode,
          started_at: step.startedAt,
          finished_at: step.finishedAt,
          duration_ms: step.durationMs,
          facts: step.facts === null ? null : JSON.stringify(step.facts),
        })
        .execute();
    },
    async setNote(id, note) {
      await db
        .updateTable('executions')
        .set({ note_status: note.status, note_text: note.text, note_error: note.error })
        .where('id', '=', id)
        .execute();
    },
    async setSecret(id, sealed, expiresAt) {
      await db.updateTable('executions').set({ secret_sealed: sealed, secret_expires_at: expiresAt }).where('id', '=', id).execute();
    },
    async readSecret(id, now) {
      const row = await db
        .selectFrom('executions')
        .select('secret_sealed')
        .where('id', '=', id)
        .where('secret_expires_at', '>', now)
        .executeTakeFirst();
      return row?.secret_sealed ?? null;
    },
    async takeSecret(id, now) {
      const row = await db
        .selectFrom('executions')
        .select('secret_sealed')
        .where('id', '=', id)
        .where('secret_sealed', 'is not', null)
        .where('secret_expires_at', '>', now)
        .executeTakeFirst();
      if (!row?.secret_sealed) return null;
      // Compare-and-swap: only the caller whose update removed this exact value gets it.
      const result = await db
        .updateTable('executions')
        .set({ secret_sealed: null, secret_revealed_at: now })
        .where('id', '=', id)
        .where('secret_sealed', '=', row.secret_sealed)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? row.secret_sealed : null;
    },
    async discardSecret(id) {
      await db.updateTable('executions').set({ secret_sealed: null }).where('id', '=', id).execute();
    },
    async purgeExpiredSecrets(now) {
      const result = await db
        .updateTable('executions')
        .set({ secret_sealed: null })
        .where('secret_sealed', 'is not', null)
        .where('secret_expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async listRecent({ technicianUserId, limit }) {
      let query = db.selectFrom('executions').selectAll().orderBy('created_at', 'desc').limit(limit);
      if (technicianUserId) query = query.where('technician_user_id', '=', technicianUserId);
      return (await query.execute()).map(toExecution);
    },
    async search(filter, page) {
      let query = db.selectFrom('executions');
      if (filter.formName) query = query.where('form_name', '=', filter.formName);
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.companyId) query = query.where('company_id', '=', filter.companyId);
      if (filter.technicianUserId) query = query.where('technician_user_id', '=', filter.technicianUserId);
      if (filter.from) query = query.where('created_at', '>=', filter.from);
      if (filter.to) query = query.where('created_at', '<', filter.to);
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return { items: rows.map(toExecution), total: Number(count?.n ?? 0) };
    },
    async resealSecrets(reseal) {
      const rows = await db.selectFrom('executions').select(['id', 'secret_sealed']).where('secret_sealed', 'is not', null).execute();
      let count = 0;
      for (const row of rows) {
        const sealed = row.secret_sealed as string;
        const next = reseal(sealed, row.id);
        if (next === sealed) continue;
        // Only over the value read: a secret taken (shown) meanwhile stays gone.
        const result = await db
          .updateTable('executions')
          .set({ secret_sealed: next })
          .where('id', '=', row.id)
          .where('secret_sealed', '=', sealed)
          .executeTakeFirst();
        count += Number(result.numUpdatedRows);
      }
      return count;
    },
  };
}

/**
 * The condition a fenced write carries: the worker's claim still holds its job. pg-boss's jobs are
 * in its own schema of the same database, so the check stays in the same statement.
 */
function fenceHolds(fence: StoreFence) {
  if ('engine' in fence) {
    return sql<boolean>`exists (select 1 from ${sql.table(`${fence.schema}.job`)} where name = ${fence.queue} and id = ${fence.jobId}::uuid and state = 'active' and retry_count = ${fence.retryCount})`;
  }
  return sql<boolean>`exists (select 1 from jobs where jobs.id = ${fence.jobId} and jobs.locked_by = ${fence.token} and jobs.status = 'running')`;
}
