import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Logger as GraphileLogger, run as runGraphileWorker } from 'graphile-worker';
import pg from 'pg';
import { jobQueueKinds } from '../src/jobs/index.js';
import type { JobQueue } from '../src/jobs/types.js';
import { createSilentLogger } from '../src/lib/logger.js';
import { openStore } from '../src/store/index.js';
import type { NewExecution, Store, TransactionalJobWriter } from '../src/store/types.js';

const HELP = `Usage: npm run bench:job-engines -- [--quick] [--json]

Compares the job engines an execution can run on, on the PostgreSQL at TEST_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/test), each in a fresh schema, in one run:

  store           the toolbox's own jobs table (SKIP LOCKED; wakes this instance's workers,
                  other instances poll every second)
  pg-boss         pg-boss 12 (LISTEN/NOTIFY, heartbeats), the PostgreSQL default
  graphile-worker graphile-worker 0.18 (LISTEN/NOTIFY; add_job in our transaction)

Every submit is what the toolbox does: the execution row, its steps and its job written by
store.executions.createOnce in one transaction, then notify(). The job's handler only records
when it started. Reported per engine:

  1. submit → first step: from createOnce's commit to the handler starting, for 200 submits
     10 ms apart (the issue's goal: p50 <= 50 ms, p99 <= 250 ms), with the worker in the
     submitting instance ("same") and in another instance ("other");
  2. a burst: 500 submits from 20 concurrent submitters, jobs/s until the last one ran.

  --quick   50 paced submits and a burst of 100 (a smoke test)
  --json    print the results as JSON
  --help    this text`;

type EngineName = 'store' | 'pg-boss' | 'graphile-worker';
type Handlers = Record<string, (payload: unknown) => Promise<void>>;
type Engine = {
  /** What the submitting instance uses: its writer for createOnce and its notify(). */
  submitter: { transactionalWriter?: TransactionalJobWriter; notify(): void };
  start(handlers: Handlers): Promise<void>;
  stop(): Promise<void>;
};

const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const JOB = 'bench.run';
const logger = createSilentLogger();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function newExecution(id: string): NewExecution {
  return {
    id,
    launchId: id,
    formName: 'password_reset',
    psaKind: 'connectwise',
    technicianUserId: 'bench',
    technicianEmail: 'bench@msp.example',
    ticketId: '1',
    companyId: '2',
    contactId: '3',
    directoryId: 'bench',
    targetUserId: 'user',
    targetDisplay: 'Bench User',
    inputs: {},
    secretSealed: null,
    secretExpiresAt: null,
    steps: [{ key: 'reset', label: 'Reset' }],
    job: { id, kind: JOB, payload: { executionId: id }, runAt: new Date().toISOString(), maxAttempts: 3, uniqueKey: `execution:${id}` },
  };
}

/** One engine, with `instances` separate queue objects (as separate toolbox instances would have). */
function createEngine(name: EngineName, store: Store, schema: string, workerInstance: 'same' | 'other'): Engine {
  if (name === 'graphile-worker') {
    const gwSchema = `${schema}_gw`;
    let runner: Awaited<ReturnType<typeof runGraphileWorker>> | undefined;
    return {
      submitter: {
        transactionalWriter: async (job, sql) => {
          await sql.executeSql(`select "${gwSchema}".add_job($1, $2::json, max_attempts => $3)`, [
            job.kind,
            JSON.stringify(job.payload),
            job.maxAttempts,
          ]);
        },
        notify() {},
      },
      async start(handlers) {
        runner = await runGraphileWorker({
          connectionString: postgresUrl,
          schema: gwSchema,
          concurrency: 4,
          noHandleSignals: true,
          pollInterval: 1000,
          taskList: Object.fromEntries(Object.entries(handlers).map(([kind, handler]) => [kind, (payload: unknown) => handler(payload)])),
          logger: new GraphileLogger(() => () => {}),
        });
      },
      async stop() {
        await runner?.stop();
      },
    };
  }
  const make = (): JobQueue => jobQueueKinds[name]({ store, clock: { now: () => Date.now() }, logger, concurrency: 4 });
  const worker = make();
  const submitter = workerInstance === 'same' ? worker : make();
  return {
    submitter: {
      ...(submitter.transactionalWriter ? { transactionalWriter: submitter.transactionalWriter } : {}),
      notify: () => submitter.notify(),
    },
    start: (handlers) =>
      worker.start(Object.fromEntries(Object.entries(handlers).map(([kind, handler]) => [kind, (payload: unknown) => handler(payload)]))),
    async stop() {
      await worker.stop({ timeoutMs: 2000 });
      if (submitter !== worker) await submitter.stop({ timeoutMs: 2000 });
    },
  };
}

async function measure(name: EngineName, workerInstance: 'same' | 'other', counts: { paced: number; burst: number }) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const store = openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema });
  await store.migrate();
  const engine = createEngine(name, store, schema, workerInstance);
  const committedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  let wake: (() => void) | undefined;
  await engine.start({
    [JOB]: async (payload) => {
      startedAt.set((payload as { executionId: string }).executionId, performance.now());
      wake?.();
    },
  });
  const submit = async (id: string) => {
    await store.executions.createOnce(newExecution(id), new Date().toISOString(), engine.submitter.transactionalWriter);
    committedAt.set(id, performance.now());
    engine.submitter.notify();
  };
  const until = async (done: () => boolean, timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (!done() && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    if (!done()) throw new Error(`${name}: jobs did not all run within ${timeoutMs} ms`);
  };
  try {
    // A few to warm up connections and the JIT; not counted.
    for (let i = 0; i < 10; i++) await submit(`warm-${i}`);
    await until(() => [...committedAt.keys()].every((id) => startedAt.has(id)), 30_000);

    const paced: string[] = [];
    for (let i = 0; i < counts.paced; i++) {
      const id = `paced-${i}`;
      paced.push(id);
      await submit(id);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await until(() => paced.every((id) => startedAt.has(id)), 60_000);
    // Started before the commit was recorded (the handler ran first): 0 ms.
    const latencies = paced.map((id) => Math.max(0, startedAt.get(id)! - committedAt.get(id)!)).sort((a, b) => a - b);

    const burst = Array.from({ length: counts.burst }, (_, i) => `burst-${i}`);
    const burstStart = performance.now();
    const pending = [...burst];
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let id = pending.shift(); id; id = pending.shift()) await submit(id);
      }),
    );
    await until(() => burst.every((id) => startedAt.has(id)), 120_000);
    const burstMs = Math.max(...burst.map((id) => startedAt.get(id)!)) - burstStart;
    return {
      engine: name,
      worker: workerInstance,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies.at(-1)!,
      burstJobsPerSecond: (counts.burst / burstMs) * 1000,
    };
  } finally {
    await engine.stop();
    await store.close();
    await admin.query(`drop schema if exists ${schema}_pgboss cascade`);
    await admin.query(`drop schema if exists ${schema}_gw cascade`);
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(HELP);
    return;
  }
  const quick = args.includes('--quick');
  const counts = quick ? { paced: 50, burst: 100 } : { paced: 200, burst: 500 };
  const results = [];
  for (const name of ['store', 'pg-boss', 'graphile-worker'] as const) {
    for (const worker of ['same', 'other'] as const) {
      if (name === 'graphile-worker' && worker === 'other') continue; // NOTIFY reaches every instance alike.
      results.push(await measure(name, worker, counts));
    }
  }
  if (args.includes('--json')) {
    console.log(JSON.stringify({ machine: { cpus: cpus().length, loadavg: loadavg() }, results }, null, 2));
    return;
  }
  console.log(
    `Job engines on PostgreSQL (${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}); submit → first step over ${counts.paced} submits 10 ms apart, then a burst of ${counts.burst}`,
  );
  console.log('engine           worker  p50 ms  p99 ms  max ms  burst jobs/s');
  for (const r of results) {
    console.log(
      `${r.engine.padEnd(16)} ${r.worker.padEnd(6)} ${r.p50Ms.toFixed(1).padStart(7)} ${r.p99Ms.toFixed(1).padStart(7)} ${r.maxMs.toFixed(1).padStart(7)} ${r.burstJobsPerSecond.toFixed(0).padStart(13)}`,
    );
  }
}

await main();
