import { performance } from 'node:perf_hooks';
import type { FetchLike } from '../lib/http-fetch.js';

/** Records one upstream call: which connector, the HTTP status or why none came, and how long. */
export type UpstreamObserver = (connector: string, status: string, seconds: number) => void;

/** The label for a call that got no response: the timeout's, a cancellation's, or the network's fault. */
function failureStatus(error: unknown, init: RequestInit | undefined): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError') return 'timeout';
  if (name === 'AbortError') {
    const reason = (init?.signal as AbortSignal | undefined)?.reason as { name?: string } | undefined;
    return reason?.name === 'TimeoutError' ? 'timeout' : 'aborted';
  }
  return 'network';
}

/**
 * Wraps the fetch a connector is given so that every call it makes (each retry too) is counted with
 * its outcome and latency (until the response headers, or the whole body on the buffered GET path).
 * Every PSA and Graph call goes through the fetch its connector was created with, so one wrapper at
 * creation covers them all without touching the connectors.
 */
export function instrumentFetch(fetch: FetchLike, connector: string, observe: UpstreamObserver): FetchLike {
  return (input, init) => {
    const started = performance.now();
    return fetch(input, init).then(
      (response) => {
        observe(connector, String(response.status), (performance.now() - started) / 1000);
        return response;
      },
      (error: unknown) => {
        observe(connector, failureStatus(error, init), (performance.now() - started) / 1000);
        throw error;
      },
    );
  };
}
