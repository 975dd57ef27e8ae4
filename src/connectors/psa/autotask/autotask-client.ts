import { z } from 'zod';
import { isToolboxError, ToolboxError } from '../../../lib/toolbox-error.js';
import { defaultSleep, INTERACTIVE_RETRY, NO_RETRY, UpstreamUnreachableError, upstreamRequest } from '../../../lib/upstream-request.js';
import type { PsaConnectorDeps } from '../types.js';
import { EndpointSlots, endpointOf } from './autotask-endpoint-slots.js';
import {
  type AutotaskCallContext,
  autotaskBadResponseError,
  autotaskErrorsIn200,
  autotaskHttpError,
  autotaskUnreachableError,
  toAutotaskError,
} from './autotask-errors.js';
import { type ThresholdInfo, ThresholdPacer } from './autotask-pacing.js';
import type { AutotaskSettings } from './autotask-settings.js';

export type AutotaskRequest = {
  method: 'GET' | 'POST' | 'PATCH';
  /** Relative to `…/V1.0/`, ids filled in: `Tickets/123`. */
  path: string;
  /** Templated, for logs and errors: `GET /Tickets/{id}`. */
  operation: string;
  /** For the technician: "read ticket 123". */
  action: string;
  subject?: { kind: string; id: string };
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** A POST that only reads (a query): safe to send again. */
  readOnly?: boolean;
  /** Not held back by the threshold pacing: the ThresholdInformation reading itself. */
  unpaced?: boolean;
};

export type AutotaskZone = {
  zoneName: string;
  /** `https://webservicesN.autotask.net/ATServicesRest/`, as zone discovery gave it. */
  url: string;
  /** `https://wwN.autotask.net/`: where technicians open tickets. */
  webUrl: string | undefined;
  /** `{url}V1.0` */
  apiBase: string;
  host: string;
};

/** Where page-following stops, so a misbehaving server cannot loop us forever (500 rows a page). */
export const MAX_PAGES = 100;
/** A zone rarely changes; asking again now and then follows a database that moved. */
const ZONE_TTL_MS = 6 * 3_600_000;

const zoneSchema = z.looseObject({
  zoneName: z.string().nullish(),
  url: z.string().min(1),
  webUrl: z.string().nullish(),
  ci: z.number().nullish(),
});

const pageSchema = z.looseObject({
  items: z.array(z.unknown()),
  pageDetails: z.looseObject({ nextPageUrl: z.string().nullish() }).nullish(),
});

const thresholdSchema = z.looseObject({
  externalRequestThreshold: z.number(),
  requestThresholdTimeframe: z.number().nullish(),
  currentTimeframeRequestCount: z.number(),
});

const SERVICE = 'autotask';

/**
 * The HTTP side of the connector: zone discovery (cached per API username), the three auth
 * headers, JSON envelopes, query paging through `nextPageUrl`, at most 3 calls at once per
 * endpoint, pacing before the hourly threshold, retries, logging and error translation. Every
 * call goes through `upstreamRequest`; reads retry (INTERACTIVE_RETRY, which honours Retry-After
 * on 429), a note POST never does.
 */
export class AutotaskClient {
  readonly #settings: AutotaskSettings;
  readonly #deps: PsaConnectorDeps;
  readonly #slots = new EndpointSlots();
  readonly #pacer: ThresholdPacer;
  /** Discovered zones by lower-case username: one client has one username, but the key says whose zone it is. */
  readonly #zones = new Map<string, { zone: AutotaskZone; at: number }>();
  #discovery: Promise<AutotaskZone> | undefined;
  #refresh: Promise<void> | undefined;

  constructor(settings: AutotaskSettings, deps: PsaConnectorDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#pacer = new ThresholdPacer(deps.clock);
  }

  get settings(): AutotaskSettings {
    return this.#settings;
  }

  get #zoneKey(): string {
    return this.#settings.username.toLowerCase();
  }

  /** The zone when known and fresh, else undefined. */
  get knownZone(): AutotaskZone | undefined {
    const cached = this.#zones.get(this.#zoneKey);
    return cached && this.#deps.clock.now() - cached.at < ZONE_TTL_MS ? cached.zone : undefined;
  }

  /** The usage estimate the pacing works from (undefined before the first reading). */
  get thresholdEstimate(): ThresholdInfo | undefined {
    return this.#pacer.estimate();
  }

  /**
   * The API user's zone, discovered once. Concurrent callers share one lookup; a failed lookup is
   * forgotten so the next call tries again. The shared lookup takes no caller signal: one caller
   * giving up must not fail the others (it is bounded by timeoutMs).
   */
  zone(): Promise<AutotaskZone> {
    const known = this.knownZone;
    if (known) return Promise.resolve(known);
    if (!this.#discovery) {
      this.#discovery = this.discoverZone().finally(() => {
        this.#discovery = undefined;
      });
    }
    return this.#discovery;
  }

  /**
   * `GET {zoneDiscoveryUrl}?user={username}`, uncached (a success fills the cache). It needs no
   * credentials, so the secret is never sent there; the integration code is, because Autotask then
   * says when it is wrong ("IntegrationCode is invalid.") before any API call.
   */
  async discoverZone(options: { withIntegrationCode?: boolean } = {}): Promise<AutotaskZone> {
    const discoveryUrl = new URL(this.#settings.zoneDiscoveryUrl);
    const context: AutotaskCallContext = {
      operation: 'GET /zoneInformation',
      action: 'look up the Autotask zone of the API user',
      timeoutMs: this.#settings.timeoutMs,
      host: discoveryUrl.host,
    };
    const url = `${this.#settings.zoneDiscoveryUrl}?user=${encodeURIComponent(this.#settings.username)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.withIntegrationCode !== false) headers.ApiIntegrationCode = this.#settings.integrationCode;
    const response = await this.#send(url, { method: 'GET', headers }, context, true);
    const data = await this.#readBody(response, context);
    const parsed = zoneSchema.safeParse(data);
    if (!parsed.success) throw autotaskBadResponseError(context, 'no zone url in the zone information', response.status);
    let zoneUrl: URL;
    try {
      zoneUrl = new URL(parsed.data.url);
    } catch {
      throw autotaskBadResponseError(context, `zone url is not a URL: ${parsed.data.url.slice(0, 100)}`, response.status);
    }
    // The secret goes to the zone: never over plain HTTP unless discovery itself was (a local test).
    if (zoneUrl.protocol !== 'https:' && !(zoneUrl.protocol === 'http:' && discoveryUrl.protocol === 'http:')) {
      throw autotaskBadResponseError(context, `zone url is not https: ${zoneUrl.origin}`, response.status);
    }
    const base = zoneUrl.href.endsWith('/') ? zoneUrl.href : `${zoneUrl.href}/`;
    const zone: AutotaskZone = {
      zoneName: parsed.data.zoneName?.trim() || zoneUrl.host,
      url: base,
      webUrl: parsed.data.webUrl ? (parsed.data.webUrl.endsWith('/') ? parsed.data.webUrl : `${parsed.data.webUrl}/`) : undefined,
      apiBase: `${base}V1.0`,
      host: zoneUrl.host,
    };
    this.#zones.set(this.#zoneKey, { zone, at: this.#deps.clock.now() });
    return zone;
  }

  /**
   * Autotask's ExecuteCommand link to a ticket (developer help, "Using the ExecuteCommand API"):
   * `{webUrl}Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID={id}`, or
   * `&TicketNumber=` for a ticket named by its number ("Ticket Detail by Ticket Number").
   * The web address comes from zone discovery; before it is known, the zone-less login host.
   */
  ticketUrl(ref: string): string {
    const webUrl = this.knownZone?.webUrl ?? 'https://ww.autotask.net/';
    const param = /^\d+$/.test(ref) ? 'TicketID' : 'TicketNumber';
    return `${webUrl}Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&${param}=${encodeURIComponent(ref)}`;
  }

  /** One API call; returns the parsed JSON body of a success, throws a ToolboxError otherwise. */
  async request(request: AutotaskRequest): Promise<unknown> {
    const zone = await this.zone();
    return this.#request(`${zone.apiBase}/${request.path}`, request, zone);
  }

  /** `GET {Entity}/{id}`: the `item`, or null when Autotask answers `{"item": null}`. */
  async item(request: AutotaskRequest): Promise<unknown> {
    const data = await this.request(request);
    if (data === null || typeof data !== 'object' || !('item' in data)) {
      throw autotaskBadResponseError(this.#context(request), 'expected {"item": …}');
    }
    return (data as { item: unknown }).item;
  }

  /**
   * `POST {Entity}/query` and every page after it through `nextPageUrl` (reference §6, §7). The next
   * page is requested from OUR zone host with the link's path and query: the credentials never
   * follow a link to another host. The reference says to follow the link with GET; some clients
   * report that only a POST with the same body works there, so a 405 is asked again that way.
   */
  async queryAll(
    entity: string,
    body: Record<string, unknown>,
    request: Omit<AutotaskRequest, 'method' | 'path' | 'body'>,
  ): Promise<unknown[]> {
    const zone = await this.zone();
    const query: AutotaskRequest = { ...request, method: 'POST', path: `${entity}/query`, body, readOnly: true };
    let page = this.#page(await this.#request(`${zone.apiBase}/${entity}/query`, query, zone), query);
    const rows = [...page.items];
    for (let count = 1; page.next; count++) {
      if (count >= MAX_PAGES) {
        this.#deps.logger.warn(
          { connector: SERVICE, operation: request.operation, pages: count },
          'autotask paging stopped at the page limit',
        );
        break;
      }
      let next: URL;
      try {
        next = new URL(page.next, zone.url);
      } catch {
        break;
      }
      const url = `${new URL(zone.url).origin}${next.pathname}${next.search}`;
      const get: AutotaskRequest = { ...request, method: 'GET', path: `${entity}/query/next` };
      let data: unknown;
      try {
        data = await this.#request(url, get, zone);
      } catch (error) {
        if (!(isToolboxError(error) && error.upstream?.status === 405)) throw error;
        data = await this.#request(url, { ...query, path: `${entity}/query/next` }, zone);
      }
      page = this.#page(data, get);
      rows.push(...page.items);
    }
    return rows;
  }

  #page(data: unknown, request: AutotaskRequest): { items: unknown[]; next: string | undefined } {
    const parsed = pageSchema.safeParse(data);
    if (!parsed.success) throw autotaskBadResponseError(this.#context(request), 'expected {"items": [...], "pageDetails": {...}}');
    const next = parsed.data.pageDetails?.nextPageUrl ?? undefined;
    return { items: parsed.data.items, next: parsed.data.items.length > 0 && next ? next : undefined };
  }

  /** `GET /ThresholdInformation`, which also refreshes the pacing. */
  async thresholdInfo(): Promise<ThresholdInfo> {
    const request: AutotaskRequest = {
      method: 'GET',
      path: 'ThresholdInformation',
      operation: 'GET /ThresholdInformation',
      action: 'read the API usage of the Autotask database',
      unpaced: true,
    };
    const parsed = this.parse(thresholdSchema, await this.request(request), request);
    const info = {
      threshold: parsed.externalRequestThreshold,
      timeframeMinutes: parsed.requestThresholdTimeframe ?? 60,
      used: parsed.currentTimeframeRequestCount,
    };
    this.#pacer.update(info);
    return info;
  }

  #context(request: AutotaskRequest, host?: string): AutotaskCallContext {
    return {
      operation: request.operation,
      action: request.action,
      subject: request.subject,
      timeoutMs: this.#settings.timeoutMs,
      write: request.method !== 'GET' && !request.readOnly,
      host: host ?? this.knownZone?.host,
    };
  }

  async #request(url: string, request: AutotaskRequest, zone: AutotaskZone): Promise<unknown> {
    if (!request.unpaced) await this.#pace(request);
    const context = this.#context(request, zone.host);
    const headers: Record<string, string> = {
      ApiIntegrationCode: this.#settings.integrationCode,
      UserName: this.#settings.username,
      Secret: this.#settings.secret,
      accept: 'application/json',
      ...request.headers,
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    // A note POST has no idempotency key: repeating it could write the note twice (reference §4).
    // A PATCH that sets a status to a fixed value, and a query, may be sent again.
    const idempotent = request.method !== 'POST' || request.readOnly === true;
    const init: RequestInit = {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    };
    try {
      const data = await this.#slots.run(
        endpointOf(request.path),
        async () => {
          const response = await this.#send(url, init, context, idempotent, request.signal);
          this.#pacer.noteCall();
          return this.#readBody(response, context);
        },
        request.signal,
      );
      if (!request.unpaced && this.#pacer.needsRefresh()) this.#startRefresh();
      return data;
    } catch (error) {
      if (isToolboxError(error) && error.upstream?.status === 429 && !/thread/i.test(error.upstream.message ?? '')) this.#pacer.exhausted();
      // A zone that cannot be reached any more may have moved: ask discovery again next time.
      if (isToolboxError(error) && error.code === 'TBX_ERR_PSA_UNAVAILABLE' && error.upstream?.status === undefined)
        this.#zones.delete(this.#zoneKey);
      throw error;
    }
  }

  /**
   * Reads the threshold after a call, in the background; the next paced call waits for it if it
   * is still running, so the pacing always decides on the newest reading.
   */
  #startRefresh(): void {
    if (this.#refresh) return;
    this.#refresh = this.thresholdInfo().then(
      () => {
        this.#refresh = undefined;
      },
      (error: unknown) => {
        this.#refresh = undefined;
        this.#pacer.readingFailed();
        this.#deps.logger.debug(
          { connector: SERVICE, err: isToolboxError(error) ? error.toLog() : String(error) },
          'autotask threshold reading failed',
        );
      },
    );
  }

  async #pace(request: AutotaskRequest): Promise<void> {
    // Before slowing down or refusing on an old reading, read again: usage may have dropped.
    if (this.#pacer.decide().kind !== 'go' && this.#pacer.needsRefresh()) this.#startRefresh();
    if (this.#refresh) await this.#refresh;
    const decision = this.#pacer.decide();
    if (decision.kind === 'go') return;
    const usage = `${decision.used.toLocaleString('en-US')} of ${decision.threshold.toLocaleString('en-US')}`;
    if (decision.kind === 'stop') {
      throw new ToolboxError({
        code: 'TBX_ERR_PSA_RATE_LIMITED',
        httpStatus: 503,
        retryable: true,
        message:
          (decision.refused
            ? `The toolbox did not ${request.action}: Autotask said a moment ago that the hourly request threshold of your database ` +
              '(shared by every integration) is used up, and answers nothing until usage drops. '
            : `The toolbox did not ${request.action}: your Autotask database has used ${usage} API requests of the past hour ` +
              '(shared by every integration), and at the limit Autotask stops answering every integration. ') +
          'Try again in a few minutes; Admin > Extensions & Integrations > Other Extensions & Tools > API Activity by Hour shows which integration uses them.',
        upstream: { service: SERVICE, operation: request.operation, message: `threshold usage ${decision.used}/${decision.threshold}` },
      });
    }
    this.#deps.logger.info(
      { connector: SERVICE, operation: request.operation, delayMs: decision.ms, used: decision.used, threshold: decision.threshold },
      'autotask call slowed: the hourly request threshold is nearly used',
    );
    try {
      await waitFor(decision.ms, this.#deps.sleep ?? defaultSleep, request.signal);
    } catch (error) {
      throw autotaskUnreachableError(new UpstreamUnreachableError('aborted', error), this.#context(request));
    }
  }

  async #send(url: string, init: RequestInit, context: AutotaskCallContext, idempotent: boolean, signal?: AbortSignal): Promise<Response> {
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
          log.info({ connector: SERVICE, method: init.method, path, operation: context.operation, ...info }, 'autotask retry'),
      });
      log.debug(
        {
          connector: SERVICE,
          method: init.method,
          path,
          operation: context.operation,
          status: response.status,
          durationMs: this.#deps.clock.now() - started,
        },
        'autotask call',
      );
      return response;
    } catch (error) {
      log.debug(
        {
          connector: SERVICE,
          method: init.method,
          path,
          operation: context.operation,
          error: (error as Error).message,
          durationMs: this.#deps.clock.now() - started,
        },
        'autotask call failed',
      );
      throw toAutotaskError(error, context);
    }
  }

  async #readBody(response: Response, context: AutotaskCallContext): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      const kind = name === 'TimeoutError' ? 'timeout' : name === 'AbortError' ? 'aborted' : 'network';
      throw autotaskUnreachableError(new UpstreamUnreachableError(kind, error), context);
    }
    if (!response.ok) throw autotaskHttpError(response.status, text, response.headers.get('retry-after'), context);
    if (text.trim() === '') return null;
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      throw autotaskBadResponseError(context, `not JSON: ${text.slice(0, 100)}`, response.status);
    }
    // Some calls answer 200 with only `errors` (reference §8): a refusal all the same.
    if (autotaskErrorsIn200(data)) throw autotaskHttpError(response.status, text, null, context);
    return data;
  }

  /** Validates a body against a schema, or throws a "could not read" ToolboxError. */
  parse<S extends z.ZodType>(schema: S, data: unknown, request: Pick<AutotaskRequest, 'operation' | 'action'>): z.output<S> {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw autotaskBadResponseError(
      { operation: request.operation, action: request.action, timeoutMs: this.#settings.timeoutMs },
      issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape',
    );
  }
}

/** Waits `ms`, or stops early with the signal's reason. */
async function waitFor(ms: number, sleep: (ms: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) throw signal.reason;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
