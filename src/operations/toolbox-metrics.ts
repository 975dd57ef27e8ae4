import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobBacklog } from '../jobs/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { OperationalCounts, Store } from '../store/types.js';
import type { UpstreamObserver } from './instrument-fetch.js';
import type { Readiness } from './readiness.js';

export type ToolboxMetrics = {
  registry: Registry;
  /** One upstream call (see instrument-fetch.ts). */
  observeUpstream: UpstreamObserver;
  /** One screen pop: from its arrival to its PSA reads' results saved (the form can be shown). */
  observeScreenPop(outcome: 'ready' | 'failed', seconds: number): void;
  /** The Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
};

export type CreateToolboxMetricsOptions = {
  store: Pick<Store, 'maintenance'>;
  clock: Clock;
  readiness: Pick<Readiness, 'isDraining' | 'isStarted'>;
  logger: Logger;
  /** Node's process metrics (CPU, memory, event loop, GC); on by default. */
  processMetrics?: boolean;
  /**
   * Unfinished jobs when the job engine keeps them outside the store (pg-boss); undefined: the
   * store's own counts are the queue.
   */
  jobBacklog?: () => Promise<JobBacklog> | undefined;
};

/** Store counts are read at most this often, however often (or by how many scrapers) /metrics is asked. */
const COUNTS_MAX_AGE_MS = 5000;

/**
 * The service's Prometheus metrics, in a registry of its own (a test builds as many as it likes).
 * What happens in this process (screen pops, upstream calls) is counted as it happens, cheaply:
 * label children are looked up once. What the store holds (executions, steps, the job queue) is
 * counted from the store when scraped, so every instance reports the same totals and a restart
 * loses nothing; those series describe the whole service, not the instance (docs/operations.md).
 */
export function createToolboxMetrics(options: CreateToolboxMetricsOptions): ToolboxMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const screenPop = new Histogram({
    name: 'toolbox_screenpop_duration_seconds',
    help: 'Screen pop latency: from the webhook call to the PSA reads (ticket, company, contact) done and saved, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const upstream = new Histogram({
    name: 'toolbox_upstream_request_duration_seconds',
    help: 'Upstream HTTP calls (PSA, Microsoft Graph and sign-in, Exchange) by connector and HTTP status, or timeout/network/aborted when no response came',
    labelNames: ['connector', 'status'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'toolbox_ready',
    help: '1 when this instance has started and is not draining (see /readyz for the database check)',
    registers: [registry],
    collect() {
      this.set(options.readiness.isStarted() && !options.readiness.isDraining() ? 1 : 0);
    },
  });

  let counts: { at: number; value: Promise<OperationalCounts | undefined> } | undefined;
  const readCounts = () => {
    const now = options.clock.now();
    if (!counts || now - counts.at >= COUNTS_MAX_AGE_MS) {
      counts = {
        at: now,
        value: Promise.all([options.store.maintenance.counts(new Date(now).toISOString()), options.jobBacklog?.()])
          .then(([stored, backlog]) => (backlog ? { ...stored, jobs: backlog } : stored))
          .catch((error: unknown) => {
            options.logger.warn({ err: error }, 'metrics: could not read the counts from the store');
            counts = undefined;
            return undefined;
          }),
      };
    }
    return counts.value;
  };
  new Gauge({
    name: 'toolbox_metrics_store_up',
    help: '1 when the store counts below could be read for this scrape',
    registers: [registry],
    async collect() {
      this.set((await readCounts()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'toolbox_executions',
    help: 'Executions in the store by form and status (whole service; the same on every instance)',
    labelNames: ['form', 'status'] as const,
    registers: [registry],
    async collect() {
      const value = await readCounts();
      this.reset();
      for (const row of value?.executions ?? []) this.labels(row.formName, row.status).set(row.count);
    },
  });
  new Gauge({
    name: 'toolbox_execution_steps',
    help: 'Execution steps in the store by status; status "unknown" counts writes whose outcome a crash left unknown',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const value = await readCounts();
      this.reset();
      for (const row of value?.steps ?? []) this.labels(row.status).set(row.count);
    },
  });
  new Gauge({
    name: 'toolbox_job_queue_depth',
    help: 'Unfinished jobs by kind and state: due (waiting for a worker), scheduled (for later), running',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      const value = await readCounts();
      this.reset();
      for (const row of value?.jobs ?? []) this.labels(row.kind, row.state).set(row.count);
    },
  });
  new Gauge({
    name: 'toolbox_job_queue_oldest_due_age_seconds',
    help: 'How long the oldest due job has been waiting for a worker, by kind (absent when none waits)',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const value = await readCounts();
      this.reset();
      const now = options.clock.now();
      for (const row of value?.jobs ?? []) {
        if (row.state !== 'due' || !row.oldestRunAt) continue;
        this.labels(row.kind).set(Math.max(0, (now - Date.parse(row.oldestRunAt)) / 1000));
      }
    },
  });

  // Label children looked up once: observe() on the hot path is then a few additions.
  const upstreamChildren = new Map<string, ReturnType<typeof upstream.labels>>();
  const screenPopChildren = { ready: screenPop.labels('ready'), failed: screenPop.labels('failed') };

  return {
    registry,
    observeUpstream(connector, status, seconds) {
      const key = `${connector} ${status}`;
      let child = upstreamChildren.get(key);
      if (!child) {
        child = upstream.labels(connector, status);
        upstreamChildren.set(key, child);
      }
      child.observe(seconds);
    },
    observeScreenPop(outcome, seconds) {
      screenPopChildren[outcome].observe(seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
