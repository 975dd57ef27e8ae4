import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
export async function startBrowserSandbox(options: { graphLatencyMs?: number } = {}): Promise<BrowserSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'toolbox-browser-'));
  try {
    const toolbox = await startToolbox({
      env: { TOOLBOX_DATA_DIR: join(dir, 'data'), PORT: '0', LOG_LEVEL: 'silent' },
      demo: { graphLatencyMs: options.graphLatencyMs ?? 0 },
    });
    const sandbox = toolbox.sandbox;
    if (!sandbox) throw new Error('the demo sandbox did not start');
    return {
      toolbox,
      graph: sandbox.graph,
      connectWise: sandbox.connectWise,
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
