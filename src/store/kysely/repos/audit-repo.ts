import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../../lib/ids.js';
import type { AuditEntry, AuditRepo, NewAuditEntry } from '../../types.js';
import type { AuditLogTable, Database } from '../database.js';

const toEntry = (row: Selectable<AuditLogTable>): AuditEntry => ({
  id: row.id,
  at: row.at,
  actorUserId: row.actor_user_id,
  actorEmail: row.actor_email,
  action: row.action,
  target: row.target,
  before: row.before_value === null ? null : JSON.parse(row.before_value),
  after: row.after_value === null ? null : JSON.parse(row.after_value),
  requestId: row.request_id,
});

/** Appends an entry inside someone else's transaction (a settings write and its audit go together). */
export async function insertAuditEntry(db: Kysely<Database>, entry: NewAuditEntry, now: string): Promise<AuditEntry> {
  const id = newId(12);
  await db
    .insertInto('audit_log')
    .values({
      id,
      at: now,
      actor_user_id: entry.actorUserId,
      actor_email: entry.actorEmail,
      action: entry.action,
      target: entry.target,
      before_value: entry.before === null || entry.before === undefined ? null : JSON.stringify(entry.before),
      after_value: entry.after === null || entry.after === undefined ? null : JSON.stringify(entry.after),
      request_id: entry.requestId,
    })
    .execute();
  return { ...entry, id, at: now, before: entry.before ?? null, after: entry.after ?? null };
}

export function createAuditRepo(db: Kysely<Database>): AuditRepo {
  return {
    append: (entry, now) => insertAuditEntry(db, entry, now),
    async list(filter, page) {
      let query = db.selectFrom('audit_log');
      if (filter.action) query = query.where('action', '=', filter.action);
      if (filter.actorEmail) query = query.where('actor_email', '=', filter.actorEmail.toLowerCase());
      if (filter.target) query = query.where('target', '=', filter.target);
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return { items: rows.map(toEntry), total: Number(count?.n ?? 0) };
    },
  };
}
