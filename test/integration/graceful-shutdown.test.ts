import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEMO_SIGN_IN } from '../../src/demo/demo-sandbox.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { cookieOf } from '../helpers/http-cookies.js';

const root = new URL('../..', import.meta.url).pathname;
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type Child = {
  process: ChildProcess;
  url: string;
  database: string;
  secret: string | null;
  exited: Promise<number | null>;
  output: () => string;
};

/** Starts test/helpers/drain-child.ts (the demo sandbox, main.ts's signal handling) on this data directory. */
async function startChild(dataDir: string, drainTimeoutMs: number, graphLatencyMs: number, psaLatencyMs = 0): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/drain-child.ts', String(drainTimeoutMs), String(graphLatencyMs), String(psaLatencyMs)],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', TOOLBOX_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr!.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = /^READY (.*)$/m.exec(output)?.[1];
    if (line) {
      const ready = JSON.parse(line) as { url: string; database: string; screenpopSecret: string | null };
      return { process: child, url: ready.url, database: ready.database, secret: ready.screenpopSecret, exited, output: () => output };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the child did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A screen pop for a password reset; returns the launch page's path. */
async function screenPop(child: Child, cookie: string): Promise<string> {
  const query = new URLSearchParams({ ticket_id: '1001', company_id: '250', contact_id: '301', form_name: 'password_reset' });
  if (child.secret) query.set('secret', child.secret);
  const pop = await fetch(`${child.url}/hooks/screenpop?${query}`, { redirect: 'manual', headers: { cookie } });
  assert.equal(pop.status, 303);
  return pop.headers.get('location')!;
}

/** Signs in over HTTP and submits a password reset from a screen pop; returns the execution id and session. */
async function submitPasswordReset(child: Child): Promise<{ executionId: string; cookie: string }> {
  const origin = child.url;
  const loginPage = await fetch(`${origin}/login`);
  const loginCookie = cookieOf(loginPage, 'tbx_login')!;
  const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
  const signedIn = await fetch(`${origin}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie: loginCookie },
    body: new URLSearchParams({ _csrf: loginCsrf, email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password, next: '/' }),
  });
  const cookie = cookieOf(signedIn, 'tbx_session')!;
  assert.ok(cookie, `sign-in answered ${signedIn.status}`);
  const launchPath = await screenPop(child, cookie);
  const form = await fetch(`${origin}${launchPath}`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const submitted = await fetch(`${origin}${launchPath}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie },
    body: new URLSearchParams({ _csrf: csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' }),
  });
  assert.equal(submitted.status, 303, await submitted.text());
  return { executionId: submitted.headers.get('location')!.split('?')[0]!.split('/').pop()!, cookie };
}

async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Reads the child's SQLite database from this process (WAL: readers do not disturb the writer). */
async function withStore<T>(path: string, read: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore({ kind: 'sqlite', path });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

/** The execution run's job as the queue sees it: due (waiting for a worker), running or scheduled. */
const runJobStates = async (store: Store) =>
  (await store.maintenance.counts(new Date().toISOString())).jobs.filter((job) => job.kind === 'execution.run');

describe('SIGTERM drains a real process', () => {
  test('running steps and requests finish, no new connection or job is taken, then the process exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'toolbox-drain-'));
    dirs.push(dataDir);
    const child = await startChild(dataDir, 20_000, 400, 1000);
    const { executionId, cookie } = await submitPasswordReset(child);
    // Wait until a step is running.
    await waitFor('a running step', async () => {
      const json = (await (await fetch(`${child.url}/api/executions/${executionId}`, { headers: { cookie } })).json()) as {
        steps: { status: string }[];
      };
      return json.steps.some((step) => step.status === 'running') ? true : undefined;
    });
    // A request in flight when the signal comes, on a keep-alive connection: the form page waits
    // about a second for its PSA reads.
    const launchPath = await screenPop(child, cookie);
    const inFlight = fetch(`${child.url}${launchPath}`, { headers: { cookie } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    await waitFor('the drain to begin', async () => (/draining/.test(child.output()) ? true : undefined));
    // No new work: readiness says so (or the listener no longer accepts at all).
    const probe = await fetch(`${child.url}/readyz`).then(
      (response) => response.status,
      () => 'refused',
    );
    assert.ok(probe === 503 || probe === 'refused', `/readyz answered ${probe} while draining`);
    const page = await inFlight;
    assert.equal(page.status, 200, 'the request in flight was not answered');
    assert.match(await page.text(), /Megan Bowen/);

    assert.equal(await child.exited, 0, child.output());
    // Done when the work is done, not at the 20 s deadline.
    const took = Date.now() - signalledAt;
    assert.ok(took < 12_000, `the drain took ${took} ms`);

    const execution = await withStore(child.database, (store) => store.executions.get(executionId));
    assert.equal(execution?.status, 'succeeded', 'the running execution was not allowed to finish');
  });

  test('past the drain timeout, the running job is handed back and the next start finishes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'toolbox-drain-'));
    dirs.push(dataDir);
    const child = await startChild(dataDir, 300, 3000);
    const { executionId, cookie } = await submitPasswordReset(child);
    await waitFor('a running step', async () => {
      const json = (await (await fetch(`${child.url}/api/executions/${executionId}`, { headers: { cookie } })).json()) as {
        steps: { status: string }[];
      };
      return json.steps.some((step) => step.status === 'running') ? true : undefined;
    });
    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    assert.equal(await child.exited, 0, child.output());
    assert.ok(Date.now() - signalledAt < 5000, `exit took ${Date.now() - signalledAt} ms with a 300 ms drain`);

    const handedBack = await withStore(child.database, async (store) => ({
      execution: await store.executions.get(executionId),
      jobs: await runJobStates(store),
    }));
    assert.equal(handedBack.execution?.status, 'running');
    // Queued again and due now: not left `running` under a lease another instance would wait out.
    assert.deepEqual(
      handedBack.jobs.map((job) => [job.state, job.count]),
      [['due', 1]],
      'the interrupted job was not handed back',
    );

    // The next start takes it at once (no lease to wait out) and the execution ends.
    const next = await startChild(dataDir, 5000, 0);
    const finished = await waitFor(
      'the execution to finish after the restart',
      () =>
        withStore(next.database, async (store) => {
          const status = (await store.executions.get(executionId))?.status;
          return status === 'queued' || status === 'running' ? undefined : status;
        }),
      20_000,
    );
    assert.notEqual(finished, undefined);
    next.process.kill('SIGTERM');
    assert.equal(await next.exited, 0, next.output());
  });
});
