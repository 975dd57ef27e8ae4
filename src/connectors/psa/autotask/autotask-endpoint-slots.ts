import { ConcurrencyLimit, QueueFullError } from '../../../lib/concurrency-limit.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';

/**
 * At most 3 calls at once per object endpoint (reference §8, [AT-help] ThreadLimiting: "thread limits
 * apply to the combination of each unique API tracking identifier plus object endpoint"): Autotask
 * refuses a 4th with 429 "thread threshold", so the 4th waits here instead. This is where the
 * vendor's rule is kept: the toolbox's own limit per connection (`maxConcurrentRequests`) is
 * wider, since the rule is per endpoint, and a client built for a check has no such wrapper.
 *
 * The endpoint is the path's first segment (`Tickets/123/Notes` counts as Tickets): whether
 * Autotask counts a child URL under its parent is not documented, and counting it there can only
 * make the toolbox more careful.
 */
export const AUTOTASK_THREADS_PER_ENDPOINT = 3;

/**
 * Calls at once per connection (one API user): a screen pop reads three endpoints at once
 * (Tickets, Companies, Contacts), each allowed its own 3 threads, so 3 × 3. Held to 3 in all, a
 * pop's three reads took every slot and 20 technicians popping at once were refused as "busy"
 * although Autotask would have answered them; the endpoint slots above still keep each endpoint
 * at 3. With 3 × 3, the connection's estimate of how long a pop's reads would wait
 * (launch-capacity.ts: calls ahead / limit × hold time) is the wait of each endpoint, since a
 * pop reads each of the three once.
 */
export const AUTOTASK_CALLS_PER_CONNECTION = AUTOTASK_THREADS_PER_ENDPOINT * 3;

export const endpointOf = (path: string) => (path.split(/[/?]/).find(Boolean) ?? '').toLowerCase();

export class EndpointSlots {
  readonly #limits = new Map<string, ConcurrencyLimit>();
  readonly #limit: number;
  readonly #maxQueue: number;

  constructor(limit = AUTOTASK_THREADS_PER_ENDPOINT, maxQueue = 64) {
    this.#limit = limit;
    this.#maxQueue = maxQueue;
  }

  active(endpoint: string): number {
    return this.#limits.get(endpoint)?.active ?? 0;
  }

  async run<T>(endpoint: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let limit = this.#limits.get(endpoint);
    if (!limit) {
      limit = new ConcurrencyLimit({ limit: this.#limit, maxQueue: this.#maxQueue });
      this.#limits.set(endpoint, limit);
    }
    try {
      return await limit.run(task, signal);
    } catch (error) {
      if (!(error instanceof QueueFullError)) throw error;
      throw new ToolboxError({
        code: 'TBX_ERR_UPSTREAM_BUSY',
        httpStatus: 503,
        retryable: true,
        message: 'Too many calls to Autotask are waiting already; this one was not sent. Try again in a few seconds.',
        upstream: { service: 'autotask' },
        cause: error,
      });
    }
  }
}
