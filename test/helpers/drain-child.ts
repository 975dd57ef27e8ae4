/**
 * A toolbox in a child process for the shutdown test: the demo sandbox with slow Microsoft Graph
 * answers (so a step is running when the signal comes), and the same signal handling as
 * src/main.ts. Arguments: drain timeout in ms, Graph latency in ms. Prints `READY <json>` once up.
 */
import { handleShutdownSignals } from '../../src/operations/shutdown-signals.js';
import { startToolbox } from '../../src/start-toolbox.js';

const drainTimeoutMs = Number(process.argv[2] ?? 25_000);
const graphLatencyMs = Number(process.argv[3] ?? 0);
const psaLatencyMs = Number(process.argv[4] ?? 0);
const running = await startToolbox({ env: { ...process.env, PORT: '0' }, demo: { graphLatencyMs, psaLatencyMs } });
handleShutdownSignals({ close: (options) => running.close(options), drainTimeoutMs, logger: running.services.logger });
const database = running.config.database;
process.stdout.write(
  `READY ${JSON.stringify({ url: running.url, database: database.kind === 'sqlite' ? database.path : null, screenpopSecret: running.services.settings.current().screenpop.secret ?? null })}\n`,
);
