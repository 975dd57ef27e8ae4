import { type Kysely, type Selectable, sql } from 'kysely';
import type { SessionRepo } from '../../types.js';
import type { Database, UserTable } from '../database.js';
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
          reauth_at: session.reauthAt ?? null,
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
        reauthAt: row.reauth_at,
      };
    },
    async findValidWithUser(id, now) {
      // Every request runs this: written as one SQL text, which Kysely does not have to build
      // anew each time (measured on SQLite: 25 µs of CPU per call built with the query builder, 7 µs like this, 14 µs for the two separate lookups the cache used to save).
      const { rows } = await sql<
        Selectable<UserTable> & {
          session_id: string;
          csrf_token: string;
          session_created_at: string;
          expires_at: string;
          last_seen_at: string;
          reauth_at: string | null;
        }
      >`
        select s.id as session_id, s.csrf_token, s.created_at as session_created_at, s.expires_at, s.last_seen_at, s.reauth_at,
               u.id, u.email, u.name, u.role, u.password_hash, u.disabled, u.source, u.created_at, u.updated_at
        from sessions s join users u on u.id = s.user_id
        where s.id = ${id} and s.expires_at > ${now}`.execute(db);
      const row = rows[0];
      if (!row) return undefined;
      return {
        session: {
          id: row.session_id,
          userId: row.id,
          csrfToken: row.csrf_token,
          createdAt: row.session_created_at,
          expiresAt: row.expires_at,
          lastSeenAt: row.last_seen_at,
          reauthAt: row.reauth_at,
        },
        user: toUser(row),
      };
    },
    async touch(id, now, expiresAt) {
      await db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
    },
    async delete(id) {
      const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
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
