import { haloPsaConnector } from '../../src/connectors/psa/halopsa/halopsa-connector.js';
import type { HaloPsaSettingsInput } from '../../src/connectors/psa/halopsa/halopsa-settings.js';
import type { PsaClient } from '../../src/connectors/psa/types.js';
import { createManualClock } from '../../src/lib/clock.js';
import type { FetchLike } from '../../src/lib/http-fetch.js';
import { createLogger } from '../../src/lib/logger.js';
import { demoHaloPsa } from '../../src/simulators/halopsa/halopsa-seed.js';
import {
  createHaloPsaSimulator,
  type HaloPsaSimulator,
  type HaloPsaSimulatorOptions,
} from '../../src/simulators/halopsa/halopsa-simulator.js';

export type HaloHarness = {
  sim: HaloPsaSimulator;
  client: PsaClient;
  /** The simulator's address on 127.0.0.1. */
  url: string;
  clock: ReturnType<typeof createManualClock>;
  /** Every wait the connector asked for (nothing really sleeps: the clock moves instead). */
  delays: number[];
  logLines: string[];
  /** Logged requests with this method whose path matches, case-insensitively for a string. */
  requests(method: string, path: string | RegExp): HaloPsaSimulator['state']['requests'];
};

export type HaloHarnessOptions = {
  sim?: HaloPsaSimulatorOptions;
  settings?: Partial<HaloPsaSettingsInput>;
  /** Wraps the real fetch, e.g. to send a made-up host name to the simulator's socket. */
  fetch?: (real: FetchLike, url: string) => FetchLike;
};

/**
 * Runs `body` with the HaloPSA connector talking to a HaloPSA simulator over real HTTP on
 * 127.0.0.1, then closes the simulator. Both share one manual clock, so token expiry and
 * Retry-After waits are exercised without sleeping.
 */
export async function withHalo(options: HaloHarnessOptions, body: (harness: HaloHarness) => Promise<void>): Promise<void> {
  const clock = createManualClock();
  const sim = createHaloPsaSimulator({ clock, ...options.sim });
  const server = await sim.listen({ port: 0, host: '127.0.0.1' });
  const delays: number[] = [];
  const logLines: string[] = [];
  try {
    const settings = haloPsaConnector.settings.parse({
      url: server.url,
      clientId: demoHaloPsa.clientId,
      clientSecret: demoHaloPsa.clientSecret,
      ...options.settings,
    });
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } });
    const realFetch: FetchLike = (input, init) => globalThis.fetch(input, init);
    const client = haloPsaConnector.create(settings, {
      fetch: options.fetch ? options.fetch(realFetch, server.url) : realFetch,
      logger,
      clock,
      sleep: async (ms) => {
        delays.push(ms);
        clock.advance(ms);
      },
    });
    const requests = (method: string, path: string | RegExp) =>
      sim.state.requests.filter(
        (r) => r.method === method && (typeof path === 'string' ? r.path.toLowerCase() === path.toLowerCase() : path.test(r.path)),
      );
    await body({ sim, client, url: server.url, clock, delays, logLines, requests });
  } finally {
    await server.close();
  }
}
