import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instrumentFetch } from './instrument-fetch.js';

test('each call is observed with its connector, HTTP status or failure kind, and a duration', async () => {
  const seen: [string, string, number][] = [];
  const observe = (connector: string, status: string, seconds: number) => seen.push([connector, status, seconds]);
  const answers: (() => Promise<Response>)[] = [
    async () => new Response('{}', { status: 200 }),
    async () => new Response('busy', { status: 503 }),
    async () => {
      throw new TypeError('fetch failed');
    },
    async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    },
  ];
  const fetch = instrumentFetch(() => answers.shift()!(), 'connectwise', observe);
  assert.equal((await fetch('https://cw.example/a')).status, 200);
  assert.equal((await fetch('https://cw.example/b')).status, 503);
  await assert.rejects(fetch('https://cw.example/c'), /fetch failed/);
  await assert.rejects(fetch('https://cw.example/d'), { name: 'TimeoutError' });

  // An abort whose reason is the timeout signal's counts as a timeout; any other abort as aborted.
  const timedOut = AbortSignal.abort(new DOMException('timed out', 'TimeoutError'));
  const cancelled = AbortSignal.abort();
  const aborting = instrumentFetch(
    async () => {
      throw new DOMException('This operation was aborted', 'AbortError');
    },
    'entra',
    observe,
  );
  await assert.rejects(aborting('https://graph.example/x', { signal: timedOut }));
  await assert.rejects(aborting('https://graph.example/y', { signal: cancelled }));

  assert.deepEqual(
    seen.map(([connector, status]) => [connector, status]),
    [
      ['connectwise', '200'],
      ['connectwise', '503'],
      ['connectwise', 'network'],
      ['connectwise', 'timeout'],
      ['entra', 'timeout'],
      ['entra', 'aborted'],
    ],
  );
  assert.ok(seen.every(([, , seconds]) => seconds >= 0 && seconds < 5));
});
