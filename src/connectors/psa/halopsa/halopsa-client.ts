import { z } from 'zod';
import { INTERACTIVE_RETRY, NO_RETRY, UpstreamUnreachableError, upstreamRequest } from '../../../lib/upstream-request.js';
import type { PsaConnectorDeps } from '../types.js';
import {
  type HaloCallContext,
  haloBadResponseError,
  haloHttpError,
  haloTokenError,
  haloUnreachableError,
  toHaloError,
} from './halopsa-errors.js';
import type { HaloPsaSettings } from './halopsa-settings.js';
import { type HaloToken, HaloTokenCache } from './halopsa-token-cache.js';

export type HaloRequest = {
  method: 'GET' | 'POST';
  /** Relative to `{url}/api`, with ids filled in: `/Tickets/123`. */
  path: string;
  /** Templated, for logs and errors: `GET /api/Tickets/{id}`. */
  operation: string;
  /** For the technician: "read ticket 123". */
  action: string;
  subject?: { kind: string; id: string };
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  /**
   * A POST that sets fixed values (a status) may be repeated safely; a POST that creates (a note)
   * may not. GETs always may.
   */
  idempotent?: boolean;
};

export type HaloResponse = { status: number; data: unknown };

/** Halo serves at most 100 rows a page, whatever is asked (reference §5). */
export const PAGE_SIZE = 100;
/** Where page-following stops, so a server that ignores `page_no` cannot loop us forever. */
export const MAX_PAGES = 500;

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().nullish(),
  expires_in: z.coerce.number().positive().nullish(),
});

/** Tokens are documented to last an hour (reference §2); used when `expires_in` is missing. */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * The HTTP side of the HaloPSA connector: the client-credentials token (cached, renewed before it
 * expires, requested again once when Halo answers 401), bearer calls on `{url}/api`, paging with
 * `pageinate`, retries and error translation. Every call goes through `upstreamRequest`: reads
 * retry on 429/5xx honouring Retry-After (INTERACTIVE_RETRY), a note POST never does.
 */
export class HaloPsaClient {
  readonly #settings: HaloPsaSettings;
  readonly #deps: PsaConnectorDeps;
  readonly #tokens: HaloTokenCache;
  readonly #host: string;

  constructor(settings: HaloPsaSettings, deps: PsaConnectorDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#host = new URL(settings.url).host;
    this.#tokens = new HaloTokenCache(() => this.fetchToken(), deps.clock);
  }

  get settings(): HaloPsaSettings {
    return this.#settings;
  }

  get host(): string {
    return this.#host;
  }

  /** `{url}/auth/token`, with `?tenant=` for a hosted instance (reference §2). */
  get tokenUrl(): string {
    const tenant = this.#settings.tenant;
    return `${this.#settings.url}/auth/token${tenant ? `?${new URLSearchParams({ tenant })}` : ''}`;
  }

  /**
   * Asks Halo for a new token, uncached (the token cache calls it; the systems check goes through `renewToken`). The
   * secret travels only in the form body, never in a URL or a log line.
   */
  async fetchToken(): Promise<HaloToken> {
    const context: HaloCallContext = {
      operation: 'POST /auth/token',
      action: 'sign in to HaloPSA',
      timeoutMs: this.#settings.timeoutMs,
      host: this.#host,
    };
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.#settings.clientId,
      client_secret: this.#settings.clientSecret,
      scope: 'all',
    }).toString();
    // Asking for a token twice is harmless, so a throttled or failed token request is retried.
    const response = await this.#send(
      this.tokenUrl,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body },
      context,
      true,
    );
    const text = await this.#readText(response, context);
    const tokenContext = { host: this.#host, tenant: this.#settings.tenant, timeoutMs: this.#settings.timeoutMs };
    if (!response.ok) throw haloTokenError(response.status, text, response.headers.get('retry-after'), tokenContext);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      // A 200 HTML page: the URL points at a web site, not at Halo's auth server.
      throw haloTokenError(response.status, text, null, tokenContext);
    }
    const parsed = tokenSchema.safeParse(data);
    if (!parsed.success || (parsed.data.token_type && parsed.data.token_type.toLowerCase() !== 'bearer')) {
      throw haloBadResponseError(context, 'the token answer has no bearer access_token', response.status);
    }
    return { accessToken: parsed.data.access_token, expiresInSeconds: parsed.data.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS };
  }

  /** Signs in again now (a new token, kept for the calls after it): the systems check's credentials test. */
  async renewToken(): Promise<void> {
    await this.#tokens.renew();
  }

  /** `GET {url}/api/authinfo`: no token needed; tells whether the URL is a Halo instance. */
  async authInfo(): Promise<{ status: number; data: unknown }> {
    const context: HaloCallContext = {
      operation: 'GET /api/authinfo',
      action: 'look up the HaloPSA sign-in service',
      timeoutMs: this.#settings.timeoutMs,
      host: this.#host,
    };
    const response = await this.#send(
      `${this.#settings.url}/api/authinfo`,
      { method: 'GET', headers: { accept: 'application/json' } },
      context,
      true,
    );
    const text = await this.#readText(response, context);
    if (!response.ok) throw haloHttpError(response.status, text, response.headers.get('retry-after'), context);
    try {
      return { status: response.status, data: JSON.parse(text) as unknown };
    } catch {
      throw haloBadResponseError(context, `not JSON: ${text.slice(0, 100)}`, response.status);
    }
  }

  /** The link to a ticket in Halo's agent web app. */
  ticketUrl(id: string): string {
    return `${this.#settings.url}/tickets?id=${encodeURIComponent(id)}`;
  }

  /**
   * One API call with the cached token. A 401 means Halo no longer takes that token (revoked,
   * expired early, server restarted): it is dropped, a new one is requested and the call is sent
   * once more. Repeating is safe even for a note, since a 401 is answered before anything is done.
   */
  async request(request: HaloRequest): Promise<HaloResponse> {
    const url = `${this.#settings.url}/api${request.path}${queryString(request.query)}`;
    const context = this.#context(request);
    let token = await this.#tokens.get();
    let response = await this.#call(url, request, token, context);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => {});
      this.#tokens.invalidate(token);
      token = await this.#tokens.get();
      this.#deps.logger.info({ connector: 'halopsa', operation: request.operation }, 'halopsa token refused; retrying with a new token');
      response = await this.#call(url, request, token, context);
    }
    const text = await this.#readText(response, context);
    if (!response.ok) throw haloHttpError(response.status, text, response.headers.get('retry-after'), context);
    if (text.trim() === '') return { status: response.status, data: null };
    try {
      return { status: response.status, data: JSON.parse(text) as unknown };
    } catch {
      throw haloBadResponseError(context, `not JSON: ${text.slice(0, 100)}`, response.status);
    }
  }

  /**
   * A list followed page by page with `pageinate=true&page_size=100&page_no=n` until a page comes
   * back short or empty. Halo caps pages at 100 whatever `page_size` says, so the page count is
   * never computed from `record_count` (reference §5, HaloAPI #90).
   */
  async requestAllPages(request: HaloRequest, key: string, maxPages = MAX_PAGES): Promise<unknown[]> {
    const rows: unknown[] = [];
    let previousFirst: string | undefined;
    for (let page = 1; ; page++) {
      const response = await this.request({
        ...request,
        query: { ...request.query, pageinate: true, page_size: PAGE_SIZE, page_no: page },
      });
      const items = this.listItems(response.data, key, request);
      // A server that ignores page_no would send page 1 again and again.
      const first = items.length > 0 ? JSON.stringify((items[0] as { id?: unknown } | null)?.id ?? items[0]) : undefined;
      if (page > 1 && first !== undefined && first === previousFirst) {
        this.#deps.logger.warn({ connector: 'halopsa', operation: request.operation, page }, 'halopsa paging repeated a page; stopped');
        return rows;
      }
      previousFirst = first;
      rows.push(...items);
      if (items.length < PAGE_SIZE) return rows;
      if (page >= maxPages) {
        this.#deps.logger.warn(
          { connector: 'halopsa', operation: request.operation, pages: page },
          'halopsa paging stopped at the page limit',
        );
        return rows;
      }
    }
  }

  /** The rows of a list answer: `{record_count, <key>: […]}`, or a bare array (Agent, Status). */
  listItems(data: unknown, key: string, request: Pick<HaloRequest, 'operation' | 'action'>): unknown[] {
    if (Array.isArray(data)) return data;
    const list = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(list)) return list;
    throw haloBadResponseError(request, `expected a JSON array or {"${key}": [...]}`);
  }

  /** Validates a body against a schema, or throws a "could not read" ToolboxError. */
  parse<S extends z.ZodType>(schema: S, data: unknown, request: Pick<HaloRequest, 'operation' | 'action'>): z.output<S> {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw haloBadResponseError(request, issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape');
  }

  #context(request: HaloRequest): HaloCallContext {
    return {
      operation: request.operation,
      action: request.action,
      subject: request.subject,
      timeoutMs: this.#settings.timeoutMs,
      write: request.method !== 'GET' && request.idempotent !== true,
      host: this.#host,
    };
  }

  #call(url: string, request: HaloRequest, token: string, context: HaloCallContext): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    // A note POST has no idempotency key: repeating it could write the note twice (reference §4).
    const idempotent = request.method === 'GET' || request.idempotent === true;
    return this.#send(
      url,
      { method: request.method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) },
      context,
      idempotent,
      request.signal,
    );
  }

  async #send(url: string, init: RequestInit, context: HaloCallContext, idempotent: boolean, signal?: AbortSignal): Promise<Response> {
    const started = this.#deps.clock.now();
    // The path only: a query may carry a tenant or a search, and logs keep to the operation.
    const path = new URL(url).pathname;
    const log = this.#deps.logger;
    try {
      const response = await upstreamRequest(url, init, {
        fetch: this.#deps.fetch,
        timeoutMs: this.#settings.timeoutMs,
        retry: idempotent ? INTERACTIVE_RETRY : NO_RETRY,
        idempotent,
        signal,
        sleep: this.#deps.sleep,
        onRetry: (info) =>
          log.info({ connector: 'halopsa', method: init.method, path, operation: context.operation, ...info }, 'halopsa retry'),
      });
      log.debug(
        {
          connector: 'halopsa',
          method: init.method,
          path,
          operation: context.operation,
          status: response.status,
          durationMs: this.#deps.clock.now() - started,
        },
        'halopsa call',
      );
      return response;
    } catch (error) {
      log.debug(
        {
          connector: 'halopsa',
          method: init.method,
          path,
          operation: context.operation,
          error: (error as Error).message,
          durationMs: this.#deps.clock.now() - started,
        },
        'halopsa call failed',
      );
      throw toHaloError(error, context);
    }
  }

  async #readText(response: Response, context: HaloCallContext): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      // The timeout signal also covers the body: a body cut off by it is a timeout, not a network error.
      const name = (error as Error | undefined)?.name;
      const kind = name === 'TimeoutError' ? 'timeout' : name === 'AbortError' ? 'aborted' : 'network';
      throw haloUnreachableError(new UpstreamUnreachableError(kind, error), context);
    }
  }
}

/** `?a=1&b=x`, values URL-encoded, undefined left out (reference §6). */
export function queryString(query: HaloRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
