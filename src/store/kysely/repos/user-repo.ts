import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Role, UserRecord, UserRepo } from '../../types.js';
import type { Database, UserTable } from '../database.js';

export const toUser = (row: Selectable<UserTable>): UserRecord => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role as Role,
  passwordHash: row.password_hash,
  disabled: Number(row.disabled) === 1,
  source: row.source,
  createdAt: row.created_at,
});

const toRow = (user: Omit<UserRecord, 'createdAt'>, now: string): Insertable<UserTable> => ({
  id: user.id,
  email: user.email.toLowerCase(),
  name: user.name,
  role: user.role,
  password_hash: user.passwordHash,
  disabled: user.disabled ? 1 : 0,
  source: user.source,
  created_at: now,
  updated_at: now,
});

export function createUserRepo(db: Kysely<Database>): UserRepo {
  return {
    async create(user, now) {
      await db.insertInto('users').values(toRow(user, now)).execute();
      return { ...user, email: user.email.toLowerCase(), createdAt: now };
    },
    async createIfAbsent(user, now) {
      const result = await db
        .insertInto('users')
        .values(toRow(user, now))
        .onConflict((conflict) => conflict.column('email').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async findByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
      return row && toUser(row);
    },
    async findById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async list() {
      const rows = await db.selectFrom('users').selectAll().orderBy('email').execute();
      return rows.map(toUser);
    },
    async update(id, changes, now) {
      await db
        .updateTable('users')
        .set({
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.role !== undefined ? { role: changes.role } : {}),
          ...(changes.passwordHash !== undefined ? { password_hash: changes.passwordHash } : {}),
          ...(changes.disabled !== undefined ? { disabled: changes.disabled ? 1 : 0 } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },
    async findByExternalIdentity(provider, subject) {
      const row = await db
        .selectFrom('external_identities as x')
        .innerJoin('users as u', 'u.id', 'x.user_id')
        .selectAll('u')
        .where('x.provider', '=', provider)
        .where('x.subject', '=', subject)
        .executeTakeFirst();
      return row && toUser(row);
    },
    async externalProviders(userId) {
      const rows = await db.selectFrom('external_identities').select('provider').where('user_id', '=', userId).execute();
      return rows.map((row) => row.provider);
    },
    async linkExternalIdentity(identity, now) {
      // Two first sign-ins at once: the second finds the row and only updates its time.
      await db
        .insertInto('external_identities')
        .values({ provider: identity.provider, subject: identity.subject, user_id: identity.userId, created_at: now, last_sign_in_at: now })
        .onConflict((conflict) => conflict.columns(['provider', 'subject']).doUpdateSet({ last_sign_in_at: now }))
        .execute();
    },
  };
}
