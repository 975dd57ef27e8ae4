/**
 * The crash suite (`npm run test:crash`): the toolbox runs as a child process on a real database
 * and is killed with SIGKILL at chosen points of every form's workflow (TOOLBOX_CRASH_AT, the test
 * hook in src/lib/crash-point.ts), then started again on the same database. The simulators live
 * here, in the test process, so they survive the toolbox's death and keep what it sent. Each trial
 * asserts: the execution is neither lost nor stuck, it finished within 30 s of the restart (the
 * production lease: no test shortcut), one ticket note, no unrepeatable write sent twice, and the
 * same step outcomes and note as an uninterrupted run of the same form.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { type DemoSandbox, startDemoSandbox } from '../../src/demo/demo-sandbox.js';
import { cookieOf, csrfIn } from '../helpers/http-cookies.js';
import { OFFBOARDING_DEFAULT_FIELDS } from '../helpers/offboarding-fields.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SECRET = 'crash-suite-screenpop-secret';
const SECRET_KEY = randomBytes(32).toString('base64');
const RECOVERY_LIMIT_MS = 30_000;
/**
 * The sandbox's Microsoft 365 directories: the file a killed toolbox is started with is a real
 * configuration, and the demo's simulated AD domains live only in a running sandbox.
 */
const cloudDirectories = (config: { directories: { kind: string }[] }) =>
  config.directories.filter((directory) => directory.kind === 'entra');

const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Form = { name: string; query: string; fields: Record<string, string>; ticketId: number };
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const DIEGO = 'c0000000-0000-4000-8000-000000000002';
const GRADY = 'a0000000-0000-4000-8000-000000000002';
const FORMS: Record<string, Form> = {
  password_reset: {
    name: 'password_reset',
    query: 'ticket_id=1001&company_id=250&contact_id=301',
    ticketId: 1001,
    fields: { user_id: MEGAN, password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' },
  },
  reset_mfa: {
    name: 'reset_mfa',
    query: 'ticket_id=1002&company_id=250&contact_id=302',
    ticketId: 1002,
    fields: { user_id: DIEGO, mode: 'all', tap: 'on', tap_lifetime: '60', tap_once: 'on', revoke_sessions: 'on' },
  },
  group_membership: {
    name: 'group_membership',
    query: 'ticket_id=1001&company_id=250&contact_id=301',
    ticketId: 1001,
    fields: {
      user_id: MEGAN,
      mode: 'user',
      'remove_group:c1000000-0000-4000-8000-000000000003': 'on',
      'add_group:c1000000-0000-4000-8000-000000000002': 'on',
    },
  },
  user_onboarding: {
    name: 'user_onboarding',
    query: 'ticket_id=1001&company_id=250&contact_id=301',
    ticketId: 1001,
    fields: {
      first_name: 'Jane',
      last_name: 'Doe',
      domain: 'contosodental.example',
      usage_location: 'US',
      password_mode: 'generated',
      must_change: 'on',
      when: 'now',
      'licence:cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46': 'on',
    },
  },
  user_offboarding: {
    name: 'user_offboarding',
    query: 'ticket_id=1021&company_id=252&contact_id=322',
    ticketId: 1021,
    fields: {
      user_id: GRADY,
      ...OFFBOARDING_DEFAULT_FIELDS,
    },
  },
};

/**
 * Where each trial kills the toolbox. `noteSays`: the step outcomes are those of an uninterrupted
 * run, but one step's words say what was read back after the kill, so the note is matched with
 * this instead of compared line for line.
 */
type Trial = { form: string; at: string; noteSays?: RegExp };
const ALL_TRIALS: Trial[] = [
  { form: 'password_reset', at: 'submit:after-create' },
  { form: 'password_reset', at: 'step:reset-password:before' },
  { form: 'password_reset', at: 'step:reset-password:after' },
  { form: 'password_reset', at: 'note:after-send' },
  { form: 'password_reset', at: 'step:revoke-sessions:after' },
  { form: 'reset_mfa', at: 'step:remove-methods:after', noteSays: /Removed before the toolbox was interrupted/ },
  { form: 'reset_mfa', at: 'step:temporary-access-pass:before' },
  // The pass was issued and kept, its outcome not recorded: read back, not issued again, shown once.
  {
    form: 'reset_mfa',
    at: 'step:temporary-access-pass:after',
    noteSays: /Issue a Temporary Access Pass: OK - The toolbox was interrupted during this step and read back: Issued before/,
  },
  { form: 'reset_mfa', at: 'note:after-send' },
  { form: 'reset_mfa', at: 'step:revoke-sessions:before' },
  { form: 'group_membership', at: 'step:add-memberships:after' },
  { form: 'group_membership', at: 'step:remove-memberships:after' },
  { form: 'group_membership', at: 'note:after-send' },
  { form: 'user_onboarding', at: 'step:create-user:after' },
  { form: 'user_onboarding', at: 'step:assign-licences:before' },
  { form: 'user_onboarding', at: 'step:create-user:before' },
  { form: 'user_onboarding', at: 'note:after-send' },
  { form: 'user_offboarding', at: 'step:convert-to-shared:after' },
  { form: 'user_offboarding', at: 'step:remove-groups:before' },
  { form: 'user_offboarding', at: 'step:block-sign-in:after' },
  { form: 'user_offboarding', at: 'step:remove-licences:after' },
  { form: 'user_offboarding', at: 'note:after-send' },
];

/** CRASH_TRIALS=<text> runs only the trials whose "form at" contains it (to look into one). */
const only = process.env.CRASH_TRIALS;
const TRIALS = only ? ALL_TRIALS.filter((t) => `${t.form} ${t.at}`.includes(only)) : ALL_TRIALS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Database = { url: string; drop(): Promise<void> };

async function newDatabase(kind: 'sqlite' | 'postgres', dir: string): Promise<Database> {
  if (kind === 'sqlite') return { url: join(dir, 'toolbox.sqlite'), drop: async () => {} };
  const name = `crash_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Every toolbox process started, stopped if the suite itself is stopped. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** One toolbox process on `database`, killed at `crashAt` if given. */
class Toolbox {
  readonly base: string;
  child: ChildProcess | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  log = '';
  constructor(
    readonly port: number,
    readonly env: Record<string, string>,
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  async start(crashAt?: string): Promise<void> {
    // The built service, as production runs it: a tsx start transpiles every file again (seconds of
    // CPU per start, five starts at once), which is not what a restart costs in production.
    this.child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, ...(crashAt ? { TOOLBOX_CRASH_AT: crashAt } : { TOOLBOX_CRASH_AT: '' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk) => {
      this.log += chunk;
    });
    this.child.stderr?.on('data', (chunk) => {
      this.log += chunk;
    });
    const child = this.child;
    children.add(child);
    child.on('exit', () => children.delete(child));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the toolbox exited at start:\n${this.log.slice(-2000)}`);
      try {
        if ((await fetch(`${this.base}/healthz`)).status === 200) return;
      } catch {}
      if (Date.now() > deadline) throw new Error(`the toolbox did not start:\n${this.log.slice(-2000)}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
  }
}

async function signIn(base: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${base}/login`);
  const loginCookie = cookieOf(page, 'tbx_login')!;
  const csrf = csrfIn(await page.text())!;
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ _csrf: csrf, email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password, next: '/' }),
  });
  const cookie = cookieOf(response, 'tbx_session');
  if (!cookie) throw new Error(`sign-in failed with ${response.status}`);
  const token = csrfIn(await (await fetch(`${base}/`, { headers: { cookie } })).text());
  return { cookie, csrf: token! };
}

/** Pops the form and submits it (confirming a review); the execution id, or undefined if the process died meanwhile. */
async function submit(base: string, session: { cookie: string; csrf: string }, form: Form): Promise<string | undefined> {
  const pop = await fetch(`${base}/hooks/screenpop?${form.query}&form_name=${form.name}&secret=${SECRET}`, {
    headers: { cookie: session.cookie },
    redirect: 'manual',
  });
  assert.equal(pop.status, 303, await pop.text());
  const path = pop.headers.get('location')!;
  await (await fetch(`${base}${path}`, { headers: { cookie: session.cookie } })).text();
  const post = (fields: Record<string, string>) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ _csrf: session.csrf, ...form.fields, ...fields }),
    });
  try {
    let response = await post({});
    if (response.status === 200) {
      const token = /name="_review" value="([^"]+)"/.exec(await response.text())?.[1];
      assert.ok(token, 'expected a review page');
      response = await post({ _review: token });
    }
    assert.equal(response.status, 303, await response.text());
    return response.headers.get('location')!.split('/').pop()!;
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return undefined;
  }
}

type Outcome = { status: string; steps: Record<string, string>; note: string; ms: number };

async function waitFinished(base: string, cookie: string, id: string, limitMs: number): Promise<Outcome> {
  const started = Date.now();
  for (;;) {
    const response = await fetch(`${base}/api/executions/${id}`, { headers: { cookie } });
    const json = (await response.json()) as { status: string; steps: { key: string; status: string }[]; note: { status: string } };
    if (['succeeded', 'partial', 'failed'].includes(json.status) && json.note.status !== 'pending') {
      return {
        status: json.status,
        steps: Object.fromEntries(json.steps.map((s) => [s.key, s.status])),
        note: json.note.status,
        ms: Date.now() - started,
      };
    }
    if (Date.now() - started > limitMs) throw new Error(`execution ${id} still ${json.status} after ${limitMs} ms`);
    await sleep(100);
  }
}

/** The notes on the ticket that name this execution, with its id and URL taken out to compare. */
function notesOf(sandbox: DemoSandbox, ticketId: number, id: string): string[] {
  return sandbox
    .psaNotes(ticketId)
    .filter((text) => text.includes(`execution ${id}`))
    .map((text) => text.replaceAll(id, '<id>').replace(/127\.0\.0\.1:\d+/g, '<host>'));
}

const passesIssued = (sandbox: DemoSandbox) =>
  sandbox.graph.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/authentication/temporaryAccessPassMethods')).length;
const usersCreated = (sandbox: DemoSandbox) =>
  sandbox.graph.state.requests.filter((r) => r.method === 'POST' && /\/v1\.0\/users$/.test(r.path)).length;

type RunResult = { outcome: Outcome; notes: string[]; passes: number; creates: number; recoveredMs: number };

/** One run of `form` on fresh simulators and a fresh database, killed at `at` (and restarted) if given. */
async function runOnce(kind: 'sqlite' | 'postgres', form: Form, at?: string): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'toolbox-crash-'));
  const sandbox = await startDemoSandbox();
  const database = await newDatabase(kind, dir);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, sandbox.caPem);
  const port = await freePort();
  const configFile = join(dir, 'toolbox.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      ...sandbox.config,
      directories: cloudDirectories(sandbox.config),
      database: database.url,
      screenpop: { secret: SECRET },
    }),
  );
  const env = {
    TOOLBOX_CONFIG: configFile,
    TOOLBOX_DATA_DIR: dir,
    TOOLBOX_SECRET_KEY: SECRET_KEY,
    TOOLBOX_PUBLIC_URL: `http://127.0.0.1:${port}`,
    NODE_EXTRA_CA_CERTS: caFile,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  const first = new Toolbox(port, env);
  const second = new Toolbox(port, env);
  try {
    await first.start(at);
    const session = await signIn(first.base);
    let id = await submit(first.base, session, FORMS[form.name]!);
    let recoveredMs = 0;
    if (at) {
      const exit = await Promise.race([first.exited!, sleep(20_000).then(() => undefined)]);
      assert.equal(exit?.signal, 'SIGKILL', `the toolbox was not killed at ${at}:\n${first.log.slice(-2000)}`);
      const restarted = Date.now();
      await second.start();
      if (!id) {
        // Killed during the submit: the execution must exist all the same (with its job).
        const list = (await (await fetch(`${second.base}/api/executions`, { headers: { cookie: session.cookie } })).json()) as {
          items: { id: string }[];
        };
        assert.equal(list.items.length, 1, 'the submitted execution was lost');
        id = list.items[0]!.id;
      }
      const outcome = await waitFinished(second.base, session.cookie, id, RECOVERY_LIMIT_MS);
      recoveredMs = Date.now() - restarted;
      return {
        outcome,
        notes: notesOf(sandbox, form.ticketId, id),
        passes: passesIssued(sandbox),
        creates: usersCreated(sandbox),
        recoveredMs,
      };
    }
    assert.ok(id);
    const outcome = await waitFinished(first.base, session.cookie, id, 30_000);
    return {
      outcome,
      notes: notesOf(sandbox, form.ticketId, id),
      passes: passesIssued(sandbox),
      creates: usersCreated(sandbox),
      recoveredMs,
    };
  } finally {
    await first.stop();
    await second.stop();
    await sandbox.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `tasks` at most `limit` at a time (each trial waits mostly on the lease, not the CPU). */
async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const index = next++;
        try {
          results[index] = { status: 'fulfilled', value: await tasks[index]!() };
        } catch (reason) {
          results[index] = { status: 'rejected', reason };
        }
      }
    }),
  );
  return results;
}

const figures: string[] = [];

// The service under test is tsc's output (npm run build), built once from the sources here.
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: ROOT,
  stdio: 'inherit',
});

for (const kind of ['sqlite', 'postgres'] as const) {
  const available = TEST_DATABASES.find((d) => d.name === kind)!;
  describe(`crash suite on ${kind}`, { skip: available.skip }, () => {
    const baseline = new Map<string, RunResult>();
    const results = new Map<Trial, PromiseSettledResult<RunResult>>();
    before(async () => {
      const forms = Object.values(FORMS).filter((form) => TRIALS.some((t) => t.form === form.name));
      const base = await pool(
        3,
        forms.map((form) => () => runOnce(kind, form)),
      );
      forms.forEach((form, index) => {
        const result = base[index]!;
        if (result.status === 'rejected') throw result.reason;
        baseline.set(form.name, result.value);
      });
      const settled = await pool(
        5,
        TRIALS.map((trial) => () => runOnce(kind, FORMS[trial.form]!, trial.at)),
      );
      for (const [index, trial] of TRIALS.entries()) results.set(trial, settled[index]!);
    });
    after(() => {
      const recovered = [...results.values()].flatMap((r) => (r.status === 'fulfilled' ? [r.value.recoveredMs] : []));
      if (recovered.length > 0)
        figures.push(
          `${kind}: ${recovered.length}/${TRIALS.length} trials recovered; restart to finished: min ${Math.min(...recovered)} ms, max ${Math.max(...recovered)} ms`,
        );
    });

    for (const trial of TRIALS) {
      test(`${trial.form} killed at ${trial.at}`, () => {
        const result = results.get(trial)!;
        if (result.status === 'rejected') throw result.reason;
        const run = result.value;
        const clean = baseline.get(trial.form)!;
        assert.ok(run.recoveredMs <= RECOVERY_LIMIT_MS, `recovered after ${run.recoveredMs} ms`);
        assert.equal(run.notes.length, 1, `${run.notes.length} notes name the execution`);
        assert.ok(run.passes <= 1 && run.passes === clean.passes, `${run.passes} Temporary Access Passes requested`);
        assert.equal(run.creates, clean.creates, 'users created');
        assert.deepEqual(run.outcome.steps, clean.outcome.steps);
        assert.equal(run.outcome.status, clean.outcome.status);
        if (trial.noteSays) assert.match(run.notes[0]!, trial.noteSays);
        else assert.deepEqual(run.notes, clean.notes);
      });
    }
  });
}

/**
 * Two live instances on one PostgreSQL (pg-boss, its default job engine), the first killed while it
 * holds jobs: the second takes them over within 30 s of the kill and finishes each execution once.
 */
describe('two instances on one PostgreSQL, one killed while holding jobs', {
  skip: TEST_DATABASES.find((d) => d.name === 'postgres')!.skip,
}, () => {
  test('the other instance finishes every execution, once, with one note each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'toolbox-two-'));
    // Slow Graph answers keep the first instance's executions running while the second starts.
    const sandbox = await startDemoSandbox({ graphLatencyMs: 1500 });
    const database = await newDatabase('postgres', dir);
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, sandbox.caPem);
    const configFile = join(dir, 'toolbox.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        ...sandbox.config,
        directories: cloudDirectories(sandbox.config),
        database: database.url,
        screenpop: { secret: SECRET },
      }),
    );
    const [portA, portB] = [await freePort(), await freePort()];
    const env = (port: number) => ({
      TOOLBOX_CONFIG: configFile,
      TOOLBOX_DATA_DIR: dir,
      TOOLBOX_SECRET_KEY: SECRET_KEY,
      TOOLBOX_PUBLIC_URL: `http://127.0.0.1:${portA}`,
      NODE_EXTRA_CA_CERTS: caFile,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    const first = new Toolbox(portA, env(portA));
    const second = new Toolbox(portB, env(portB));
    const db = new pg.Client({ connectionString: database.url });
    try {
      await first.start();
      const session = await signIn(first.base);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await submit(first.base, session, FORMS.password_reset!))!);
      await second.start();
      await db.connect();
      const active = await db.query(`select count(*)::int as n from pgboss.job where name = 'execution.run' and state = 'active'`);
      assert.ok(active.rows[0].n >= 1, 'the first instance holds jobs when it is killed');
      first.child!.kill('SIGKILL');
      await first.exited;
      const killedAt = Date.now();

      const outcomes = await Promise.all(ids.map((id) => waitFinished(second.base, session.cookie, id, 45_000)));
      for (const outcome of outcomes) assert.equal(outcome.status, 'succeeded');
      for (const id of ids) assert.equal(notesOf(sandbox, FORMS.password_reset!.ticketId, id).length, 1, `one note for ${id}`);
      // The jobs the killed instance held were taken over (fetched again), within 30 s of the kill.
      const retried = await db.query(
        `select extract(epoch from started_on) * 1000 as started from pgboss.job where name = 'execution.run' and retry_count > 0`,
      );
      assert.ok(retried.rows.length >= 1, 'jobs held by the killed instance were taken over');
      const slowest = Math.max(...retried.rows.map((row: { started: string }) => Number(row.started) - killedAt));
      assert.ok(slowest <= RECOVERY_LIMIT_MS, `taken over ${slowest} ms after the kill`);
      figures.push(
        `two instances: ${retried.rows.length} jobs of the killed one taken over, the last ${Math.round(slowest)} ms after the kill`,
      );
    } finally {
      await db.end().catch(() => {});
      await first.stop();
      await second.stop();
      await sandbox.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

after(() => {
  if (figures.length > 0) process.stdout.write(`# crash suite: ${figures.join('; ')}\n`);
});
