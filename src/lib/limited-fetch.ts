import { type ConcurrencyLimit, QueueFullError } from './concurrency-limit.js';
import type { FetchLike } from './http-fetch.js';
import { ToolboxError } from './toolbox-error.js';

/**
 * A fetch that goes through one connection's concurrency limit: each call (each attempt of a
 * retried call) waits for a slot, and leaves the queue when its signal (the call's timeout)
 * aborts. A full queue is refused at once as "busy", never queued without bound.
 */
export function limitedFetch(fetch: FetchLike, limit: ConcurrencyLimit, service: string): FetchLike {
  return async (input, init) => {
    try {
      return await limit.run(() => fetch(input, init), init?.signal ?? undefined);
    } catch (error) {
      if (!(error instanceof QueueFullError)) throw error;
      throw new ToolboxError({
        code: 'TBX_ERR_UPSTREAM_BUSY',
        httpStatus: 503,
        retryable: true,
        message: `Too many calls to ${service} are waiting already; this one was not sent. Try again in a few seconds.`,
        upstream: { service },
        cause: error,
      });
    }
  };
}
