import type { Kysely, Selectable } from 'kysely';
import type { LaunchContext, LaunchRecord, LaunchRepo, LaunchStatus } from '../../types.js';
import type { Database, LaunchTable } from '../database.js';

const toLaunch = (row: Selectable<LaunchTable>): LaunchRecord => ({
  id: row.id,
  psaKind: row.psa_kind,
  formName: row.form_name,
  ticketId: row.ticket_id,
  companyId: row.company_id,
  contactId: row.contact_id,
  extraParams: JSON.parse(row.extra_params),
  technicianUserId: row.technician_user_id,
  status: row.status as LaunchStatus,
  context: row.context ? JSON.parse(row.context) : null,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

export function createLaunchRepo(db: Kysely<Database>): LaunchRepo {
  return {
    async create(launch) {
      await db
        .insertInto('launches')
        .values({
          id: launch.id,
          psa_kind: launch.psaKind,
          form_name: launch.formName,
          ticket_id: launch.ticketId,
          company_id: launch.companyId,
          contact_id: launch.contactId,
          extra_params: JSON.stringify(launch.extraParams),
          technician_user_id: launch.technicianUserId,
          status: launch.status,
          context: launch.context ? JSON.stringify(launch.context) : null,
          created_at: launch.createdAt,
          expires_at: launch.expiresAt,
          updated_at: launch.createdAt,
        })
        .execute();
    },
    async listOpen({ technicianUserId, now, limit }) {
      const rows = await db
        .selectFrom('launches')
        .selectAll()
        .where('technician_user_id', '=', technicianUserId)
        .where('expires_at', '>', now)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('executions').select('executions.id').whereRef('executions.launch_id', '=', 'launches.id'))),
        )
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toLaunch);
    },
    async companyNames(launchIds) {
      const names = new Map<string, string>();
      if (launchIds.length === 0) return names;
      const rows = await db
        .selectFrom('launches')
        .select(['company_id', 'context'])
        .where('id', 'in', [...new Set(launchIds)])
        .where('context', 'is not', null)
        .execute();
      for (const row of rows) {
        const context = JSON.parse(row.context as string) as LaunchContext;
        if (context.company.ok) names.set(row.company_id, context.company.value.name);
      }
      return names;
    },
    async latestCreatedAt() {
      const row = await db.selectFrom('launches').select('created_at').orderBy('created_at', 'desc').limit(1).executeTakeFirst();
      return row?.created_at ?? null;
    },
    async get(id) {
      const row = await db.selectFrom('launches').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toLaunch(row);
    },
    async saveContext(id, status, context, now) {
      await db
        .updateTable('launches')
        .set({ status, context: JSON.stringify(context), updated_at: now })
        .where('id', '=', id)
        .execute();
    },
    async claim(id, userId, now) {
      // Conditional update: the first technician to open an unowned launch owns it.
      await db
        .updateTable('launches')
        .set({ technician_user_id: userId, updated_at: now })
        .where('id', '=', id)
        .where('technician_user_id', 'is', null)
        .execute();
      const row = await db.selectFrom('launches').select('technician_user_id').where('id', '=', id).executeTakeFirst();
      return row?.technician_user_id ?? null;
    },
  };
}
