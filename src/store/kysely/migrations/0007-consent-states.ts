import type { Kysely, Migration } from 'kysely';

/**
 * The `state` of each admin-consent link the console hands out (docs/microsoft-365.md, "Connecting
 * a tenant"): bound to the admin's session, used once, expiring. In the store, not in memory, so
 * the callback may reach another instance than the one that made the link. Only a hash is kept.
 */
export const consentStatesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('consent_states')
      .addColumn('state_hash', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('consent_states_expires').on('consent_states').columns(['expires_at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('consent_states').ifExists().execute();
  },
};
