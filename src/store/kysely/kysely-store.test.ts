import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { postgresUrl, TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import { openStore } from '../index.js';
import type { NewExecution, Store } from '../types.js';
import { migrationProvider } from './migrations/index.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';
const T2 = '2026-01-01T00:02:00.000Z';

function newExecution(id: string, launchId: string | null): NewExecution {
  return {
    id,
    launchId,
    psaKind: 'connectwise',
    formName: 'password_reset',
    technicianUserId: 'u1',
    technicianEmail: 'tech@example.test',
    ticketId: '1001',
    companyId: '250',
    contactId: '301',
    directoryId: 'contoso',
    targetUserId: 'user-1',
    targetDisplay: 'Megan Bowen',
    inputs: { mode: 'generated' },
    secretSealed: 'sealed-value',
    secretExpiresAt: T2,
    steps: [
      { key: 'a', label: 'Step A' },
      { key: 'b', label: 'Step B' },
    ],
  };
}

for (const database of TEST_DATABASES) {
  describe(`store on ${database.name}`, { skip: database.skip }, () => {
    let store: Store & { drop(): Promise<void> };
    before(async () => {
      store = await database.open();
    });
    after(async () => {
      await store.drop();
    });

    test('migrating twice is harmless', async () => {
      await store.migrate();
      await store.migrate();
    });

    test('users: emails are case-insensitive and unique', async () => {
      await store.users.create(
        { id: 'u1', email: 'Tech@Example.test', name: 'Tech', role: 'technician', passwordHash: 'h', disabled: false, source: 'cli' },
        T0,
      );
      const found = await store.users.findByEmail('TECH@example.TEST');
      assert.equal(found?.id, 'u1');
      assert.equal(found?.disabled, false);
      await assert.rejects(
        store.users.create(
          { id: 'u2', email: 'tech@example.test', name: 'Other', role: 'admin', passwordHash: 'h', disabled: false, source: 'cli' },
          T0,
        ),
      );
      await store.users.update('u1', { disabled: true, role: 'admin' }, T1);
      const updated = await store.users.findById('u1');
      assert.equal(updated?.disabled, true);
      assert.equal(updated?.role, 'admin');
    });

    test('sessions expire', async () => {
      await store.sessions.create({ id: 's1', userId: 'u1', csrfToken: 'c', createdAt: T0, expiresAt: T1, lastSeenAt: T0 });
      assert.equal((await store.sessions.findValid('s1', T0))?.csrfToken, 'c');
      assert.equal(await store.sessions.findValid('s1', T1), undefined);
      assert.equal(await store.sessions.deleteExpired(T2), 1);
    });

    test('launches: context saved and the first claim wins', async () => {
      await store.launches.create({
        id: 'l1',
        psaKind: 'connectwise',
        formName: 'password_reset',
        ticketId: null,
        companyId: '250',
        contactId: '301',
        extraParams: { agent: '7' },
        technicianUserId: null,
        status: 'pending',
        context: null,
        createdAt: T0,
        expiresAt: T2,
      });
      const context = {
        ticket: null,
        company: { ok: true as const, value: { id: '250', name: 'Contoso' }, ms: 3 },
        contact: { ok: false as const, error: { code: 'TBX_ERR_PSA_NOT_FOUND', message: 'gone' }, ms: 4 },
      };
      await store.launches.saveContext('l1', 'ready', context, T1);
      const launch = await store.launches.get('l1');
      assert.deepEqual(launch?.context, context);
      assert.deepEqual(launch?.extraParams, { agent: '7' });
      assert.equal(await store.launches.claim('l1', 'u1', T1), 'u1');
      assert.equal(await store.launches.claim('l1', 'u2', T1), 'u1');
    });

    test('executions: one per launch, secrets handed out once', async () => {
      const first = await store.executions.createOnce(newExecution('e1', 'l1'), T0);
      assert.equal(first.created, true);
      assert.equal(first.execution.hasSecret, true);
      const second = await store.executions.createOnce(newExecution('e2', 'l1'), T0);
      assert.equal(second.created, false);
      assert.equal(second.execution.id, 'e1');
      assert.equal(await store.executions.get('e2'), undefined);
      const steps = await store.executions.steps('e1');
      assert.deepEqual(
        steps.map((s) => [s.seq, s.key, s.status]),
        [
          [1, 'a', 'pending'],
          [2, 'b', 'pending'],
        ],
      );
      await store.executions.updateStep('e1', 1, { status: 'ok', durationMs: 12, message: 'done' });
      assert.equal((await store.executions.steps('e1'))[0]?.durationMs, 12);

      assert.equal(await store.executions.readSecret('e1', T0), 'sealed-value');
      const taken = await Promise.all([store.executions.takeSecret('e1', T1), store.executions.takeSecret('e1', T1)]);
      assert.deepEqual(taken.filter(Boolean), ['sealed-value']);
      assert.equal(await store.executions.takeSecret('e1', T1), null);
      const after = await store.executions.get('e1');
      assert.equal(after?.hasSecret, false);
      assert.equal(after?.secretRevealedAt, T1);
    });

    test('executions: unrevealed secrets expire', async () => {
      await store.executions.createOnce(newExecution('e3', 'l3'), T0);
      assert.equal(await store.executions.takeSecret('e3', T2), null);
      assert.equal(await store.executions.purgeExpiredSecrets(T2), 1);
      assert.equal((await store.executions.get('e3'))?.hasSecret, false);
    });

    test('executions: a discarded secret is gone and was never revealed', async () => {
      await store.executions.createOnce(newExecution('e4', 'l4'), T0);
      await store.executions.discardSecret('e4');
      const after = await store.executions.get('e4');
      assert.equal(after?.hasSecret, false);
      assert.equal(after?.secretRevealedAt, null);
      assert.equal(await store.executions.takeSecret('e4', T0), null);
    });

    test('jobs: claimed once even by concurrent workers, retried, unique keys', async () => {
      for (let i = 0; i < 20; i++) {
        await store.jobs.enqueue({ id: `j${i}`, kind: 'k', payload: { i }, runAt: T0, maxAttempts: 3 }, T0);
      }
      assert.equal(await store.jobs.enqueue({ id: 'u1', kind: 'k', payload: {}, runAt: T2, maxAttempts: 1, uniqueKey: 'once' }, T0), true);
      assert.equal(await store.jobs.enqueue({ id: 'u2', kind: 'k', payload: {}, runAt: T2, maxAttempts: 1, uniqueKey: 'once' }, T0), false);

      const claimed: string[] = [];
      await Promise.all(
        Array.from({ length: 4 }, async (_, worker) => {
          for (;;) {
            const job = await store.jobs.claimNext(`w${worker}`, T0, T1);
            if (!job) return;
            claimed.push(job.id);
            await store.jobs.complete(job.id, T0);
          }
        }),
      );
      assert.equal(claimed.length, 20);
      assert.equal(new Set(claimed).size, 20);

      // Not due yet.
      assert.equal(await store.jobs.claimNext('w', T1, T2), undefined);
      const due = await store.jobs.claimNext('w', T2, '2026-01-01T00:03:00.000Z');
      assert.equal(due?.id, 'u1');
      assert.equal(due?.attempts, 1);
      await store.jobs.fail('u1', 'boom', '2026-01-01T00:05:00.000Z', T2);
      assert.equal((await store.jobs.get('u1'))?.status, 'queued');
      // A lease that ran out is taken again (the worker died).
      const again = await store.jobs.claimNext('w', '2026-01-01T00:05:00.000Z', '2026-01-01T00:06:00.000Z');
      assert.equal(again?.attempts, 2);
      const stolen = await store.jobs.claimNext('w2', '2026-01-01T00:07:00.000Z', '2026-01-01T00:08:00.000Z');
      assert.equal(stolen?.id, 'u1');
    });

    test('an execution is written with its job; leases: heartbeat, fenced step writes, facts kept with the step', async () => {
      const job = {
        id: 'job-e5',
        kind: 'execution.run',
        payload: { executionId: 'e5' },
        runAt: T0,
        maxAttempts: 3,
        uniqueKey: 'execution:e5',
      };
      await store.executions.createOnce({ ...newExecution('e5', 'l5'), job }, T0);
      assert.equal((await store.jobs.get('job-e5'))?.status, 'queued');
      // A second submit of the launch writes neither a second execution nor a second job.
      const again = await store.executions.createOnce(
        { ...newExecution('e6', 'l5'), job: { ...job, id: 'job-e6', uniqueKey: 'execution:e6' } },
        T0,
      );
      assert.equal(again.created, false);
      assert.equal(await store.jobs.get('job-e6'), undefined);

      const T3 = '2026-01-01T00:03:00.000Z';
      const claimed = await store.jobs.claimNext('first-claim', T3, '2026-01-01T00:03:15.000Z');
      assert.equal(claimed?.id, 'job-e5');
      const fence = { jobId: 'job-e5', token: 'first-claim' };
      assert.equal(await store.jobs.heartbeat('job-e5', 'first-claim', '2026-01-01T00:03:30.000Z', T3), true);
      await store.executions.updateStep('e5', 1, { status: 'ok', facts: { mailboxShared: true } }, fence);
      // The heartbeat stops; another worker takes the job over once the lease has run out.
      const later = '2026-01-01T00:04:00.000Z';
      assert.equal((await store.jobs.claimNext('second-claim', later, '2026-01-01T00:04:15.000Z'))?.id, 'job-e5');
      assert.equal(await store.jobs.heartbeat('job-e5', 'first-claim', '2026-01-01T00:04:30.000Z', later), false);
      await assert.rejects(store.executions.updateStep('e5', 2, { status: 'running' }, fence), { name: 'LeaseLostError' });
      await store.executions.updateStep('e5', 2, { status: 'running' }, { jobId: 'job-e5', token: 'second-claim' });
      // The old claim cannot finish the job either.
      await store.jobs.complete('job-e5', later, 'first-claim');
      assert.equal((await store.jobs.get('job-e5'))?.status, 'running');
      const steps = await store.executions.steps('e5');
      assert.deepEqual(
        steps.map((step) => [step.key, step.status, step.facts]),
        [
          ['a', 'ok', { mailboxShared: true }],
          ['b', 'running', null],
        ],
      );
    });
  });
}

describe('two instances starting together', () => {
  const postgres = TEST_DATABASES.find((d) => d.name === 'postgres')!;
  test('migrate once on PostgreSQL', { skip: postgres.skip }, async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const stores = [0, 1, 2].map(() => openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema }));
    try {
      await Promise.all(stores.map((store) => store.migrate()));
      const { rows } = await admin.query(`select name from ${schema}.toolbox_migrations`);
      // Each migration recorded once, whichever migrations this version has.
      assert.deepEqual(rows.map((row) => row.name).sort(), Object.keys(await migrationProvider.getMigrations()).sort());
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });

  test('PostgreSQL: the store looks only at its own schema, so schemas dropped by others meanwhile do not fail a migration', {
    skip: postgres.skip,
  }, async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const churn = new pg.Client({ connectionString: postgresUrl });
    await churn.connect();
    const store = openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema }) as Store & { db: Kysely<unknown> };
    let churning = true;
    // Another toolbox (or test) on the same database creating and dropping schemas with serial
    // columns: Kysely's stock introspector resolved those by name and failed with 3F000.
    const other = (async () => {
      for (let i = 0; churning; i++) {
        const name = `${schema}_other${i}`;
        await churn.query(`create schema ${name}; create table ${name}.things (id serial primary key, label text)`);
        await churn.query(`drop schema ${name} cascade`);
      }
    })();
    try {
      for (let round = 0; round < 5; round++) {
        await store.migrate();
        const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
        assert.ok(tables.length > 5);
        assert.deepEqual([...new Set(tables.map((table) => table.schema))], [schema]);
        assert.ok(tables.some((table) => table.name === 'toolbox_migrations'));
      }
    } finally {
      churning = false;
      await other;
      await store.close();
      await churn.end();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });

  test('migrate once on one SQLite file, from two processes', async () => {
    // Two processes, as two instances would be: better-sqlite3 waits for a lock synchronously, so
    // two connections in one process cannot take turns.
    const path = join(mkdtempSync(join(tmpdir(), 'toolbox-sqlite-')), 'toolbox.sqlite');
    const script = `import { openStore } from ${JSON.stringify(new URL('../index.ts', import.meta.url).pathname)};
const store = openStore({ kind: 'sqlite', path: process.env.DB_PATH });
await store.migrate();
await store.close();`;
    const run = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          env: { ...process.env, DB_PATH: path },
          stdio: 'inherit',
        });
        child.on('exit', resolve);
      });
    assert.deepEqual(await Promise.all([run(), run(), run(), run()]), [0, 0, 0, 0]);
    const store = openStore({ kind: 'sqlite', path });
    try {
      await store.migrate();
      await store.users.create(
        { id: 'u', email: 'a@b.test', name: 'A', role: 'admin', passwordHash: 'h', disabled: false, source: 'cli' },
        T0,
      );
      assert.equal((await store.users.findById('u'))?.email, 'a@b.test');
    } finally {
      await store.close();
    }
  });
});
