import type { FetchLike } from './http-fetch.js';
import { isToolboxError } from './toolbox-error.js';

/**
 * One upstream HTTP call with a timeout and, for calls that are safe to repeat, bounded retries
 * on 429/502/503/504 and network errors that honour `Retry-After`. Shared by every connector so
 * that they all behave the same under throttling.
 */
export type RetryPolicy = {
  /** Total attempts including the first. 1 means no retry. */
  maxAttempts: number;
  /** First backoff when the server gives no Retry-After; doubled each time, with jitter. */
  baseDelayMs: number;
  /** Longest wait we accept; a longer Retry-After ends the retries (interactive use). */
  maxDelayMs: number;
};

export const INTERACTIVE_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5_000 };
export const NO_RETRY: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

export type UpstreamRequestOptions = {
  fetch: FetchLike;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Set false for writes that must never be repeated blindly (a ticket note). */
  idempotent: boolean;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry, for logging. */
  onRetry?: (info: { attempt: number; delayMs: number; status?: number; error?: string }) => void;
};

/** Thrown when no response arrived at all. */
export class UpstreamUnreachableError extends Error {
  readonly kind: 'timeout' | 'network' | 'aborted';
  constructor(kind: 'timeout' | 'network' | 'aborted', cause: unknown) {
    super(
      kind === 'timeout' ? 'The request timed out' : kind === 'aborted' ? 'The request was cancelled' : 'The service could not be reached',
      {
        cause,
      },
    );
    this.name = 'UpstreamUnreachableError';
    this.kind = kind;
  }
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Parses `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const exp = policy.baseDelayMs * 2 ** (attempt - 1);
  const jitter = Math.random() * policy.baseDelayMs;
  return Math.min(policy.maxDelayMs, exp + jitter);
}

export async function upstreamRequest(url: string, init: RequestInit, options: UpstreamRequestOptions): Promise<Response> {
  const sleep = options.sleep ?? defaultSleep;
  const attempts = options.idempotent ? Math.max(1, options.retry.maxAttempts) : 1;
  for (let attempt = 1; ; attempt++) {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let response: Response;
    try {
      response = await options.fetch(url, { ...init, signal });
    } catch (error) {
      // Refused before it was sent (the connection's queue is full): not an unreachable service,
      // and trying again at once would only queue more.
      if (isToolboxError(error)) throw error;
      const kind = options.signal?.aborted ? 'aborted' : timeout.aborted ? 'timeout' : 'network';
      if (kind === 'aborted' || attempt >= attempts) throw new UpstreamUnreachableError(kind, error);
      const delayMs = backoff(options.retry, attempt);
      options.onRetry?.({ attempt, delayMs, error: kind });
      await sleep(delayMs);
      continue;
    }
    if (!RETRYABLE_STATUS.has(response.status) || attempt >= attempts) return response;
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    if (retryAfter !== undefined && retryAfter > options.retry.maxDelayMs) return response;
    const delayMs = retryAfter ?? backoff(options.retry, attempt);
    // The body of a response we drop must be consumed, or undici keeps the socket busy.
    await response.body?.cancel().catch(() => {});
    options.onRetry?.({ attempt, delayMs, status: response.status });
    await sleep(delayMs);
  }
}
