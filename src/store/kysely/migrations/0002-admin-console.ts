import type { Kysely, Migration } from 'kysely';

/**
 * The admin console's tables: settings an admin sets in the browser (beside the configuration
 * file's), the audit log of every admin change, and API tokens for automation.
 */
export const adminConsoleMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // One row per settings document (`psa`, `directory:<id>`, `forms`, …). Values are JSON text
    // with secrets sealed inside. `revision` changes on every write so other instances notice.
    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('revision', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text')
      .addColumn('actor_email', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('before_value', 'text')
      .addColumn('after_value', 'text')
      .addColumn('request_id', 'text')
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();

    // The executions list filters by these and sorts by creation time.
    await db.schema.createIndex('executions_form_created').on('executions').columns(['form_name', 'created_at']).execute();
    await db.schema.createIndex('executions_company_created').on('executions').columns(['company_id', 'created_at']).execute();
    await db.schema.createIndex('executions_technician_created').on('executions').columns(['technician_user_id', 'created_at']).execute();
  },

  async down(db: Kysely<unknown>) {
    for (const index of ['executions_form_created', 'executions_company_created', 'executions_technician_created']) {
      await db.schema.dropIndex(index).ifExists().execute();
    }
    for (const table of ['api_tokens', 'audit_log', 'settings']) await db.schema.dropTable(table).ifExists().execute();
  },
};
