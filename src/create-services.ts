import type { Config } from './config/config.js';
import { ConfigError } from './config/load-config.js';
import { directoryConnectors as builtInDirectoryConnectors } from './connectors/directory/index.js';
import type { DirectoryConnector } from './connectors/directory/types.js';
import { psaConnectors as builtInPsaConnectors } from './connectors/psa/index.js';
import type { PsaConnectorRegistry } from './connectors/psa/types.js';
import { createLiveSignInProviders } from './connectors/sign-in/sign-in-providers.js';
import { type AgentHubOptions, createAgentHub } from './domain/agents/agent-hub.js';
import { syncConfiguredUsers } from './domain/auth/add-user.js';
import { createSessionResolver } from './domain/auth/resolve-session.js';
import { createSignInThrottle } from './domain/auth/sign-in-throttle.js';
import { RUN_EXECUTION_JOB } from './domain/execution/submit-execution.js';
import { createAccountRolesCache } from './domain/launch/account-roles-cache.js';
import { createLaunchReads } from './domain/launch/launch-reads.js';
import { createOptionLoader } from './domain/launch/load-options.js';
import { createTicketLauncherReads } from './domain/launch/ticket-launcher-reads.js';
import { createMicrosoftAppServices } from './domain/microsoft-app/microsoft-app-services.js';
import type { MspApp } from './domain/microsoft-app/msp-app.js';
import { purgeExpiredRecords } from './domain/retention/purge-expired-records.js';
import { createLiveSettings } from './domain/settings/live-settings.js';
import { endAbandonedExecution, runExecution } from './engine/run-execution.js';
import { RETRY_TICKET_NOTE_JOB, retryTicketNote } from './engine/write-ticket-note.js';
import type { FormRegistry } from './forms/form-registry.js';
import { builtInForms } from './forms/index.js';
import { handOverStoreJobs } from './jobs/hand-over-store-jobs.js';
import { defaultJobQueueKind, jobQueueKinds } from './jobs/index.js';
import type { JobQueue } from './jobs/types.js';
import type { Clock } from './lib/clock.js';
import type { FetchLike } from './lib/http-fetch.js';
import type { Logger } from './lib/logger.js';
import { createSecretBox } from './lib/secret-box.js';
import { instrumentFetch } from './operations/instrument-fetch.js';
import { instrumentLaunchReads } from './operations/instrument-launch-reads.js';
import { createReadiness } from './operations/readiness.js';
import { createToolboxMetrics } from './operations/toolbox-metrics.js';
import type { Services } from './services.js';
import { openStore } from './store/index.js';
import { LeaseLostError, type Store } from './store/types.js';

export type CreateServicesOptions = {
  config: Config;
  /** Least time between JWKS fetches for an unknown signing key at sign-in (default 5 minutes; tests shorten it). */
  signInJwksCooldownMs?: number;
  logger: Logger;
  clock: Clock;
  fetch: FetchLike;
  /** The secret box's keys, the current one first (more than one during a key rotation). */
  secretKey: Buffer | Buffer[];
  /** An already opened store (tests); otherwise opened from the configuration. */
  store?: Store;
  workerConcurrency?: number;
  /** Store queue: how long a dead worker's job stays claimed before another takes it over (tests shorten it). */
  jobLeaseMs?: number;
  /** Replaces the configuration's job engine (tests run both). */
  jobEngine?: 'store' | 'pg-boss';
  /** Waits between retries of a ticket note the PSA did not take (tests shorten them). */
  noteRetryDelaysMs?: number[];
  /** Node's process metrics in /metrics (default on). */
  processMetrics?: boolean;
  /** Replaces each connector's own limit of calls at once per connection (tests make it small). */
  maxConcurrentRequests?: number;
  /**
   * The PSA connectors this toolbox has, by kind (default: the registry in connectors/psa/index.ts).
   * A test registers a PSA of its own here; the configuration must be loaded with the same registry.
   */
  psaConnectors?: PsaConnectorRegistry;
  /** The directory connectors, by kind (default: connectors/directory/index.ts); as for `psaConnectors`. */
  directoryConnectors?: Record<string, DirectoryConnector<unknown>>;
  /**
   * The forms this toolbox has (default: forms/index.ts). A test registers a form of its own here;
   * the configuration must be loaded with the same registry's names and defaults schemas.
   */
  forms?: FormRegistry;
  /** The on-prem agents' timings (tests shorten the poll and the offline window). */
  agentHub?: AgentHubOptions;
  /** The MSP's multi-tenant app (from the configuration's `microsoft` block), for tenants connected by admin consent. */
  mspApp?: MspApp;
  /** Waits between token attempts right after a consent (tests make them instant). */
  sleep?: (ms: number) => Promise<void>;
};

export type StopServicesOptions = {
  /** Running jobs get this long to finish before they are handed back; default: waited for. */
  drainTimeoutMs?: number;
  /** Settles when the web listener has no request left; the store stays open until then. */
  requestsDone?: Promise<void>;
};

/** How often each instance runs the retention purge (docs/operations.md). */
const RETENTION_PURGE_INTERVAL_MS = 60 * 60_000;

/**
 * The composition root: builds every service from the configuration and wires the worker. The
 * returned `start()` migrates the store, syncs the configured users and starts the worker;
 * `stop()` undoes it in reverse.
 */
export function createServices(
  options: CreateServicesOptions,
): Services & { start(): Promise<void>; stop(stopOptions?: StopServicesOptions): Promise<void> } {
  const { config, logger, clock, fetch } = options;
  const psaConnectors = options.psaConnectors ?? builtInPsaConnectors;
  const directoryConnectors = options.directoryConnectors ?? builtInDirectoryConnectors;
  const forms = options.forms ?? builtInForms;
  const store = options.store ?? openStore(config.database);
  const secretBox = createSecretBox(options.secretKey);
  // The job queue is built below; readiness asks it through this late binding.
  let jobQueueRef: Pick<JobQueue, 'isRunning' | 'backlog'> = { isRunning: () => false };
  const readiness = createReadiness({ store, jobQueue: { isRunning: () => jobQueueRef.isRunning() } });
  const metrics = createToolboxMetrics({
    store,
    clock,
    readiness,
    logger,
    jobBacklog: () => jobQueueRef.backlog?.(),
    ...(options.processMetrics !== undefined ? { processMetrics: options.processMetrics } : {}),
  });
  // The pre-shared agent tokens are read from the directories in force (below) when an agent polls.
  const agents = createAgentHub(
    {
      store,
      secretBox,
      clock,
      logger: logger.child({ component: 'agents' }),
      presharedTokens: () =>
        settings.directories.all().flatMap((entry) => {
          const token = (entry.config.settings as { agentToken?: unknown } | undefined)?.agentToken;
          return typeof token === 'string' && token !== '' ? [[entry.config.id, token] as [string, string]] : [];
        }),
    },
    options.agentHub,
  );
  const connectorFetches = new Map<string, FetchLike>();
  const settings = createLiveSettings({
    config,
    store,
    secretBox,
    fetch,
    fetchFor: (kind) => {
      let counted = connectorFetches.get(kind);
      if (!counted) {
        counted = instrumentFetch(fetch, kind, metrics.observeUpstream);
        connectorFetches.set(kind, counted);
      }
      return counted;
    },
    logger,
    clock,
    psaConnectors,
    directoryConnectors,
    formDefaultsSchemas: forms.defaultsSchemas,
    availableForms: [...forms.names],
    agents,
    ...(options.maxConcurrentRequests ? { maxConcurrentRequests: options.maxConcurrentRequests } : {}),
    // The MSP app technicians sign in with is the one customer tenants consent to (issue 13): the
    // file's (or this option's), else the one saved in the console (live-settings.ts).
    ...(options.mspApp ? { mspApp: options.mspApp } : {}),
  });
  const { psa, directories } = settings;
  const jobEngine = options.jobEngine ?? config.jobEngine ?? defaultJobQueueKind(store);
  if (jobEngine === 'pg-boss' && store.dialect !== 'postgres') {
    throw new ConfigError(config.configPath ?? 'the configuration', [
      'jobEngine: pg-boss runs on PostgreSQL only; this database is SQLite. Leave `jobEngine` out (SQLite uses the store queue) or set `database` to a postgres:// URL.',
    ]);
  }
  const jobQueue = jobQueueKinds[jobEngine]({
    store,
    clock,
    logger: logger.child({ component: 'worker' }),
    ...(options.workerConcurrency ? { concurrency: options.workerConcurrency } : {}),
    ...(options.jobLeaseMs ? { leaseMs: options.jobLeaseMs } : {}),
    retentionDays: () => settings.current().general.jobRetentionDays.value,
  });
  jobQueueRef = jobQueue;
  const launchReads = instrumentLaunchReads(createLaunchReads({ psa, launches: store.launches, clock, logger }), metrics.observeScreenPop);
  const sessions = createSessionResolver({ store, clock, sessionTtlHours: () => settings.current().general.sessionTtlHours.value });
  const services: Services = {
    config,
    store,
    clock,
    logger,
    settings,
    connectors: { psa: psaConnectors, directory: directoryConnectors },
    psa,
    directories,
    forms,
    jobQueue,
    secretBox,
    launchReads,
    ticketLauncherReads: createTicketLauncherReads({ psa, clock }),
    sessions,
    signInThrottle: createSignInThrottle({ store, clock, logger }),
    signInProviders: createLiveSignInProviders({
      config,
      microsoftApp: () => {
        const current = settings.current().microsoftApp;
        return current ? { key: `${current.source}:${current.revision ?? ''}`, config: current.config } : undefined;
      },
      fetch: instrumentFetch(fetch, 'sign-in', metrics.observeUpstream),
      clock,
      logger: logger.child({ component: 'sign-in' }),
      ...(options.signInJwksCooldownMs !== undefined ? { jwksCooldownMs: options.signInJwksCooldownMs } : {}),
    }),
    loadOptions: createOptionLoader({ launches: store.launches, directories, forms: forms.forms, clock }),
    accountRoles: createAccountRolesCache({ clock }),
    readiness,
    metrics,
    agents,
    microsoftApp: createMicrosoftAppServices({
      config,
      store,
      settings,
      secretBox,
      clock,
      fetch,
      logger,
      forms,
      directoryConnectors,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    }),
  };
  let housekeeping: NodeJS.Timeout | undefined;

  return {
    ...services,
    async start() {
      await store.migrate();
      readiness.markMigrated();
      await settings.refresh({ force: true });
      requireScreenpopSecret(config, settings.current().screenpop.secret !== undefined);
      await syncConfiguredUsers({ store, clock }, config.users);
      const engine = {
        store,
        psa,
        psaKind: () => settings.current().psa?.kind ?? null,
        psaConnectors,
        directories,
        workflows: forms.workflows,
        secretBox,
        jobQueue,
        clock,
        logger,
        publicUrl: config.publicUrl,
        // Ticket notes are attributed to the technician's PSA member (admin console: Technicians).
        authorFor: (userId: string) => {
          const mapping = settings.current().technicians[userId];
          return mapping ? { id: mapping.memberId, display: mapping.identifier } : undefined;
        },
        ...(options.noteRetryDelaysMs ? { noteRetryDelaysMs: options.noteRetryDelaysMs } : {}),
      };
      if (jobEngine !== 'store') {
        await handOverStoreJobs({ jobs: store.jobs, queue: jobQueue, logger, now: () => new Date(clock.now()).toISOString() });
      }
      await jobQueue.start({
        [RUN_EXECUTION_JOB]: async (payload, job) => {
          const { executionId } = payload as { executionId: string };
          try {
            await settings.ensureFresh();
            await runExecution(engine, executionId, job.lease);
          } catch (error) {
            // Nothing will run it again: end it honestly instead of leaving it `running` forever.
            if (!job.final || error instanceof LeaseLostError) throw error;
            await endAbandonedExecution(engine, executionId, error instanceof Error ? error.message : String(error), job.lease);
          }
        },
        [RETRY_TICKET_NOTE_JOB]: async (payload, job) => {
          await settings.ensureFresh();
          await retryTicketNote(engine, payload as { executionId: string; noteSeq: number; attempt: number }, job.lease);
        },
      });
      // Secrets nobody looked at and sessions that ran out do not stay in the database; once an
      // hour, what the retention settings say was kept long enough goes too.
      let lastPurge = Number.NEGATIVE_INFINITY;
      housekeeping = setInterval(() => {
        const now = new Date(clock.now()).toISOString();
        Promise.all([
          store.executions.purgeExpiredSecrets(now),
          store.sessions.deleteExpired(now),
          services.signInThrottle.purge(),
          agents.purge(),
          store.consentStates.purgeExpired(now),
          store.consentResults.purgeExpired(now),
        ]).catch((error) => logger.error({ err: error }, 'housekeeping failed'));
        if (clock.now() - lastPurge < RETENTION_PURGE_INTERVAL_MS) return;
        lastPurge = clock.now();
        const general = settings.current().general;
        purgeExpiredRecords(
          { store, clock },
          {
            launches: general.launchRetentionDays.value,
            jobs: general.jobRetentionDays.value,
            executions: general.executionRetentionDays.value,
          },
        ).then(
          (purged) => logger.info({ purged }, 'retention purge done'),
          (error) => logger.error({ err: error }, 'retention purge failed'),
        );
      }, 60_000);
      housekeeping.unref();
    },
    async stop(stopOptions = {}) {
      readiness.markDraining();
      if (housekeeping) clearInterval(housekeeping);
      await jobQueue.stop(stopOptions.drainTimeoutMs !== undefined ? { timeoutMs: stopOptions.drainTimeoutMs } : {});
      await stopOptions.requestsDone;
      // A store handed in belongs to the caller, who closes it.
      if (!options.store) await store.close();
    },
  };
}

/**
 * A configuration file that sets up the PSA is a production install: it must not start with the
 * screen-pop webhook open to anyone who can reach it (the secret may be in the file or already
 * saved in the admin console). A console-first install starts without one; its webhook refuses
 * every screen pop until an admin sets the secret (src/web/routes/screenpop-route.tsx).
 */
function requireScreenpopSecret(config: Config, secretSet: boolean): void {
  if (!config.psa || secretSet) return;
  throw new ConfigError(config.configPath ?? 'the configuration', [
    'screenpop.secret: the file sets up the PSA but no screen-pop webhook secret is set, so anyone who can reach the toolbox could ' +
      'open screen pops and read tickets and contacts. Add `screenpop: { secret: env:SCREENPOP_SECRET }` to the file and set ' +
      'that variable to a long random value (e.g. `openssl rand -base64 24`), then enter the same value in 1Stream as the Client API ' +
      'Key. (Or leave `psa` out of the file and set up both the PSA and the secret in the admin console.) See docs/configuration.md.',
  ]);
}
