import { existsSync, readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Agent, Headers as UndiciHeaders, fetch as undiciFetch } from 'undici';
import { BufferedResponse } from './buffered-response.js';

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
  const fetchViaUndici: FetchLike = (input, init) =>
    undiciFetch(input, { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  const fetchWithAgent = ((input: string | URL, init?: RequestInit) =>
    canDispatch(init) ? dispatchFetch(agent, fetchViaUndici, input, init) : fetchViaUndici(input, init)) as FetchLike & {
    close(): Promise<void>;
  };
  fetchWithAgent.close = () => agent.close();
  return fetchWithAgent;
}

/**
 * The hot path of every connector is a GET whose whole body is read. For those, `dispatchFetch`
 * does what fetch does on the wire (same request headers, same decompression, same abort and
 * error behaviour; redirects handed to fetch) through the dispatcher's `request()`, and returns a
 * `Response` over the body it read (`BufferedResponse`). It skips the WHATWG machinery fetch
 * builds per call (Request object and its AbortController, web streams, header guards, the fetch
 * controller): about 15 % of the CPU of a screen pop at 0 ms PSA latency, and the stream around
 * the body another 8 % (docs/benchmarks.md). Everything else (writes, redirect options, streamed
 * bodies) goes through fetch itself.
 */
function canDispatch(init: RequestInit | undefined): boolean {
  if (!init) return true;
  if (init.method !== undefined && init.method.toUpperCase() !== 'GET') return false;
  if (init.body !== undefined && init.body !== null) return false;
  // Options whose fetch semantics we do not reproduce: take the slow path.
  return (
    (init.redirect === undefined || init.redirect === 'follow') &&
    init.window === undefined &&
    (init as { duplex?: unknown }).duplex === undefined &&
    init.integrity === undefined
  );
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const MAX_CONTENT_ENCODINGS = 5;
const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotliDecompress = promisify(zlib.brotliDecompress);
// fetch's own options: lenient about truncated compressed bodies, as browsers and cURL are.
const ZLIB_OPTIONS = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_OPTIONS = { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };

/** Request headers as fetch would send them: lower-case names, repeated names joined, its defaults added. */
function requestHeaders(init: RequestInit | undefined, https: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    const before = headers[key];
    headers[key] = before === undefined ? `${value}`.trim() : `${before}, ${`${value}`.trim()}`;
  };
  const given = init?.headers;
  if (given instanceof Headers || given instanceof UndiciHeaders) for (const [name, value] of given) add(name, value);
  else if (Array.isArray(given)) for (const [name, value] of given) add(name as string, value as string);
  else if (given) for (const name of Object.keys(given)) add(name, (given as Record<string, string>)[name] as string);
  headers.accept ??= '*/*';
  headers['accept-language'] ??= '*';
  headers['sec-fetch-mode'] ??= 'cors';
  headers['user-agent'] ??= 'node';
  headers['accept-encoding'] ??= https ? 'br, gzip, deflate' : 'gzip, deflate';
  return headers;
}

/** Undoes the response's content codings, last applied first; an unknown coding leaves the body as it is (as fetch does). */
async function decode(body: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  if (!contentEncoding) return body;
  const codings = contentEncoding.toLowerCase().split(',');
  if (codings.length > MAX_CONTENT_ENCODINGS) {
    throw new Error(`too many content-encodings in response: ${codings.length}, maximum allowed is ${MAX_CONTENT_ENCODINGS}`);
  }
  let decoded = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]?.trim();
    if (coding === 'gzip' || coding === 'x-gzip') decoded = await gunzip(decoded, ZLIB_OPTIONS);
    else if (coding === 'deflate') decoded = await inflate(decoded, ZLIB_OPTIONS);
    else if (coding === 'br') decoded = await brotliDecompress(decoded, BROTLI_OPTIONS);
    else if (coding !== 'identity') return body;
  }
  return decoded;
}

async function dispatchFetch(agent: Agent, viaFetch: FetchLike, input: string | URL, init: RequestInit | undefined): Promise<Response> {
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) throw signal.reason;
  const url = typeof input === 'string' ? new URL(input) : input;
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return viaFetch(input, init);
  try {
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: requestHeaders(init, url.protocol === 'https:'),
      signal,
    });
    const headers = new UndiciHeaders();
    for (const name of Object.keys(response.headers)) {
      const value = response.headers[name];
      if (Array.isArray(value)) for (const one of value) headers.append(name, one);
      else if (value !== undefined) headers.append(name, value);
    }
    if (REDIRECT_STATUS.has(response.statusCode) && headers.has('location')) {
      // Rare upstream: fetch follows it (a GET is safe to send again).
      await response.body.dump();
      return await viaFetch(input, init);
    }
    const raw = Buffer.from(await response.body.arrayBuffer());
    const nullBody = NULL_BODY_STATUS.has(response.statusCode);
    const decoded = nullBody ? null : await decode(raw, headers.get('content-encoding') ?? undefined);
    return new BufferedResponse(decoded, {
      status: response.statusCode,
      statusText: response.statusText ?? '',
      headers: headers as unknown as Headers,
      url: url.href,
    });
  } catch (error) {
    // As fetch: an abort rejects with the signal's reason (TimeoutError for AbortSignal.timeout),
    // anything else with TypeError('fetch failed') and the cause.
    if (signal?.aborted) throw signal.reason;
    throw new TypeError('fetch failed', { cause: error });
  }
}
