import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runExecution } from '../src/engine/run-execution.js';
import type { ExecutionStatus, Store } from '../src/store/types.js';
import { passwordResetWorkflow } from '../src/workflows/password-reset/password-reset-workflow.js';
import type { Workflow } from '../src/workflows/types.js';
import {
  AD_CONNECTIONS,
  type AdConnection,
  type AgentOperationTime,
  type BenchActiveDirectory,
  openBenchActiveDirectory,
} from './executions-active-directory.js';
import {
  type BenchDatabase,
  type BenchToolbox,
  countingStore,
  createBenchToolbox,
  type DatabaseName,
  noopWorkflow,
  openPostgres,
  openSqlite,
  probePostgres,
  startWorker,
  timedWorkflow,
} from './executions-harness.js';

const HELP = `Usage: npm run bench:executions -- [--quick] [--json] [--sqlite-only] [--start-samba-dc]

Measures the execution engine in-process, against the ConnectWise and Graph simulators at 0 ms
latency (reached through an in-process fetch: no sockets), on SQLite (a WAL file in a temp dir)
and on PostgreSQL when TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) answers:

  1. engine overhead per step: executions run one at a time with runExecution, with bench-only
     no-op workflows (10 steps that succeed, 10 that fail, 0 steps) and the real password_reset;
     the time between one step's run() returning and the next one's starting is the engine's;
     with a domain controller, also the real password_reset with unlock on an AD-only customer
     over the direct connection (LDAPS to the DC; the account is locked out before each run, so
     the unlock step lifts a lockout), to set the engine's share against real directory steps,
     and the same through the on-prem agent (runAgent in this process, polling the toolbox's
     /agent/v1 routes through app.request: no socket or TLS on that hop; production hub timings),
     set against direct step by step: the link's cost per directory operation;
  2. the store call behind it alone (store.executions.updateStep vs the bare driver);
  3. executions per second: password_reset executions submitted at once through the store job
     queue with the in-process worker at concurrency 1, 4 (the default) and 8.

  --quick        small counts (a smoke test; well under 30 s)
  --json         print the results as JSON instead of tables
  --sqlite-only  do not try PostgreSQL
  --start-samba-dc  without TEST_SAMBA_DC, start a Samba DC (scripts/samba-dc.mjs; root, Samba,
                 its fixed ports free: never where another DC runs). Without either, the AD
                 part is skipped and says why.
  --help         this text

Exit status is 0 unless something broke: an execution that did not end as expected (a no-op or
password_reset run that did not succeed, a failing no-op run that was not failed), or one that did
not finish within the time cap.`;

type Plan = {
  /** Unmeasured runs of each variant first (JIT, statement caches, Graph tokens). */
  overheadWarmup: number;
  /** Measured sequential executions of each variant, interleaved. */
  overheadExecutions: number;
  noopSteps: number;
  storeCalls: number;
  throughputWarmup: number;
  throughputExecutions: number;
  concurrencies: number[];
  /** No scenario runs longer than this; unfinished executions then count as broken. */
  capMs: number;
};

const FULL_PLAN: Plan = {
  overheadWarmup: 30,
  overheadExecutions: 300,
  noopSteps: 10,
  storeCalls: 5000,
  throughputWarmup: 30,
  throughputExecutions: 500,
  concurrencies: [1, 4, 8],
  capMs: 60_000,
};

const QUICK_PLAN: Plan = {
  overheadWarmup: 5,
  overheadExecutions: 30,
  noopSteps: 10,
  storeCalls: 500,
  throughputWarmup: 5,
  throughputExecutions: 50,
  concurrencies: [1, 4, 8],
  capMs: 10_000,
};

/** The store job queue's default (createStoreJobQueue), what production runs unless configured. */
const DEFAULT_CONCURRENCY = 4;

type Stats = { n: number; p50: number; p90: number; p99: number; mean: number; max: number };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest rank: an actual observed value, no interpolation between two samples.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

type Problems = string[];

// ---------------------------------------------------------------------------------------------
// 1. Engine overhead per step

type Variant = {
  name: string;
  workflowSteps: number;
  expected: ExecutionStatus;
  create(toolbox: BenchToolbox, index: number): Promise<string>;
};

type StepTime = { index: number; key: string; start: number; end: number };

export type OverheadResult = {
  database: DatabaseName;
  variant: string;
  workflowSteps: number;
  executions: number;
  capped: boolean;
  /** From one step's run() returning to the next one's starting: the "finished" write, the loop, the "running" write. */
  perStepOverheadMs: Stats;
  /** From runExecution's call to the first step's run(): load the execution, status running, secret, steps. */
  beforeFirstStepMs: Stats;
  /** From the last step's run() returning to runExecution's return: its "finished" write, the note, the final status. */
  afterLastStepMs: Stats;
  executionMs: Stats;
  /**
   * Per step key: durationMs as the engine records it (integer ms, Date.now), and the run() itself;
   * over the agent, also the directory operations the agent ran inside the step (per run) and their
   * time at the agent (LDAP there, summed per step): the rest of the step's time is the link's.
   */
  steps: { key: string; recordedMs: Stats; runMs: Stats; agentOperations?: number; agentMs?: Stats }[];
  /** Store repository calls in one execution of this variant. */
  storeCalls: Record<string, number>;
};

/** The AD password reset: the real workflow, a generated password, must change and unlock, as a technician ticks it. */
function adVariant(ad: BenchActiveDirectory): Variant {
  return {
    name: `password_reset (AD, ${ad.connection})`,
    // check-account, reset-password, unlock (AD has no sessions to revoke: that step is not offered).
    workflowSteps: 3,
    expected: 'succeeded',
    create: async (toolbox, index) => {
      // Outside the timed run: the user locks himself out, as the ticket says.
      await ad.lockOut();
      ad.takeAgentOperations();
      const target = { ...ad.target, userId: ad.userId, form: { password_mode: 'generated', must_change: 'on', unlock: 'on' } };
      return (await toolbox.preparePasswordReset(index, target)).executionId;
    },
  };
}

function variants(noopSteps: number, ads: BenchActiveDirectory[]): Variant[] {
  return [
    {
      name: 'no-op × 0',
      workflowSteps: 0,
      expected: 'succeeded',
      create: (toolbox) => toolbox.createNoopExecution(noopWorkflow('bench_noop_0', 0, false)),
    },
    {
      name: `no-op × ${noopSteps}`,
      workflowSteps: noopSteps,
      expected: 'succeeded',
      create: (toolbox) => toolbox.createNoopExecution(noopWorkflow('bench_noop', noopSteps, false)),
    },
    {
      // Every step throws a ToolboxError: the engine translates it and logs a warning per step;
      // nothing was changed (the note is bookkeeping), so the execution is failed.
      name: `failing × ${noopSteps}`,
      workflowSteps: noopSteps,
      expected: 'failed',
      create: (toolbox) => toolbox.createNoopExecution(noopWorkflow('bench_fail', noopSteps, true)),
    },
    {
      name: 'password_reset',
      workflowSteps: 3,
      expected: 'succeeded',
      create: async (toolbox, index) => (await toolbox.preparePasswordReset(index)).executionId,
    },
    ...ads.map(adVariant),
  ];
}

async function measureOverhead(
  database: BenchDatabase,
  plan: Plan,
  problems: Problems,
  log: (text: string) => void,
  ads: BenchActiveDirectory[],
) {
  const toolbox = await createBenchToolbox(database.store, {
    directories: ads.map((ad) => ad.directory),
    directoryConnectors: Object.assign({}, ...ads.map((ad) => ad.directoryConnectors)),
    psaSeed: ads.flatMap((ad) => (ad.psaSeed ? [ad.psaSeed] : [])),
  });
  // The agent connects to this toolbox (its polls are held open between runs, as in production).
  const detach: (() => Promise<void>)[] = [];
  try {
    for (const ad of ads) detach.push(await ad.attach(toolbox));
  } catch (error) {
    for (const stop of detach) await stop();
    await toolbox.close();
    throw error;
  }
  const adOf = new Map(ads.map((ad) => [adVariant(ad).name, ad]));
  let current: StepTime[] = [];
  const onStep = (index: number, key: string, start: number, end: number) => current.push({ index, key, start, end });
  const workflows: Record<string, Workflow<never>> = {
    bench_noop_0: timedWorkflow(noopWorkflow('bench_noop_0', 0, false), onStep),
    bench_noop: timedWorkflow(noopWorkflow('bench_noop', plan.noopSteps, false), onStep),
    bench_fail: timedWorkflow(noopWorkflow('bench_fail', plan.noopSteps, true), onStep),
    password_reset: timedWorkflow(passwordResetWorkflow as Workflow<never>, onStep),
  };
  const deps = toolbox.engine(workflows);
  const all = variants(plan.noopSteps, ads);
  type Sample = {
    wall: number;
    gaps: number[];
    before: number;
    after: number;
    steps: { key: string; recorded: number; run: number; agentOperations?: number; agentMs?: number }[];
  };
  const samples = new Map<string, Sample[]>(all.map((v) => [v.name, []]));

  const runOne = async (variant: Variant, index: number, store: Store = database.store): Promise<Sample | undefined> => {
    const id = await variant.create(toolbox, index);
    current = [];
    const started = performance.now();
    await runExecution({ ...deps, store }, id);
    const ended = performance.now();
    const times = current;
    const ad = adOf.get(variant.name);
    const operations: AgentOperationTime[] | undefined = ad?.connection === 'agent' ? ad.takeAgentOperations() : undefined;
    const execution = await database.store.executions.get(id);
    if (execution?.status !== variant.expected) {
      problems.push(`${database.name} ${variant.name}: execution ${id} ended ${execution?.status}, expected ${variant.expected}`);
      return undefined;
    }
    if (times.length !== variant.workflowSteps) {
      problems.push(`${database.name} ${variant.name}: ${times.length} steps ran, expected ${variant.workflowSteps}`);
      return undefined;
    }
    const records = await database.store.executions.steps(id);
    const gaps = times.slice(1).map((t, i) => t.start - (times[i] as StepTime).end);
    return {
      wall: ended - started,
      gaps,
      before: (times[0]?.start ?? ended) - started,
      after: ended - (times.at(-1)?.end ?? started),
      steps: records.map((r) => {
        const time = times.find((t) => t.index === r.seq - 1 && t.key === r.key);
        const step = { key: r.key, recorded: r.durationMs ?? Number.NaN, run: time ? time.end - time.start : Number.NaN };
        if (!operations || !time) return step;
        // The agent's operations that ran inside this step's run() (one execution at a time).
        const inside = operations.filter((o) => o.start >= time.start && o.end <= time.end);
        return { ...step, agentOperations: inside.length, agentMs: inside.reduce((sum, o) => sum + (o.end - o.start), 0) };
      }),
    };
  };

  try {
    log(`  ${database.name}: warming up the engine…`);
    for (let i = 0; i < plan.overheadWarmup; i++) for (const variant of all) await runOne(variant, i);
    // The store calls of one execution of each variant, counted through a proxy (not timed).
    const storeCalls = new Map<string, Record<string, number>>();
    for (const variant of all) {
      const counting = countingStore(database.store);
      await runOne(variant, 0, counting.store);
      storeCalls.set(variant.name, Object.fromEntries([...counting.counts].sort(([a], [b]) => a.localeCompare(b))));
    }
    log(`  ${database.name}: ${plan.overheadExecutions} executions of each of ${all.length} workflows, one at a time…`);
    const began = performance.now();
    let capped = false;
    // An AD run takes about a hundred times a simulated one (LDAPS round trips, and six binds to
    // lock the account out first): the cap, a safety net, grows with them so they do not cut the
    // other workflows' samples short.
    const capMs = plan.capMs * (1 + 3 * ads.length);
    // Interleaved, so that the 0-step and the 10-step runs see the same conditions (GC, file size, load).
    for (let i = 0; i < plan.overheadExecutions && !capped; i++) {
      for (const variant of all) {
        const sample = await runOne(variant, i);
        if (sample) samples.get(variant.name)?.push(sample);
      }
      capped = performance.now() - began > capMs;
    }
    return all.map((variant): OverheadResult => {
      const list = samples.get(variant.name) ?? [];
      const keys = [...new Set(list.flatMap((s) => s.steps.map((step) => step.key)))];
      // The no-op steps are alike: one row for all of them.
      const group = (key: string) => (key.startsWith('noop-') ? 'noop-*' : key);
      const groups = [...new Set(keys.map(group))];
      return {
        database: database.name,
        variant: variant.name,
        workflowSteps: variant.workflowSteps,
        executions: list.length,
        capped,
        perStepOverheadMs: stats(list.flatMap((s) => s.gaps)),
        beforeFirstStepMs: stats(variant.workflowSteps > 0 ? list.map((s) => s.before) : []),
        afterLastStepMs: stats(variant.workflowSteps > 0 ? list.map((s) => s.after) : []),
        executionMs: stats(list.map((s) => s.wall)),
        steps: groups.map((key) => {
          const rows = list.flatMap((s) => s.steps.filter((step) => group(step.key) === key));
          const agentRows = rows.filter((r) => r.agentOperations !== undefined);
          return {
            key,
            recordedMs: stats(rows.map((r) => r.recorded).filter(Number.isFinite)),
            runMs: stats(rows.map((r) => r.run).filter(Number.isFinite)),
            ...(agentRows.length > 0
              ? {
                  agentOperations: agentRows.reduce((sum, r) => sum + (r.agentOperations ?? 0), 0) / agentRows.length,
                  agentMs: stats(agentRows.map((r) => r.agentMs ?? 0)),
                }
              : {}),
          };
        }),
        storeCalls: storeCalls.get(variant.name) ?? {},
      };
    });
  } finally {
    for (const stop of detach) await stop();
    await toolbox.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. One store write alone

export type StoreCallResult = { database: DatabaseName; calls: number; storeUpdateStepUs: Stats; rawDriverUs: Stats };

/** The engine writes a step twice (running, finished); this times that one write, through the store and through the bare driver. */
async function measureStoreCall(database: BenchDatabase, plan: Plan): Promise<StoreCallResult> {
  const toolbox = await createBenchToolbox(database.store);
  const raw = await database.rawStepUpdate();
  try {
    const id = await toolbox.createNoopExecution(noopWorkflow('bench_noop', 4, false));
    const viaStore: number[] = [];
    const viaDriver: number[] = [];
    const at = new Date().toISOString();
    for (let i = 0; i < plan.storeCalls; i++) {
      // Alternating, so both see the same conditions; the first 10 % are warm-up.
      const seq = (i % 4) + 1;
      let started = performance.now();
      await database.store.executions.updateStep(id, seq, { status: i % 2 ? 'running' : 'ok', startedAt: at });
      const storeUs = (performance.now() - started) * 1000;
      started = performance.now();
      await raw.run(id, seq, i % 2 ? 'running' : 'ok', at);
      const driverUs = (performance.now() - started) * 1000;
      if (i >= plan.storeCalls / 10) {
        viaStore.push(storeUs);
        viaDriver.push(driverUs);
      }
    }
    return { database: database.name, calls: viaStore.length, storeUpdateStepUs: stats(viaStore), rawDriverUs: stats(viaDriver) };
  } finally {
    await raw.close();
    await toolbox.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Executions per second through the job queue

export type ThroughputResult = {
  database: DatabaseName;
  concurrency: number;
  planned: number;
  succeeded: number;
  capped: boolean;
  wallMs: number;
  executionsPerSecond: number;
  /** From the execution's enqueue call to its run returning (final status stored). */
  latencyMs: Stats;
  /** CPU time of this process (user + system) per execution: engine, store, connectors and simulators. */
  cpuMsPerExecution: number;
};

async function measureThroughput(
  open: () => Promise<BenchDatabase>,
  concurrency: number,
  plan: Plan,
  problems: Problems,
): Promise<ThroughputResult> {
  // A fresh database per scenario, so that no scenario runs on a bigger file than another.
  const database = await open();
  const toolbox = await createBenchToolbox(database.store);
  const finishedAt = new Map<string, number>();
  let waiting: { ids: Set<string>; resolve: () => void } | undefined;
  const worker = await startWorker(toolbox, concurrency, (id) => {
    finishedAt.set(id, performance.now());
    if (waiting?.ids.delete(id) && waiting.ids.size === 0) waiting.resolve();
  });
  /** Submits the prepared executions at once; resolves when all have finished or at the cap. */
  const batch = async (count: number) => {
    const prepared = [];
    for (let i = 0; i < count; i++) prepared.push(await toolbox.preparePasswordReset(i));
    const ids = new Set(prepared.map((p) => p.executionId));
    const enqueuedAt = new Map<string, number>();
    let timer: NodeJS.Timeout | undefined;
    let capped = false;
    const done = new Promise<void>((resolve) => {
      waiting = { ids, resolve };
      timer = setTimeout(() => {
        capped = true;
        resolve();
      }, plan.capMs);
    });
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      prepared.map(async (p) => {
        enqueuedAt.set(p.executionId, performance.now());
        await p.enqueue(worker.queue);
      }),
    );
    await done;
    clearTimeout(timer);
    const used = process.cpuUsage(cpu);
    const ends = prepared.flatMap((p) => {
      const end = finishedAt.get(p.executionId);
      return end === undefined ? [] : [end];
    });
    return {
      prepared,
      capped,
      wallMs: (ends.length > 0 ? Math.max(...ends) : performance.now()) - started,
      cpuMs: (used.user + used.system) / 1000,
      latencies: prepared.flatMap((p) => {
        const end = finishedAt.get(p.executionId);
        return end === undefined ? [] : [end - (enqueuedAt.get(p.executionId) ?? started)];
      }),
    };
  };
  try {
    await batch(plan.throughputWarmup);
    const run = await batch(plan.throughputExecutions);
    let succeeded = 0;
    for (const p of run.prepared) {
      const execution = await database.store.executions.get(p.executionId);
      if (execution?.status === 'succeeded') succeeded++;
      else if (problems.length < 20) problems.push(`${database.name} c=${concurrency}: execution ${p.executionId} is ${execution?.status}`);
    }
    return {
      database: database.name,
      concurrency,
      planned: plan.throughputExecutions,
      succeeded,
      capped: run.capped,
      wallMs: run.wallMs,
      executionsPerSecond: run.latencies.length / (run.wallMs / 1000),
      latencyMs: stats(run.latencies),
      cpuMsPerExecution: run.cpuMs / plan.throughputExecutions,
    };
  } finally {
    await worker.stop();
    await toolbox.close();
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

type Report = {
  machine: { nproc: number; cpu: string; node: string; platform: string; loadavg1: number; postgres: string };
  mode: 'quick' | 'full';
  plan: Plan;
  overhead: OverheadResult[];
  /** (mean execution time of the N-step no-op − that of the 0-step no-op) / N: every per-step cost, by difference. */
  differentialPerStepMs: { database: DatabaseName; ms: number }[];
  storeCall: StoreCallResult[];
  throughput: ThroughputResult[];
  /** The AD password reset per connection: what it ran against, or why it was skipped. */
  activeDirectory: { connection: AdConnection; against?: string; skipped?: string }[];
  /**
   * Per password_reset variant: the engine's time around each step against the steps' own time
   * (means, ms): how much of a step's wall time the engine adds.
   */
  overheadVsStep: { database: DatabaseName; variant: string; overheadPerStepMs: number; stepRunMs: number; overheadShare: number }[];
  /** Per database, the AD reset over the agent against over direct in the same run: what the link costs. */
  agentVsDirect: AgentVsDirect[];
  problems: string[];
};

export type AgentVsDirect = {
  database: DatabaseName;
  /** Engine overhead per step (mean gap), ms. */
  overheadPerStepMs: { direct: number; agent: number };
  /** A step's own run(), mean over all steps, ms; ratio agent / direct. */
  stepRunMs: { direct: number; agent: number; ratio: number };
  executionP50Ms: { direct: number; agent: number; ratio: number };
  steps: {
    key: string;
    directRunMs: { p50: number; mean: number };
    agentRunMs: { p50: number; mean: number };
    /** agent mean / direct mean. */
    ratio: number;
    /** Directory operations the agent ran per step. */
    operations: number;
    /** Their time at the agent (LDAP to the DC), mean per step, ms. */
    agentLdapMs: number;
    /** (agent step − its LDAP time at the agent) / operations: the link's cost per operation, ms. */
    linkPerOperationMs: number;
  }[];
};

function agentVsDirect(overhead: OverheadResult[], stepRunMs: (o: OverheadResult) => number): AgentVsDirect[] {
  const databases = [...new Set(overhead.map((o) => o.database))];
  return databases.flatMap((database) => {
    const direct = overhead.find((o) => o.database === database && o.variant === 'password_reset (AD, direct)' && o.executions > 0);
    const agent = overhead.find((o) => o.database === database && o.variant === 'password_reset (AD, agent)' && o.executions > 0);
    if (!direct || !agent) return [];
    const directStep = stepRunMs(direct);
    const agentStep = stepRunMs(agent);
    return [
      {
        database,
        overheadPerStepMs: { direct: direct.perStepOverheadMs.mean, agent: agent.perStepOverheadMs.mean },
        stepRunMs: { direct: directStep, agent: agentStep, ratio: agentStep / directStep },
        executionP50Ms: {
          direct: direct.executionMs.p50,
          agent: agent.executionMs.p50,
          ratio: agent.executionMs.p50 / direct.executionMs.p50,
        },
        steps: agent.steps.flatMap((step) => {
          const other = direct.steps.find((s) => s.key === step.key);
          if (!other || step.runMs.n === 0) return [];
          const operations = step.agentOperations ?? 0;
          const agentLdapMs = step.agentMs?.mean ?? Number.NaN;
          return [
            {
              key: step.key,
              directRunMs: { p50: other.runMs.p50, mean: other.runMs.mean },
              agentRunMs: { p50: step.runMs.p50, mean: step.runMs.mean },
              ratio: step.runMs.mean / other.runMs.mean,
              operations,
              agentLdapMs,
              linkPerOperationMs: operations > 0 ? (step.runMs.mean - agentLdapMs) / operations : Number.NaN,
            },
          ];
        }),
      },
    ];
  });
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function printReport(report: Report): void {
  const { machine } = report;
  console.log(
    `\nexecutions (${report.mode}; ${machine.nproc} CPU ${machine.cpu}; node ${machine.node}; PostgreSQL ${machine.postgres}; load ${fmt(machine.loadavg1)})`,
  );
  console.log('\n1. engine overhead per step, ms (one execution at a time; simulators at 0 ms; gap from one step to the next)');
  printTable(
    ['db', 'workflow', 'runs', 'step p50', 'step p99', 'step mean', 'before 1st p50', 'after last p50', 'exec p50', 'exec p99'],
    report.overhead.map((o) => [
      o.database,
      o.variant,
      `${o.executions}${o.capped ? ' capped' : ''}`,
      fmt(o.perStepOverheadMs.p50, 3),
      fmt(o.perStepOverheadMs.p99, 3),
      fmt(o.perStepOverheadMs.mean, 3),
      fmt(o.beforeFirstStepMs.p50),
      fmt(o.afterLastStepMs.p50),
      fmt(o.executionMs.p50),
      fmt(o.executionMs.p99),
    ]),
  );
  for (const d of report.differentialPerStepMs) {
    console.log(`  ${d.database}: (mean exec of no-op × N − no-op × 0) / N = ${fmt(d.ms, 3)} ms per step`);
  }
  console.log('\n   per step: durationMs as recorded by the engine vs the run() itself, ms');
  printTable(
    ['db', 'workflow / step', 'recorded p50', 'recorded p99', 'run() p50', 'run() p99'],
    report.overhead.flatMap((o) =>
      o.steps.map((s) => [
        o.database,
        `${o.variant} / ${s.key}`,
        fmt(s.recordedMs.p50, 0),
        fmt(s.recordedMs.p99, 0),
        fmt(s.runMs.p50, 3),
        fmt(s.runMs.p99, 3),
      ]),
    ),
  );
  console.log('\n   engine overhead per step vs the step itself (means, ms; share = overhead / (overhead + step))');
  printTable(
    ['db', 'workflow', 'overhead/step', 'step run()', 'share'],
    report.overheadVsStep.map((o) => [
      o.database,
      o.variant,
      fmt(o.overheadPerStepMs, 3),
      fmt(o.stepRunMs, 3),
      `${fmt(o.overheadShare * 100, 1)} %`,
    ]),
  );
  for (const ad of report.activeDirectory) {
    console.log(`  AD, ${ad.connection}: ${ad.against ? `against ${ad.against}` : `skipped: ${ad.skipped}`}`);
  }
  if (report.agentVsDirect.length > 0) {
    console.log(
      "\n   the AD reset over the agent vs direct, same run (means, ms; the agent's hop to the toolbox is in-process: no socket, no TLS)",
    );
    printTable(
      ['db', 'step', 'direct p50', 'direct mean', 'agent p50', 'agent mean', 'agent/direct', 'ops', 'LDAP at agent', 'link/op'],
      report.agentVsDirect.flatMap((a) => [
        ...a.steps.map((s) => [
          a.database,
          s.key,
          fmt(s.directRunMs.p50),
          fmt(s.directRunMs.mean),
          fmt(s.agentRunMs.p50),
          fmt(s.agentRunMs.mean),
          `${fmt(s.ratio)}×`,
          fmt(s.operations, 1),
          fmt(s.agentLdapMs),
          fmt(s.linkPerOperationMs),
        ]),
        [a.database, 'all steps', '', fmt(a.stepRunMs.direct), '', fmt(a.stepRunMs.agent), `${fmt(a.stepRunMs.ratio)}×`, '', '', ''],
      ]),
    );
    for (const a of report.agentVsDirect) {
      console.log(
        `  ${a.database}: engine overhead per step ${fmt(a.overheadPerStepMs.direct, 3)} ms direct, ${fmt(a.overheadPerStepMs.agent, 3)} ms agent; execution p50 ${fmt(a.executionP50Ms.direct)} → ${fmt(a.executionP50Ms.agent)} ms (${fmt(a.executionP50Ms.ratio)}×)`,
      );
    }
    console.log(
      "  link/op = (agent step − the agent's own time on its operations) / operations: the hub, the poll and answer routes, the store",
    );
  }
  console.log('\n   store calls in one execution');
  for (const o of report.overhead) {
    const total = Object.values(o.storeCalls).reduce((a, b) => a + b, 0);
    console.log(
      `  ${o.database} ${o.variant}: ${total} (${Object.entries(o.storeCalls)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
  }
  console.log('\n2. one step write (store.executions.updateStep) vs the same UPDATE through the bare driver, µs');
  printTable(
    ['db', 'calls', 'store p50', 'store p99', 'driver p50', 'driver p99'],
    report.storeCall.map((s) => [
      s.database,
      String(s.calls),
      fmt(s.storeUpdateStepUs.p50, 0),
      fmt(s.storeUpdateStepUs.p99, 0),
      fmt(s.rawDriverUs.p50, 0),
      fmt(s.rawDriverUs.p99, 0),
    ]),
  );
  console.log('\n3. password_reset executions submitted at once through the store job queue, in-process worker');
  printTable(
    ['db', 'concurrency', 'ok/planned', 'wall s', 'exec/s', 'latency p50 ms', 'latency p99 ms', 'CPU ms/exec'],
    report.throughput.map((t) => [
      t.database,
      `${t.concurrency}${t.concurrency === DEFAULT_CONCURRENCY ? ' (default)' : ''}`,
      `${t.succeeded}/${t.planned}${t.capped ? ' capped' : ''}`,
      fmt(t.wallMs / 1000),
      fmt(t.executionsPerSecond, 1),
      fmt(t.latencyMs.p50, 1),
      fmt(t.latencyMs.p99, 1),
      fmt(t.cpuMsPerExecution),
    ]),
  );
  if (report.problems.length > 0) {
    console.log('\nproblems:');
    for (const problem of report.problems) console.log(`  ${problem}`);
  }
}

/** A step's own run(), mean over every step of every run of the variant. */
function meanStepRunMs(o: OverheadResult): number {
  const runs = o.steps.filter((step) => step.runMs.n > 0);
  return (
    runs.reduce((sum, step) => sum + step.runMs.mean * step.runMs.n, 0) /
    Math.max(
      1,
      runs.reduce((n, step) => n + step.runMs.n, 0),
    )
  );
}

async function main(): Promise<number> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--help') || args.has('-h')) {
    console.log(HELP);
    return 0;
  }
  const known = new Set(['--quick', '--json', '--sqlite-only', '--start-samba-dc']);
  const unknown = [...args].filter((a) => !known.has(a));
  if (unknown.length > 0) {
    console.error(`Unknown option ${unknown.join(', ')}\n\n${HELP}`);
    return 2;
  }
  const quick = args.has('--quick');
  const json = args.has('--json');
  const plan = quick ? QUICK_PLAN : FULL_PLAN;
  const began = performance.now();
  const log = (text: string) => {
    if (!json) console.error(`[${((performance.now() - began) / 1000).toFixed(1)} s] ${text}`);
  };

  const postgres = args.has('--sqlite-only') ? { skip: '--sqlite-only' } : await probePostgres();
  if ('skip' in postgres) log(`skipping PostgreSQL: ${postgres.skip}`);
  const databases: { name: DatabaseName; open: () => Promise<BenchDatabase> }[] = [
    { name: 'sqlite', open: openSqlite },
    ...('version' in postgres ? [{ name: 'postgres' as const, open: openPostgres }] : []),
  ];

  const ads: BenchActiveDirectory[] = [];
  const activeDirectory: Report['activeDirectory'] = [];
  for (const connection of AD_CONNECTIONS) {
    const opened = await openBenchActiveDirectory(connection, { startDc: args.has('--start-samba-dc') });
    if ('skip' in opened) {
      log(`skipping the AD password reset (${connection}): ${opened.skip}`);
      activeDirectory.push({ connection, skipped: opened.skip });
    } else {
      ads.push(opened);
      activeDirectory.push({ connection, against: opened.describe });
    }
  }

  const problems: Problems = [];
  const overhead: OverheadResult[] = [];
  const storeCall: StoreCallResult[] = [];
  const throughput: ThroughputResult[] = [];
  try {
    for (const { name, open } of databases) {
      log(`${name}: engine overhead…`);
      const database = await open();
      try {
        overhead.push(...(await measureOverhead(database, plan, problems, log, ads)));
        log(`${name}: one store write, ${plan.storeCalls} times…`);
        storeCall.push(await measureStoreCall(database, plan));
      } finally {
        await database.close();
      }
      for (const concurrency of plan.concurrencies) {
        log(`${name}: ${plan.throughputExecutions} password resets through the queue at concurrency ${concurrency}…`);
        throughput.push(await measureThroughput(open, concurrency, plan, problems));
      }
    }
  } finally {
    for (const ad of ads) await ad.close();
  }

  const differentialPerStepMs = databases.flatMap(({ name }) => {
    const zero = overhead.find((o) => o.database === name && o.workflowSteps === 0);
    const many = overhead.find((o) => o.database === name && o.variant.startsWith('no-op') && o.workflowSteps > 0);
    return zero && many ? [{ database: name, ms: (many.executionMs.mean - zero.executionMs.mean) / many.workflowSteps }] : [];
  });
  const report: Report = {
    machine: {
      nproc: cpus().length,
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadavg1: loadavg()[0] ?? 0,
      postgres: 'version' in postgres ? postgres.version : `skipped (${postgres.skip})`,
    },
    mode: quick ? 'quick' : 'full',
    plan,
    overhead,
    differentialPerStepMs,
    storeCall,
    throughput,
    activeDirectory,
    overheadVsStep: overhead
      .filter((o) => o.variant.startsWith('password_reset') && o.executions > 0)
      .map((o) => {
        const stepRunMs = meanStepRunMs(o);
        const overheadPerStepMs = o.perStepOverheadMs.mean;
        return {
          database: o.database,
          variant: o.variant,
          overheadPerStepMs,
          stepRunMs,
          overheadShare: overheadPerStepMs / (overheadPerStepMs + stepRunMs),
        };
      }),
    agentVsDirect: agentVsDirect(overhead, meanStepRunMs),
    problems,
  };
  if (json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  log('done');
  const broken = problems.length > 0 || throughput.some((t) => t.capped || t.succeeded !== t.planned);
  return broken ? 1 : 0;
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
