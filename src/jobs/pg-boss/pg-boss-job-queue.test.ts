import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import { createSilentLogger } from '../../lib/logger.js';
import { LeaseLostError, type Store } from '../../store/types.js';
import { handOverStoreJobs } from '../hand-over-store-jobs.js';
import { jobQueueKinds } from '../index.js';
import type { JobLease, JobQueue } from '../types.js';

const postgres = TEST_DATABASES.find((database) => database.name === 'postgres')!;

const waitFor = async (what: string, done: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const execution = (id: string, launchId: string) => ({
  id,
  launchId,
  formName: 'password_reset',
  psaKind: 'connectwise',
  technicianUserId: 'u1',
  technicianEmail: 'tech@msp.example',
  ticketId: '1',
  companyId: '2',
  contactId: '3',
  directoryId: 'contoso',
  targetUserId: 'user-1',
  targetDisplay: 'Megan Bowen',
  inputs: {},
  secretSealed: null,
  secretExpiresAt: null,
  steps: [{ key: 'reset', label: 'Reset the password' }],
});

describe('pg-boss job queue', { skip: postgres.skip }, () => {
  let store: Store & { drop(): Promise<void> };
  const queues: JobQueue[] = [];
  const newQueue = () => {
    const queue = jobQueueKinds['pg-boss']({ store, clock: { now: () => Date.now() }, logger: createSilentLogger(), concurrency: 2 });
    queues.push(queue);
    return queue;
  };
  before(async () => {
    store = await postgres.open();
  });
  after(async () => {
    await Promise.all(queues.map((queue) => queue.stop({ timeoutMs: 1000 })));
    await store.drop();
  });

  test('an execution and its job are written in one transaction: a rolled-back execution leaves no job', async () => {
    const queue = newQueue();
    const ran: string[] = [];
    await queue.start({ 'test.run': async (payload) => void ran.push((payload as { executionId: string }).executionId) });
    const job = (executionId: string) => ({
      id: 'ignored',
      kind: 'test.run',
      payload: { executionId },
      runAt: new Date().toISOString(),
      maxAttempts: 1,
      uniqueKey: `execution:${executionId}`,
    });

    const started = Date.now();
    const { created } = await store.executions.createOnce(
      { ...execution('e1', 'l1'), job: job('e1') },
      new Date().toISOString(),
      queue.transactionalWriter,
    );
    assert.equal(created, true);
    await waitFor('the committed job to run', () => ran.includes('e1'));
    // LISTEN/NOTIFY: no poll interval between the commit and the worker.
    assert.ok(Date.now() - started < 1500, `ran ${Date.now() - started} ms after the commit`);

    // The same launch again: no second execution, and no second job.
    await store.executions.createOnce({ ...execution('e2', 'l1'), job: job('e2') }, new Date().toISOString(), queue.transactionalWriter);
    // A writer that fails after pg-boss wrote its job: the execution's insert rolls back with it.
    await assert.rejects(
      store.executions.createOnce({ ...execution('e3', 'l3'), job: job('e3') }, new Date().toISOString(), async (newJob, sql) => {
        await queue.transactionalWriter!(newJob, sql);
        throw new Error('the database went away');
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.deepEqual(ran, ['e1']);
    assert.equal(await store.executions.get('e3'), undefined);
  });

  test('a unique key enqueues once; a failure is retried with backoff; a scheduled job waits for its time', async () => {
    const queue = newQueue();
    const attempts: number[] = [];
    const ranAt: Record<string, number> = {};
    await queue.start({
      'test.flaky': async (_payload, job) => {
        attempts.push(job.attempt);
        if (job.attempt === 1) throw new Error('PSA unreachable');
      },
      'test.later': async (payload) => {
        ranAt[(payload as { name: string }).name] = Date.now();
      },
    });
    const first = await queue.enqueue('test.flaky', {}, { uniqueKey: 'flaky-1', maxAttempts: 2 });
    const again = await queue.enqueue('test.flaky', {}, { uniqueKey: 'flaky-1', maxAttempts: 2 });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    const scheduledFor = Date.now() + 3000;
    await queue.enqueue('test.later', { name: 'later' }, { runAt: scheduledFor });
    // What /metrics reports as the queue's depth.
    const backlog = await queue.backlog!();
    assert.deepEqual(
      backlog.filter((row) => row.kind === 'test.later').map(({ state, count }) => ({ state, count })),
      [{ state: 'scheduled', count: 1 }],
    );
    await waitFor('the retry', () => attempts.length === 2);
    assert.deepEqual(attempts, [1, 2]);
    await waitFor('the scheduled job', () => ranAt.later !== undefined);
    assert.ok(ranAt.later! >= scheduledFor - 50, 'not before its time');
  });

  test('a job that always throws is told which attempt is its last (two more than asked, for crashes)', async () => {
    const queue = newQueue();
    const finals: boolean[] = [];
    await queue.start({
      'test.broken': async (_payload, job) => {
        finals.push(job.final);
        throw new Error('always');
      },
    });
    await queue.enqueue('test.broken', {}, { maxAttempts: 1 });
    await waitFor('the last attempt', () => finals.length === 3, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.deepEqual(finals, [false, false, true], 'no attempt after the last');
  });

  test('jobs left in the store queue are carried over once, with their time, when PostgreSQL moves to pg-boss', async () => {
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 2000).toISOString();
    await store.jobs.enqueue({ id: 'old-1', kind: 'test.carried', payload: { n: 1 }, runAt: now, maxAttempts: 1 }, now);
    await store.jobs.enqueue(
      { id: 'old-2', kind: 'test.carried', payload: { n: 2 }, runAt: later, maxAttempts: 1, uniqueKey: 'offboard:2' },
      now,
    );
    const queue = newQueue();
    const ran: { n: number; at: number }[] = [];
    const handOver = () =>
      handOverStoreJobs({ jobs: store.jobs, queue, logger: createSilentLogger(), now: () => new Date().toISOString() });
    // Two instances starting together: each job is carried over once.
    const [first, second] = await Promise.all([handOver(), handOver()]);
    assert.ok(first + second >= 2);
    await queue.start({ 'test.carried': async (payload) => void ran.push({ n: (payload as { n: number }).n, at: Date.now() }) });
    await waitFor('both carried jobs', () => ran.length === 2);
    assert.ok(ran.find((r) => r.n === 2)!.at >= Date.parse(later) - 50, 'the scheduled one kept its time');
    assert.equal((await store.jobs.listUnfinished()).length, 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(ran.length, 2, 'each ran once');
  });

  test('a fenced write holds only while the worker still has the job; after a takeover it throws LeaseLostError', async () => {
    const queue = newQueue();
    let lease: JobLease | undefined;
    let release: () => void = () => {};
    const holding = new Promise<void>((resolve) => {
      release = resolve;
    });
    await queue.start({
      'test.hold': async (_payload, job) => {
        lease = job.lease;
        await holding;
      },
    });
    await store.executions.createOnce(execution('f1', 'lf1'), new Date().toISOString());
    await queue.enqueue('test.hold', {});
    await waitFor('the job to start', () => lease !== undefined);
    await store.executions.updateStep('f1', 1, { status: 'running' }, lease);

    // Another worker's claim: the job fetched again (as the supervisor's retry would make it).
    assert.ok(lease && 'engine' in lease);
    const stale = { ...lease, retryCount: lease.retryCount + 1 };
    await assert.rejects(store.executions.updateStep('f1', 1, { status: 'ok' }, stale), LeaseLostError);
    assert.equal((await store.executions.steps('f1'))[0]!.status, 'running');
    release();
  });

  test('stop hands a job that outlives the drain back: another instance runs it at once', async () => {
    const first = newQueue();
    const second = newQueue();
    const runs: string[] = [];
    await first.start({
      'test.slow': async (_payload, job) => {
        runs.push(`first:${job.attempt}`);
        await new Promise((resolve) => setTimeout(resolve, 60_000).unref());
      },
    });
    await first.enqueue('test.slow', {});
    await waitFor('the first instance to take it', () => runs.length === 1);
    await second.start({ 'test.slow': async (_payload, job) => void runs.push(`second:${job.attempt}`) });
    const stopping = Date.now();
    await first.stop({ timeoutMs: 300 });
    assert.ok(Date.now() - stopping < 5000, 'stop waited no longer than its drain timeout');
    await waitFor('the second instance to run it', () => runs.length === 2, 10_000);
    assert.deepEqual(runs, ['first:1', 'second:2']);
  });
});
