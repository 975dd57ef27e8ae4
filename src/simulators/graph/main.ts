import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoTenants } from '../../demo/demo-data.js';
import { createSelfSignedCertificate } from '../../lib/self-signed-certificate.js';
import { createGraphSimulator } from './graph-simulator.js';

/**
 * `npm run sim:graph`: the Microsoft identity platform + Graph simulator over HTTPS with a fresh
 * self-signed certificate, for the demo and for trying the Entra connector by hand.
 */
const HELP = `Usage: npm run sim:graph -- [options]

Starts a local Microsoft Graph and Entra sign-in simulator over HTTPS.

Options:
  --port <n>        Port to listen on (env GRAPH_SIM_PORT, default 8443)
  --host <h>        Address to bind (env GRAPH_SIM_HOST, default 127.0.0.1)
  --cert-out <path> Where to write the generated certificate (env GRAPH_SIM_CERT, default ./data/graph-sim.crt)
  --latency <ms>    Delay added to every response (default 0)
  --help            Show this help
`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'cert-out': { type: 'string' },
    latency: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const port = Number(values.port ?? process.env.GRAPH_SIM_PORT ?? 8443);
const host = values.host ?? process.env.GRAPH_SIM_HOST ?? '127.0.0.1';
const certPath = resolve(values['cert-out'] ?? process.env.GRAPH_SIM_CERT ?? 'data/graph-sim.crt');
const latencyMs = Number(values.latency ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`Invalid port: ${values.port ?? process.env.GRAPH_SIM_PORT}\n`);
  process.exit(2);
}

const tls = await createSelfSignedCertificate({ hostnames: ['localhost', '127.0.0.1', '::1'] });
mkdirSync(dirname(certPath), { recursive: true });
// Only the certificate is written: the private key stays in memory and dies with the process.
writeFileSync(certPath, tls.cert);

const simulator = createGraphSimulator({ latencyMs });
const { url, close } = await simulator.listen({ port, host, tls });

const lines = [
  `Graph simulator listening on ${url}`,
  `  authorityHost and graphUrl for the Entra connector: ${url}`,
  `  Exchange Online InvokeCommand (distribution lists) at the same URL: ${url}/adminapi/beta/{tenant}/InvokeCommand`,
  `  (the certificate is also valid for https://localhost:${new URL(url).port})`,
  `Certificate written to ${certPath}`,
  `  trust it with: NODE_EXTRA_CA_CERTS=${certPath} <command>`,
  '',
  'Tenants (client secrets are in src/demo/demo-data.ts):',
  ...demoTenants.map((t) => `  ${t.key.padEnd(9)} tenantId ${t.tenantId}  clientId ${t.clientId}  domains ${t.verifiedDomains.join(', ')}`),
  '',
  'Press Ctrl+C to stop.',
];
process.stdout.write(`${lines.join('\n')}\n`);

const shutdown = () => {
  close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
