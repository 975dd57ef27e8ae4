import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import SqliteDatabase from 'better-sqlite3';
import type { Hono } from 'hono';
import pg from 'pg';
import { loadConfig } from '../src/config/load-config.js';
import { directoryConnectors as builtInDirectoryConnectors } from '../src/connectors/directory/index.js';
import type { DirectoryConnector } from '../src/connectors/directory/types.js';
import { psaConnectors } from '../src/connectors/psa/index.js';
import { createServices } from '../src/create-services.js';
import { buildDemoConfig, DEMO_SIGN_IN } from '../src/demo/demo-config.js';
import { syncConfiguredUsers } from '../src/domain/auth/add-user.js';
import { RUN_EXECUTION_JOB, submitExecution } from '../src/domain/execution/submit-execution.js';
import { NOTE_STEP, type RunExecutionDeps, runExecution } from '../src/engine/run-execution.js';
import { RETRY_TICKET_NOTE_JOB, retryTicketNote } from '../src/engine/write-ticket-note.js';
import { builtInForms } from '../src/forms/index.js';
import { jobQueueKinds } from '../src/jobs/index.js';
import type { JobQueue } from '../src/jobs/types.js';
import { systemClock } from '../src/lib/clock.js';
import type { FetchLike } from '../src/lib/http-fetch.js';
import { newId } from '../src/lib/ids.js';
import { createLogger } from '../src/lib/logger.js';
import { ToolboxError } from '../src/lib/toolbox-error.js';
import type { Services } from '../src/services.js';
import type { ConnectWiseSeed } from '../src/simulators/connectwise/connectwise-seed.js';
import { demoConnectWiseSeed } from '../src/simulators/connectwise/connectwise-seed.js';
import { createConnectWiseSimulator } from '../src/simulators/connectwise/connectwise-simulator.js';
import { createGraphSimulator } from '../src/simulators/graph/graph-simulator.js';
import { openStore } from '../src/store/index.js';
import type { NewExecution, NewJob, Store, UserRecord } from '../src/store/types.js';
import type { AppEnv } from '../src/web/app-env.js';
import { createApp } from '../src/web/create-app.js';
import type { Workflow, WorkflowStep } from '../src/workflows/types.js';

const CW_ORIGIN = 'https://cw.toolbox.bench';
const GRAPH_ORIGIN = 'https://graph.toolbox.bench';
/** The bench toolbox's public URL: where an in-process agent sends its polls (through app.request). */
export const BENCH_PUBLIC_URL = 'http://toolbox.bench';

export type DatabaseName = 'sqlite' | 'postgres';
export type BenchDatabase = {
  name: DatabaseName;
  store: Store;
  /** The driver alone (a prepared statement, no Kysely), to tell the database's share of a store call from the rest. */
  rawStepUpdate(): Promise<RawStepUpdate>;
  close(): Promise<void>;
};

/** The statement behind the engine's "step running" write, through the bare driver. */
export type RawStepUpdate = {
  run(executionId: string, seq: number, status: string, startedAt: string): Promise<void>;
  close(): Promise<void>;
};

const RAW_UPDATE_SQL = 'update execution_steps set status = ?, started_at = ? where execution_id = ? and seq = ?';

/** Production's SQLite: a file (WAL, synchronous=NORMAL, set by the store) in a temp directory, not `:memory:`. */
export async function openSqlite(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'toolbox-bench-'));
  const path = join(dir, 'toolbox.db');
  const store = openStore({ kind: 'sqlite', path });
  await store.migrate();
  return {
    name: 'sqlite',
    store,
    async rawStepUpdate() {
      // A second connection to the same WAL file, with the store's per-connection settings.
      const raw = new SqliteDatabase(path);
      raw.pragma('busy_timeout = 5000');
      raw.pragma('synchronous = NORMAL');
      const statement = raw.prepare(RAW_UPDATE_SQL);
      return {
        async run(executionId, seq, status, startedAt) {
          statement.run(status, startedAt, executionId, seq);
        },
        async close() {
          raw.close();
        },
      };
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * PostgreSQL's version when it answers, or why it is skipped: a benchmark skips a missing server,
 * it does not fail on it.
 */
export async function probePostgres(): Promise<{ version: string } | { skip: string }> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    // Commit latency depends on these two settings; print them beside the figures.
    const setting = async (name: string) => (await client.query<Record<string, string>>(`show ${name}`)).rows[0]?.[name] ?? '?';
    return {
      version: `${await setting('server_version')}, fsync=${await setting('fsync')}, synchronous_commit=${await setting('synchronous_commit')}`,
    };
  } catch (error) {
    return { skip: `PostgreSQL at ${postgresUrl.replace(/\/\/[^@]*@/, '//…@')} is not reachable (${(error as Error).message})` };
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema per run, as test/helpers/test-databases.ts does, dropped on close. */
export async function openPostgres(): Promise<BenchDatabase> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const store = openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema });
  await store.migrate();
  return {
    name: 'postgres',
    store,
    async rawStepUpdate() {
      const client = new pg.Client({ connectionString: postgresUrl, options: `-c search_path=${schema}` });
      await client.connect();
      let n = 0;
      const text = RAW_UPDATE_SQL.replace(/\?/g, () => `$${++n}`);
      return {
        async run(executionId, seq, status, startedAt) {
          // Named, so pg prepares it once per connection, as better-sqlite3 does above.
          await client.query({ name: 'bench-step-update', text, values: [status, startedAt, executionId, seq] });
        },
        close: () => client.end(),
      };
    },
    async close() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: postgresUrl });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}

/** The screen pops the runs rotate over: each contact matches one cloud-only, unprivileged user, one per tenant. */
export const TARGETS = [
  { ticketId: '1001', companyId: '250', contactId: '301', userId: 'c0000000-0000-4000-8000-000000000001' },
  { ticketId: '1022', companyId: '252', contactId: '321', userId: 'a0000000-0000-4000-8000-000000000001' },
  { ticketId: '1011', companyId: '251', contactId: '311', userId: 'f0000000-0000-4000-8000-000000000001' },
];

/** Called after each step's own `run()` with when it started and returned (performance.now()). */
export type StepTimer = (index: number, key: string, start: number, end: number) => void;

/**
 * Wraps each step's `run()` to record when it started and returned, so that the time around it
 * (the engine's) can be told apart from the step's own work. The wrapper's own cost (two
 * `performance.now()` calls) is counted as step work, not as engine overhead.
 */
export function timedWorkflow<I>(workflow: Workflow<I>, onStep: StepTimer): Workflow<never> {
  const timed: Workflow<I> = {
    ...workflow,
    steps: workflow.steps.map(
      (step, index): WorkflowStep<I> => ({
        ...step,
        async run(context) {
          const start = performance.now();
          try {
            return await step.run(context);
          } finally {
            onStep(index, step.key, start, performance.now());
          }
        },
      }),
    ),
  };
  return timed as Workflow<never>;
}

/**
 * A bench-only workflow of `steps` steps that do nothing, or fail at once with a ToolboxError (to
 * time the engine's error path: translation, a warn log line). Registered only in the benchmark's
 * own `workflows` record, never in src/workflows.
 */
export function noopWorkflow(formName: string, steps: number, fail: boolean): Workflow<never> & { formName: string } {
  return {
    formName,
    title: `Bench ${formName}`,
    steps: Array.from({ length: steps }, (_, index) => ({
      key: `noop-${index + 1}`,
      label: `No-op ${index + 1}`,
      kind: 'change' as const,
      needs: [],
      idempotency: 'repeatable' as const,
      stopOnFailure: false,
      async run() {
        if (fail) throw new ToolboxError({ code: 'TBX_ERR_BENCH', message: 'Failed on purpose (benchmark).', httpStatus: 502 });
        return { status: 'ok' as const, message: 'Nothing done (benchmark).' };
      },
    })),
  };
}

/**
 * A password reset's screen pop and what the technician ticks: by default the rotating Microsoft
 * 365 TARGETS with the form's defaults (generated password, must change, revoke sessions).
 */
export type PasswordResetTarget = { ticketId: string; companyId: string; contactId: string; userId: string; form: Record<string, string> };

/** Directories beyond the demo tenants (the AD measurement's), with the connectors they need. */
export type BenchDirectories = {
  directories: Record<string, unknown>[];
  directoryConnectors: Record<string, DirectoryConnector<unknown>>;
  /** Companies, contacts and tickets added to the ConnectWise demo seed (a directory serves a company of its own). */
  psaSeed?: Pick<ConnectWiseSeed, 'companies' | 'contacts' | 'tickets'>[];
};

export type BenchToolbox = {
  services: Services;
  /** The web app on these services (its routes reached with app.request: no socket), e.g. for an on-prem agent's polls. */
  app: Hono<AppEnv>;
  technician: UserRecord;
  /** The engine's dependencies, as create-services.ts builds them, with these workflows. */
  engine(workflows: Record<string, Workflow<never>>): RunExecutionDeps;
  /** Creates an execution of a bench workflow straight in the store (no launch, no form), not queued. */
  createNoopExecution(workflow: Workflow<never> & { formName: string }): Promise<string>;
  /**
   * Creates a password_reset execution the way a technician's submit does (launch, form parse,
   * generated password sealed, steps recorded), but holds the job back: returns the enqueue to do
   * later, so a batch can be submitted at once.
   */
  preparePasswordReset(
    index: number,
    target?: PasswordResetTarget,
  ): Promise<{ executionId: string; enqueue(queue: JobQueue): Promise<unknown> }>;
  close(): Promise<void>;
};

/**
 * The service's parts in-process, as test/helpers/test-toolbox.ts builds them: the real
 * configuration loader, connectors and store, with the ConnectWise and Graph simulators (0 ms
 * latency) reached through an in-process fetch, so no socket or TLS cost is measured. Logging is
 * at production's default level (info) into a stream that drops the lines: pino's formatting is
 * counted, terminal output is not.
 */
export async function createBenchToolbox(store: Store, extra?: BenchDirectories): Promise<BenchToolbox> {
  const seed = demoConnectWiseSeed();
  for (const extraSeed of extra?.psaSeed ?? []) {
    seed.companies = [...seed.companies, ...extraSeed.companies];
    seed.contacts = [...seed.contacts, ...extraSeed.contacts];
    seed.tickets = [...seed.tickets, ...extraSeed.tickets];
  }
  const cw = createConnectWiseSimulator({ seed });
  const graph = createGraphSimulator({});
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(String(input));
    if (url.origin === CW_ORIGIN) return cw.fetch(input, init);
    if (url.origin === GRAPH_ORIGIN) return graph.handler(new Request(url, init));
    throw new TypeError(`fetch failed: the bench network has no host ${url.origin}`);
  };
  const destination = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const demo = buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN });
  const directoryConnectors = { ...builtInDirectoryConnectors, ...extra?.directoryConnectors };
  const config = loadConfig({
    env: { TOOLBOX_DATA_DIR: '/nonexistent-bench-dir' },
    psaConnectors,
    directoryConnectors,
    availableForms: [...builtInForms.names],
    demoConfig: () => ({
      ...demo,
      directories: [...demo.directories, ...(extra?.directories ?? [])],
      publicUrl: BENCH_PUBLIC_URL,
      launch: { ttlMinutes: 30, psaTimeoutMs: 3000 },
    }),
  });
  const clock = systemClock;
  // Services are built by the composition root, but not started: the benchmark starts its own
  // worker (same queue, same handlers) so that it can see when each execution finishes.
  const services = createServices({
    config,
    logger,
    clock,
    fetch,
    secretKey: Buffer.alloc(32, 7),
    store,
    jobEngine: 'store',
    directoryConnectors,
  });
  await syncConfiguredUsers({ store, clock }, config.users);
  const technician = await store.users.findByEmail(DEMO_SIGN_IN.email);
  if (!technician) throw new Error('the demo technician was not created');

  const engine = (workflows: Record<string, Workflow<never>>): RunExecutionDeps => ({
    store,
    psa: services.psa,
    psaKind: () => services.settings.current().psa?.kind ?? null,
    psaConnectors: services.connectors.psa,
    directories: services.directories,
    workflows,
    secretBox: services.secretBox,
    jobQueue: services.jobQueue,
    clock,
    logger,
    publicUrl: config.publicUrl,
  });

  return {
    services,
    app: createApp(services),
    technician,
    engine,
    async createNoopExecution(workflow) {
      const id = newId();
      const target = TARGETS[0]!;
      const directory = services.directories.forCompany(target.companyId);
      if (!directory) throw new Error(`no directory for company ${target.companyId}`);
      await store.executions.createOnce(
        {
          id,
          launchId: null,
          psaKind: 'connectwise',
          formName: workflow.formName,
          technicianUserId: technician.id,
          technicianEmail: technician.email,
          // A real ticket, so the note is written to the ConnectWise simulator as in production.
          ticketId: target.ticketId,
          companyId: target.companyId,
          contactId: target.contactId,
          directoryId: directory.config.id,
          targetUserId: target.userId,
          targetDisplay: 'Bench user',
          inputs: { form: {}, reveal: null },
          secretSealed: null,
          secretExpiresAt: null,
          steps: [...workflow.steps.map(({ key, label }) => ({ key, label })), NOTE_STEP],
        },
        new Date(clock.now()).toISOString(),
      );
      return id;
    },
    async preparePasswordReset(index, given) {
      const target: PasswordResetTarget = given ?? {
        ...TARGETS[index % TARGETS.length]!,
        // What the form posts by default: generated password, must change, revoke sessions.
        form: { password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' },
      };
      const launchId = newId();
      const now = clock.now();
      await store.launches.create({
        id: launchId,
        psaKind: 'connectwise',
        formName: 'password_reset',
        ticketId: target.ticketId,
        companyId: target.companyId,
        contactId: target.contactId,
        extraParams: {},
        technicianUserId: technician.id,
        status: 'ready',
        context: null,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 30 * 60_000).toISOString(),
      });
      // The execution's job is written in its transaction; the bench holds it back (written later
      // by `enqueue`) so that the throughput run times the worker from the moment it is queued.
      const held: NewJob[] = [];
      const holdingStore = {
        ...services.store,
        executions: {
          ...services.store.executions,
          createOnce: ({ job, ...execution }: NewExecution, at: string) => {
            if (job) held.push(job);
            return services.store.executions.createOnce(execution, at);
          },
        },
      };
      const result = await submitExecution(
        { ...services, store: holdingStore },
        launchId,
        technician,
        { user_id: target.userId, ...target.form },
        // A password reset runs without a review, so no review key is ever checked.
        'bench',
      );
      if (result.kind !== 'started' || held.length !== 1) throw new Error(`submit did not start an execution: ${JSON.stringify(result)}`);
      const job = held[0]!;
      return {
        executionId: result.executionId,
        enqueue: (queue) =>
          queue.enqueue(job.kind, job.payload, { maxAttempts: job.maxAttempts, ...(job.uniqueKey ? { uniqueKey: job.uniqueKey } : {}) }),
      };
    },
    async close() {
      await services.jobQueue.stop();
    },
  };
}

/**
 * The store job queue with the handlers create-services.ts registers, plus a hook when an
 * execution's run returns (its final status is then stored; the job row is completed just after).
 */
export async function startWorker(
  toolbox: BenchToolbox,
  concurrency: number,
  onFinished: (executionId: string) => void,
): Promise<{ queue: JobQueue; stop(): Promise<void> }> {
  const { services } = toolbox;
  const queue = jobQueueKinds.store({ store: services.store, clock: services.clock, logger: services.logger, concurrency });
  const engine = { ...toolbox.engine(services.forms.workflows), jobQueue: queue };
  await queue.start({
    [RUN_EXECUTION_JOB]: async (payload, job) => {
      const { executionId } = payload as { executionId: string };
      await runExecution(engine, executionId, job.lease);
      onFinished(executionId);
    },
    [RETRY_TICKET_NOTE_JOB]: async (payload, job) => {
      await retryTicketNote(engine, payload as { executionId: string; noteSeq: number; attempt: number }, job.lease);
    },
  });
  return { queue, stop: () => queue.stop() };
}

/** A store whose repository calls are counted by `repo.method`: each call is one or two SQL statements. */
export function countingStore(store: Store): { store: Store; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const wrap = <R extends object>(name: string, repo: R): R =>
    new Proxy(repo, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const key = `${name}.${String(property)}`;
        return (...args: unknown[]) => {
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    counts,
    store: {
      ...store,
      users: wrap('users', store.users),
      sessions: wrap('sessions', store.sessions),
      launches: wrap('launches', store.launches),
      executions: wrap('executions', store.executions),
      jobs: wrap('jobs', store.jobs),
    },
  };
}
