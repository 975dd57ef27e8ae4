import type { Config } from './config/config.js';
import { directoryConnectors } from './connectors/directory/index.js';
import { psaConnectors } from './connectors/psa/index.js';
import { syncConfiguredUsers } from './domain/auth/add-user.js';
import { createSessionResolver } from './domain/auth/resolve-session.js';
import { RUN_EXECUTION_JOB } from './domain/execution/submit-execution.js';
import { createAccountRolesCache } from './domain/launch/account-roles-cache.js';
import { createLaunchReads } from './domain/launch/launch-reads.js';
import { createOptionLoader } from './domain/launch/load-options.js';
import { createLiveSettings } from './domain/settings/live-settings.js';
import { runExecution } from './engine/run-execution.js';
import { RETRY_TICKET_NOTE_JOB, retryTicketNote } from './engine/write-ticket-note.js';
import { formDefaultsSchemas, forms } from './forms/index.js';
import { jobQueueKinds } from './jobs/index.js';
import type { Clock } from './lib/clock.js';
import type { FetchLike } from './lib/http-fetch.js';
import type { Logger } from './lib/logger.js';
import { createSecretBox } from './lib/secret-box.js';
import type { Services } from './services.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';
import { workflows } from './workflows/index.js';

export type CreateServicesOptions = {
  config: Config;
  logger: Logger;
  clock: Clock;
  fetch: FetchLike;
  /** The secret box's keys, the current one first (more than one during a key rotation). */
  secretKey: Buffer | Buffer[];
  /** An already opened store (tests); otherwise opened from the configuration. */
  store?: Store;
  workerConcurrency?: number;
  /** How long a dead worker's job stays claimed before another takes it over (tests shorten it). */
  jobLeaseMs?: number;
  /** Waits between retries of a ticket note ConnectWise did not take (tests shorten them). */
  noteRetryDelaysMs?: number[];
};

/**
 * The composition root: builds every service from the configuration and wires the worker. The
 * returned `start()` migrates the store, syncs the configured users and starts the worker;
 * `stop()` undoes it in reverse.
 */
export function createServices(options: CreateServicesOptions): Services & { start(): Promise<void>; stop(): Promise<void> } {
  const { config, logger, clock, fetch } = options;
  const store = options.store ?? openStore(config.database);
  const secretBox = createSecretBox(options.secretKey);
  const settings = createLiveSettings({
    config,
    store,
    secretBox,
    fetch,
    logger,
    clock,
    psaConnectors,
    directoryConnectors,
    formDefaultsSchemas,
    availableForms: Object.keys(forms),
  });
  const { psa, directories } = settings;
  const jobQueue = jobQueueKinds.store({
    store,
    clock,
    logger: logger.child({ component: 'worker' }),
    ...(options.workerConcurrency ? { concurrency: options.workerConcurrency } : {}),
    ...(options.jobLeaseMs ? { leaseMs: options.jobLeaseMs } : {}),
  });
  const launchReads = createLaunchReads({ psa, launches: store.launches, clock, logger });
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
    workflows,
    jobQueue,
    secretBox,
    launchReads,
    sessions,
    loadOptions: createOptionLoader({ launches: store.launches, directories, forms, clock }),
    accountRoles: createAccountRolesCache({ clock }),
  };
  let housekeeping: NodeJS.Timeout | undefined;

  return {
    ...services,
    async start() {
      await store.migrate();
      await settings.refresh({ force: true });
      await syncConfiguredUsers({ store, clock }, config.users);
      const engine = {
        store,
        psa,
        directories,
        workflows,
        secretBox,
        jobQueue,
        clock,
        logger,
        publicUrl: config.publicUrl,
        // Ticket notes are attributed to the technician's PSA member (admin console: Technicians).
        memberFor: (userId: string) => {
          const mapping = settings.current().technicians[userId];
          return mapping ? { id: mapping.memberId, identifier: mapping.identifier } : undefined;
        },
        ...(options.noteRetryDelaysMs ? { noteRetryDelaysMs: options.noteRetryDelaysMs } : {}),
      };
      jobQueue.start({
        [RUN_EXECUTION_JOB]: async (payload, job) => {
          await settings.ensureFresh();
          await runExecution(engine, (payload as { executionId: string }).executionId, job.lease);
        },
        [RETRY_TICKET_NOTE_JOB]: async (payload, job) => {
          await settings.ensureFresh();
          await retryTicketNote(engine, payload as { executionId: string; noteSeq: number; attempt: number }, job.lease);
        },
      });
      // Secrets nobody looked at and sessions that ran out do not stay in the database.
      housekeeping = setInterval(() => {
        const now = new Date(clock.now()).toISOString();
        Promise.all([store.executions.purgeExpiredSecrets(now), store.sessions.deleteExpired(now)]).catch((error) =>
          logger.error({ err: error }, 'housekeeping failed'),
        );
      }, 60_000);
      housekeeping.unref();
    },
    async stop() {
      if (housekeeping) clearInterval(housekeeping);
      await jobQueue.stop();
      // A store handed in belongs to the caller, who closes it.
      if (!options.store) await store.close();
    },
  };
}
