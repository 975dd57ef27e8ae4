import type { Kysely } from 'kysely';
import type { ConsentStateRepo } from '../../types.js';
import type { Database } from '../database.js';

export function createConsentStateRepo(db: Kysely<Database>): ConsentStateRepo {
  return {
    async create(record) {
      await db
        .insertInto('consent_states')
        .values({
          state_hash: record.stateHash,
          session_id: record.sessionId ?? '',
          user_id: record.userId,
          consent_id: record.consentId ?? null,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })
        .execute();
    },
    async take(stateHash) {
      // One statement: two callbacks with the same state (a replay, a double click) cannot both get it.
      const row = await db.deleteFrom('consent_states').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
      return row
        ? {
            stateHash: row.state_hash,
            sessionId: row.session_id === '' ? null : row.session_id,
            ...(row.consent_id ? { consentId: row.consent_id } : {}),
            userId: row.user_id,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
          }
        : undefined;
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('consent_states').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
