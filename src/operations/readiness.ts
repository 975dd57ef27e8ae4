import type { JobQueue } from '../jobs/types.js';
import type { Store } from '../store/types.js';

export type ReadinessReport = {
  ready: boolean;
  /** `starting` until migrations ran, `draining` once a shutdown began. */
  state: 'starting' | 'ready' | 'draining';
  checks: { database: 'ok' | 'unreachable'; migrations: 'done' | 'pending'; jobEngine: 'running' | 'stopped' };
};

export type Readiness = {
  /** Migrations ran at start. */
  markMigrated(): void;
  /** A shutdown began: /readyz answers 503 so the load balancer sends no new work. */
  markDraining(): void;
  isDraining(): boolean;
  /** Migrations done and the job engine running (no database round trip). */
  isStarted(): boolean;
  /** Asks the database (bounded by `timeoutMs`) and the job engine. */
  check(options?: { timeoutMs?: number }): Promise<ReadinessReport>;
};

/**
 * What `/readyz` reports: ready to serve means the database answers, this instance's migrations
 * are done, its job engine takes work, and it is not shutting down. `/healthz` stays the
 * liveness check (the process answers), so draining never gets the process killed early.
 */
export function createReadiness(deps: { store: Pick<Store, 'maintenance'>; jobQueue: Pick<JobQueue, 'isRunning'> }): Readiness {
  let migrated = false;
  let draining = false;
  return {
    markMigrated() {
      migrated = true;
    },
    markDraining() {
      draining = true;
    },
    isDraining: () => draining,
    isStarted: () => migrated && deps.jobQueue.isRunning(),
    async check(options = {}) {
      const timeoutMs = options.timeoutMs ?? 2000;
      let timer: NodeJS.Timeout | undefined;
      const database = await Promise.race([
        deps.store.maintenance.ping().then(
          () => 'ok' as const,
          () => 'unreachable' as const,
        ),
        new Promise<'unreachable'>((resolve) => {
          timer = setTimeout(() => resolve('unreachable'), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      const checks = {
        database,
        migrations: migrated ? ('done' as const) : ('pending' as const),
        jobEngine: deps.jobQueue.isRunning() ? ('running' as const) : ('stopped' as const),
      };
      const state = draining ? 'draining' : migrated ? 'ready' : 'starting';
      const ready = !draining && checks.database === 'ok' && checks.migrations === 'done' && checks.jobEngine === 'running';
      return { ready, state, checks };
    },
  };
}
