import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { createSecretBox, generateSecretKey, loadSecretKeys } from '../../src/lib/secret-box.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'toolbox-backup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'psa-private-key-that-must-survive';
const AD = 'settings:backup-check';

/** A secret sealed the way the service seals connection secrets, in a settings document. */
async function storeSealedSecret(store: Store, keys: Buffer[]): Promise<void> {
  await store.settings.write(
    'backup-check',
    { sealed: createSecretBox(keys).seal(SECRET, AD) },
    {
      now: new Date().toISOString(),
      audit: {
        actorUserId: null,
        actorEmail: 'cli',
        action: 'test.write',
        target: 'backup-check',
        before: null,
        after: null,
        requestId: null,
      },
    },
  );
}

async function readSealed(store: Store): Promise<string> {
  return ((await store.settings.get('backup-check'))!.value as { sealed: string }).sealed;
}

function cli(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/toolbox.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('backup and restore', () => {
  test('SQLite: `toolbox backup --to` copies the live database (WAL included); restored with its key, the secrets open', async () => {
    const dataDir = join(dir, 'sqlite-data');
    const keys = loadSecretKeys({ env: {}, dataDir }).keys;
    // The "service": its store stays open during the backup, its last writes still in the WAL file.
    const live = openStore({ kind: 'sqlite', path: join(dataDir, 'toolbox.sqlite') });
    await live.migrate();
    await storeSealedSecret(live, keys);
    assert.ok(existsSync(join(dataDir, 'toolbox.sqlite-wal')));

    const backupFile = join(dir, 'toolbox-backup.sqlite');
    const result = await cli(['backup', '--to', backupFile], { TOOLBOX_DATA_DIR: dataDir });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Backed up .*toolbox\.sqlite to .*toolbox-backup\.sqlite/);
    assert.match(result.stdout, /Keep the secret key \(.*secret\.key\) with it/);
    // A backup never overwrites a file.
    const again = await cli(['backup', '--to', backupFile], { TOOLBOX_DATA_DIR: dataDir });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already exists/);
    await live.close();

    // Restore on another machine: the backup as the database file, the key file beside it.
    const restoredDir = join(dir, 'sqlite-restored');
    mkdirSync(restoredDir);
    copyFileSync(backupFile, join(restoredDir, 'toolbox.sqlite'));
    copyFileSync(join(dataDir, 'secret.key'), join(restoredDir, 'secret.key'));
    const restored = openStore({ kind: 'sqlite', path: join(restoredDir, 'toolbox.sqlite') });
    try {
      await restored.migrate();
      const sealed = await readSealed(restored);
      assert.equal(createSecretBox(loadSecretKeys({ env: {}, dataDir: restoredDir }).keys).open(sealed, AD), SECRET);
      // Without the key (a new one is generated where none is found), nothing sealed opens.
      assert.throws(() => createSecretBox(Buffer.from(generateSecretKey(), 'base64')).open(sealed, AD));
    } finally {
      await restored.close();
    }
  });

  test('PostgreSQL: the backup command points at pg_dump', async () => {
    const result = await cli(['backup', '--to', join(dir, 'never.dump')], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /pg_dump --format=custom/);
    assert.equal(existsSync(join(dir, 'never.dump')), false);
  });

  const postgres = TEST_DATABASES.find((database) => database.name === 'postgres')!;
  let pgDumpMissing: string | undefined;
  try {
    execFileSync('pg_dump', ['--version']);
    execFileSync('pg_restore', ['--version']);
  } catch {
    pgDumpMissing = 'pg_dump/pg_restore are not installed (.ci/run installs postgresql-client)';
    if (process.env.CI) throw new Error(`${pgDumpMissing}; CI requires them.`);
  }

  test('PostgreSQL: pg_dump, pg_restore into a new database; with the key the secrets open', {
    skip: postgres.skip ?? pgDumpMissing,
  }, async () => {
    const baseUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `b_${randomBytes(6).toString('hex')}`;
    const restoredDb = `restore_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    const keys = [Buffer.from(generateSecretKey(), 'base64')];
    const dumpFile = join(dir, 'toolbox.dump');
    const restoredUrl = Object.assign(new URL(baseUrl), { pathname: `/${restoredDb}` }).toString();
    try {
      await admin.query(`create schema ${schema}`);
      const source = openStore({ kind: 'postgres', url: baseUrl }, { postgresSchema: schema });
      await source.migrate();
      await storeSealedSecret(source, keys);
      // The test database holds other tests' schemas: dump this one (an operator dumps the whole database).
      execFileSync('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${dumpFile}`, baseUrl]);
      await source.close();

      await admin.query(`create database ${restoredDb}`);
      execFileSync('pg_restore', ['--no-owner', `--dbname=${restoredUrl}`, dumpFile]);
      const restored = openStore({ kind: 'postgres', url: restoredUrl }, { postgresSchema: schema });
      try {
        await restored.migrate();
        const sealed = await readSealed(restored);
        assert.equal(createSecretBox(keys).open(sealed, AD), SECRET);
        assert.throws(() => createSecretBox(Buffer.from(generateSecretKey(), 'base64')).open(sealed, AD));
      } finally {
        await restored.close();
      }
    } finally {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.query(`drop database if exists ${restoredDb} with (force)`);
      await admin.end();
    }
  });
});
