/**
 * Runs the ConnectWise simulator on its own: `npm run sim:connectwise`.
 * Listens on 127.0.0.1, port CW_SIM_PORT (default 8301), plain HTTP.
 */
import { createConnectWiseSimulator } from './connectwise-simulator.js';

const HELP = `ConnectWise Manage API simulator (demo MSP data from src/demo/demo-data.ts)

Usage: npm run sim:connectwise [-- --help]

Environment:
  CW_SIM_PORT          port to listen on (default 8301)
  CW_SIM_LATENCY_MS    delay before every answer (default 0)
  CW_SIM_CLOUD=1       answer bad credentials with 404, as ConnectWise Cloud does

Point the connector's siteUrl and apiUrl at the printed base URL.`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const port = Number(process.env.CW_SIM_PORT ?? 8301);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`CW_SIM_PORT must be a port number, not '${process.env.CW_SIM_PORT}'.`);
  const simulator = createConnectWiseSimulator({
    latencyMs: Number(process.env.CW_SIM_LATENCY_MS ?? 0) || 0,
    cloudMode: process.env.CW_SIM_CLOUD === '1',
  });
  const server = await simulator.listen({ port, host: '127.0.0.1' });
  const { companyId, clientId, codebase } = simulator.credentials;
  // The keys stay out of the terminal (and any captured log); they are in the demo data file.
  process.stdout.write(
    [
      `ConnectWise simulator listening on ${server.url}`,
      `  API base:   ${server.url}/${codebase}apis/3.0/`,
      `  companyId:  ${companyId}`,
      `  clientId:   ${clientId}`,
      '  API keys:   demoMsp.publicKey / demoMsp.privateKey in src/demo/demo-data.ts',
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
