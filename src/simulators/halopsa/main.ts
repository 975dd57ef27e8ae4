/**
 * Runs the HaloPSA simulator on its own: `npm run sim:halopsa`.
 * Listens on 127.0.0.1, port HALO_SIM_PORT (default 8302), plain HTTP.
 */
import { DEMO_HALO_API_AGENT } from './halopsa-seed.js';
import { createHaloPsaSimulator } from './halopsa-simulator.js';

const HELP = `HaloPSA API simulator (demo MSP data from src/demo/demo-data.ts)

Usage: npm run sim:halopsa [-- --help]

Environment:
  HALO_SIM_PORT          port to listen on (default 8302)
  HALO_SIM_LATENCY_MS    delay before every answer (default 0)
  HALO_SIM_HOSTED=1      behave as a Halo-hosted instance: the token request needs ?tenant=
  HALO_SIM_TENANT        the hosted tenant's name (default northwind)
  HALO_SIM_API_AGENT     'none': the API application logs in as no agent; 'no-team': its agent
                         has no default team (and sees no other agents)
  HALO_SIM_RATE_LIMIT    requests per 3 minutes before 429 (default 500, 0 for none)

Point the connector's url at the printed base URL.`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const port = Number(process.env.HALO_SIM_PORT ?? 8302);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`HALO_SIM_PORT must be a port number, not '${process.env.HALO_SIM_PORT}'.`);
  }
  const budget = Number(process.env.HALO_SIM_RATE_LIMIT ?? 500);
  if (!Number.isInteger(budget) || budget < 0) throw new Error('HALO_SIM_RATE_LIMIT must be a whole number.');
  const apiAgent = process.env.HALO_SIM_API_AGENT?.trim() ?? '';
  if (apiAgent && apiAgent !== 'none' && apiAgent !== 'no-team') throw new Error("HALO_SIM_API_AGENT must be 'none' or 'no-team'.");
  const tenantName = process.env.HALO_SIM_TENANT?.trim();
  const simulator = createHaloPsaSimulator({
    latencyMs: Number(process.env.HALO_SIM_LATENCY_MS ?? 0) || 0,
    hosted: process.env.HALO_SIM_HOSTED === '1',
    ...(tenantName ? { tenant: tenantName } : {}),
    ...(apiAgent === 'none'
      ? { seed: { apiAgent: null } }
      : apiAgent === 'no-team'
        ? { seed: { apiAgent: { ...DEMO_HALO_API_AGENT, team: '' } } }
        : {}),
    // The figure one client library claims (reference §7); Halo publishes none.
    rateLimit: budget > 0 ? { requests: budget, windowMs: 180_000 } : undefined,
  });
  const server = await simulator.listen({ port, host: '127.0.0.1' });
  const { clientId, tenant, hosted } = simulator.credentials;
  // The client secret stays out of the terminal (and any captured log); it is in the seed file.
  process.stdout.write(
    [
      `HaloPSA simulator listening on ${server.url}`,
      `  API:        ${server.url}/api/`,
      `  token:      ${server.url}/auth/token${hosted ? `?tenant=${tenant}` : ''}`,
      `  client id:  ${clientId}`,
      `  tenant:     ${hosted ? tenant : '(self-hosted: none needed)'}`,
      '  secret:     demoHaloPsa.clientSecret in src/simulators/halopsa/halopsa-seed.ts',
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
