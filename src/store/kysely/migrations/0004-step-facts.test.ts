import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator } from 'kysely';
import { createKyselyStore } from '../create-kysely-store.js';
import { initialMigration } from './0001-initial.js';
import { adminConsoleMigration } from './0002-admin-console.js';

test('0004 gives a job to every execution an earlier crash left queued without one', async () => {
  const store = createKyselyStore({ database: { kind: 'sqlite', path: ':memory:' } });
  try {
    // The database as the previous release left it: migrated to 0002.
    const { error } = await new Migrator({
      db: store.db,
      provider: { getMigrations: async () => ({ '0001-initial': initialMigration, '0002-admin-console': adminConsoleMigration }) },
      migrationTableName: 'toolbox_migrations',
      migrationLockTableName: 'toolbox_migrations_lock',
    }).migrateToLatest();
    assert.equal(error, undefined);
    const row = (id: string, launchId: string, status: string) => ({
      id,
      launch_id: launchId,
      form_name: 'password_reset',
      status,
      technician_user_id: 'u1',
      technician_email: 'tech@example.test',
      ticket_id: '1001',
      company_id: '250',
      contact_id: '301',
      directory_id: 'contoso',
      target_user_id: 'user-1',
      target_display: 'Megan Bowen',
      inputs: '{}',
      secret_sealed: null,
      secret_expires_at: null,
      secret_revealed_at: null,
      note_status: 'pending',
      note_text: null,
      note_error: null,
      error_message: null,
      created_at: '2026-01-01T00:00:00.000Z',
      started_at: null,
      finished_at: null,
    });
    await store.db
      .insertInto('executions')
      .values([row('stuck', 'l1', 'queued'), row('done', 'l2', 'succeeded')])
      .execute();

    await store.migrate();
    const job = await store.jobs.get('recovered-stuck');
    assert.equal(job?.status, 'queued');
    assert.equal(job?.kind, 'execution.run');
    assert.deepEqual(job?.payload, { executionId: 'stuck' });
    assert.equal(job?.uniqueKey, 'execution:stuck');
    assert.equal(await store.jobs.get('recovered-done'), undefined);
  } finally {
    await store.close();
  }
});
