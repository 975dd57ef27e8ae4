import type { Kysely, Migration } from 'kysely';

/** Dialect-neutral schema: only text and integer columns, so SQLite and PostgreSQL share it. */
export const initialMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

    await db.schema
      .createTable('launches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('form_name', 'text', (c) => c.notNull())
      .addColumn('ticket_id', 'text')
      .addColumn('company_id', 'text', (c) => c.notNull())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('extra_params', 'text', (c) => c.notNull())
      .addColumn('technician_user_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('context', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('executions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('launch_id', 'text', (c) => c.unique())
      .addColumn('form_name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('technician_user_id', 'text', (c) => c.notNull())
      .addColumn('technician_email', 'text', (c) => c.notNull())
      .addColumn('ticket_id', 'text')
      .addColumn('company_id', 'text', (c) => c.notNull())
      .addColumn('contact_id', 'text', (c) => c.notNull())
      .addColumn('directory_id', 'text', (c) => c.notNull())
      .addColumn('target_user_id', 'text', (c) => c.notNull())
      .addColumn('target_display', 'text', (c) => c.notNull())
      .addColumn('inputs', 'text', (c) => c.notNull())
      .addColumn('secret_sealed', 'text')
      .addColumn('secret_expires_at', 'text')
      .addColumn('secret_revealed_at', 'text')
      .addColumn('note_status', 'text', (c) => c.notNull())
      .addColumn('note_text', 'text')
      .addColumn('note_error', 'text')
      .addColumn('error_message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema.createIndex('executions_created_at').on('executions').column('created_at').execute();

    await db.schema
      .createTable('execution_steps')
      .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('step_key', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('upstream_code', 'text')
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('duration_ms', 'integer')
      .addPrimaryKeyConstraint('execution_steps_pk', ['execution_id', 'seq'])
      .execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_at', 'text', (c) => c.notNull())
      .addColumn('locked_until', 'text')
      .addColumn('locked_by', 'text')
      .addColumn('last_error', 'text')
      .addColumn('unique_key', 'text', (c) => c.unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_claim').on('jobs').columns(['status', 'run_at']).execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['jobs', 'execution_steps', 'executions', 'launches', 'sessions', 'users']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
