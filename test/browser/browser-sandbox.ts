import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { psaConnectors } from '../../src/connectors/psa/index.js';
import type { PsaConnectorRegistry } from '../../src/connectors/psa/types.js';
import type { DemoPsaKind } from '../../src/demo/demo-config.js';
import type { Clock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { AutotaskSimulator } from '../../src/simulators/autotask/autotask-simulator.js';
import type { ConnectWiseSimulator } from '../../src/simulators/connectwise/connectwise-simulator.js';
import type { GraphSimulator } from '../../src/simulators/graph/graph-simulator.js';
import type { HaloPsaSimulator } from '../../src/simulators/halopsa/halopsa-simulator.js';
import { type RunningToolbox, startToolbox } from '../../src/start-toolbox.js';

export type BrowserSandbox = {
  toolbox: RunningToolbox;
  graph: GraphSimulator;
  /** Which PSA the sandbox simulates (`psa` option; ConnectWise unless told otherwise). */
  psaKind: DemoPsaKind;
  /** The simulated PSA's simulator; reading one the sandbox does not run throws, naming the one it does. */
  connectWise: ConnectWiseSimulator;
  autotask: AutotaskSimulator;
  haloPsa: HaloPsaSimulator;
  close(): Promise<void>;
};

/**
 * The toolbox exactly as `npm start` runs it without a configuration file: the demo sandbox with
 * its simulators over HTTPS on loopback, a fresh data directory, a real listening port. The
 * simulators are kept so the test can check what Graph accepted and what ConnectWise stored.
 */
export type BrowserSandboxOptions = {
  graphLatencyMs?: number;
  /** `console`: TOOLBOX_DEMO=console, the simulators with nothing set up. */
  demo?: 'console';
  /** Every log line the toolbox writes is appended here (at debug level), for secret scans. */
  logLines?: string[];
  /** The toolbox's clock (the simulators keep the real one): lets a test make a launch expire. */
  clock?: Clock;
  /** PSA connectors beside the built-in ones (a PSA of the test's own). */
  psaConnectors?: PsaConnectorRegistry;
  /** The PSA the demo simulates, as `TOOLBOX_DEMO_PSA` picks it for `npm start`; default ConnectWise. */
  psa?: DemoPsaKind;
};

/** The simulator of the PSA the sandbox runs; asking for another is a mistake in the test, said plainly. */
function simulatorOf<T>(simulator: T | undefined, wanted: DemoPsaKind, running: DemoPsaKind): T {
  if (!simulator) throw new Error(`this browser sandbox simulates ${running}, not ${wanted} (pass { psa: '${wanted}' })`);
  return simulator;
}

export async function startBrowserSandbox(options: BrowserSandboxOptions = {}): Promise<BrowserSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'toolbox-browser-'));
  try {
    const lines = options.logLines;
    const toolbox = await startToolbox({
      env: {
        TOOLBOX_DATA_DIR: join(dir, 'data'),
        PORT: '0',
        LOG_LEVEL: 'silent',
        ...(options.demo ? { TOOLBOX_DEMO: options.demo } : {}),
        // The same switch `npm start` reads, so the browser tests start each PSA the way the demo does.
        ...(options.psa ? { TOOLBOX_DEMO_PSA: options.psa } : {}),
      },
      demo: { graphLatencyMs: options.graphLatencyMs ?? 0 },
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.psaConnectors ? { psaConnectors: { ...psaConnectors, ...options.psaConnectors } } : {}),
      ...(lines
        ? {
            logger: createLogger({
              level: 'debug',
              destination: new Writable({
                write(chunk, _encoding, callback) {
                  lines.push(String(chunk));
                  callback();
                },
              }),
            }),
          }
        : {}),
    });
    const sandbox = toolbox.sandbox;
    if (!sandbox) throw new Error('the demo sandbox did not start');
    const running = sandbox.psaKind;
    return {
      toolbox,
      graph: sandbox.graph,
      psaKind: running,
      get connectWise() {
        return simulatorOf(sandbox.connectWise, 'connectwise', running);
      },
      get autotask() {
        return simulatorOf(sandbox.autotask, 'autotask', running);
      },
      get haloPsa() {
        return simulatorOf(sandbox.haloPsa, 'halopsa', running);
      },
      async close() {
        await toolbox.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
