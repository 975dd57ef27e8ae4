import type { PsaClient } from '../../connectors/psa/types.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { LaunchContext, LaunchRecord, LaunchRepo, LaunchStatus } from '../../store/types.js';
import { contextIsComplete, readPsaContext } from './read-psa-context.js';

/**
 * The PSA reads of each launch. They start when the screen pop arrives, run in parallel, and the
 * launch page waits for the promise held here, so the browser's redirect and the technician's
 * sign-in overlap with the PSA round trips. Results are also saved to the store, so another
 * instance (or this one after the promise is gone) can render the form.
 */
export type LaunchReads = {
  /**
   * Starts the reads; their result is saved once `inserted` (the launch row's insert) settles.
   * With `prefetched` (the ticket launcher read these very records moments ago for the same
   * technician) nothing is read again: that context is saved as the launch's.
   */
  start(launch: LaunchRecord, inserted: Promise<void>, prefetched?: LaunchContext): void;
  /**
   * A launch started by this process, as it was created, with its reads; undefined when another
   * process started it or it is long done. Spares the page a store read on the hot path.
   */
  inFlight(launchId: string): { launch: LaunchRecord; context: Promise<LaunchContext> } | undefined;
  /** Stops serving this launch from memory (it was submitted): the next page reads the store. */
  forget(launchId: string): void;
};

export function createLaunchReads(deps: {
  psa: PsaClient;
  launches: LaunchRepo;
  clock: Clock;
  logger: Logger;
  keepMs?: number;
  /** Launches held in memory at most; past that the oldest are served from the store. */
  maxHeld?: number;
}): LaunchReads {
  const pending = new Map<string, { launch: LaunchRecord; context: Promise<LaunchContext> }>();
  const keepMs = deps.keepMs ?? 60_000;
  const maxHeld = deps.maxHeld ?? 1_000;

  return {
    start(launch, inserted, prefetched) {
      const promise = (async (): Promise<LaunchContext> => {
        const context = prefetched ?? (await readPsaContext(deps, launch));
        for (const [name, result] of Object.entries(context)) {
          if (result && !result.ok) deps.logger.warn({ launchId: launch.id, read: name, error: result.error }, 'PSA read failed');
        }
        await inserted.catch(() => {});
        const status: LaunchStatus = contextIsComplete(context) ? 'ready' : 'failed';
        await deps.launches.saveContext(launch.id, status, context, new Date(deps.clock.now()).toISOString()).catch((error) => {
          deps.logger.error({ err: error, launchId: launch.id }, 'could not save launch context');
        });
        return context;
      })();
      pending.set(launch.id, { launch: { ...launch }, context: promise });
      // A burst must not grow memory with every launch of the last minute: past the bound, the
      // oldest (long read, in all likelihood) are forgotten; their pages read the store.
      for (const id of pending.keys()) {
        if (pending.size <= maxHeld) break;
        pending.delete(id);
      }
      // Forget the promise once it had time to be used; the store has the result.
      void promise.finally(() => {
        setTimeout(() => pending.delete(launch.id), keepMs).unref();
      });
    },
    inFlight: (launchId) => pending.get(launchId),
    forget: (launchId) => {
      pending.delete(launchId);
    },
  };
}
