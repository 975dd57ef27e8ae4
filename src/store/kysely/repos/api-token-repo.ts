import type { Kysely, Selectable } from 'kysely';
import type { ApiTokenRecord, ApiTokenRepo } from '../../types.js';
import type { ApiTokenTable, Database } from '../database.js';

const toToken = (row: Selectable<ApiTokenTable>): ApiTokenRecord => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  hint: row.hint,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export function createApiTokenRepo(db: Kysely<Database>): ApiTokenRepo {
  return {
    async create(token, now) {
      await db
        .insertInto('api_tokens')
        .values({ id: token.id, user_id: token.userId, name: token.name, token_hash: token.tokenHash, hint: token.hint, created_at: now })
        .execute();
      return { id: token.id, userId: token.userId, name: token.name, hint: token.hint, createdAt: now, lastUsedAt: null, revokedAt: null };
    },
    async findActiveByHash(tokenHash) {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row && toToken(row);
    },
    async get(id) {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toToken(row);
    },
    async list({ userId }) {
      let query = db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc');
      if (userId) query = query.where('user_id', '=', userId);
      return (await query.execute()).map(toToken);
    },
    async revoke(id, now) {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async touch(id, now) {
      await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
