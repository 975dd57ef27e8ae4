import type { Kysely } from 'kysely';
import type { SessionRepo } from '../../types.js';
import type { Database } from '../database.js';
import { toUser } from './user-repo.js';

export function createSessionRepo(db: Kysely<Database>): SessionRepo {
  return {
    async create(session) {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
          last_seen_at: session.lastSeenAt,
        })
        .execute();
    },
    async findValid(id, now) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        userId: row.user_id,
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        lastSeenAt: row.last_seen_at,
      };
    },
    async findValidWithUser(id, now) {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select([
          'sessions.id as session_id',
          'sessions.csrf_token',
          'sessions.created_at as session_created_at',
          'sessions.expires_at',
          'sessions.last_seen_at',
          'users.id',
          'users.email',
          'users.name',
          'users.role',
          'users.password_hash',
          'users.disabled',
          'users.source',
          'users.created_at',
          'users.updated_at',
        ])
        .where('sessions.id', '=', id)
        .where('sessions.expires_at', '>', now)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        session: {
          id: row.session_id,
          userId: row.id,
          csrfToken: row.csrf_token,
          createdAt: row.session_created_at,
          expiresAt: row.expires_at,
          lastSeenAt: row.last_seen_at,
        },
        user: toUser(row),
      };
    },
    async touch(id, now, expiresAt) {
      await db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async deleteForUser(userId) {
      const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
