import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { type Clock, systemClock } from '../../lib/clock.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import { actionRoutes } from './halopsa-action-routes.js';
import { createHaloAuth } from './halopsa-auth.js';
import { createHaloFaults, type FailureOptions, matchesPath, type PathPattern } from './halopsa-faults.js';
import { agentRoutes, clientRoutes, lookupRoutes, userRoutes } from './halopsa-people-routes.js';
import { HaloRefusal, htmlNotFound, problemResponse, text, ValidationProblem } from './halopsa-responses.js';
import type { HaloRouteContext } from './halopsa-route.js';
import { demoHaloPsa, demoHaloSeed, type HaloSeed } from './halopsa-seed.js';
import { createHaloStore, type HaloRequestLogEntry, type HaloSimulatorState } from './halopsa-store.js';
import { createHaloThrottle, type HaloRateLimit } from './halopsa-throttle.js';
import { ticketRoutes } from './halopsa-ticket-routes.js';

/**
 * A stateful HaloPSA API double held to the reference's rules (shared/reference/halopsa.md §9):
 * the client-credentials token (form-encoded, `?tenant=` on a hosted instance, OAuth errors,
 * expiry), bearer auth on `/api`, bare records and `record_count` envelopes, `pageinate` paging
 * capped at 100 rows, array bodies on POST, integer ids as JSON numbers, per-tenant outcomes,
 * data scoped to the API agent's teams, 429 past a request budget, plus latency and failure
 * injection. Connector tests point at it; `npm run sim:halopsa` runs it on its own.
 */
export type HaloPsaSimulatorOptions = {
  /** Starting data; anything left out comes from the demo MSP (src/demo/demo-data.ts). */
  seed?: Partial<HaloSeed>;
  clientId?: string;
  clientSecret?: string;
  /** A Halo-hosted instance: the token request must carry `?tenant=` with this tenant. */
  hosted?: boolean;
  tenant?: string;
  /** The scopes the API application was granted (default `all`). */
  grantedScopes?: string[];
  tokenLifetimeSeconds?: number;
  /** Delay before every answer. Also settable later through `state.latencyMs`. */
  latencyMs?: number;
  rateLimit?: HaloRateLimit;
  forbidden?: { method?: string; path: PathPattern }[];
  clock?: Clock;
};

export type HaloPsaSimulator = {
  /** Calls the simulator in-process, honouring `init.signal` like a real fetch. */
  fetch: FetchLike;
  state: HaloSimulatorState;
  /** Issued bearer tokens; clearing it makes every token the connector holds unknown. */
  tokens: Map<string, { expiresAt: number; scope: string }>;
  /** How many tokens were issued so far. */
  tokensIssued(): number;
  /**
   * The next `times` requests matching the path pattern (and method) get `status`. A string
   * pattern matches the whole URL path case-insensitively, `*` standing for one segment:
   * `/api/Tickets/*`, `/auth/token`.
   */
  failNext(pattern: PathPattern, status: number, times?: number, options?: FailureOptions): void;
  /** The next matching request is carried out, but its answer waits `delayMs` (a lost answer). */
  holdAnswerNext(pattern: PathPattern, options: { method?: string; delayMs: number; times?: number }): void;
  listen(options?: { port?: number; host?: string; tls?: { key: string | Buffer; cert: string | Buffer } }): Promise<{
    url: string;
    port: number;
    close(): Promise<void>;
  }>;
  credentials: { clientId: string; clientSecret: string; tenant: string; hosted: boolean };
};

const PERMISSION_DENIED = 'You do not have permission to access this area. Check the agent permissions of the API agent.';

export function createHaloPsaSimulator(options: HaloPsaSimulatorOptions = {}): HaloPsaSimulator {
  const clock = options.clock ?? systemClock;
  const credentials = {
    clientId: options.clientId ?? demoHaloPsa.clientId,
    clientSecret: options.clientSecret ?? demoHaloPsa.clientSecret,
    tenant: options.tenant ?? demoHaloPsa.tenant,
    hosted: options.hosted ?? false,
  };
  const nowIso = () => new Date(clock.now()).toISOString().replace(/Z$/, '');
  const store = createHaloStore({ ...demoHaloSeed(), ...options.seed }, nowIso);
  const state = store.state;
  state.latencyMs = options.latencyMs ?? 0;
  state.rateLimit = options.rateLimit;
  state.forbidden = [...(options.forbidden ?? [])];
  const auth = createHaloAuth(
    {
      ...credentials,
      grantedScopes: options.grantedScopes ?? ['all'],
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    },
    clock,
  );
  const throttle = createHaloThrottle(clock, () => state.rateLimit);
  const faults = createHaloFaults();

  async function route(request: Request, url: URL, method: string, entry: HaloRequestLogEntry): Promise<Response> {
    const path = url.pathname;
    if (/^\/auth\/token\/?$/i.test(path)) {
      const form = new URLSearchParams(await request.clone().text());
      // What the client sent, for tests; the secret is never logged.
      entry.body = { grant_type: form.get('grant_type'), scope: form.get('scope'), has_client_secret: form.has('client_secret') };
      return auth.tokenEndpoint(request, url);
    }
    const api = /^\/api(\/.*)?$/i.exec(path);
    if (!api) return htmlNotFound();
    const segments = (api[1] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
    const resource = segments[0]?.toLowerCase();
    // Discovery needs no token: clients call it to find the auth server (reference §1).
    if (resource === 'authinfo' && segments.length === 1 && method === 'GET') return auth.authInfo(url);
    const unauthorized = auth.checkBearer(request);
    if (unauthorized) return unauthorized;
    if (state.forbidden.some((rule) => (!rule.method || rule.method.toUpperCase() === method) && matchesPath(rule.path, path))) {
      return text(403, PERMISSION_DENIED);
    }
    const context: HaloRouteContext = { store, request, url, method, segments, entry };
    switch (resource) {
      case 'tickets':
        return ticketRoutes(context);
      case 'client':
        return clientRoutes(context);
      case 'users':
        return userRoutes(context);
      case 'agent':
        return agentRoutes(context);
      case 'actions':
        return actionRoutes(context);
      case 'status':
      case 'outcome':
      case 'team':
        return lookupRoutes(context);
      default:
        return new Response(null, { status: 404 });
    }
  }

  async function handle(request: Request, signal?: AbortSignal): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = name === 'authorization' ? `${value.split(' ')[0]} [redacted]` : value;
    });
    const entry: HaloRequestLogEntry = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, status: 0 };
    state.requests.push(entry);
    if (state.latencyMs > 0) await wait(state.latencyMs, signal);
    let response = faults.take(method, url.pathname) ?? throttle.take();
    if (!response) {
      try {
        response = await route(request, url, method, entry);
      } catch (error) {
        if (error instanceof ValidationProblem) response = problemResponse(error);
        else if (error instanceof HaloRefusal) response = text(error.status, error.message);
        else response = text(500, 'An error occurred while processing your request.');
      }
      const hold = faults.holdFor(method, url.pathname);
      if (hold > 0) await wait(hold, signal);
    }
    entry.status = response.status;
    return response;
  }

  const fetchLike: FetchLike = (input, init) => {
    const request = new Request(input, init);
    const signal = init?.signal ?? undefined;
    if (!signal) return handle(request);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      handle(request, signal).then(
        (response) => {
          signal.removeEventListener('abort', onAbort);
          resolve(response);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  };

  return {
    fetch: fetchLike,
    state,
    tokens: auth.tokens,
    tokensIssued: auth.issued,
    credentials,
    failNext: (pattern, status, times, failureOptions) => faults.failNext(pattern, status, times, failureOptions),
    holdAnswerNext: (pattern, holdOptions) => faults.holdAnswerNext(pattern, holdOptions),
    async listen(listenOptions = {}) {
      const listener = getRequestListener((request) => handle(request, request.signal));
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
      return {
        url: `${listenOptions.tls ? 'https' : 'http'}://${urlHost}:${port}`,
        port,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
  };
}

/** Waits, but gives up early when the caller goes away (a held answer must not outlive its socket). */
function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
