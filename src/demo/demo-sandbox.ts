import { createSelfSignedCertificate } from '../lib/self-signed-certificate.js';
import { type ConnectWiseSimulator, createConnectWiseSimulator } from '../simulators/connectwise/connectwise-simulator.js';
import { createGraphSimulator, type GraphSimulator } from '../simulators/graph/graph-simulator.js';
import { demoCompanies, demoMsp, demoTenants } from './demo-data.js';

export type DemoSandbox = {
  /** The configuration object the demo runs on, as a configuration file would hold it. */
  config: Record<string, unknown>;
  /** The generated certificate, to trust for calls to the simulators. */
  caPem: string;
  connectWiseUrl: string;
  graphUrl: string;
  /** The simulators themselves: their state (notes written, password changes) and knobs (latency). */
  connectWise: ConnectWiseSimulator;
  graph: GraphSimulator;
  close(): Promise<void>;
};

/** The demo sign-in; printed at start. Not a secret: it only opens the demo sandbox. */
export const DEMO_SIGN_IN = { email: 'tech@northwind-it.example', password: 'demo-technician-pass', name: 'Bailey Kim' };
export const DEMO_ADMIN = { email: 'admin@northwind-it.example', password: 'demo-admin-password', name: 'Alex Owens' };

/**
 * Starts the ConnectWise and Microsoft 365 simulators in this process, over HTTPS on loopback
 * with a certificate generated now, and returns the configuration that points the toolbox at
 * them. Used when no configuration file is given, and by the end-to-end tests and benchmark.
 */
export async function startDemoSandbox(options: { psaLatencyMs?: number; graphLatencyMs?: number } = {}): Promise<DemoSandbox> {
  const certificate = await createSelfSignedCertificate({ hostnames: ['localhost', '127.0.0.1', '::1'] });
  const tls = { key: certificate.key, cert: certificate.cert };
  const connectWise = createConnectWiseSimulator({ latencyMs: options.psaLatencyMs ?? 0 });
  const graph = createGraphSimulator({ latencyMs: options.graphLatencyMs ?? 0 });
  const cw = await connectWise.listen({ port: 0, host: '127.0.0.1', tls });
  const ms = await graph.listen({ port: 0, host: '127.0.0.1', tls });

  const config = {
    psa: {
      kind: 'connectwise',
      siteUrl: cw.url,
      apiUrl: cw.url,
      companyId: demoMsp.connectWiseCompanyId,
      publicKey: demoMsp.publicKey,
      privateKey: demoMsp.privateKey,
      clientId: demoMsp.clientId,
    },
    directories: demoTenants.map((tenant) => ({
      id: tenant.key,
      kind: 'entra',
      name: tenant.displayName,
      tenantId: tenant.tenantId,
      clientId: tenant.clientId,
      clientSecret: tenant.clientSecret,
      authorityHost: ms.url,
      graphUrl: ms.url,
      psaCompanyIds: demoCompanies.filter((company) => company.tenantKey === tenant.key).map((company) => company.id),
    })),
    users: [
      { email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password, role: 'technician', name: DEMO_SIGN_IN.name },
      { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password, role: 'admin', name: DEMO_ADMIN.name },
    ],
  };
  return {
    config,
    caPem: certificate.cert,
    connectWiseUrl: cw.url,
    graphUrl: ms.url,
    connectWise,
    graph,
    async close() {
      await Promise.all([cw.close(), ms.close()]);
    },
  };
}
