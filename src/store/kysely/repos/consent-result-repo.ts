import type { Kysely, Selectable } from 'kysely';
import type { ConsentResultRecord, ConsentResultRepo } from '../../types.js';
import type { Database } from '../database.js';

function toRecord(row: Selectable<Database['consent_results']>): ConsentResultRecord {
  return {
    consentId: row.consent_id,
    userId: row.user_id,
    userEmail: row.user_email,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    completedAt: row.completed_at,
    result: row.result === null ? null : JSON.parse(row.result),
  };
}

export function createConsentResultRepo(db: Kysely<Database>): ConsentResultRepo {
  return {
    async create(record) {
      await db
        .insertInto('consent_results')
        .values({
          consent_id: record.consentId,
          user_id: record.userId,
          user_email: record.userEmail,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
          completed_at: null,
          result: null,
        })
        .execute();
    },
    async complete(consentId, result, completedAt) {
      await db
        .updateTable('consent_results')
        .set({ result: JSON.stringify(result), completed_at: completedAt })
        .where('consent_id', '=', consentId)
        .execute();
    },
    async get(consentId) {
      const row = await db.selectFrom('consent_results').selectAll().where('consent_id', '=', consentId).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async listRecent(now, limit) {
      const rows = await db
        .selectFrom('consent_results')
        .selectAll()
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .orderBy('consent_id')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('consent_results').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
