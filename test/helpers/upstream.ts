import type { FetchLike } from '../../src/lib/http-fetch.js';

/**
 * A simulator's in-process fetch as an upstream host of the test toolbox's network
 * (`createTestToolbox({ upstreams: { [origin]: upstream(sim.fetch) } })`, which hands it a Request).
 */
export const upstream =
  (fetch: FetchLike) =>
  async (request: Request): Promise<Response> =>
    fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: await request.arrayBuffer() }),
      signal: request.signal,
    });
