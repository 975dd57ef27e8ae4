import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createHttpFetch } from './http-fetch.js';

// The GET fast path (the dispatcher's request() instead of fetch) must look like fetch from the
// outside: same request headers, decoded bodies, redirects followed, aborts and errors alike.
const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  seen.push({ url: req.url ?? '', headers: req.headers });
  const path = req.url ?? '';
  if (path.startsWith('/json')) {
    res.writeHead(200, { 'content-type': 'application/json', 'x-many': ['a', 'b'] });
    res.end(JSON.stringify({ ok: true, name: 'Zoë' }));
  } else if (path === '/gzip') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(gzipSync('compressed body'));
  } else if (path === '/redirect') {
    res.writeHead(302, { location: '/json?from=redirect' });
    res.end('moved');
  } else if (path === '/empty') {
    res.writeHead(204);
    res.end();
  } else if (path === '/slow') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part…');
    setTimeout(() => res.end('…too late'), 500);
  } else if (path === '/echo' && req.method === 'POST') {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end(`${req.method} ${body}`);
    });
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not here');
  }
});
let origin = '';
const fetch = createHttpFetch();

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await fetch.close();
  server.close();
});

test('a GET returns a Response with status, headers, url and the body, and sends fetch’s headers', async () => {
  const response = await fetch(`${origin}/json?q=1`, { headers: { Accept: 'application/json', 'X-Extra': 'one' } });
  assert.equal(response.status, 200);
  assert.equal(response.ok, true);
  assert.equal(response.url, `${origin}/json?q=1`);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(response.headers.get('x-many'), 'a, b');
  assert.deepEqual(await response.json(), { ok: true, name: 'Zoë' });
  const request = seen.at(-1);
  assert.equal(request?.url, '/json?q=1');
  assert.equal(request?.headers.accept, 'application/json');
  assert.equal(request?.headers['x-extra'], 'one');
  assert.equal(request?.headers['accept-encoding'], 'gzip, deflate');
  assert.equal(request?.headers['user-agent'], 'node');
});

test('a compressed body is decoded, as fetch does', async () => {
  const response = await fetch(`${origin}/gzip`);
  assert.equal(await response.text(), 'compressed body');
});

test('a redirect is followed', async () => {
  const response = await fetch(`${origin}/redirect`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { ok: true, name: 'Zoë' });
  assert.equal(seen.at(-1)?.url, '/json?from=redirect');
});

test('a 204 has no body, a 404 is a response (not an error)', async () => {
  const empty = await fetch(`${origin}/empty`);
  assert.equal(empty.status, 204);
  assert.equal(empty.body, null);
  const missing = await fetch(`${origin}/missing`);
  assert.equal(missing.status, 404);
  assert.equal(missing.ok, false);
  assert.equal(await missing.text(), 'not here');
});

test('a timeout signal that fires while the body is still arriving rejects with its TimeoutError', async () => {
  await assert.rejects(fetch(`${origin}/slow`, { signal: AbortSignal.timeout(100) }), { name: 'TimeoutError' });
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(fetch(`${origin}/json`, { signal: controller.signal }), { name: 'AbortError' });
});

test('an unreachable host rejects with TypeError("fetch failed"), as fetch does', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(
    fetch(`http://127.0.0.1:${port}/`),
    (error: Error) => error instanceof TypeError && error.message === 'fetch failed',
  );
});

test('a POST still goes through fetch', async () => {
  const response = await fetch(`${origin}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
  assert.equal(response.status, 201);
  assert.equal(await response.text(), 'POST hello');
});
