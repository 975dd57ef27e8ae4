import type { ConcurrencyLimit } from '../../lib/concurrency-limit.js';

/**
 * How soon a screen pop's reads must be able to start for the toolbox to accept it. Under a burst,
 * a launch whose reads would wait longer is refused at the webhook (503, "try again in a few
 * seconds") rather than accepted and left to time out behind its redirect; and since nothing waits
 * longer than this, the toolbox is back to normal within about this long after a burst ends.
 */
export const READ_START_BUDGET_MS = 2_000;

/** Calls a launch makes to its directory once its reads are done (find the user, roles, form data). */
const DIRECTORY_CALLS_PER_LAUNCH = 2;

export type LaunchCapacity = { ok: true } | { ok: false; retryAfterSeconds: number; busy: 'psa' | 'directory' };

/**
 * Whether a new launch's PSA reads (and then its directory calls) would start within the budget,
 * given what is already running, queued and admitted on those connections. When it would, its
 * PSA reads are reserved, so the pops that arrive before they are sent count them.
 */
export function checkLaunchCapacity(
  limits: { psa: ConcurrencyLimit | undefined; directory: ConcurrencyLimit | undefined },
  reads: number,
  budgetMs = READ_START_BUDGET_MS,
): LaunchCapacity {
  for (const [busy, limit, calls] of [
    ['psa', limits.psa, reads],
    ['directory', limits.directory, DIRECTORY_CALLS_PER_LAUNCH],
  ] as const) {
    if (!limit || limit.admits(calls, budgetMs)) continue;
    // About when the queue will have drained to what the budget allows; at least a second.
    const seconds = Math.ceil((limit.expectedWaitMs(calls) - budgetMs) / 1000);
    return { ok: false, busy, retryAfterSeconds: Math.min(30, Math.max(1, seconds)) };
  }
  limits.psa?.reserve(reads);
  return { ok: true };
}
