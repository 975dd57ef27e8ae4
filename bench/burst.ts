import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';
import { DEMO_SCREENPOP_SECRET } from '../src/demo/demo-sandbox.js';
import { startToolbox } from '../src/start-toolbox.js';
import { signInDemoTechnician } from './sign-in-demo.js';

/**
 * The heap limits `npm start` runs the service with (package.json): without them V8 sizes the
 * heap from the machine's memory and collects lazily, so a burst's garbage, not what it keeps,
 * drives the RSS up (docs/benchmarks.md). BURST_NODE_FLAGS replaces them.
 */
const SERVER_NODE_FLAGS = '--max-old-space-size=256 --max-semi-space-size=8';

const HELP = `Usage: npm run bench:burst -- [--quick] [--json] [--db sqlite|postgres|both] [--seconds N] [--connections N]

A burst of screen pops at the machine's limit: N connections (default 32) each send screen pops
(signed in, with the webhook secret) as fast as they are answered, without following the 303,
for N seconds (default 30), against the whole toolbox with its demo sandbox (ConnectWise and
Graph simulators, 0 ms latency) in a child process. Meanwhile one probe opens a screen pop and
its form every 250 ms, during the burst and for 10 s after it. Loopback only.

Reports, per database: pops accepted (303) and refused (503) and how fast each was answered;
launches accepted that did not get their PSA data (the goal: 0); how long after the end the
probe is back to its normal latency (goal: within 5 s); the server's peak RSS (goal: <= 300 MB).

  --quick          5 s with 8 connections (a smoke test)
  --db             sqlite (default both) or postgres (TEST_POSTGRES_URL, default
                   postgres://postgres@127.0.0.1:5432/test, in a schema of its own, dropped after)
  --seconds N      burst length
  --connections N  concurrent connections of the burst
  --json           the results as JSON
  --help           this text

The server runs with the heap limits of 'npm start' (${SERVER_NODE_FLAGS}); set
BURST_NODE_FLAGS to run it with others ('' for Node's defaults). BURST_DEBUG=1 also prints
the server's memory at its peak and every probe after the end.

Exit status is 0 unless something broke; missed goals are printed as FAIL.`;

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const POP_QUERY = `ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset&secret=${DEMO_SCREENPOP_SECRET}`;
const PROBE_EVERY_MS = 250;
const AFTER_MS = 10_000;
const RECOVERY_GOAL_MS = 5_000;
const RSS_GOAL_MB = 300;

type ChildRequest = { type: 'stats' } | { type: 'launches'; ids: string[] };
type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'error'; message: string }
  | { type: 'stats'; rssMb: number; peakRssMb: number }
  | { type: 'launches'; byStatus: Record<string, number> };

// ---------------------------------------------------------------- the server (child process)

async function runChild(): Promise<void> {
  const send = process.send?.bind(process) as ((message: ChildMessage) => void) | undefined;
  if (!send) throw new Error('--child needs an IPC channel (run through bench/burst.ts)');
  const db = process.argv[process.argv.indexOf('--db') + 1];
  const dataDir = await mkdtemp(join(tmpdir(), 'toolbox-burst-'));
  const schema = `bench_burst_${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = { TOOLBOX_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'error' };
  if (db === 'postgres') {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env.DATABASE_URL = url.toString();
  }
  let peakRss = process.memoryUsage.rss();
  let atPeak = process.memoryUsage();
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) {
      peakRss = rss;
      if (process.env.BURST_DEBUG) atPeak = process.memoryUsage();
    }
  }, 50);
  if (process.env.BURST_DEBUG && global.gc) {
    const gc = global.gc;
    setInterval(() => {
      gc();
      process.stderr.write(`after gc: ${JSON.stringify(process.memoryUsage())}\n`);
    }, 5_000).unref();
  }
  if (process.env.BURST_DEBUG) process.once('disconnect', () => process.stderr.write(`at peak: ${JSON.stringify(atPeak)}\n`));
  const cleanup = async () => {
    clearInterval(sampler);
    await rm(dataDir, { recursive: true, force: true });
    if (db === 'postgres') {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  };
  let toolbox: Awaited<ReturnType<typeof startToolbox>>;
  try {
    toolbox = await startToolbox({ env });
  } catch (error) {
    send({ type: 'error', message: (error as Error).stack ?? String(error) });
    await cleanup();
    process.disconnect?.();
    return;
  }
  process.on('message', (raw) => {
    const request = raw as ChildRequest;
    if (request.type === 'stats') {
      const rss = process.memoryUsage.rss();
      peakRss = Math.max(peakRss, rss);
      send({ type: 'stats', rssMb: rss / 2 ** 20, peakRssMb: peakRss / 2 ** 20 });
      return;
    }
    void (async () => {
      const byStatus: Record<string, number> = {};
      for (const id of request.ids) {
        const status = (await toolbox.services.store.launches.get(id))?.status ?? 'missing';
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
      send({ type: 'launches', byStatus });
    })();
  });
  send({ type: 'ready', url: toolbox.url });
  process.once('disconnect', () => {
    toolbox
      .close()
      .then(cleanup)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}

// ---------------------------------------------------------------- the load generator

type Server = {
  url: string;
  ask<T extends ChildMessage['type']>(request: ChildRequest, answer: T): Promise<Extract<ChildMessage, { type: T }>>;
};

async function startServer(db: string): Promise<Server & { close(): Promise<void> }> {
  const script = fileURLToPath(import.meta.url);
  const extra = (process.env.BURST_NODE_FLAGS ?? SERVER_NODE_FLAGS).split(' ').filter(Boolean);
  const child: ChildProcess = fork(script, ['--child', '--db', db], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...extra],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<ChildMessage>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ChildMessage));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
  });
  if (ready.type !== 'ready') throw new Error(`the server failed to start: ${ready.type === 'error' ? ready.message : ready.type}`);
  return {
    url: ready.url,
    ask: (request, answer) =>
      new Promise((resolve) => {
        const listener = (m: unknown) => {
          if ((m as ChildMessage).type !== answer) return;
          child.off('message', listener);
          resolve(m as never);
        };
        child.on('message', listener);
        child.send(request);
      }),
    async close() {
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill(), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

type PopAnswer = { status: number; ms: number; location?: string };

async function pop(pool: Pool, session: string): Promise<PopAnswer> {
  const started = performance.now();
  const response = await pool.request({ method: 'GET', path: `/hooks/screenpop?${POP_QUERY}`, headers: { cookie: session } });
  await response.body.dump();
  const location = response.headers.location;
  return { status: response.statusCode, ms: performance.now() - started, ...(typeof location === 'string' ? { location } : {}) };
}

/** One technician's screen pop: the pop and its form; `ok` only when the form was shown. */
async function probe(pool: Pool, session: string): Promise<{ at: number; ms: number; outcome: 'form' | 'refused' | 'failed' }> {
  const at = performance.now();
  const first = await pop(pool, session);
  if (first.status === 503) return { at, ms: performance.now() - at, outcome: 'refused' };
  if (first.status !== 303 || !first.location) return { at, ms: performance.now() - at, outcome: 'failed' };
  const page = await pool.request({ method: 'GET', path: first.location, headers: { cookie: session } });
  const body = await page.body.text();
  const ok = page.statusCode === 200 && body.includes('name="user_id"');
  return { at, ms: performance.now() - at, outcome: ok ? 'form' : 'failed' };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] as number;
}

type Result = {
  db: string;
  seconds: number;
  connections: number;
  accepted: number;
  refused: number;
  errors: number;
  popsPerSecond: number;
  acceptedMs: { p50: number; p99: number; max: number };
  refusedMs: { p50: number; p99: number; max: number };
  launches: Record<string, number>;
  failedAfter303: number;
  baselineProbeMs: number;
  probes: { during: { form: number; refused: number; failed: number }; after: { form: number; refused: number; failed: number } };
  recoveredAfterMs: number | null;
  idleRssMb: number;
  peakRssMb: number;
  goals: { goal: string; value: number | null; pass: boolean }[];
};

async function runBurst(db: string, seconds: number, connections: number): Promise<Result> {
  const server = await startServer(db);
  const origin = server.url;
  const flood = new Pool(origin, { connections, pipelining: 1 });
  const probePool = new Pool(origin, { connections: 2 });
  try {
    const session = await signInDemoTechnician(probePool, origin);
    // Warm-up: Graph tokens, codebase discovery, the JIT.
    for (let i = 0; i < 200; i++) {
      const result = await probe(probePool, session);
      if (result.outcome !== 'form') throw new Error(`warm-up screen pop ${i} did not show the form (${result.outcome})`);
    }
    const baseline: number[] = [];
    for (let i = 0; i < 20; i++) {
      baseline.push((await probe(probePool, session)).ms);
      await sleep(50);
    }
    const baselineProbeMs = percentile(baseline, 50);
    const idle = await server.ask({ type: 'stats' }, 'stats');

    const accepted: PopAnswer[] = [];
    const refused: PopAnswer[] = [];
    const launchIds: string[] = [];
    let errors = 0;
    let firstError: string | undefined;
    const started = performance.now();
    const endAt = started + seconds * 1000;
    const worker = async () => {
      while (performance.now() < endAt) {
        try {
          const answer = await pop(flood, session);
          if (answer.status === 303 && answer.location) {
            accepted.push(answer);
            launchIds.push(answer.location.slice('/launches/'.length));
          } else if (answer.status === 503) refused.push(answer);
          else {
            errors++;
            firstError ??= `status ${answer.status}`;
          }
        } catch (error) {
          errors++;
          firstError ??= (error as Error).message;
        }
      }
    };
    const probes: Awaited<ReturnType<typeof probe>>[] = [];
    const prober = async () => {
      while (performance.now() < endAt + AFTER_MS) {
        const next = performance.now() + PROBE_EVERY_MS;
        probes.push(await probe(probePool, session).catch(() => ({ at: performance.now(), ms: Number.NaN, outcome: 'failed' as const })));
        await sleep(Math.max(0, next - performance.now()));
      }
    };
    const [, , stats] = await Promise.all([
      Promise.all(Array.from({ length: connections }, worker)),
      prober(),
      (async () => {
        await sleep(seconds * 1000 + AFTER_MS);
        return server.ask({ type: 'stats' }, 'stats');
      })(),
    ]);
    if (firstError) process.stderr.write(`[${db}] first error: ${firstError}\n`);
    const { byStatus } = await server.ask({ type: 'launches', ids: launchIds }, 'launches');

    // Back to normal: from this probe on, every probe shows the form within twice the idle p50 (at least 50 ms).
    const normalMs = Math.max(50, 2 * baselineProbeMs);
    const after = probes.filter((p) => p.at >= endAt);
    let recoveredAt: number | null = null;
    for (let i = after.length - 1; i >= 0; i--) {
      const p = after[i] as (typeof after)[number];
      if (p.outcome !== 'form' || p.ms > normalMs) break;
      recoveredAt = p.at;
    }
    if (process.env.BURST_DEBUG) {
      process.stderr.write(`after: ${after.map((p) => `${Math.round(p.at - endAt)}:${p.outcome[0]}${Math.round(p.ms)}`).join(' ')}\n`);
    }
    const recoveredAfterMs = recoveredAt === null ? null : Math.max(0, recoveredAt - endAt);
    const count = (list: typeof probes) => ({
      form: list.filter((p) => p.outcome === 'form').length,
      refused: list.filter((p) => p.outcome === 'refused').length,
      failed: list.filter((p) => p.outcome === 'failed').length,
    });
    const failedAfter303 = launchIds.length - (byStatus.ready ?? 0);
    const stat = (list: PopAnswer[]) => ({
      p50: percentile(
        list.map((a) => a.ms),
        50,
      ),
      p99: percentile(
        list.map((a) => a.ms),
        99,
      ),
      max: percentile(
        list.map((a) => a.ms),
        100,
      ),
    });
    return {
      db,
      seconds,
      connections,
      accepted: accepted.length,
      refused: refused.length,
      errors,
      popsPerSecond: (accepted.length + refused.length) / seconds,
      acceptedMs: stat(accepted),
      refusedMs: stat(refused),
      launches: byStatus,
      failedAfter303,
      baselineProbeMs,
      probes: { during: count(probes.filter((p) => p.at < endAt)), after: count(after) },
      recoveredAfterMs,
      idleRssMb: idle.rssMb,
      peakRssMb: stats.peakRssMb,
      goals: [
        { goal: '0 launches failed after a 303', value: failedAfter303, pass: failedAfter303 === 0 },
        {
          goal: 'normal latency within 5 s of the end (s)',
          value: recoveredAfterMs === null ? null : recoveredAfterMs / 1000,
          pass: recoveredAfterMs !== null && recoveredAfterMs <= RECOVERY_GOAL_MS,
        },
        { goal: 'peak RSS <= 300 MB', value: stats.peakRssMb, pass: stats.peakRssMb <= RSS_GOAL_MB },
      ],
    };
  } finally {
    await flood.close();
    await probePool.close();
    await server.close();
  }
}

const fmt = (n: number | null, digits = 1) => (n === null || Number.isNaN(n) ? '-' : n.toFixed(digits));

function print(result: Result): void {
  const lines = [
    `\n${result.db}: ${result.seconds} s, ${result.connections} connections (load ${loadavg()[0]?.toFixed(2)}, ${cpus().length} CPU)`,
    `  pops: ${result.accepted} accepted (303), ${result.refused} refused (503), ${result.errors} errors; ${fmt(result.popsPerSecond, 0)} pops/s answered`,
    `  answered in ms: 303 p50 ${fmt(result.acceptedMs.p50)} p99 ${fmt(result.acceptedMs.p99)} max ${fmt(result.acceptedMs.max)}; 503 p50 ${fmt(result.refusedMs.p50)} p99 ${fmt(result.refusedMs.p99)} max ${fmt(result.refusedMs.max)}`,
    `  accepted launches by status: ${JSON.stringify(result.launches)}; failed after their 303: ${result.failedAfter303}`,
    `  probe (pop + form, idle p50 ${fmt(result.baselineProbeMs)} ms): during ${JSON.stringify(result.probes.during)}, after ${JSON.stringify(result.probes.after)}; back to normal ${fmt(result.recoveredAfterMs === null ? null : result.recoveredAfterMs / 1000, 2)} s after the end`,
    `  RSS after the warm-up ${fmt(result.idleRssMb, 0)} MB, peak ${fmt(result.peakRssMb, 0)} MB`,
    ...result.goals.map((goal) => `  ${goal.pass ? 'PASS' : 'FAIL'} ${goal.goal}: ${fmt(goal.value, goal.goal.includes('(s)') ? 2 : 0)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const value = (name: string) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const quick = args.includes('--quick');
  const seconds = Number(value('--seconds') ?? (quick ? 5 : 30));
  const connections = Number(value('--connections') ?? (quick ? 8 : 32));
  const dbArg = value('--db') ?? 'both';
  const dbs = dbArg === 'both' ? ['sqlite', 'postgres'] : [dbArg];
  if (
    !(seconds > 0 && seconds <= 120) ||
    !(connections > 0 && connections <= 256) ||
    dbs.some((db) => !['sqlite', 'postgres'].includes(db))
  ) {
    throw new Error('bad arguments: see --help');
  }
  const results: Result[] = [];
  for (const db of dbs) {
    const result = await runBurst(db, seconds, connections);
    results.push(result);
    if (!args.includes('--json')) print(result);
  }
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  if (results.some((r) => r.errors > 0)) process.exitCode = 1;
}

if (process.argv.includes('--child')) await runChild();
else
  await main().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  });
