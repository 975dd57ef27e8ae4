import { createSelfSignedCertificate } from '../lib/self-signed-certificate.js';
import { type ConnectWiseSimulator, createConnectWiseSimulator } from '../simulators/connectwise/connectwise-simulator.js';
import { createGraphSimulator, type GraphSimulator } from '../simulators/graph/graph-simulator.js';
import { buildDemoConfig } from './demo-config.js';

export { DEMO_ADMIN, DEMO_SCREENPOP_SECRET, DEMO_SIGN_IN } from './demo-config.js';

export type DemoSandbox = {
  /** The configuration object the demo runs on, as a configuration file would hold it. */
  config: ReturnType<typeof buildDemoConfig>;
  /** The generated certificate, to trust for calls to the simulators. */
  caPem: string;
  connectWiseUrl: string;
  graphUrl: string;
  /** The simulators themselves: their state (notes written, password changes) and knobs (latency). */
  connectWise: ConnectWiseSimulator;
  graph: GraphSimulator;
  close(): Promise<void>;
};

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

  const config = buildDemoConfig({ connectWise: cw.url, graph: ms.url });
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
