import type { z } from 'zod';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { INTERACTIVE_RETRY, NO_RETRY, UpstreamUnreachableError, upstreamRequest } from '../../../lib/upstream-request.js';
import type { PsaConnectorDeps } from '../types.js';
import {
  type ConnectWiseCallContext,
  connectWiseBadResponseError,
  connectWiseHttpError,
  connectWiseUnreachableError,
  toConnectWiseError,
} from './connectwise-errors.js';
import { type CwCompanyInfo, cwCompanyInfoSchema } from './connectwise-map.js';
import { buildQueryString, encodeQueryValue, parseLinkHeader } from './connectwise-query.js';
import type { ConnectWiseSettings } from './connectwise-settings.js';

export type ConnectWiseRequest = {
  method: 'GET' | 'POST' | 'PATCH';
  /** Relative to `…/apis/3.0`, with ids filled in: `/service/tickets/123`. */
  path: string;
  /** Templated, for logs and errors: `GET /service/tickets/{id}`. */
  operation: string;
  /** For the technician: "read ticket 123". */
  action: string;
  subject?: { kind: string; id: string };
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
};

export type ConnectWiseResponse = { status: number; data: unknown; headers: Headers };

/** Where page-following stops, so a misbehaving server cannot loop us forever. */
export const MAX_PAGES = 50;

/**
 * The HTTP side of the connector: codebase discovery, auth headers, retries, logging and error
 * translation. Every call goes through `upstreamRequest`; reads retry (INTERACTIVE_RETRY), writes
 * that are not idempotent (a note POST) never do.
 */
export class ConnectWiseClient {
  readonly #settings: ConnectWiseSettings;
  readonly #deps: PsaConnectorDeps;
  readonly #authorization: string;
  #codebase: string | undefined;
  #discovery: Promise<string> | undefined;

  constructor(settings: ConnectWiseSettings, deps: PsaConnectorDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#codebase = settings.codebase;
    this.#authorization = `Basic ${Buffer.from(`${settings.companyId}+${settings.publicKey}:${settings.privateKey}`, 'utf8').toString('base64')}`;
  }

  get settings(): ConnectWiseSettings {
    return this.#settings;
  }

  /** The codebase when known (override or discovered), else undefined. */
  get knownCodebase(): string | undefined {
    return this.#codebase;
  }

  /**
   * The tenant's codebase, discovered once. Concurrent callers share one in-flight lookup; a
   * failed lookup is forgotten so the next call tries again. The lookup takes no caller signal:
   * it is shared, so one caller giving up must not fail the others (it is bounded by timeoutMs).
   */
  codebase(): Promise<string> {
    if (this.#codebase) return Promise.resolve(this.#codebase);
    if (!this.#discovery) {
      this.#discovery = this.fetchCompanyInfo().then(
        (info) => {
          this.#codebase = info.codebase;
          this.#discovery = undefined;
          return info.codebase;
        },
        (error: unknown) => {
          this.#discovery = undefined;
          throw error;
        },
      );
    }
    return this.#discovery;
  }

  /**
   * `GET {site}/login/companyinfo/{companyId}`, uncached. It needs no auth, so none is sent: the
   * keys never go to the browser host. Tries the site host, then the API host if that differs.
   */
  async fetchCompanyInfo(): Promise<CwCompanyInfo & { codebase: string; cloud: boolean; host: string }> {
    const hosts = [...new Set([this.#settings.siteUrl, this.#settings.apiUrl])];
    let firstError: unknown;
    for (const host of hosts) {
      try {
        return await this.#companyInfoFrom(host);
      } catch (error) {
        firstError ??= error;
      }
    }
    throw firstError;
  }

  async #companyInfoFrom(host: string): Promise<CwCompanyInfo & { codebase: string; cloud: boolean; host: string }> {
    const context: ConnectWiseCallContext = {
      operation: 'GET /login/companyinfo/{companyId}',
      action: 'look up the ConnectWise codebase',
      timeoutMs: this.#settings.timeoutMs,
      host: new URL(host).host,
    };
    const url = `${host}/login/companyinfo/${encodeQueryValue(this.#settings.companyId)}`;
    const response = await this.#send(url, { method: 'GET', headers: { accept: 'application/json' } }, context, true);
    if (response.status === 404) {
      await response.body?.cancel().catch(() => {});
      throw new ToolboxError({
        code: 'TBX_ERR_PSA_CONFIG',
        message: `ConnectWise at ${context.host} does not know the company id '${this.#settings.companyId}'. Check the company id (the one typed at the ConnectWise login) and the site URL.`,
        httpStatus: 502,
        upstream: { service: 'connectwise', status: 404, operation: context.operation },
      });
    }
    const data = await this.#readBody(response, context);
    const parsed = cwCompanyInfoSchema.safeParse(data);
    if (!parsed.success) {
      // Some servers answer an unknown company id with 200 and an empty body.
      throw new ToolboxError({
        code: 'TBX_ERR_PSA_CONFIG',
        message: `ConnectWise at ${context.host} did not return a codebase for company id '${this.#settings.companyId}'. Check the company id and the site URL.`,
        httpStatus: 502,
        upstream: { service: 'connectwise', status: response.status, operation: context.operation },
      });
    }
    const codebase = `${parsed.data.Codebase.trim().replace(/^\/+|\/+$/g, '')}/`;
    const cloud = String(parsed.data.IsCloud).toLowerCase() === 'true';
    // Any successful lookup (the systems check's too) fills the cache; an override always wins.
    if (!this.#settings.codebase) this.#codebase = codebase;
    return { ...parsed.data, codebase, cloud, host: context.host ?? host };
  }

  /** `https://{api host}/{codebase}apis/3.0` */
  async apiBase(): Promise<string> {
    return `${this.#settings.apiUrl}/${await this.codebase()}apis/3.0`;
  }

  /**
   * The conventional ConnectWise ticket deep link (the one CW's own e-mails and integrations use).
   * Service and project tickets share one record space, so it opens both. Before discovery we fall
   * back to `v4_6_release/`, which ConnectWise routes to the tenant's current version.
   */
  ticketUrl(id: string): string {
    const codebase = this.#codebase ?? 'v4_6_release/';
    return `${this.#settings.siteUrl}/${codebase}services/system_io/Service/fv_sr100_request.rails?service_recid=${encodeQueryValue(id)}&companyName=${encodeQueryValue(this.#settings.companyId)}`;
  }

  /** One API call; returns the parsed JSON body of a success, throws a ToolboxError otherwise. */
  async request(request: ConnectWiseRequest): Promise<ConnectWiseResponse> {
    const url = `${await this.apiBase()}${request.path}${buildQueryString(request.query)}`;
    return this.#call(url, request);
  }

  /**
   * A list call followed through `Link: rel="next"` until it is absent (reference §7), at most
   * `maxPages` pages. The next page is always requested from OUR API host with the link's query:
   * the credentials never follow a link to another host.
   */
  async requestAllPages(request: ConnectWiseRequest, maxPages = MAX_PAGES): Promise<unknown[]> {
    const base = `${await this.apiBase()}${request.path}`;
    let url = `${base}${buildQueryString(request.query)}`;
    const rows: unknown[] = [];
    for (let page = 1; ; page++) {
      const response = await this.#call(url, request);
      if (!Array.isArray(response.data)) {
        throw connectWiseBadResponseError(this.#context(request), 'expected a JSON array', response.status);
      }
      rows.push(...response.data);
      const next = parseLinkHeader(response.headers.get('link')).next;
      if (!next || response.data.length === 0) return rows;
      if (page >= maxPages) {
        this.#deps.logger.warn(
          { connector: 'connectwise', operation: request.operation, pages: page },
          'connectwise paging stopped at the page limit',
        );
        return rows;
      }
      let search: string;
      try {
        search = new URL(next, base).search;
      } catch {
        return rows;
      }
      url = `${base}${search}`;
    }
  }

  #context(request: ConnectWiseRequest): ConnectWiseCallContext {
    return {
      operation: request.operation,
      action: request.action,
      subject: request.subject,
      timeoutMs: this.#settings.timeoutMs,
      write: request.method !== 'GET',
      host: new URL(this.#settings.apiUrl).host,
    };
  }

  async #call(url: string, request: ConnectWiseRequest): Promise<ConnectWiseResponse> {
    const context = this.#context(request);
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      clientId: this.#settings.clientId,
      // The vendor type must come first or the version is ignored (reference §9).
      accept: `application/vnd.connectwise.com+json; version=${this.#settings.apiVersion}, application/json`,
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    // A note POST has no idempotency key: repeating it could write the note twice (reference §4).
    // A PATCH that replaces the status with a fixed value is idempotent, so it may be retried.
    const idempotent = request.method !== 'POST';
    const response = await this.#send(
      url,
      { method: request.method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) },
      context,
      idempotent,
      request.signal,
    );
    const data = await this.#readBody(response, context);
    return { status: response.status, data, headers: response.headers };
  }

  async #send(
    url: string,
    init: RequestInit,
    context: ConnectWiseCallContext,
    idempotent: boolean,
    signal?: AbortSignal,
  ): Promise<Response> {
    const started = this.#deps.clock.now();
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
          log.info({ connector: 'connectwise', method: init.method, path, operation: context.operation, ...info }, 'connectwise retry'),
      });
      log.debug(
        {
          connector: 'connectwise',
          method: init.method,
          path,
          operation: context.operation,
          status: response.status,
          durationMs: this.#deps.clock.now() - started,
        },
        'connectwise call',
      );
      return response;
    } catch (error) {
      log.debug(
        {
          connector: 'connectwise',
          method: init.method,
          path,
          operation: context.operation,
          error: (error as Error).message,
          durationMs: this.#deps.clock.now() - started,
        },
        'connectwise call failed',
      );
      throw toConnectWiseError(error, context);
    }
  }

  async #readBody(response: Response, context: ConnectWiseCallContext): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The timeout signal also covers the body: a body cut off by it is a timeout, not a network error.
      const name = (error as Error | undefined)?.name;
      const kind = name === 'TimeoutError' ? 'timeout' : name === 'AbortError' ? 'aborted' : 'network';
      throw connectWiseUnreachableError(new UpstreamUnreachableError(kind, error), context);
    }
    if (!response.ok) throw connectWiseHttpError(response.status, text, response.headers.get('retry-after'), context);
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw connectWiseBadResponseError(context, `not JSON: ${text.slice(0, 100)}`, response.status);
    }
  }

  /** Validates a body against a schema, or throws a "could not read" ToolboxError. */
  parse<S extends z.ZodType>(schema: S, data: unknown, request: Pick<ConnectWiseRequest, 'operation' | 'action'>): z.output<S> {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw connectWiseBadResponseError(
      { operation: request.operation, action: request.action, timeoutMs: this.#settings.timeoutMs },
      issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape',
    );
  }
}
