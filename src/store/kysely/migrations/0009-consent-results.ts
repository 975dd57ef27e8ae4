import type { Kysely, Migration } from 'kysely';

/**
 * Admin-consent links made through the JSON API (docs/api.md): they are bound to the token's user
 * instead of a console session, since the customer's admin who opens them is not signed in here.
 * `consent_states.consent_id` names such a link; `consent_results` keeps what came of it (the
 * connected tenant or Microsoft's refusal) for the API to read, until it expires.
 */
export const consentResultsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('consent_states').addColumn('consent_id', 'text').execute();
    await db.schema
      .createTable('consent_results')
      .addColumn('consent_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('user_email', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      // JSON: the connected tenant or the refusal, never a secret.
      .addColumn('result', 'text')
      .execute();
    await db.schema.createIndex('consent_results_expires').on('consent_results').columns(['expires_at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('consent_results').ifExists().execute();
    await db.schema.alterTable('consent_states').dropColumn('consent_id').execute();
  },
};
