import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Config } from './config/config.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { directoryConnectors as builtInDirectoryConnectors } from './connectors/directory/index.js';
import { psaConnectors as builtInPsaConnectors } from './connectors/psa/index.js';
import type { PsaConnectorRegistry } from './connectors/psa/types.js';
import { createServices } from './create-services.js';
import { DEMO_PSA_KINDS, type DemoPsaKind, type DemoSandbox, type DemoSandboxOptions, startDemoSandbox } from './demo/demo-sandbox.js';
import { builtInForms } from './forms/index.js';
import { type Clock, systemClock } from './lib/clock.js';
import { createHttpFetch } from './lib/http-fetch.js';
import { createLogger, type Logger } from './lib/logger.js';
import { loadSecretKeys } from './lib/secret-box.js';
import type { Services } from './services.js';
import { createApp } from './web/create-app.js';

export type StartToolboxOptions = {
  env: Record<string, string | undefined>;
  logger?: Logger;
  clock?: Clock;
  /** Demo sandbox options (tests and the benchmark); `TOOLBOX_DEMO_PSA` picks the PSA otherwise. */
  demo?: DemoSandboxOptions;
  /** The PSA connectors, by kind (default: the registry in connectors/psa/index.ts; tests add their own). */
  psaConnectors?: PsaConnectorRegistry;
};

export type RunningToolbox = {
  url: string;
  config: Config;
  services: Services;
  sandbox: DemoSandbox | undefined;
  /**
   * Stops the service. With `drainTimeoutMs` (SIGTERM, docs/operations.md) it drains: /readyz
   * answers 503, the listener takes no new connections and the job queue no new jobs, requests
   * and running steps get up to that long to finish, then what still runs is handed back.
   * Without it (tests), connections are cut at once.
   */
  close(options?: { drainTimeoutMs?: number }): Promise<void>;
};

/**
 * Starts the whole service: configuration (or the demo sandbox), HTTP listener, migrations, the
 * worker. The listener comes up first and answers 503 on /healthz until migrations are done, so a
 * load balancer sees "starting" rather than a refused connection.
 */
export async function startToolbox(options: StartToolboxOptions): Promise<RunningToolbox> {
  const { env } = options;
  const psaConnectors = options.psaConnectors ?? builtInPsaConnectors;
  const sandbox = env.TOOLBOX_CONFIG ? undefined : await startDemoSandbox({ psa: demoPsaKind(env.TOOLBOX_DEMO_PSA), ...options.demo });
  // The demo's simulated AD domains have a directory kind of their own, registered only here, for
  // the sandbox: a configuration file never sees it (as it never sees the simulators' URLs).
  const directoryConnectors = sandbox ? { ...builtInDirectoryConnectors, ...sandbox.directoryConnectors } : builtInDirectoryConnectors;
  try {
    const config = loadConfig({
      env,
      psaConnectors,
      directoryConnectors,
      availableForms: [...builtInForms.names],
      formDefaultsSchemas: builtInForms.defaultsSchemas,
      // TOOLBOX_DEMO=console: the simulators run, but the set-up is left to the admin console,
      // the MSP's Microsoft app included (main prints the values to enter).
      ...(sandbox ? { demoConfig: () => (env.TOOLBOX_DEMO === 'console' ? { users: sandbox.config.users } : sandbox.config) } : {}),
    });
    const logger = options.logger ?? createLogger({ level: config.logLevel });
    const clock = options.clock ?? systemClock;
    const fetch = createHttpFetch({ extraCaPem: sandbox ? [sandbox.caPem] : [] });
    // The listener comes up before the services are built: with PORT=0 the public URL is known only
    // once bound, and the services (sign-in and consent redirect URIs) are built with the real one.
    // Until the app exists every request gets 503 ("starting"), as /healthz would say.
    let app: ReturnType<typeof createApp> | undefined;
    let ready = false;
    const server = await new Promise<Server>((resolve, reject) => {
      const created = serve(
        {
          fetch: (request, env) =>
            app ? app.fetch(request, env) : new Response('starting', { status: 503, headers: { 'retry-after': '1' } }),
          port: config.port,
          hostname: config.host,
        },
        () => resolve(created as Server),
      );
      (created as Server).once('error', reject);
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
    // With port 0 (tests) the public URL follows the port actually bound.
    if (config.port === 0 && !env.TOOLBOX_PUBLIC_URL) config.publicUrl = url;
    // The demo's MSP app registration gets this public URL's callbacks, as an admin would add them.
    sandbox?.registerPublicUrl(config.publicUrl);
    let services: ReturnType<typeof createServices>;
    try {
      services = createServices({
        config,
        logger,
        clock,
        fetch,
        secretKey: loadSecretKeys({ env, dataDir: config.dataDir }).keys,
        psaConnectors,
        directoryConnectors,
      });
      app = createApp(services, { isReady: () => ready });
    } catch (error) {
      server.close();
      server.closeAllConnections?.();
      await fetch.close();
      throw error;
    }
    try {
      await services.start();
    } catch (error) {
      // E.g. a configuration the start refuses (no screen-pop secret): nothing keeps listening.
      server.close();
      server.closeAllConnections?.();
      await services.stop().catch(() => {});
      await fetch.close();
      throw error;
    }
    ready = true;
    return {
      url,
      config,
      services,
      sandbox,
      async close(closeOptions = {}) {
        const drainTimeoutMs = closeOptions.drainTimeoutMs;
        const drainDeadline = drainTimeoutMs === undefined ? undefined : Date.now() + drainTimeoutMs;
        services.readiness.markDraining();
        let cutOff: NodeJS.Timeout | undefined;
        let sweep: NodeJS.Timeout | undefined;
        const listenerClosed = new Promise<void>((resolve) => {
          server.close(() => resolve());
          if (drainTimeoutMs === undefined) {
            server.closeAllConnections?.();
            return;
          }
          // Idle keep-alive connections go now; those with a request in flight get until the
          // deadline. A keep-alive connection stays open after its response (Node closes it only
          // after its keep-alive timeout, 5 s), so idle ones are swept until none is left.
          server.closeIdleConnections?.();
          sweep = setInterval(() => server.closeIdleConnections?.(), 50);
          sweep.unref();
          cutOff = setTimeout(() => server.closeAllConnections?.(), drainTimeoutMs);
          cutOff.unref();
        });
        // The job queue stops claiming at once; the store closes once the requests are done too.
        await services.stop({
          ...(drainTimeoutMs !== undefined ? { drainTimeoutMs } : {}),
          requestsDone: listenerClosed.then(() => {
            clearTimeout(cutOff);
            clearInterval(sweep);
          }),
        });
        // Upstream calls of steps handed back may still be open: past the deadline they are not waited for.
        const bounded = (closing: Promise<void> | undefined) =>
          drainDeadline === undefined
            ? closing
            : Promise.race([closing, new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, drainDeadline - Date.now())).unref())]);
        await bounded(fetch.close());
        await bounded(sandbox?.close());
      },
    };
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
}

/** `TOOLBOX_DEMO_PSA`: which PSA the demo simulates; anything else is refused with the choices. */
function demoPsaKind(value: string | undefined): DemoPsaKind {
  if (value === undefined || value === '') return 'connectwise';
  if ((DEMO_PSA_KINDS as readonly string[]).includes(value)) return value as DemoPsaKind;
  throw new ConfigError('TOOLBOX_DEMO_PSA', [`"${value}" is not a PSA the demo simulates: use one of ${DEMO_PSA_KINDS.join(', ')}.`]);
}
