import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { type Kysely, Migrator, sql } from 'kysely';
import pg from 'pg';
import { createKyselyStore } from '../create-kysely-store.js';
import type { Database } from '../database.js';
import { initialMigration } from './0001-initial.js';
import { adminConsoleMigration } from './0002-admin-console.js';
import { signInThrottleMigration } from './0003-sign-in-throttle.js';
import { stepFactsMigration } from './0004-step-facts.js';

const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The database as the release before left it: migrated to 0004. */
async function migrateTo0004(db: Kysely<Database>, schema?: string) {
  const { error } = await new Migrator({
    db,
    provider: {
      getMigrations: async () => ({
        '0001-initial': initialMigration,
        '0002-admin-console': adminConsoleMigration,
        '0003-sign-in-throttle': signInThrottleMigration,
        '0004-step-facts': stepFactsMigration,
      }),
    },
    migrationTableName: 'toolbox_migrations',
    migrationLockTableName: 'toolbox_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  }).migrateToLatest();
  assert.equal(error, undefined);
}

const T0 = '2026-01-01T00:00:00.000Z';

async function seedOldRows(db: Kysely<Database>, settings: Record<string, unknown>) {
  await db
    .insertInto('launches')
    .values({
      id: 'l1',
      form_name: 'password_reset',
      ticket_id: '1001',
      company_id: '250',
      contact_id: '301',
      extra_params: '{}',
      technician_user_id: null,
      status: 'ready',
      context: null,
      created_at: T0,
      expires_at: T0,
      updated_at: T0,
    })
    .execute();
  await db
    .insertInto('executions')
    .values({
      id: 'e1',
      launch_id: 'l1',
      form_name: 'password_reset',
      status: 'succeeded',
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
      note_text: 'x',
      note_error: null,
      error_message: null,
      created_at: T0,
      started_at: null,
      finished_at: null,
    })
    .execute();
  for (const [key, value] of Object.entries(settings)) {
    await db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), revision: `old-${key}`, updated_at: T0, updated_by: null })
      .execute();
  }
}

const OLD_TECHNICIANS = {
  mappings: { u1: { memberId: '151', identifier: 'bkim', name: 'Bailey Kim', source: 'auto' } },
  clearedByAdmin: ['u2'],
};

/** SQLite in memory, and PostgreSQL in a schema of its own when it is reachable. */
const databases: {
  name: string;
  open(): Promise<{ store: ReturnType<typeof createKyselyStore>; schema?: string; drop(): Promise<void> }>;
}[] = [
  {
    name: 'sqlite',
    async open() {
      const store = createKyselyStore({ database: { kind: 'sqlite', path: ':memory:' } });
      return { store, drop: () => store.close() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const store = createKyselyStore({ database: { kind: 'postgres', url: postgresUrl }, postgresSchema: schema });
      return {
        store,
        schema,
        async drop() {
          await store.close();
          const cleanup = new pg.Client({ connectionString: postgresUrl });
          await cleanup.connect();
          await cleanup.query(`drop schema ${schema} cascade`);
          await cleanup.end();
        },
      };
    },
  },
];

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    if (process.env.CI) throw new Error('CI requires PostgreSQL (set TEST_POSTGRES_URL).');
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
const pgUp = await postgresReachable();

for (const database of databases) {
  describe(`0005 records the PSA of every launch, execution and mapping (${database.name})`, {
    skip: database.name === 'postgres' && !pgUp ? 'PostgreSQL is not reachable' : undefined,
  }, () => {
    test('rows and mappings made before get the PSA saved in the console', async () => {
      const { store, schema, drop } = await database.open();
      try {
        await migrateTo0004(store.db, schema);
        await seedOldRows(store.db, {
          psa: { kind: 'connectwise', fields: {}, secrets: {} },
          'company-mappings': { mappings: { '250': 'contoso', '251': 'fabrikam' } },
          'technician-mappings': OLD_TECHNICIANS,
          __revision: {},
        });
        await store.migrate();

        assert.equal((await store.launches.get('l1'))?.psaKind, 'connectwise');
        assert.equal((await store.executions.get('e1'))?.psaKind, 'connectwise');
        const companies = await store.settings.get('company-mappings');
        assert.deepEqual(companies?.value, { byPsa: { connectwise: { '250': 'contoso', '251': 'fabrikam' } } });
        assert.notEqual(companies?.revision, 'old-company-mappings', 'a rewritten document gets a new revision');
        const technicians = await store.settings.get('technician-mappings');
        assert.deepEqual(technicians?.value, {
          mappings: { u1: { memberId: '151', identifier: 'bkim', name: 'Bailey Kim', source: 'auto', psaKind: 'connectwise' } },
          clearedByAdmin: ['u2'],
        });
        // Other instances poll this row to notice the change.
        assert.notEqual((await store.settings.get('__revision'))?.revision, 'old-__revision');
      } finally {
        await drop();
      }
    });

    test('with the PSA set in the configuration file (not in the database), rows get connectwise, the only PSA before', async () => {
      const { store, schema, drop } = await database.open();
      try {
        await migrateTo0004(store.db, schema);
        await seedOldRows(store.db, { 'technician-mappings': OLD_TECHNICIANS });
        await store.migrate();
        assert.equal((await store.launches.get('l1'))?.psaKind, 'connectwise');
        assert.equal((await store.executions.get('e1'))?.psaKind, 'connectwise');
        const technicians = (await store.settings.get('technician-mappings'))?.value as typeof OLD_TECHNICIANS;
        assert.equal((technicians.mappings.u1 as { psaKind?: string }).psaKind, 'connectwise');
        assert.equal(await store.settings.get('company-mappings'), undefined, 'no document is made up');
        // A new launch records what it is given.
        await store.launches.create({
          id: 'l2',
          psaKind: 'halopsa',
          formName: 'password_reset',
          ticketId: null,
          companyId: '7',
          contactId: '8',
          extraParams: {},
          technicianUserId: null,
          status: 'pending',
          context: null,
          createdAt: T0,
          expiresAt: T0,
        });
        assert.equal((await store.launches.get('l2'))?.psaKind, 'halopsa');
        const column = await sql<{ n: number }>`select count(*) as n from launches where psa_kind is null`.execute(store.db);
        assert.equal(Number(column.rows[0]?.n), 0);
      } finally {
        await drop();
      }
    });
  });
}
