import { autotaskConnector } from '../../src/connectors/psa/autotask/autotask-connector.js';
import type { AutotaskSettingsInput } from '../../src/connectors/psa/autotask/autotask-settings.js';
import type { PsaClient } from '../../src/connectors/psa/types.js';
import { createManualClock } from '../../src/lib/clock.js';
import type { FetchLike } from '../../src/lib/http-fetch.js';
import { createLogger, createSilentLogger } from '../../src/lib/logger.js';
import { demoAutotaskApiUser } from '../../src/simulators/autotask/autotask-seed.js';
import { type AutotaskSimulatorOptions, createAutotaskSimulator } from '../../src/simulators/autotask/autotask-simulator.js';

export type AutotaskSetupOptions = {
  sim?: AutotaskSimulatorOptions;
  settings?: Partial<AutotaskSettingsInput>;
  fetch?: FetchLike;
  logLines?: string[];
};

/**
 * An Autotask simulator listening on 127.0.0.1 and the Autotask connector pointed at it over real
 * HTTP. Waits (retries, pacing) go through a fake sleep that records them and moves the shared
 * manual clock, so nothing really sleeps. Close it when done.
 */
export async function startAutotask(options: AutotaskSetupOptions = {}) {
  const clock = createManualClock();
  // Autotask's own usage latency is off unless a test asks for it: it would really sleep.
  const sim = createAutotaskSimulator({ clock, usageLatencyMs: [0, 0], ...options.sim });
  const server = await sim.listen({ port: 0 });
  const delays: number[] = [];
  const sleep = async (ms: number) => {
    delays.push(ms);
    clock.advance(ms);
  };
  const settings = autotaskConnector.settings.parse({
    username: demoAutotaskApiUser.username,
    secret: demoAutotaskApiUser.secret,
    integrationCode: demoAutotaskApiUser.integrationCode,
    zoneDiscoveryUrl: server.zoneDiscoveryUrl,
    ...options.settings,
  });
  const logger = options.logLines
    ? createLogger({ level: 'debug', destination: { write: (line: string) => options.logLines?.push(line) } })
    : createSilentLogger();
  const client: PsaClient = autotaskConnector.create(settings, { fetch: options.fetch ?? globalThis.fetch, logger, clock, sleep });
  /** Requests the simulator saw, by method and path after `V1.0/` (or the full path outside the API). */
  const requests = (method: string, path: string | RegExp) =>
    sim.state.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  /** Every request except the threshold readings the client makes on its own. */
  const calls = () => sim.state.requests.filter((r) => r.path !== 'ThresholdInformation');
  return { sim, server, client, settings, delays, clock, requests, calls, close: () => server.close() };
}

export type AutotaskSetup = Awaited<ReturnType<typeof startAutotask>>;

/** Runs `test` against a fresh simulator and connector, and closes the simulator after it. */
export async function withAutotask(options: AutotaskSetupOptions, test: (setup: AutotaskSetup) => Promise<void>): Promise<void> {
  const setup = await startAutotask(options);
  try {
    await test(setup);
  } finally {
    await setup.close();
  }
}
