import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

/**
 * The database matrix every store test runs on: SQLite in memory, and PostgreSQL at
 * TEST_POSTGRES_URL (default: the server these machines start on 127.0.0.1:5432). Under CI=true a
 * missing PostgreSQL is an error, never a skip. Each PostgreSQL store gets its own schema, so test
 * files can run in parallel against one database.
 */
export type TestDatabase = {
  name: 'sqlite' | 'postgres';
  /** Why this database is skipped, or undefined when it is available. */
  skip: string | undefined;
  open(): Promise<Store & { drop(): Promise<void> }>;
};

const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAvailable(): Promise<string | undefined> {
  // Generous: a busy machine (the crash suite starting several services at once) can take seconds
  // to accept a connection; an unreachable server still fails fast (connection refused).
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    const reason = `PostgreSQL at ${postgresUrl.replace(/\/\/[^@]*@/, '//…@')} is not reachable (${(error as Error).message})`;
    if (process.env.CI) throw new Error(`${reason}; CI requires it (set TEST_POSTGRES_URL).`);
    return reason;
  } finally {
    await client.end().catch(() => {});
  }
}

const postgresSkip = await postgresAvailable();

export const TEST_DATABASES: TestDatabase[] = [
  {
    name: 'sqlite',
    skip: undefined,
    async open() {
      const store = openStore({ kind: 'sqlite', path: ':memory:' });
      await store.migrate();
      return Object.assign(store, { drop: () => store.close() });
    },
  },
  {
    name: 'postgres',
    skip: postgresSkip,
    async open() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const store = openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema });
      await store.migrate();
      return Object.assign(store, {
        async drop() {
          await store.close();
          const cleanup = new pg.Client({ connectionString: postgresUrl });
          await cleanup.connect();
          // With its job engine's schema, when a test ran pg-boss on it.
          await cleanup.query(`drop schema if exists ${schema}_pgboss cascade`);
          await cleanup.query(`drop schema ${schema} cascade`);
          await cleanup.end();
        },
      });
    },
  },
];

/** Two handles on one database, as two instances of the toolbox would have. */
export async function openTwoInstances(kind: 'sqlite' | 'postgres'): Promise<{ stores: [Store, Store]; close(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'settings-instances-'));
    const path = join(dir, 'toolbox.sqlite');
    const stores: [Store, Store] = [openStore({ kind: 'sqlite', path }), openStore({ kind: 'sqlite', path })];
    await stores[0].migrate();
    await stores[1].migrate();
    return {
      stores,
      async close() {
        await Promise.all(stores.map((store) => store.close()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const stores: [Store, Store] = [
    openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema }),
    openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema }),
  ];
  await Promise.all(stores.map((store) => store.migrate()));
  return {
    stores,
    async close() {
      await Promise.all(stores.map((store) => store.close()));
      await admin.query(`drop schema if exists ${schema}_pgboss cascade`);
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}

export { postgresUrl };
