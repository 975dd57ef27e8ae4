import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { purgeExpiredRecords } from '../../src/domain/retention/purge-expired-records.js';
import { createManualClock } from '../../src/lib/clock.js';
import type { LaunchRecord, NewExecution, Store } from '../../src/store/types.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { withTestToolbox } from '../helpers/with-test-toolbox.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function launch(id: string, createdAt: number): LaunchRecord {
  return {
    id,
    psaKind: 'connectwise',
    formName: 'password_reset',
    ticketId: '1001',
    companyId: '250',
    contactId: '301',
    extraParams: {},
    technicianUserId: null,
    status: 'ready',
    context: null,
    createdAt: iso(createdAt),
    expiresAt: iso(createdAt + 30 * 60_000),
  };
}

function execution(id: string): NewExecution {
  return {
    id,
    launchId: null,
    psaKind: 'connectwise',
    formName: 'password_reset',
    technicianUserId: 'u1',
    technicianEmail: 'tech@msp.example',
    ticketId: '1001',
    companyId: '250',
    contactId: '301',
    directoryId: 'contoso',
    targetUserId: 'megan',
    targetDisplay: 'Megan Bowen',
    inputs: {},
    secretSealed: null,
    secretExpiresAt: null,
    steps: [
      { key: 'check-account', label: 'Check the account' },
      { key: 'reset-password', label: 'Reset the password' },
    ],
  };
}

async function finishedJob(store: Store, id: string, at: number, outcome: 'done' | 'failed') {
  await store.jobs.enqueue({ id, kind: 'retention.test', payload: {}, runAt: iso(at), maxAttempts: 1 }, iso(at));
  const claimed = await store.jobs.claimNext('test-worker', iso(at), iso(at + 60_000));
  assert.equal(claimed?.id, id);
  if (outcome === 'done') await store.jobs.complete(id, iso(at));
  else await store.jobs.fail(id, 'gave up', null, iso(at));
}

for (const database of TEST_DATABASES) {
  describe(`retention (${database.name})`, { skip: database.skip }, () => {
    test('launches, finished jobs and (when set) finished executions older than their retention are purged; nothing else', async () => {
      const store = await database.open();
      try {
        const clock = createManualClock(NOW);
        // More old launches than one delete batch holds.
        for (let i = 0; i < 520; i++) await store.launches.create(launch(`old-${i}`, NOW - 40 * DAY - i * 1000));
        await store.launches.create(launch('recent', NOW - 29 * DAY));

        await finishedJob(store, 'job-old-done', NOW - 10 * DAY, 'done');
        await finishedJob(store, 'job-old-failed', NOW - 8 * DAY, 'failed');
        await finishedJob(store, 'job-recent-done', NOW - 6 * DAY, 'done');
        // Waiting for a worker (or scheduled) since long ago: never purged.
        await store.jobs.enqueue(
          { id: 'job-old-queued', kind: 'retention.test', payload: {}, runAt: iso(NOW + DAY), maxAttempts: 1 },
          iso(NOW - 30 * DAY),
        );

        await store.executions.createOnce(execution('exec-old-finished'), iso(NOW - 400 * DAY));
        await store.executions.setStatus('exec-old-finished', 'succeeded', iso(NOW - 400 * DAY));
        await store.executions.createOnce(execution('exec-old-unfinished'), iso(NOW - 400 * DAY));
        await store.executions.setStatus('exec-old-unfinished', 'running', iso(NOW - 400 * DAY));
        await store.executions.createOnce(execution('exec-recent'), iso(NOW - 10 * DAY));
        await store.executions.setStatus('exec-recent', 'partial', iso(NOW - 10 * DAY));

        // Executions kept for ever (0, the default).
        const first = await purgeExpiredRecords({ store, clock }, { launches: 30, jobs: 7, executions: 0 });
        assert.deepEqual(first, { launches: 520, jobs: 2, executions: 0 });
        assert.equal(await store.launches.get('old-0'), undefined);
        assert.equal(await store.launches.get('old-519'), undefined);
        assert.ok(await store.launches.get('recent'));
        assert.equal(await store.jobs.get('job-old-done'), undefined);
        assert.equal(await store.jobs.get('job-old-failed'), undefined);
        assert.ok(await store.jobs.get('job-recent-done'));
        assert.ok(await store.jobs.get('job-old-queued'));
        assert.ok(await store.executions.get('exec-old-finished'));

        // A year: the finished one goes with its steps; the unfinished one stays whatever its age.
        const second = await purgeExpiredRecords({ store, clock }, { launches: 30, jobs: 7, executions: 365 });
        assert.deepEqual(second, { launches: 0, jobs: 0, executions: 1 });
        assert.equal(await store.executions.get('exec-old-finished'), undefined);
        assert.deepEqual(await store.executions.steps('exec-old-finished'), []);
        assert.ok(await store.executions.get('exec-old-unfinished'));
        assert.equal((await store.executions.steps('exec-old-unfinished')).length, 2);
        assert.ok(await store.executions.get('exec-recent'));

        // Two instances purging at once share the work without an error.
        for (let i = 0; i < 30; i++) await store.launches.create(launch(`again-${i}`, NOW - 50 * DAY));
        const both = await Promise.all([
          purgeExpiredRecords({ store, clock }, { launches: 30, jobs: 7, executions: 365 }),
          purgeExpiredRecords({ store, clock }, { launches: 30, jobs: 7, executions: 365 }),
        ]);
        assert.equal(both[0].launches + both[1].launches, 30);
      } finally {
        await store.drop();
      }
    });

    test('every instance runs the purge an hour apart, with the retention in force', async (t) => {
      t.mock.timers.enable({ apis: ['setInterval'] });
      await withTestToolbox(database, { config: { retention: { launchesDays: 2 } } }, async (toolbox) => {
        const { store } = toolbox.services;
        const now = Date.now();
        await store.launches.create(launch('three-days-old', now - 3 * DAY));
        await store.launches.create(launch('one-day-old', now - DAY));
        const gone = async (id: string) => {
          const deadline = Date.now() + 5000;
          while (Date.now() < deadline) {
            if (!(await store.launches.get(id))) return true;
            await new Promise((resolve) => setImmediate(resolve));
          }
          return false;
        };
        t.mock.timers.tick(60_000);
        assert.equal(await gone('three-days-old'), true, 'the first housekeeping round did not purge');
        assert.ok(await store.launches.get('one-day-old'));

        // Within the hour, the next rounds leave retention alone.
        await store.launches.create(launch('another-old-one', now - 3 * DAY));
        t.mock.timers.tick(60_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.ok(await store.launches.get('another-old-one'));
      });
    });

    test('the retention settings: from the file (read-only) or the admin console, with their bounds', async () => {
      await withTestToolbox(database, { config: { retention: { executionsDays: 90 } } }, async (toolbox) => {
        const admin = await toolbox.signIn(DEMO_ADMIN);
        const view = async () =>
          (await (await toolbox.api('GET', '/api/admin/general', { session: admin })).json()) as Record<
            string,
            { value: number; source: string }
          >;
        assert.deepEqual((await view()).launchRetentionDays, { value: 30, source: 'default' });
        assert.deepEqual((await view()).jobRetentionDays, { value: 7, source: 'default' });
        assert.deepEqual((await view()).executionRetentionDays, { value: 90, source: 'file' });

        const page = await (await toolbox.request('/admin/general', { cookie: admin.cookie })).text();
        assert.match(page, /<h3 id="general-retention">Retention/);
        assert.match(page, /id="general-executionRetentionDays"[^>]*readonly/);
        assert.match(page, /retention\.executionsDays/);
        assert.doesNotMatch(page, /id="general-launchRetentionDays"[^>]*readonly/);

        const refused = await toolbox.api('PUT', '/api/admin/general', { session: admin, body: { executionRetentionDays: 30 } });
        assert.equal(refused.status, 409);
        const invalid = await toolbox.api('PUT', '/api/admin/general', { session: admin, body: { launchRetentionDays: 0 } });
        assert.equal(invalid.status, 400);

        // Saved through the page's form, as an admin without JavaScript would.
        const saved = await toolbox.request('/admin/general', {
          cookie: admin.cookie,
          form: { _csrf: admin.csrf, revision: '', launchRetentionDays: '10', jobRetentionDays: '3' },
        });
        assert.equal(saved.status, 303);
        assert.deepEqual((await view()).launchRetentionDays, { value: 10, source: 'console' });
        assert.deepEqual((await view()).jobRetentionDays, { value: 3, source: 'console' });
        assert.equal(toolbox.services.settings.current().general.launchRetentionDays.value, 10);
      });
    });
  });
}
