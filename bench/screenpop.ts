import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { DEMO_PSA_KINDS, DEMO_SCREENPOP_SECRET, type DemoPsaKind } from '../src/demo/demo-sandbox.js';
import { type BenchServers, type BenchServersMessage, startBenchServers } from './screenpop-servers.js';
import { headerValues, signInDemoTechnician } from './sign-in-demo.js';

const HELP = `Usage: npm run bench:screenpop -- [--psa KIND] [--quick] [--json] [--in-process] [--warmup-curve]

Measures screen pop → rendered form on the toolbox (signed in, demo sandbox) and on a bare
node:http reference doing the same upstream reads (bench/reference-server.ts), at PSA simulator
latencies of 0 and 50 ms and concurrency 1 and 20. Loopback only.

  --psa KIND    the simulated PSA: connectwise (default), autotask, halopsa, or all (each in turn)
  --quick       small counts (a smoke test; well under 30 s per PSA)
  --json        print the results as JSON instead of tables
  --in-process  run the servers in this process instead of a child process
  --warmup-curve  no warm-up and no scenarios: from a fresh start, 8 batches of 1000 pops at
                0 ms and concurrency 20 per target (alternating), with the CPU per pop of each
                batch: how long each server takes to reach its steady state
  --help        this text

Exit status is 0 unless something broke (a failed request, a server that did not start). Missed
performance goals are reported as FAIL but do not change the exit status.`;

type Target = 'toolbox' | 'reference';

type Plan = {
  latencies: number[];
  concurrencies: number[];
  /** Requests per scenario, by PSA latency then concurrency. */
  requests: (latencyMs: number, concurrency: number) => number;
  warmupSequential: number;
  /**
   * Concurrent warm-up requests, stopped early at `warmupCapMs`. The toolbox's CPU per pop keeps
   * falling for its first few thousand pops (the JIT optimising its larger code), so a short
   * warm-up measures that, not the steady state a running service is in (docs/benchmarks.md).
   */
  warmupConcurrent: number;
  warmupCapMs: number;
  /** No new request starts after this much time in one scenario. */
  capMs: number;
};

const FULL_PLAN: Plan = {
  latencies: [0, 50],
  concurrencies: [1, 20],
  requests: (latency, concurrency) => (latency === 0 ? (concurrency === 1 ? 200 : 3000) : concurrency === 1 ? 100 : 500),
  warmupSequential: 50,
  warmupConcurrent: 4000,
  warmupCapMs: 10_000,
  capMs: 60_000,
};

const QUICK_PLAN: Plan = {
  latencies: [0, 50],
  concurrencies: [1, 20],
  requests: (_latency, concurrency) => (concurrency === 1 ? 10 : 40),
  warmupSequential: 6,
  warmupConcurrent: 20,
  warmupCapMs: 5_000,
  capMs: 5_000,
};

/** Demo screen pops whose contact matches exactly one Microsoft 365 user, one per customer tenant. */
const SCREEN_POPS = [
  { ticket: 1001, company: 250, contact: 301 },
  { ticket: 1022, company: 252, contact: 321 },
  { ticket: 1011, company: 251, contact: 311 },
];
const FORM_MARKER = 'name="user_id"';
const MAX_CONNECTIONS = 20;

export type ScenarioResult = {
  target: Target;
  psa: DemoPsaKind;
  psaLatencyMs: number;
  concurrency: number;
  planned: number;
  completed: number;
  errors: number;
  firstError?: string;
  capped: boolean;
  wallMs: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  /** Toolbox only: p50 of the screen-pop hop (to the 303) and of the launch-page hop. */
  hopP50?: { screenPop: number; launchPage: number };
  meanBodyBytes: number;
  /**
   * CPU the server process used per pop during the measured run (simulators included, the same for
   * both targets): the cost per pop without the wall-clock noise of a shared machine.
   */
  serverCpuMsPerPop: number;
};

type Sample = { ms: number; hop1Ms?: number; bytes: number };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest rank: an actual observed value, no interpolation between two samples.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

type Client = { target: Target; pool: Pool; sample(index: number): Promise<Sample> };

function popQuery(index: number): string {
  const pop = SCREEN_POPS[index % SCREEN_POPS.length] as (typeof SCREEN_POPS)[number];
  return `ticket_id=${pop.ticket}&company_id=${pop.company}&contact_id=${pop.contact}&form_name=password_reset`;
}

function toolboxClient(pool: Pool, session: string): Client {
  return {
    target: 'toolbox',
    pool,
    async sample(index) {
      const started = performance.now();
      // The secret as a header, as 1Stream sends it: the query the reference gets stays the same.
      const pop = await pool.request({
        method: 'GET',
        path: `/hooks/screenpop?${popQuery(index)}`,
        headers: { cookie: session, 'x-toolbox-secret': DEMO_SCREENPOP_SECRET },
      });
      await pop.body.dump();
      const location = headerValues(pop.headers.location)[0];
      if (pop.statusCode !== 303 || !location?.startsWith('/launches/')) {
        throw new Error(`screen pop answered ${pop.statusCode} (location ${location ?? 'none'})`);
      }
      const hop1Ms = performance.now() - started;
      const page = await pool.request({ method: 'GET', path: location, headers: { cookie: session } });
      const body = await page.body.text();
      const ms = performance.now() - started;
      if (page.statusCode !== 200 || !body.includes(FORM_MARKER)) {
        throw new Error(`${location} answered ${page.statusCode} without the form: ${body.replace(/\s+/g, ' ').slice(0, 300)}`);
      }
      return { ms, hop1Ms, bytes: Buffer.byteLength(body) };
    },
  };
}

function referenceClient(pool: Pool): Client {
  return {
    target: 'reference',
    pool,
    async sample(index) {
      const started = performance.now();
      const page = await pool.request({ method: 'GET', path: `/pop?${popQuery(index)}` });
      const body = await page.body.text();
      const ms = performance.now() - started;
      if (page.statusCode !== 200 || !body.includes(FORM_MARKER)) {
        throw new Error(`/pop answered ${page.statusCode} without the form: ${body.replace(/\s+/g, ' ').slice(0, 300)}`);
      }
      return { ms, bytes: Buffer.byteLength(body) };
    },
  };
}

/** `requests` samples with `concurrency` workers pulling from one counter; stops early at the cap. */
async function runScenario(client: Client, psa: DemoPsaKind, psaLatencyMs: number, concurrency: number, requests: number, capMs: number) {
  const samples: Sample[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  let capped = false;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      if (performance.now() - started > capMs) {
        capped = true;
        return;
      }
      const index = next++;
      try {
        samples.push(await client.sample(index));
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const hop1 = samples.flatMap((s) => (s.hop1Ms === undefined ? [] : [s.hop1Ms])).sort((a, b) => a - b);
  const hop2 = samples.flatMap((s) => (s.hop1Ms === undefined ? [] : [s.ms - s.hop1Ms])).sort((a, b) => a - b);
  const result: Omit<ScenarioResult, 'serverCpuMsPerPop'> = {
    target: client.target,
    psa,
    psaLatencyMs,
    concurrency,
    planned: requests,
    completed: samples.length,
    errors,
    ...(firstError ? { firstError } : {}),
    capped,
    wallMs,
    throughput: samples.length / (wallMs / 1000),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, ms) => sum + ms, 0) / Math.max(1, sorted.length),
    max: sorted.at(-1) ?? Number.NaN,
    ...(hop1.length > 0 ? { hopP50: { screenPop: percentile(hop1, 50), launchPage: percentile(hop2, 50) } } : {}),
    meanBodyBytes: Math.round(samples.reduce((sum, s) => sum + s.bytes, 0) / Math.max(1, samples.length)),
  };
  return result;
}

/** First sequential (Graph tokens, JIT, connections), then concurrent (the pool's connections). */
async function warmUp(client: Client, psa: DemoPsaKind, plan: Plan): Promise<void> {
  const sequential = await runScenario(client, psa, 0, 1, plan.warmupSequential, plan.capMs);
  const concurrent = await runScenario(client, psa, 0, MAX_CONNECTIONS, plan.warmupConcurrent, plan.warmupCapMs);
  const failed = [sequential, concurrent].find((r) => r.errors > 0);
  if (failed) throw new Error(`${client.target} warm-up failed: ${failed.firstError}`);
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A process's CPU time so far (utime + stime from /proc), in ms; NaN off Linux. */
function processCpuMs(pid: number | undefined): number {
  try {
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

async function startServersInChild(psaLatencyMs: number, psa: DemoPsaKind): Promise<BenchServers> {
  const script = fileURLToPath(new URL('./screenpop-servers.ts', import.meta.url));
  // fork() inherits process.execArgv, which carries tsx's loader, so the child runs TypeScript too.
  const child: ChildProcess = fork(script, ['--child', '--psa-latency', String(psaLatencyMs), '--psa', psa], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const message = await new Promise<BenchServersMessage>((resolve, reject) => {
    child.once('message', (m) => resolve(m as BenchServersMessage));
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it was ready`)));
  });
  if (message.type === 'error') {
    await exited;
    throw new Error(`the server process failed to start: ${message.message}`);
  }
  return {
    toolboxUrl: message.toolboxUrl,
    referenceUrl: message.referenceUrl,
    cpuMs: () => processCpuMs(child.pid),
    async close() {
      // Disconnecting is the child's signal to close its servers and exit.
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

type Report = {
  psa: DemoPsaKind;
  machine: { nproc: number; cpu: string; node: string; platform: string; loadavg1: number };
  mode: 'quick' | 'full';
  serverProcess: 'child' | 'in-process';
  scenarios: ScenarioResult[];
  ratios: { psaLatencyMs: number; concurrency: number; p50: number; throughput: number; cpu: number }[];
  goals: { goal: string; psaLatencyMs: number; concurrency: number; value: number; limit: number; pass: boolean }[];
};

function ratiosAndGoals(scenarios: ScenarioResult[]): Pick<Report, 'ratios' | 'goals'> {
  const ratios: Report['ratios'] = [];
  const goals: Report['goals'] = [];
  for (const toolbox of scenarios.filter((s) => s.target === 'toolbox')) {
    const reference = scenarios.find(
      (s) => s.target === 'reference' && s.psaLatencyMs === toolbox.psaLatencyMs && s.concurrency === toolbox.concurrency,
    );
    if (!reference) continue;
    const { psaLatencyMs, concurrency } = toolbox;
    const throughputRatio = toolbox.throughput / reference.throughput;
    ratios.push({
      psaLatencyMs,
      concurrency,
      p50: toolbox.p50 / reference.p50,
      throughput: throughputRatio,
      // Reference CPU / toolbox CPU per pop: the throughput ratio a CPU-bound server would reach.
      cpu: reference.serverCpuMsPerPop / toolbox.serverCpuMsPerPop,
    });
    // The latency goal is about one technician's screen pop (c=1); the throughput goal about load (c=20).
    if (concurrency === 1) {
      const limit = psaLatencyMs + 10;
      goals.push({ goal: 'p50 <= PSA latency + 10 ms', psaLatencyMs, concurrency, value: toolbox.p50, limit, pass: toolbox.p50 <= limit });
    } else {
      goals.push({
        goal: 'throughput >= 70% of reference',
        psaLatencyMs,
        concurrency,
        value: throughputRatio,
        limit: 0.7,
        pass: throughputRatio >= 0.7,
      });
    }
  }
  return { ratios, goals };
}

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function printTables(report: Report): void {
  const { machine } = report;
  console.log(
    `\nscreen pop → rendered form, ${report.psa} (${report.mode}; servers ${report.serverProcess}; ${machine.nproc} CPU ${machine.cpu}; node ${machine.node}; load ${fmt(machine.loadavg1, 2)})\n`,
  );
  const header = [
    'target',
    'PSA ms',
    'conc',
    'ok/planned',
    'err',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'req/s',
    'hops p50 (pop+page)',
    'body B',
    'CPU ms/pop',
  ];
  const rows = report.scenarios.map((s) => [
    s.target,
    String(s.psaLatencyMs),
    String(s.concurrency),
    `${s.completed}/${s.planned}${s.capped ? ' capped' : ''}`,
    String(s.errors),
    fmt(s.p50),
    fmt(s.p90),
    fmt(s.p99),
    fmt(s.max),
    fmt(s.throughput),
    s.hopP50 ? `${fmt(s.hopP50.screenPop)}+${fmt(s.hopP50.launchPage)}` : '',
    String(s.meanBodyBytes),
    fmt(s.serverCpuMsPerPop, 2),
  ]);
  printTable(header, rows);
  console.log('\ntoolbox / reference');
  printTable(
    ['PSA ms', 'conc', 'p50 ratio', 'throughput ratio', 'CPU ratio (ref/toolbox)'],
    report.ratios.map((r) => [String(r.psaLatencyMs), String(r.concurrency), fmt(r.p50, 2), fmt(r.throughput, 2), fmt(r.cpu, 2)]),
  );
  console.log('\ngoals (reported only; they never change the exit status)');
  for (const g of report.goals) {
    const value = g.goal.startsWith('p50') ? `${fmt(g.value)} ms (limit ${g.limit} ms)` : `${fmt(g.value * 100, 0)}% (limit 70%)`;
    console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}, PSA ${g.psaLatencyMs} ms, c=${g.concurrency}: ${value}`);
  }
  for (const s of report.scenarios.filter((x) => x.firstError)) {
    console.log(`\nfirst error, ${s.target} PSA ${s.psaLatencyMs} ms c=${s.concurrency}: ${s.firstError}`);
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** CPU per pop, batch after batch from a fresh start: where the steady state begins. */
async function warmupCurve(inProcess: boolean, psa: DemoPsaKind): Promise<number> {
  const batches = 8;
  const popsPerBatch = 1000;
  const servers = inProcess ? await startBenchServers(0, psa) : await startServersInChild(0, psa);
  const toolboxPool = new Pool(servers.toolboxUrl, { connections: MAX_CONNECTIONS, keepAliveTimeout: 30_000 });
  const referencePool = new Pool(servers.referenceUrl, { connections: MAX_CONNECTIONS, keepAliveTimeout: 30_000 });
  try {
    const clients = [
      toolboxClient(toolboxPool, await signInDemoTechnician(toolboxPool, servers.toolboxUrl)),
      referenceClient(referencePool),
    ];
    const rows: string[][] = [];
    for (let batch = 1; batch <= batches; batch++) {
      const cpu: number[] = [];
      for (const client of clients) {
        const before = servers.cpuMs();
        const result = await runScenario(client, psa, 0, MAX_CONNECTIONS, popsPerBatch, 60_000);
        if (result.errors > 0) throw new Error(`${client.target}: ${result.firstError}`);
        cpu.push((servers.cpuMs() - before) / result.completed);
      }
      const [toolbox = Number.NaN, reference = Number.NaN] = cpu;
      rows.push([String(batch), String(batch * popsPerBatch), toolbox.toFixed(2), reference.toFixed(2), (reference / toolbox).toFixed(2)]);
      console.error(`batch ${batch}/${batches} done`);
    }
    console.log(
      `\nCPU ms per pop, ${psa}, 0 ms PSA latency, concurrency ${MAX_CONNECTIONS}, batches of ${popsPerBatch} (load ${loadavg()[0]?.toFixed(2)})\n`,
    );
    printTable(['batch', 'pops each', 'toolbox', 'reference', 'CPU ratio'], rows);
    return 0;
  } finally {
    await Promise.all([toolboxPool.close(), referencePool.close()]);
    await servers.close();
  }
}

/** The options: flags, and `--psa KIND` (or `--psa=KIND`); an error message for anything else. */
function parseArgs(argv: string[]): { flags: Set<string>; psas: DemoPsaKind[] } | { error: string } {
  const flags = new Set<string>();
  let psa = 'connectwise';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--psa' || arg.startsWith('--psa=')) {
      const value = arg === '--psa' ? argv[++i] : arg.slice('--psa='.length);
      if (!value) return { error: '--psa needs a value' };
      psa = value;
    } else flags.add(arg);
  }
  const known = new Set(['--quick', '--json', '--in-process', '--warmup-curve', '--help', '-h']);
  const unknown = [...flags].filter((a) => !known.has(a));
  if (unknown.length > 0) return { error: `Unknown option ${unknown.join(', ')}` };
  if (psa === 'all') return { flags, psas: [...DEMO_PSA_KINDS] };
  if (!(DEMO_PSA_KINDS as readonly string[]).includes(psa)) {
    return { error: `--psa ${psa}: not a PSA the demo simulates (${DEMO_PSA_KINDS.join(', ')}, or all)` };
  }
  return { flags, psas: [psa as DemoPsaKind] };
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if ('error' in parsed) {
    console.error(`${parsed.error}\n\n${HELP}`);
    return 2;
  }
  const { flags: args, psas } = parsed;
  if (args.has('--help') || args.has('-h')) {
    console.log(HELP);
    return 0;
  }
  const quick = args.has('--quick');
  const json = args.has('--json');
  const inProcess = args.has('--in-process');
  if (args.has('--warmup-curve')) {
    for (const psa of psas) {
      const code = await warmupCurve(inProcess, psa);
      if (code !== 0) return code;
    }
    return 0;
  }
  const plan = quick ? QUICK_PLAN : FULL_PLAN;
  const began = performance.now();
  const log = (text: string) => {
    if (!json) console.error(`[${((performance.now() - began) / 1000).toFixed(1)} s] ${text}`);
  };

  const reports: Report[] = [];
  for (const psa of psas) {
    const scenarios: ScenarioResult[] = [];
    for (const psaLatencyMs of plan.latencies) {
      log(`starting servers with ${psa} latency ${psaLatencyMs} ms…`);
      const servers = inProcess ? await startBenchServers(psaLatencyMs, psa) : await startServersInChild(psaLatencyMs, psa);
      const pools: Pool[] = [];
      try {
        // Keep-alive pools sized for the highest concurrency, so no request waits for a connection.
        const toolboxPool = new Pool(servers.toolboxUrl, { connections: MAX_CONNECTIONS, keepAliveTimeout: 30_000 });
        const referencePool = new Pool(servers.referenceUrl, { connections: MAX_CONNECTIONS, keepAliveTimeout: 30_000 });
        pools.push(toolboxPool, referencePool);
        const session = await signInDemoTechnician(toolboxPool, servers.toolboxUrl);
        const clients = [toolboxClient(toolboxPool, session), referenceClient(referencePool)];
        for (const client of clients) {
          log(`  warming up ${client.target}…`);
          await warmUp(client, psa, plan);
        }
        for (const concurrency of plan.concurrencies) {
          for (const client of clients) {
            const requests = plan.requests(psaLatencyMs, concurrency);
            log(`  ${client.target}: ${requests} requests at concurrency ${concurrency}…`);
            // A short unmeasured burst first: upstream connections idle past the simulators' 5 s
            // keep-alive were closed meanwhile, and reopening them is a cold-start cost, not steady state.
            await runScenario(client, psa, psaLatencyMs, concurrency, concurrency * 3, plan.capMs);
            const cpuBefore = servers.cpuMs();
            const result = await runScenario(client, psa, psaLatencyMs, concurrency, requests, plan.capMs);
            scenarios.push({ ...result, serverCpuMsPerPop: (servers.cpuMs() - cpuBefore) / Math.max(1, result.completed) });
          }
        }
      } finally {
        await Promise.all(pools.map((pool) => pool.close()));
        await servers.close();
      }
    }

    const report: Report = {
      psa,
      machine: {
        nproc: cpus().length,
        cpu: cpus()[0]?.model.trim() ?? 'unknown',
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        loadavg1: loadavg()[0] ?? 0,
      },
      mode: quick ? 'quick' : 'full',
      serverProcess: inProcess ? 'in-process' : 'child',
      scenarios,
      ...ratiosAndGoals(scenarios),
    };
    reports.push(report);
    if (!json) printTables(report);
  }
  // One PSA: the report as before; several: one report each, in order.
  if (json) console.log(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  // Goals never fail the run; failed requests do, because then the figures mean nothing.
  return reports.some((report) => report.scenarios.some((s) => s.errors > 0 || s.completed === 0)) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
