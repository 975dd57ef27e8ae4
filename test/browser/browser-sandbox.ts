import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { psaConnectors } from '../../src/connectors/psa/index.js';
import type { PsaConnectorRegistry } from '../../src/connectors/psa/types.js';
import type { Clock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { ConnectWiseSimulator } from '../../src/simulators/connectwise/connectwise-simulator.js';
import type { GraphSimulator } from '../../src/simulators/graph/graph-simulator.js';
import { type RunningToolbox, startToolbox } from '../../src/start-toolbox.js';

export type BrowserSandbox = {
  toolbox: RunningToolbox;
  graph: GraphSimulator;
  connectWise: ConnectWiseSimulator;
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
};

export async function startBrowserSandbox(options: BrowserSandboxOptions = {}): Promise<BrowserSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'toolbox-browser-'));
  try {
    const lines = options.logLines;
    const toolbox = await startToolbox({
      env: { TOOLBOX_DATA_DIR: join(dir, 'data'), PORT: '0', LOG_LEVEL: 'silent', ...(options.demo ? { TOOLBOX_DEMO: options.demo } : {}) },
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
    return {
      toolbox,
      graph: sandbox.graph,
      connectWise: sandbox.connectWise!,
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
