import type { FetchLike } from '../../../lib/http-fetch.js';
import type { Logger } from '../../../lib/logger.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { INTERACTIVE_RETRY, NO_RETRY, parseRetryAfter, upstreamRequest } from '../../../lib/upstream-request.js';
import type { EntraSettings } from './entra-settings.js';
import type { EntraTokenProvider } from './entra-token-provider.js';
import { ENTRA_ERROR_CODES, type GraphPurpose, graphFailureToError, unreachableToError } from './graph-errors.js';

/**
 * HTTP to Microsoft Graph (v1.0, and beta where asked) for one tenant: bearer token, JSON, timeouts, retries, and error
 * translation. Bodies are never logged (a PATCH may carry a password); the log gets the templated
 * operation, status, Graph's request-id and timing.
 *
 * Retry modes:
 * - `safe`: reads and writes whose repetition is harmless (revokeSignInSessions) go through
 *   upstreamRequest's bounded retries on 429/502/503/504 and network errors.
 * - `rejected-only`: the password PATCH, and DELETE/POST of authentication methods. A 429 or 503 means Graph refused the request before
 *   running it, so it is repeated (honouring Retry-After); a 502/504 or a timeout may mean it ran,
 *   and setting the same password twice is harmless but a surprise "password history" rejection
 *   on the second try would hide the success, so those are surfaced instead of repeated.
 */
export type GraphRetryMode = 'safe' | 'rejected-only';

export type GraphRequest = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path after /v1.0 (or /beta) with its query string already encoded, e.g. `/users?$top=1`. Or an absolute nextLink. */
  path: string;
  /** Graph version of a relative path; default v1.0. Beta is only for reads with no v1.0 equivalent. */
  version?: 'v1.0' | 'beta';
  /** Templated for logs and errors, e.g. `GET /users/{id}`. */
  operation: string;
  purpose: GraphPurpose;
  body?: unknown;
  headers?: Record<string, string>;
  retry?: GraphRetryMode;
  /** Statuses the caller handles as an answer rather than an error, e.g. 404 on an idempotent DELETE. */
  okStatuses?: number[];
  /**
   * Level of the "graph call failed" line. `debug` for optional calls whose failure the caller
   * expects and explains itself (a beta endpoint a tenant may not offer).
   */
  failureLogLevel?: 'warn' | 'debug';
};

export type GraphResponse<T> = { status: number; body: T; headers: Headers };

export type GraphClient = {
  request<T>(request: GraphRequest): Promise<GraphResponse<T>>;
  /** Follows `@odata.nextLink` until `max` items or the last page. */
  list<T>(request: GraphRequest, max: number): Promise<T[]>;
};

export type GraphClientOptions = {
  settings: EntraSettings;
  tokens: EntraTokenProvider;
  fetch: FetchLike;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
};

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const { settings, tokens, logger } = options;
  const base = (version: GraphRequest['version'] = 'v1.0') => `${settings.graphUrl}/${version}`;
  const graphOrigin = new URL(settings.graphUrl).origin;
  const log = logger.child({ connector: 'entra', tenantId: settings.tenantId });
  const tenantLabel = `tenant ${settings.tenantId}`;

  async function send(request: GraphRequest, token: string): Promise<{ response: Response; retries: number }> {
    const url = request.path.startsWith('https://') ? request.path : `${base(request.version)}${request.path}`;
    // A nextLink is followed only on Graph's own origin, so a tampered link cannot take the token elsewhere.
    if (new URL(url).origin !== graphOrigin) {
      throw new ToolboxError({
        code: ENTRA_ERROR_CODES.unexpected,
        message: 'Microsoft Graph returned a paging link to another host; the toolbox did not follow it.',
        httpStatus: 502,
        upstream: { service: 'graph', operation: request.operation },
      });
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = {
      method: request.method,
      headers,
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    };
    let retries = 0;
    const common = {
      fetch: options.fetch,
      timeoutMs: settings.timeoutMs,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      onRetry: (info: { attempt: number; delayMs: number; status?: number; error?: string }) => {
        retries = info.attempt;
        log.warn(
          { operation: request.operation, attempt: info.attempt, delayMs: info.delayMs, status: info.status, error: info.error },
          'retrying Graph request',
        );
      },
    };
    const host = new URL(url).host;
    try {
      if ((request.retry ?? 'safe') === 'safe') {
        const response = await upstreamRequest(url, init, { ...common, retry: INTERACTIVE_RETRY, idempotent: true });
        return { response, retries };
      }
      // rejected-only: one attempt per upstreamRequest call, our own loop for 429/503 only.
      for (let attempt = 1; ; attempt++) {
        const response = await upstreamRequest(url, init, { ...common, retry: NO_RETRY, idempotent: false });
        if (![429, 503].includes(response.status) || attempt >= INTERACTIVE_RETRY.maxAttempts) return { response, retries };
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        if (retryAfter !== undefined && retryAfter > INTERACTIVE_RETRY.maxDelayMs) return { response, retries };
        const delayMs = retryAfter ?? INTERACTIVE_RETRY.baseDelayMs * 2 ** (attempt - 1);
        await response.body?.cancel().catch(() => {});
        common.onRetry({ attempt, delayMs, status: response.status });
        await (options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(delayMs);
      }
    } catch (error) {
      if (error instanceof ToolboxError) throw error;
      throw unreachableToError(error, 'graph', request.operation, host);
    }
  }

  async function request<T>(request: GraphRequest): Promise<GraphResponse<T>> {
    const started = Date.now();
    let { response, retries } = await send(request, await tokens.getToken());
    if (response.status === 401) {
      // The cached token may have been revoked or outlived a restart of the other side: one fresh try.
      await response.body?.cancel().catch(() => {});
      tokens.invalidate();
      ({ response, retries } = await send(request, await tokens.getToken()));
    }
    const body = await readBody(response);
    const requestId = response.headers.get('request-id') ?? undefined;
    log.debug({ operation: request.operation, status: response.status, requestId, retries, ms: Date.now() - started }, 'graph call');
    if (response.status >= 400 && !request.okStatuses?.includes(response.status)) {
      const error = graphFailureToError({
        status: response.status,
        body,
        headers: response.headers,
        operation: request.operation,
        purpose: request.purpose,
        retries,
        tenantLabel,
      });
      log[request.failureLogLevel ?? 'warn']({ failure: error.toLog() }, 'graph call failed');
      throw error;
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }

  return {
    request,
    async list<T>(first: GraphRequest, max: number): Promise<T[]> {
      const items: T[] = [];
      let next: string | undefined = first.path;
      while (next && items.length < max) {
        const page: GraphResponse<{ value?: T[]; '@odata.nextLink'?: string }> = await request({ ...first, path: next });
        if (!Array.isArray(page.body?.value)) {
          throw new ToolboxError({
            code: ENTRA_ERROR_CODES.unexpected,
            message: 'Microsoft Graph answered a list request without a list. The details are in the log.',
            httpStatus: 502,
            upstream: { service: 'graph', status: page.status, operation: first.operation },
          });
        }
        items.push(...page.body.value);
        next = page.body['@odata.nextLink'];
      }
      return items.slice(0, max);
    },
  };
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
