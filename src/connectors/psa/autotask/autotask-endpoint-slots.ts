import { ConcurrencyLimit, QueueFullError } from '../../../lib/concurrency-limit.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';

/**
 * At most 3 calls at once per object endpoint (reference §8, [AT-help] ThreadLimiting): Autotask
 * refuses a 4th with 429 "thread threshold", so the 4th waits here instead. The toolbox already
 * runs at most `maxConcurrentRequests` (3) calls per connection, but a client built for a check
 * or used on its own has no such wrapper, and this keeps the vendor's rule in the connector.
 *
 * The endpoint is the path's first segment (`Tickets/123/Notes` counts as Tickets): whether
 * Autotask counts a child URL under its parent is not documented, and counting it there can only
 * make the toolbox more careful.
 */
export const AUTOTASK_THREADS_PER_ENDPOINT = 3;

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
