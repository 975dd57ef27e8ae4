import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoPsaKind } from '../src/demo/demo-config.js';
import { startToolbox } from '../src/start-toolbox.js';
import { type ReferenceDirectorySettings, type ReferencePsaSettings, startReferenceServer } from './reference-server.js';

/**
 * The servers under test for one PSA and latency: the whole toolbox with its in-process demo
 * sandbox (that PSA's simulator + Graph over HTTPS), and the bare reference pointed at that same
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

/**
 * The simulated Autotask database's hourly request threshold during a benchmark. Autotask's is
 * 10,000 requests a rolling hour (reference autotask.md §8), which one warm-up of this benchmark
 * uses up (3 reads a pop); the simulator then adds latency from 50 % and refuses at 100 %, and the
 * toolbox slows down from 80 %. The benchmark measures what a pop costs, not the hourly budget,
 * so the simulated database gets a budget it never nears (docs/benchmarks.md says what the real
 * one means for throughput).
 */
export const BENCH_AUTOTASK_THRESHOLD = 100_000_000;

export async function startBenchServers(psaLatencyMs: number, psa: DemoPsaKind = 'connectwise'): Promise<BenchServers> {
  const dataDir = await mkdtemp(join(tmpdir(), 'toolbox-bench-'));
  // The latency is fixed at start: startToolbox does not expose the simulator's `state.latencyMs`.
  const toolbox = await startToolbox({
    env: { TOOLBOX_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    demo: { psa, psaLatencyMs },
  });
  try {
    const sandbox = toolbox.sandbox;
    if (!sandbox) throw new Error('startToolbox did not start the demo sandbox');
    if (sandbox.psaKind !== psa) throw new Error(`the demo sandbox simulates ${sandbox.psaKind}, not ${psa}`);
    if (sandbox.autotask) sandbox.autotask.state.threshold.limit = BENCH_AUTOTASK_THRESHOLD;
    const config = sandbox.config as unknown as {
      psa: ReferencePsaSettings;
      directories: (ReferenceDirectorySettings & { kind: string; credential?: string })[];
    };
    // The reference reads Microsoft 365 only: the demo's simulated AD domain has no HTTP side to call.
    // A tenant connected through the MSP app (the demo's pre-consented one) is read with the MSP
    // app's credential, as the toolbox does.
    const { microsoft } = sandbox.config;
    const directories = config.directories
      .filter((directory) => directory.kind === 'entra')
      .map((directory) =>
        directory.credential === 'msp-app'
          ? {
              ...directory,
              clientId: microsoft.clientId,
              clientSecret: microsoft.clientSecret,
              authorityHost: microsoft.authorityHost,
              graphUrl: microsoft.graphUrl,
            }
          : directory,
      );
    const reference = await startReferenceServer({ psa: config.psa, directories, caPem: sandbox.caPem });
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
  const psaAt = process.argv.indexOf('--psa');
  const psa = (psaAt >= 0 ? process.argv[psaAt + 1] : 'connectwise') as DemoPsaKind;
  let servers: BenchServers;
  try {
    servers = await startBenchServers(latency, psa);
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
