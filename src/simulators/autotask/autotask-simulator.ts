import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { type Clock, systemClock } from '../../lib/clock.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import { type AutotaskApiUser, headersAccepted, zoneInformation } from './autotask-auth.js';
import type { AutotaskPicklists } from './autotask-entity-info.js';
import { routeEntity } from './autotask-entity-routes.js';
import { AutotaskSimError, errorsBody, routeNotFound, unauthorized } from './autotask-http.js';
import { type AutotaskSeed, buildAutotaskData, demoAutotaskApiUser, demoAutotaskSeed } from './autotask-seed.js';
import type { AutotaskRequestLogEntry, AutotaskSimulatorState } from './autotask-state.js';
import { endpointOf, HourlyThreshold, ThreadLimiter } from './autotask-throttle.js';

/**
 * A stateful Autotask PSA REST API double, held to the reference's rules (its §10 checklist): zone
 * discovery without credentials, the three auth headers and the empty 401, `{item}` and
 * `{items, pageDetails}` envelopes, queries with the filter JSON and absolute `nextPageUrl`s of at
 * most 500 rows, validation errors as HTTP 500 `{errors}`, notes under their ticket checked against
 * this database's picklists, the hourly request threshold and the thread limit of 3 per endpoint,
 * datetimes without `Z`. Connector tests point at it; `npm run sim:autotask` runs it.
 */
export type AutotaskSimulatorOptions = {
  /** Starting data; any collection left out comes from the demo MSP (src/demo/demo-data.ts). */
  seed?: Partial<AutotaskSeed>;
  apiUser?: Partial<AutotaskApiUser>;
  /** Picklists replaced by key (`TicketNotes.publish`, …), to give a database other codes. */
  picklists?: Partial<AutotaskPicklists>;
  latencyMs?: number;
  /** Latency added at 50 % and 75 % of the threshold; default [500, 1000] ms, as Autotask adds. */
  usageLatencyMs?: [number, number];
  /** Requests per rolling hour for the database; default 10,000. */
  requestThreshold?: number;
  /** Concurrent requests per integration code and endpoint; default 3. */
  threadLimit?: number;
  missingAsNull?: boolean;
  nextPageMethod?: 'GET' | 'POST';
  /** "Require titles on ticket notes"; default true. */
  requireNoteTitle?: boolean;
  forbidden?: { method?: string; path: string | RegExp }[];
  /** What zone discovery answers; the URL defaults to this simulator's own `…/ATServicesRest/`. */
  zone?: { zoneName?: string; url?: string; webUrl?: string };
  clock?: Clock;
};

export type AutotaskFailureOptions = {
  method?: string;
  retryAfterSeconds?: number;
  /** The body to answer with; default `{errors: ["Injected failure (status)."]}`. */
  body?: unknown;
  /** Carry the request out first, then fail: the write happened, the answer says otherwise. */
  afterApply?: boolean;
  /** Close the connection without an answer (in-process: the fetch rejects). */
  dropConnection?: boolean;
};

type Failure = { pattern: string | RegExp; status: number; remaining: number; options: AutotaskFailureOptions };

export type AutotaskSimulator = {
  /** Calls the simulator in-process, honouring `init.signal` like a real fetch. */
  fetch: FetchLike;
  state: AutotaskSimulatorState;
  /**
   * The next `times` requests matching the pattern (and method) fail with `status`. A string
   * pattern is matched against the path after `V1.0/` (`Tickets/1001/Notes`) or, outside the API,
   * the full path; `*` stands for one path segment.
   */
  failNext(pattern: string | RegExp, status: number, times?: number, options?: AutotaskFailureOptions): void;
  listen(options?: { port?: number; host?: string; tls?: { key: string | Buffer; cert: string | Buffer } }): Promise<{
    url: string;
    port: number;
    /** The zone discovery URL to configure as `zoneDiscoveryUrl`. */
    zoneDiscoveryUrl: string;
    close(): Promise<void>;
  }>;
  credentials: { username: string; secret: string; integrationCode: string };
};

const ZONE_PATH = /^\/atservicesrest\/v1\.0\/zoneinformation\/?$/i;
const API_PATH = /^\/atservicesrest\/v1\.0(?:\/(.*))?$/i;

/** Responses that stand for "no answer at all". */
const dropped = new WeakSet<Response>();

function matches(pattern: string | RegExp, path: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(path);
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
    'i',
  );
  return regex.test(path);
}

const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

export function createAutotaskSimulator(options: AutotaskSimulatorOptions = {}): AutotaskSimulator {
  const clock = options.clock ?? systemClock;
  const seed: AutotaskSeed = { ...demoAutotaskSeed(), ...options.seed };
  const apiUser: AutotaskApiUser = {
    id: demoAutotaskApiUser.id,
    username: demoAutotaskApiUser.username,
    secret: demoAutotaskApiUser.secret,
    integrationCode: demoAutotaskApiUser.integrationCode,
    active: true,
    locked: false,
    impersonationAllowed: true,
    ...options.apiUser,
  };
  const data = buildAutotaskData(seed, clock.now(), { ...demoAutotaskApiUser, ...apiUser });
  for (const [key, values] of Object.entries(options.picklists ?? {})) if (values) data.picklists[key] = values;
  const state: AutotaskSimulatorState = {
    ...data,
    apiUser,
    requests: [],
    latencyMs: options.latencyMs ?? 0,
    usageLatencyMs: options.usageLatencyMs ?? [500, 1000],
    threshold: new HourlyThreshold(options.requestThreshold ?? 10_000, 60, clock),
    threads: new ThreadLimiter(options.threadLimit ?? 3),
    missingAsNull: options.missingAsNull ?? false,
    nextPageMethod: options.nextPageMethod ?? 'GET',
    requireNoteTitle: options.requireNoteTitle ?? true,
    forbidden: [...(options.forbidden ?? [])],
    zone: { zoneName: options.zone?.zoneName ?? demoAutotaskApiUser.zoneName, url: options.zone?.url, webUrl: options.zone?.webUrl },
    clock,
  };
  const failures: Failure[] = [];

  function takeFailure(method: string, path: string): Failure | undefined {
    const failure = failures.find(
      (f) => f.remaining > 0 && (!f.options.method || f.options.method.toUpperCase() === method) && matches(f.pattern, path),
    );
    if (failure) failure.remaining--;
    return failure;
  }

  function failureResponse(failure: Failure): Response {
    if (failure.options.dropConnection) {
      const response = new Response(null, { status: 599 });
      dropped.add(response);
      return response;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (failure.options.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.options.retryAfterSeconds);
    const body = failure.options.body ?? { errors: [`Injected failure (${failure.status}).`] };
    return new Response(JSON.stringify(body), { status: failure.status, headers });
  }

  /** Latency Autotask adds as the database nears its threshold (reference §8). */
  function usageLatency(): number {
    const used = state.threshold.count() / state.threshold.limit;
    if (used >= 0.75) return state.usageLatencyMs[1];
    if (used >= 0.5) return state.usageLatencyMs[0];
    return 0;
  }

  async function api(request: Request, url: URL, method: string, path: string, entry: AutotaskRequestLogEntry): Promise<Response> {
    if (!headersAccepted(request, state.apiUser)) {
      await sleep(state.latencyMs);
      return unauthorized();
    }
    entry.authOk = true;
    const denied = state.forbidden.find((rule) => (!rule.method || rule.method.toUpperCase() === method) && matches(rule.path, path));
    if (denied) {
      await sleep(state.latencyMs);
      return errorsBody(403, ['The logged in user does not have the required permissions for this request.']);
    }
    // Threads are per tracking identifier and object endpoint (reference §8): taken for the whole call.
    const release = state.threads.acquire(`${state.apiUser.integrationCode}|${endpointOf(path)}`);
    try {
      await sleep(state.latencyMs);
      state.threshold.take();
      await sleep(usageLatency());
      const failure = takeFailure(method, path);
      if (failure && !failure.options.afterApply) return failureResponse(failure);
      const segments = path.split('/').filter(Boolean);
      const apiBase = `${url.origin}/ATServicesRest/V1.0`;
      const response = await routeEntity({ request, url, method, segments, apiBase, state, entry });
      return failure ? failureResponse(failure) : response;
    } finally {
      release();
    }
  }

  async function dispatch(request: Request, url: URL, method: string, entry: AutotaskRequestLogEntry): Promise<Response> {
    if (ZONE_PATH.test(url.pathname) && method === 'GET') {
      // Exempt from thread limiting (reference §1) and from the threshold.
      await sleep(state.latencyMs);
      const failure = takeFailure(method, url.pathname);
      if (failure) return failureResponse(failure);
      return zoneInformation(url, request, state.apiUser, {
        zoneName: state.zone.zoneName,
        url: state.zone.url ?? `${url.origin}/ATServicesRest/`,
        webUrl: state.zone.webUrl ?? `${url.origin}/`,
        ci: 30595,
      });
    }
    const match = API_PATH.exec(url.pathname);
    if (!match) return routeNotFound(url);
    return api(request, url, method, entry.path, entry);
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = name === 'secret' ? '[redacted]' : value;
    });
    const apiMatch = ZONE_PATH.test(url.pathname) ? null : API_PATH.exec(url.pathname);
    const entry: AutotaskRequestLogEntry = {
      method,
      path: apiMatch ? (apiMatch[1] ?? '') : url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      authOk: false,
      status: 0,
    };
    state.requests.push(entry);
    let response: Response;
    try {
      response = await dispatch(request, url, method, entry);
    } catch (error) {
      if (error instanceof AutotaskSimError) response = errorsBody(error.status, error.messages, error.headers);
      else response = errorsBody(500, ['An unexpected error has occurred.']);
    }
    entry.status = dropped.has(response) ? 0 : response.status;
    return response;
  }

  const fetchLike: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const signal = init?.signal;
    if (signal?.aborted) throw signal.reason;
    const answer = new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      handle(request).then(
        (response) => {
          signal?.removeEventListener('abort', onAbort);
          if (dropped.has(response)) reject(new TypeError('fetch failed', { cause: new Error('socket hang up') }));
          else resolve(response);
        },
        (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
    return answer;
  };

  return {
    fetch: fetchLike,
    state,
    credentials: { username: apiUser.username, secret: apiUser.secret, integrationCode: apiUser.integrationCode },
    failNext(pattern, status, times = 1, failureOptions = {}) {
      failures.push({ pattern, status, remaining: times, options: failureOptions });
    },
    async listen(listenOptions = {}) {
      const listener = getRequestListener(async (request, env) => {
        const response = await handle(request);
        if (dropped.has(response)) {
          // The write (if any) is done; the client never hears about it.
          (env as { outgoing: ServerResponse }).outgoing.socket?.destroy();
        }
        return response;
      });
      const server: Server = listenOptions.tls
        ? createHttpsServer({ key: listenOptions.tls.key, cert: listenOptions.tls.cert }, listener)
        : createHttpServer(listener);
      const host = listenOptions.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listenOptions.port ?? 0, host, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      const url = `${listenOptions.tls ? 'https' : 'http'}://${urlHost}:${port}`;
      return {
        url,
        port,
        zoneDiscoveryUrl: `${url}/atservicesrest/v1.0/zoneInformation`,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
  };
}
