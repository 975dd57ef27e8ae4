import { type Kysely, type Selectable, sql } from 'kysely';
import type { SignInThrottleRecord, SignInThrottleRepo, SignInThrottleScope } from '../../types.js';
import type { Database, SignInThrottleTable } from '../database.js';

const toRecord = (row: Selectable<SignInThrottleTable>): SignInThrottleRecord => ({
  key: row.key,
  scope: row.scope as SignInThrottleScope,
  email: row.email,
  address: row.address,
  failures: Number(row.failures),
  windowStartedAt: row.window_started_at,
  lockedUntil: row.locked_until,
  updatedAt: row.updated_at,
});

export function createSignInThrottleRepo(db: Kysely<Database>): SignInThrottleRepo {
  return {
    async get(keys) {
      if (keys.length === 0) return [];
      const rows = await db.selectFrom('sign_in_throttle').selectAll().where('key', 'in', keys).execute();
      return rows.map(toRecord);
    },
    async countFailure(entry, now, windowStart) {
      // One statement, so two instances counting at once both count: insert the first failure,
      // or add one to the row, starting a new window when the old one ran out.
      const expired = sql<boolean>`sign_in_throttle.window_started_at <= ${windowStart}`;
      const row = await db
        .insertInto('sign_in_throttle')
        .values({ ...entry, failures: 1, window_started_at: now, locked_until: null, updated_at: now })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            failures: sql<number>`case when ${expired} then 1 else sign_in_throttle.failures + 1 end`,
            window_started_at: sql<string>`case when ${expired} then ${now} else sign_in_throttle.window_started_at end`,
            locked_until: sql<string | null>`case when ${expired} then null else sign_in_throttle.locked_until end`,
            updated_at: now,
          }),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      return Number(row.failures);
    },
    async lock(key, until, now) {
      await db.updateTable('sign_in_throttle').set({ locked_until: until, updated_at: now }).where('key', '=', key).execute();
    },
    async touch(entry, now) {
      await db
        .insertInto('sign_in_throttle')
        .values({ ...entry, failures: 0, window_started_at: now, locked_until: null, updated_at: now })
        .onConflict((conflict) => conflict.column('key').doUpdateSet({ updated_at: now }))
        .execute();
    },
    async delete(keys) {
      if (keys.length === 0) return;
      await db.deleteFrom('sign_in_throttle').where('key', 'in', keys).execute();
    },
    async listLocked(now, email) {
      let query = db.selectFrom('sign_in_throttle').selectAll().where('locked_until', '>', now);
      if (email !== undefined) query = query.where('email', '=', email);
      const rows = await query.orderBy('locked_until', 'desc').execute();
      return rows.map(toRecord);
    },
    async unlockAccount(email, now) {
      return db.transaction().execute(async (trx) => {
        const locked = await trx
          .selectFrom('sign_in_throttle')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('email', '=', email)
          .where('scope', 'in', ['pair', 'account'])
          .where('locked_until', '>', now)
          .executeTakeFirst();
        await trx.deleteFrom('sign_in_throttle').where('email', '=', email).where('scope', 'in', ['pair', 'account']).execute();
        return Number(locked?.n ?? 0);
      });
    },
    async purge({ now, countersBefore, knownBefore }) {
      const counters = await db
        .deleteFrom('sign_in_throttle')
        .where('scope', '!=', 'known')
        .where('window_started_at', '<', countersBefore)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .executeTakeFirst();
      const known = await db
        .deleteFrom('sign_in_throttle')
        .where('scope', '=', 'known')
        .where('updated_at', '<', knownBefore)
        .executeTakeFirst();
      return Number(counters.numDeletedRows) + Number(known.numDeletedRows);
    },
  };
}
