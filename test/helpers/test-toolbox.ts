import { Writable } from 'node:stream';
import type { Hono } from 'hono';
import { loadConfig } from '../../src/config/load-config.js';
import { directoryConnectors } from '../../src/connectors/directory/index.js';
import type { DirectoryConnector } from '../../src/connectors/directory/types.js';
import { psaConnectors } from '../../src/connectors/psa/index.js';
import type { PsaConnectorRegistry } from '../../src/connectors/psa/types.js';
import { createServices } from '../../src/create-services.js';
import { buildDemoConfig, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import type { AgentHubOptions } from '../../src/domain/agents/agent-hub.js';
import type { MspApp } from '../../src/domain/microsoft-app/msp-app.js';
import type { FormRegistry } from '../../src/forms/form-registry.js';
import { builtInForms } from '../../src/forms/index.js';
import { type Clock, systemClock } from '../../src/lib/clock.js';
import type { FetchLike } from '../../src/lib/http-fetch.js';
import { createLogger } from '../../src/lib/logger.js';
import type { Services } from '../../src/services.js';
import {
  type ConnectWiseSimulator,
  type ConnectWiseSimulatorOptions,
  createConnectWiseSimulator,
} from '../../src/simulators/connectwise/connectwise-simulator.js';
import { createGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../../src/simulators/graph/graph-simulator.js';
import type { Store } from '../../src/store/types.js';
import type { AppEnv } from '../../src/web/app-env.js';
import { createApp } from '../../src/web/create-app.js';
import { cookieOf } from './http-cookies.js';

export const CW_ORIGIN = 'https://cw.toolbox.test';
export const GRAPH_ORIGIN = 'https://graph.toolbox.test';
export const TEST_ORIGIN = 'http://toolbox.test';

/**
 * Configuration with nothing but the users: the admin sets the rest up in the console (the
 * screen-pop secret too: until then every screen pop is refused).
 */
/** The demo's Microsoft 365 directories with a company left out, for a test that gives it another directory. */
export const demoDirectoriesWithout = (companyId: string) =>
  buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN }).directories.map((directory) => ({
    ...directory,
    psaCompanyIds: directory.psaCompanyIds.filter((id) => String(id) !== companyId),
  }));

export const EMPTY_CONSOLE_CONFIG = { psa: undefined, directories: [], forms: undefined, screenpop: undefined };

export type TestToolbox = {
  app: Hono<AppEnv>;
  services: Services;
  cw: ConnectWiseSimulator;
  graph: GraphSimulator;
  /** Every log line written, as text: tests scan it for secrets. */
  logText(): string;
  /**
   * GET or POST through the app with this session's cookies; `form` posts urlencoded with Origin.
   * `clientAddress` is the socket's peer address the app sees (as the Node adapter passes it);
   * without it the request has none, as in-process requests do.
   */
  request(
    path: string,
    init?: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; cookie?: string; clientAddress?: string },
  ): Promise<Response>;
  /** Clicks a screen-pop link (`query` after `?`) and opens the form it leads to. */
  openScreenPop(query: string, cookie: string): Promise<{ path: string; status: number; html: string }>;
  /**
   * Submits a launch form as a technician who confirms the review: posts, and when the answer is
   * a review (a form that removes things), posts again with its token, as the confirm button does.
   * `review` holds the review page's HTML when there was one.
   */
  submitReviewed(path: string, init: { form: Record<string, string>; cookie: string }): Promise<Response & { review?: string }>;
  /**
   * Calls the JSON API: with `session` as a signed-in browser would (cookie plus x-csrf-token on
   * writes), or with `token` as automation would (Authorization: Bearer).
   */
  api(
    method: string,
    path: string,
    init?: { body?: unknown; session?: { cookie: string; csrf: string }; token?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Signs in and returns the cookie header and the session's CSRF token. */
  signIn(who?: { email: string; password: string }): Promise<{ cookie: string; csrf: string }>;
  /**
   * Simulates `kill -9` of this toolbox: from now on none of its database calls or upstream
   * requests complete (they hang, as if the process were gone), so it writes nothing more and
   * stops heartbeating. Do not close a killed toolbox; start another on the same store.
   */
  kill(): void;
  /** Waits (10 s unless told) until the execution is finished and returns its JSON. */
  waitForExecution(id: string, cookie: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
};

export type TestToolboxOptions = {
  store: Store;
  config?: Record<string, unknown>;
  cw?: ConnectWiseSimulatorOptions;
  graph?: GraphSimulatorOptions;
  clock?: Clock;
  noteRetryDelaysMs?: number[];
  /**
   * Screen pops sent through `request` carry the webhook secret in effect (the demo's, or the one
   * set in the console), as 1Stream sends it, unless they carry one already. False for tests
   * about the secret itself.
   */
  signScreenPops?: boolean;
  /** Calls at once per upstream connection, instead of each connector's own limit. */
  maxConcurrentRequests?: number;
  /** Simulators to use instead of new ones: a toolbox started after another was killed shares them. */
  simulators?: { cw: ConnectWiseSimulator; graph: GraphSimulator };
  /**
   * A crash point: asked before each store call of this toolbox (`repo.method`, its arguments, the
   * unwrapped store to look things up); when it answers true the toolbox is killed (see `kill`)
   * and that call never happens.
   */
  killAt?: (call: { method: string; args: unknown[]; store: Store }) => boolean | Promise<boolean>;
  /** How long a dead worker's job stays claimed (the default is the production lease). */
  jobLeaseMs?: number;
  /**
   * The job engine; default `store` on both databases. In-process "kills" (`killAt`) stop a
   * toolbox without stopping its process, which only the store queue's short test leases turn into
   * a takeover in seconds; pg-boss, PostgreSQL's default, has its own tests, the crash suite (real
   * SIGKILL) and the two-instance test.
   */
  jobEngine?: 'store' | 'pg-boss';
  /**
   * PSA connectors beside the built-in ones, by kind: a test registers a PSA of its own (one folder,
   * one line), as a fourth PSA would be added to `src/connectors/psa/index.ts`.
   */
  psaConnectors?: PsaConnectorRegistry;
  /**
   * Directory connectors beside the built-in ones, by kind: a test registers a directory kind of its
   * own, as one would be added to `src/connectors/directory/index.ts`.
   */
  directoryConnectors?: Record<string, DirectoryConnector<unknown>>;
  /** The forms instead of the built-in five: a test registers a form of its own (one definition). */
  forms?: FormRegistry;
  /** More upstream hosts of the test network, by origin (a registered PSA's own simulator). */
  upstreams?: Record<string, (request: Request) => Response | Promise<Response>>;
  /** The on-prem agents' timings (agent tests shorten the poll and the offline window). */
  agentHub?: AgentHubOptions;
  /** The MSP's multi-tenant app (what the lead wires from the `microsoft` block), for tenants connected by admin consent. */
  mspApp?: MspApp;
  /** Sees every upstream call; `send` passes it on. Lets a test lose an answer after it landed. */
  interceptFetch?: (url: URL, init: RequestInit | undefined, send: () => Promise<Response>) => Promise<Response>;
  /** Least time between JWKS fetches at sign-in (the production default is 5 minutes). */
  signInJwksCooldownMs?: number;
};

/**
 * The whole service in-process: the real configuration loader, connectors, store, worker and web
 * app, with the ConnectWise and Graph simulators reached through an in-process fetch (no sockets).
 * The simulators enforce the same rules as over the network; the browser test covers real HTTPS.
 */
export async function createTestToolbox(options: TestToolboxOptions): Promise<TestToolbox> {
  const cw = options.simulators?.cw ?? createConnectWiseSimulator(options.cw ?? {});
  const graph = options.simulators?.graph ?? createGraphSimulator(options.graph ?? {});
  let killed = false;
  const never = () => new Promise<never>(() => {});
  const route: FetchLike = async (input, init) => {
    if (killed) return never();
    const url = new URL(String(input));
    if (url.origin === CW_ORIGIN) return cw.fetch(input, init);
    if (url.origin === GRAPH_ORIGIN) return graph.handler(new Request(url, init));
    const upstream = options.upstreams?.[url.origin];
    if (upstream) return upstream(new Request(url, init));
    throw new TypeError(`fetch failed: the test network has no host ${url.origin}`);
  };
  const intercept = options.interceptFetch;
  const routed: FetchLike = intercept ? (input, init) => intercept(new URL(String(input)), init, () => route(input, init)) : route;
  const fetch: FetchLike = (input, init) => (killed ? never() : routed(input, init));
  const store = killableStore(
    options.store,
    {
      dead: () => killed,
      kill: () => {
        killed = true;
      },
      ...(options.killAt ? { killAt: options.killAt } : {}),
    },
    never,
  );
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const demo = buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN });
  const base = {
    ...demo,
    publicUrl: TEST_ORIGIN,
    users: [
      ...demo.users,
      { email: 'other.tech@northwind-it.example', password: 'another-tech-password', role: 'technician', name: 'Other Tech' },
    ],
    launch: { ttlMinutes: 30, psaTimeoutMs: 3000 },
  };
  const registry = { ...psaConnectors, ...options.psaConnectors };
  const directoryRegistry = { ...directoryConnectors, ...options.directoryConnectors };
  const forms = options.forms ?? builtInForms;
  const config = loadConfig({
    env: { TOOLBOX_DATA_DIR: '/nonexistent-test-dir' },
    psaConnectors: registry,
    directoryConnectors: directoryRegistry,
    availableForms: [...forms.names],
    formDefaultsSchemas: forms.defaultsSchemas,
    demoConfig: () => ({ ...base, ...options.config }),
  });
  const services = createServices({
    config,
    logger,
    clock: options.clock ?? systemClock,
    fetch,
    secretKey: Buffer.alloc(32, 7),
    store,
    psaConnectors: registry,
    directoryConnectors: directoryRegistry,
    forms,
    workerConcurrency: 2,
    jobEngine: options.jobEngine ?? 'store',
    ...(options.jobLeaseMs ? { jobLeaseMs: options.jobLeaseMs } : {}),
    ...(options.noteRetryDelaysMs ? { noteRetryDelaysMs: options.noteRetryDelaysMs } : {}),
    ...(options.maxConcurrentRequests ? { maxConcurrentRequests: options.maxConcurrentRequests } : {}),
    ...(options.agentHub ? { agentHub: options.agentHub } : {}),
    ...(options.mspApp ? { mspApp: options.mspApp, sleep: async () => {} } : {}),
    ...(options.signInJwksCooldownMs !== undefined ? { signInJwksCooldownMs: options.signInJwksCooldownMs } : {}),
  });
  await services.start();
  const app = createApp(services);

  const autoSecret = options.signScreenPops ?? true;
  const request: TestToolbox['request'] = (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.cookie) headers.set('cookie', init.cookie);
    const secret = services.settings.current().screenpop.secret;
    if (autoSecret && secret && path.startsWith('/hooks/screenpop') && !headers.has('x-toolbox-secret') && !/[?&]secret=/.test(path)) {
      headers.set('x-toolbox-secret', secret);
    }
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      if (!headers.has('origin')) headers.set('origin', TEST_ORIGIN);
      body = new URLSearchParams(init.form).toString();
    }
    const env = init.clientAddress ? { incoming: { socket: { remoteAddress: init.clientAddress } } } : undefined;
    return Promise.resolve(
      app.request(
        `${TEST_ORIGIN}${path}`,
        { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, ...(body ? { body } : {}) },
        env,
      ),
    );
  };

  const openScreenPop: TestToolbox['openScreenPop'] = async (query, cookie) => {
    const pop = await request(`/hooks/screenpop?${query}`, { cookie });
    if (pop.status !== 303) throw new Error(`the screen pop answered ${pop.status}, not 303: ${(await pop.text()).slice(0, 300)}`);
    const path = pop.headers.get('location')!;
    const page = await request(path, { cookie });
    return { path, status: page.status, html: await page.text() };
  };

  const submitReviewed: TestToolbox['submitReviewed'] = async (path, init) => {
    const first = await request(path, init);
    if (first.status !== 200) return first;
    const html = await first.text();
    const token = /name="_review" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`expected a review or a redirect, got a page without one: ${html.slice(0, 300)}`);
    const confirmed: Response & { review?: string } = await request(path, { ...init, form: { ...init.form, _review: token } });
    confirmed.review = html;
    return confirmed;
  };

  const api: TestToolbox['api'] = (method, path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.session) {
      headers.set('cookie', init.session.cookie);
      if (method !== 'GET') headers.set('x-csrf-token', init.session.csrf);
    }
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    let body: string | undefined;
    if (init.body !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.body);
    }
    return Promise.resolve(app.request(`${TEST_ORIGIN}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }));
  };

  return {
    app,
    services,
    cw,
    graph,
    logText: () => lines.join(''),
    request,
    openScreenPop,
    submitReviewed,
    api,
    async signIn(who = DEMO_SIGN_IN) {
      const page = await request('/login');
      const loginCookie = cookieOf(page, 'tbx_login');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
      if (!loginCookie || !csrf) throw new Error('login page has no CSRF token');
      const response = await request('/login', {
        form: { _csrf: csrf, email: who.email, password: who.password, next: '/' },
        cookie: loginCookie,
      });
      const session = cookieOf(response, 'tbx_session');
      if (response.status !== 303 || !session) throw new Error(`sign-in failed with ${response.status}`);
      const home = await request('/', { cookie: session });
      const token = /name="_csrf" value="([^"]+)"/.exec(await home.text())?.[1];
      if (!token) throw new Error('no session CSRF token on the start page');
      return { cookie: session, csrf: token };
    },
    kill() {
      killed = true;
    },
    async waitForExecution(id, cookie, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await request(`/api/executions/${id}`, { cookie });
        const json = (await response.json()) as Record<string, unknown>;
        if (json.status === 'succeeded' || json.status === 'partial' || json.status === 'failed') return json;
        if (Date.now() > deadline) throw new Error(`execution ${id} still ${String(json.status)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await services.stop();
    },
  };
}

type KillSwitch = { dead(): boolean; kill(): void; killAt?: TestToolboxOptions['killAt'] };

/** The store as a killed process sees it: once dead, no call completes. */
function killableStore(store: Store, killSwitch: KillSwitch, never: () => Promise<never>): Store {
  const { dead, kill, killAt } = killSwitch;
  const wrap = <R extends object>(name: string, repo: R): R =>
    new Proxy(repo, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        if (!killAt) return (...args: unknown[]) => (dead() ? never() : value.apply(target, args));
        return async (...args: unknown[]) => {
          if (!dead() && (await killAt({ method: `${name}.${String(key)}`, args, store }))) kill();
          return dead() ? never() : value.apply(target, args);
        };
      },
    });
  return {
    ...store,
    users: wrap('users', store.users),
    sessions: wrap('sessions', store.sessions),
    launches: wrap('launches', store.launches),
    executions: wrap('executions', store.executions),
    jobs: wrap('jobs', store.jobs),
    settings: wrap('settings', store.settings),
    audit: wrap('audit', store.audit),
    apiTokens: wrap('apiTokens', store.apiTokens),
    directoryAgents: wrap('directoryAgents', store.directoryAgents),
    migrate: () => store.migrate(),
    close: () => store.close(),
  };
}
