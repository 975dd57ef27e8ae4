import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StepStatus } from '../../src/store/types.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { withTestToolbox } from '../helpers/with-test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const POP = 'ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';
const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** The value of one sample line (`name{labels} value`) in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    const found = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

for (const database of TEST_DATABASES) {
  describe(`/readyz and /metrics (${database.name})`, { skip: database.skip }, () => {
    test('/readyz is ready with the database, migrations and job engine, and 503 once draining', async () => {
      await withTestToolbox(database, {}, async (toolbox) => {
        const ready = await toolbox.request('/readyz');
        assert.equal(ready.status, 200);
        assert.deepEqual(await ready.json(), { status: 'ready', database: 'ok', migrations: 'done', jobEngine: 'running' });
        assert.equal((await toolbox.request('/healthz')).status, 200);

        // A shutdown starts: the job engine stops and the instance reports it is draining.
        await toolbox.services.jobQueue.stop();
        toolbox.services.readiness.markDraining();
        const draining = await toolbox.request('/readyz');
        assert.equal(draining.status, 503);
        assert.deepEqual(await draining.json(), { status: 'draining', database: 'ok', migrations: 'done', jobEngine: 'stopped' });
        // Liveness is not readiness: the process still answers, so nobody kills it mid-drain.
        assert.equal((await toolbox.request('/healthz')).status, 200);
      });
    });

    test('/metrics: screen pops, upstream calls, executions, steps (unknown too) and the job queue', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const { path } = await toolbox.openScreenPop(POP, session.cookie);
        const submitted = await toolbox.submitReviewed(path, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' },
        });
        assert.equal(submitted.status, 303);
        const executionId = submitted.headers.get('location')!.split('?')[0]!.split('/').pop()!;
        assert.equal((await toolbox.waitForExecution(executionId, session.cookie)).status, 'succeeded');

        // A step whose outcome a crash left unknown (the crash-recovery status) is counted as such.
        const steps = await toolbox.services.store.executions.steps(executionId);
        await toolbox.services.store.executions.updateStep(executionId, steps[0]!.seq, { status: 'unknown' as StepStatus });

        // The queue: with the engine stopped, one job due for a minute and one scheduled for tomorrow.
        await toolbox.services.jobQueue.stop();
        const now = Date.now();
        await toolbox.services.jobQueue.enqueue('metrics.test', {}, { runAt: now - 60_000 });
        await toolbox.services.jobQueue.enqueue('metrics.test', {}, { runAt: now + 86_400_000 });

        const response = await toolbox.request('/metrics');
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
        const text = await response.text();

        assert.equal(sample(text, 'toolbox_screenpop_duration_seconds_count', { outcome: 'ready' }), 1);
        assert.ok(sample(text, 'toolbox_screenpop_duration_seconds_sum', { outcome: 'ready' })! > 0);
        // Three PSA reads for the pop, at least the note for the run; Graph calls for the reset.
        assert.ok(sample(text, 'toolbox_upstream_request_duration_seconds_count', { connector: 'connectwise', status: '200' })! >= 3);
        assert.ok(sample(text, 'toolbox_upstream_request_duration_seconds_count', { connector: 'entra' })! >= 1);
        assert.equal(sample(text, 'toolbox_executions', { form: 'password_reset', status: 'succeeded' }), 1);
        assert.equal(sample(text, 'toolbox_execution_steps', { status: 'unknown' }), 1);
        assert.equal(sample(text, 'toolbox_execution_steps', { status: 'ok' }), steps.filter((s) => s.status === 'ok').length - 1);
        assert.equal(sample(text, 'toolbox_job_queue_depth', { kind: 'metrics.test', state: 'due' }), 1);
        assert.equal(sample(text, 'toolbox_job_queue_depth', { kind: 'metrics.test', state: 'scheduled' }), 1);
        const age = sample(text, 'toolbox_job_queue_oldest_due_age_seconds', { kind: 'metrics.test' })!;
        assert.ok(age >= 59 && age < 600, `oldest due job age ${age}`);
        assert.equal(sample(text, 'toolbox_metrics_store_up'), 1);
        // Node's process metrics are there too.
        assert.ok(sample(text, 'process_cpu_seconds_total') !== undefined);
      });
    });

    test('/metrics answers without credentials by default, and only with the bearer token when metrics.bearerToken is set', async () => {
      await withTestToolbox(database, {}, async (toolbox) => {
        assert.equal((await toolbox.request('/metrics')).status, 200);
      });
      await withTestToolbox(database, { config: { metrics: { bearerToken: METRICS_TOKEN } } }, async (toolbox) => {
        const without = await toolbox.request('/metrics');
        assert.equal(without.status, 401);
        assert.match(without.headers.get('www-authenticate')!, /^Bearer/);
        assert.doesNotMatch(await without.text(), new RegExp(METRICS_TOKEN));
        assert.equal((await toolbox.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status, 401);
        assert.equal((await toolbox.request('/metrics', { headers: { authorization: 'Basic abc' } })).status, 401);
        const allowed = await toolbox.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
        assert.equal(allowed.status, 200);
        assert.match(await allowed.text(), /toolbox_screenpop_duration_seconds/);
      });
    });
  });
}
