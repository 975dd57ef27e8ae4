import { existsSync, readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/** The fetch signature every connector receives. Tests pass their own. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

const SYSTEM_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];

export type CreateHttpFetchOptions = {
  /** More PEM certificates to trust, e.g. the demo sandbox's generated certificate. */
  extraCaPem?: string[];
  /** Connection pool size per origin. */
  connections?: number;
};

/**
 * Builds the fetch used for every upstream call: HTTPS trusting Node's bundled roots, the
 * system's CA bundle, NODE_EXTRA_CA_CERTS and any extra PEMs. Passing `ca` replaces Node's
 * defaults, which is why the environment variable is read here again.
 */
export function createHttpFetch(options: CreateHttpFetchOptions = {}): FetchLike & { close(): Promise<void> } {
  const ca: string[] = [...rootCertificates];
  for (const path of SYSTEM_CA_BUNDLES) {
    if (existsSync(path)) {
      ca.push(readFileSync(path, 'utf8'));
      break;
    }
  }
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (extraFile && existsSync(extraFile)) ca.push(readFileSync(extraFile, 'utf8'));
  ca.push(...(options.extraCaPem ?? []));
  // One secure context for all connections: passing `ca` itself would make Node parse the ~300
  // certificates again for every new TLS connection (about 50 ms of CPU each, measured).
  const secureContext = createSecureContext({ ca });
  const agent = new Agent({
    connect: { secureContext },
    connections: options.connections ?? 32,
    keepAliveTimeout: 30_000,
  });
  const fetchWithAgent = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher: agent } as Parameters<
      typeof undiciFetch
    >[1]) as unknown as Promise<Response>) as FetchLike & {
    close(): Promise<void>;
  };
  fetchWithAgent.close = () => agent.close();
  return fetchWithAgent;
}
