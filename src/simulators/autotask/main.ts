/**
 * Runs the Autotask simulator on its own: `npm run sim:autotask`.
 * Listens on 127.0.0.1, port AT_SIM_PORT (default 8303), plain HTTP.
 */
import { createAutotaskSimulator } from './autotask-simulator.js';

const HELP = `Autotask PSA REST API simulator (demo MSP data from src/demo/demo-data.ts)

Usage: npm run sim:autotask [-- --help]

Environment:
  AT_SIM_PORT            port to listen on (default 8303)
  AT_SIM_LATENCY_MS      delay before every answer (default 0)
  AT_SIM_THRESHOLD       requests per rolling hour for the database (default 10000)
  AT_SIM_USED            requests other integrations have already made this hour (default 0)
  AT_SIM_ZONE_URL        the zone URL zone discovery answers with (default this simulator's own
                         …/ATServicesRest/); another zone's, to try a wrong zone
  AT_SIM_ZONE_NAME       the zone name zone discovery answers with

Set the connector's zoneDiscoveryUrl to the printed zone discovery URL.`;

function numberFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not '${raw}'.`);
  return value;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const port = numberFrom('AT_SIM_PORT', 8303);
  if (port > 65535) throw new Error(`AT_SIM_PORT must be a port number, not '${port}'.`);
  const zoneUrl = process.env.AT_SIM_ZONE_URL?.trim();
  if (zoneUrl && !URL.canParse(zoneUrl)) throw new Error(`AT_SIM_ZONE_URL must be a URL, not '${zoneUrl}'.`);
  const zoneName = process.env.AT_SIM_ZONE_NAME?.trim();
  const simulator = createAutotaskSimulator({
    latencyMs: numberFrom('AT_SIM_LATENCY_MS', 0),
    requestThreshold: numberFrom('AT_SIM_THRESHOLD', 10_000) || 10_000,
    zone: { ...(zoneUrl ? { url: zoneUrl } : {}), ...(zoneName ? { zoneName } : {}) },
  });
  simulator.state.threshold.addExternal(numberFrom('AT_SIM_USED', 0));
  const server = await simulator.listen({ port, host: '127.0.0.1' });
  const { username } = simulator.credentials;
  // The secret and the integration code stay out of the terminal (and any captured log).
  process.stdout.write(
    [
      `Autotask simulator listening on ${server.url}`,
      `  zone discovery:  ${server.zoneDiscoveryUrl}`,
      `  API base:        ${server.url}/ATServicesRest/V1.0/`,
      `  username:        ${username}`,
      '  secret, code:    demoAutotaskApiUser in src/simulators/autotask/autotask-seed.ts',
      '',
    ].join('\n'),
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
