import type { Kysely, Migration } from 'kysely';

/**
 * Failed sign-ins counted per account and client address, per account, and per address, with the
 * locks they led to; and the addresses an account signed in from (an account-wide lock does not
 * shut those out). In the store, not in memory, so that every instance counts the same guesses.
 */
export const signInThrottleMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sign_in_throttle')
      // `pair:<email>|<address>`, `account:<email>`, `address:<address>`, `known:<email>|<address>`.
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('address', 'text')
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('window_started_at', 'text', (c) => c.notNull())
      .addColumn('locked_until', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // The users page lists an account's locks; unlocking clears them by e-mail.
    await db.schema.createIndex('sign_in_throttle_email').on('sign_in_throttle').columns(['email']).execute();
    // Housekeeping removes rows nobody has touched for a while.
    await db.schema.createIndex('sign_in_throttle_updated').on('sign_in_throttle').columns(['updated_at']).execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('sign_in_throttle').ifExists().execute();
  },
};
