import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startToolbox } from '../src/start-toolbox.js';
import { type ReferenceDirectorySettings, type ReferencePsaSettings, startReferenceServer } from './reference-server.js';

/**
 * The servers under test for one PSA latency: the whole toolbox with its in-process demo sandbox
 * (ConnectWise + Graph simulators over HTTPS), and the bare reference pointed at that same
 * sandbox, so both pay for the same simulators. The benchmark runs this module in a child
 * process (`--child`), so the load generator does not share an event loop with the servers.
 */
export type BenchServers = {
  toolboxUrl: string;
  referenceUrl: string;
  /** CPU time (user + system) the server process has used so far, in ms; NaN where it cannot be read. */
  cpuMs(): number;
  close(): Promise<void>;
};

export type BenchServersMessage = { type: 'ready'; toolboxUrl: string; referenceUrl: string } | { type: 'error'; message: string };

export async function startBenchServers(psaLatencyMs: number): Promise<BenchServers> {
  const dataDir = await mkdtemp(join(tmpdir(), 'toolbox-bench-'));
  // The latency is fixed at start: startToolbox does not expose the simulator's `state.latencyMs`.
  const toolbox = await startToolbox({ env: { TOOLBOX_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }, demo: { psaLatencyMs } });
  try {
    const sandbox = toolbox.sandbox;
    if (!sandbox) throw new Error('startToolbox did not start the demo sandbox');
    const config = sandbox.config as unknown as { psa: ReferencePsaSettings; directories: ReferenceDirectorySettings[] };
    const reference = await startReferenceServer({ psa: config.psa, directories: config.directories, caPem: sandbox.caPem });
    return {
      toolboxUrl: toolbox.url,
      referenceUrl: reference.url,
      cpuMs: () => {
        const usage = process.cpuUsage();
        return (usage.user + usage.system) / 1000;
      },
      async close() {
        await reference.close();
        await toolbox.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await toolbox.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function runChild(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('--child needs an IPC channel (run through bench/screenpop.ts)');
  const latency = Number(process.argv[process.argv.indexOf('--psa-latency') + 1] ?? 0);
  let servers: BenchServers;
  try {
    servers = await startBenchServers(latency);
  } catch (error) {
    send({ type: 'error', message: (error as Error).stack ?? String(error) } satisfies BenchServersMessage);
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  send({ type: 'ready', toolboxUrl: servers.toolboxUrl, referenceUrl: servers.referenceUrl } satisfies BenchServersMessage);
  // The parent closing the channel (done, or killed) is the signal to stop.
  process.once('disconnect', () => {
    servers.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

if (process.argv.includes('--child')) await runChild();
