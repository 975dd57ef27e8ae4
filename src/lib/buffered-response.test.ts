import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Headers as UndiciHeaders, Response as UndiciResponse } from 'undici';
import { BufferedResponse } from './buffered-response.js';

// BufferedResponse stands in for undici's Response on the GET fast path: each case compares it
// with a real Response over the same bytes.
const encoder = new TextEncoder();

function both(body: string | Uint8Array | null, status = 200) {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const headers = new UndiciHeaders({ 'content-type': 'application/json', 'retry-after': '3' });
  const buffered = new BufferedResponse(bytes, {
    status,
    statusText: 'Some Text',
    headers: headers as unknown as Headers,
    url: 'https://x.test/a',
  });
  const real = new UndiciResponse(bytes, { status, statusText: 'Some Text', headers });
  return { buffered, real: real as unknown as Response };
}

async function outcome(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: await read() };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

test('text(), json() and arrayBuffer() give what fetch’s Response gives, BOM and bad UTF-8 included', async () => {
  const bodies: (string | Uint8Array)[] = [
    '{"name":"Zoë","n":1}',
    '\uFEFF{"bom":true}',
    new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    'not json',
    '',
  ];
  for (const body of bodies) {
    for (const method of ['text', 'json', 'arrayBuffer'] as const) {
      const { buffered, real } = both(body);
      const got = await outcome(() => buffered[method]());
      const want = await outcome(() => real[method]());
      assert.deepEqual(got, want, `${method}() of ${JSON.stringify(String(body))}`);
      assert.equal(buffered.bodyUsed, real.bodyUsed, `bodyUsed after ${method}()`);
    }
  }
});

test('a body is read once: the second read is a TypeError, as with fetch', async () => {
  const { buffered, real } = both('{"a":1}');
  await buffered.json();
  await real.json();
  await assert.rejects(buffered.text(), TypeError);
  await assert.rejects(real.text(), TypeError);
  assert.throws(() => buffered.clone(), TypeError);
  // The stream of a read body is disturbed, as the real one's.
  assert.throws(() => new Response(real.body), TypeError);
  assert.throws(() => new Response(buffered.body), TypeError);
});

test('status, ok, headers, url and a null body', async () => {
  const { buffered } = both('x', 404);
  assert.equal(buffered.status, 404);
  assert.equal(buffered.ok, false);
  assert.equal(buffered.statusText, 'Some Text');
  assert.equal(buffered.headers.get('retry-after'), '3');
  assert.equal(buffered.url, 'https://x.test/a');
  assert.equal(buffered.redirected, false);
  const empty = both(null, 204);
  assert.equal(empty.buffered.body, null);
  assert.equal(await empty.buffered.text(), '');
  assert.equal(empty.buffered.bodyUsed, false);
});

test('body, blob() and clone() behave as the real Response', async () => {
  const streamed = both('streamed body').buffered;
  assert.equal(streamed.bodyUsed, false);
  assert.equal(await new Response(streamed.body).text(), 'streamed body');
  assert.equal(streamed.bodyUsed, true);
  await assert.rejects(streamed.text(), TypeError);

  const original = both('twice').buffered;
  const copy = original.clone();
  assert.equal(await original.text(), 'twice');
  assert.equal(await copy.text(), 'twice');
  assert.equal(copy.status, 200);

  const blob = await both('as a blob').buffered.blob();
  assert.equal(await blob.text(), 'as a blob');
});
