import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConcurrencyLimit } from './concurrency-limit.js';
import type { FetchLike } from './http-fetch.js';
import { limitedFetch } from './limited-fetch.js';
import { isToolboxError } from './toolbox-error.js';
import { INTERACTIVE_RETRY, upstreamRequest } from './upstream-request.js';

test('a call past a full queue is refused at once as busy, and upstreamRequest does not retry it', async () => {
  let release: (() => void) | undefined;
  let calls = 0;
  const slow: FetchLike = () => {
    calls++;
    return new Promise<Response>((resolve) => {
      release = () => resolve(new Response('{}', { status: 200 }));
    });
  };
  const fetch = limitedFetch(slow, new ConcurrencyLimit({ limit: 1, maxQueue: 0 }), 'ConnectWise');
  const first = fetch('https://cw.example/a');
  const slept: number[] = [];
  await assert.rejects(
    upstreamRequest(
      'https://cw.example/b',
      {},
      {
        fetch,
        timeoutMs: 1_000,
        retry: INTERACTIVE_RETRY,
        idempotent: true,
        sleep: async (ms) => void slept.push(ms),
      },
    ),
    (error: unknown) =>
      isToolboxError(error) && error.code === 'TBX_ERR_UPSTREAM_BUSY' && error.httpStatus === 503 && /ConnectWise/.test(error.message),
  );
  assert.deepEqual(slept, [], 'no retry');
  assert.equal(calls, 1, 'the refused call never reached the network');
  release?.();
  assert.equal((await first).status, 200);
});
