import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../config/config.js';
import type { Store } from '../types.js';
import type { Database } from './database.js';
import { migrationProvider } from './migrations/index.js';
import { createApiTokenRepo } from './repos/api-token-repo.js';
import { createAuditRepo } from './repos/audit-repo.js';
import { createConsentResultRepo } from './repos/consent-result-repo.js';
import { createConsentStateRepo } from './repos/consent-state-repo.js';
import { createDirectoryAgentRepo } from './repos/directory-agent-repo.js';
import { createExecutionRepo } from './repos/execution-repo.js';
import { createJobRepo } from './repos/job-repo.js';
import { createLaunchRepo } from './repos/launch-repo.js';
import { createMaintenanceRepo } from './repos/maintenance-repo.js';
import { createSessionRepo } from './repos/session-repo.js';
import { createSettingsRepo } from './repos/settings-repo.js';
import { createSignInThrottleRepo } from './repos/sign-in-throttle-repo.js';
import { createUserRepo } from './repos/user-repo.js';
import { SchemaScopedPostgresDialect } from './schema-scoped-postgres-dialect.js';

export type KyselyStoreOptions = {
  database: DatabaseConfig;
  /** PostgreSQL schema to use instead of `public` (tests isolate themselves this way). */
  postgresSchema?: string;
  poolSize?: number;
};

function createDb(options: KyselyStoreOptions): { db: Kysely<Database>; sqlite?: SqliteDatabase.Database } {
  const { database } = options;
  if (database.kind === 'sqlite') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    const sqlite = new SqliteDatabase(database.path);
    // WAL lets readers work while the worker writes; busy_timeout makes a second instance wait
    // for the lock instead of failing at once.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    // Kysely prepares every query anew; better-sqlite3 statements can be reused, and the toolbox
    // runs a handful of distinct statements, so each is prepared once.
    const statements = new Map<string, SqliteDatabase.Statement>();
    const cachingDatabase = {
      close: () => sqlite.close(),
      prepare: (sql: string) => {
        let statement = statements.get(sql);
        if (!statement) {
          statement = sqlite.prepare(sql);
          if (statements.size < 500) statements.set(sql, statement);
        }
        return statement;
      },
    };
    return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase }) }), sqlite };
  }
  const pool = new pg.Pool({
    connectionString: database.url,
    max: options.poolSize ?? 10,
    ...(options.postgresSchema ? { options: `-c search_path=${options.postgresSchema}` } : {}),
  });
  return { db: new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }) }) };
}

/** Opens the store on SQLite or PostgreSQL. Call `migrate()` before use. */
export function createKyselyStore(options: KyselyStoreOptions): Store & { db: Kysely<Database> } {
  const { db, sqlite } = createDb(options);
  const dialect = options.database.kind;
  return {
    db,
    dialect,
    ...(options.database.kind === 'postgres'
      ? { postgres: { url: options.database.url, schema: options.postgresSchema ?? 'public' } }
      : {}),
    users: createUserRepo(db),
    sessions: createSessionRepo(db),
    launches: createLaunchRepo(db),
    executions: createExecutionRepo(db),
    jobs: createJobRepo(db, dialect),
    settings: createSettingsRepo(db),
    audit: createAuditRepo(db),
    apiTokens: createApiTokenRepo(db),
    signInThrottle: createSignInThrottleRepo(db),
    maintenance: createMaintenanceRepo(db),
    directoryAgents: createDirectoryAgentRepo(db, dialect),
    consentStates: createConsentStateRepo(db),
    consentResults: createConsentResultRepo(db),
    async migrate() {
      const tables = { migrationTableName: 'toolbox_migrations', migrationLockTableName: 'toolbox_migrations_lock' };
      if (!sqlite) {
        // On PostgreSQL Kysely's migrator holds an advisory lock: instances starting together run
        // each migration once. The schema is named explicitly: without it Kysely looks for its
        // tables in every schema, and another toolbox's (or test's) schema makes it skip creating
        // its own.
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
        const migrationTableSchema = rows[0]?.schema ?? 'public';
        const { error } = await new Migrator({ db, provider: migrationProvider, ...tables, migrationTableSchema }).migrateToLatest();
        if (error) throw error;
        return;
      }
      // Kysely takes no lock on SQLite (it assumes one connection), so two processes on one file
      // could both see "nothing applied" and both run 0001. BEGIN IMMEDIATE takes the write lock up
      // front; the other process waits (busy_timeout), then finds the migrations recorded.
      sqlite.exec('BEGIN IMMEDIATE');
      try {
        const { error } = await new Migrator({ db, provider: migrationProvider, ...tables, disableTransactions: true }).migrateToLatest();
        if (error) throw error;
        sqlite.exec('COMMIT');
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
        throw error;
      }
    },
    async backup(toPath) {
      if (!sqlite) {
        throw new Error('The toolbox backs up SQLite only; back up PostgreSQL with pg_dump (docs/operations.md).');
      }
      // better-sqlite3's backup copies page by page between other statements, so the service can
      // keep running; the copy is a complete database file of its own (no -wal file needed).
      const result = await sqlite.backup(toPath);
      return { bytes: result.totalPages * (sqlite.pragma('page_size', { simple: true }) as number) };
    },
    async close() {
      await db.destroy();
    },
  };
}
