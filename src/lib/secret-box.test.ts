import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { createSecretBox, loadSecretKey, loadSecretKeys, writeKeyFile } from './secret-box.js';

const root = mkdtempSync(join(tmpdir(), 'secret-box-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => join(root, `data-${dirCount++}`, 'nested');

const key = randomBytes(32);
const box = createSecretBox(key);

/** Flips one bit in the given base64url part of a sealed value. */
function tamper(sealed: string, partIndex: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[partIndex]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

test('seals to v2.<keyId>.<iv>.<tag>.<ciphertext> and opens again', () => {
  const plain = 'psa-api-key: 12345 🔑 ünïcode';
  const sealed = box.seal(plain);
  const [version, keyId, iv, tag, ciphertext, ...rest] = sealed.split('.');
  assert.equal(version, 'v2');
  assert.equal(keyId, box.keyId);
  assert.equal(Buffer.from(iv!, 'base64url').length, 12);
  assert.equal(Buffer.from(tag!, 'base64url').length, 16);
  assert.ok(ciphertext!.length > 0);
  assert.deepEqual(rest, []);
  assert.match(sealed, /^[A-Za-z0-9_.-]+$/);
  assert.ok(!sealed.includes('psa-api-key'));
  assert.equal(box.open(sealed), plain);
  assert.equal(box.open(box.seal('')), '');
});

test('uses a fresh IV every time', () => {
  const a = box.seal('same');
  const b = box.seal('same');
  assert.notEqual(a, b);
  assert.notEqual(a.split('.')[2], b.split('.')[2]);
});

test('detects tampering with the IV, tag or ciphertext', () => {
  const sealed = box.seal('client secret');
  for (const part of [2, 3, 4]) {
    assert.throws(() => box.open(tamper(sealed, part)), /was changed, or it was sealed with a different key/, `part ${part}`);
  }
});

test('refuses the wrong key', () => {
  const sealed = box.seal('client secret');
  assert.throws(() => createSecretBox(randomBytes(32)).open(sealed), /not among the configured keys/);
});

test('binds the associated data', () => {
  const sealed = box.seal('client secret', 'connector:1:clientSecret');
  assert.equal(box.open(sealed, 'connector:1:clientSecret'), 'client secret');
  assert.throws(() => box.open(sealed, 'connector:2:clientSecret'), /associated data/);
  assert.throws(() => box.open(sealed), /associated data/);
  assert.throws(() => box.open(box.seal('client secret'), 'connector:1:clientSecret'), /associated data/);
});

test('rejects malformed sealed values with a clear error', () => {
  const sealed = box.seal('x');
  const [, keyId, iv, tag, ciphertext] = sealed.split('.');
  for (const bad of [
    '',
    'x',
    `v3.${keyId}.${iv}.${tag}.${ciphertext}`,
    `v2.${iv}.${tag}.${ciphertext}`,
    `v1.${iv}.${tag}`,
    `v2.${keyId}.${iv}.${tag}.${ciphertext}.x`,
    `v2.${keyId}.${iv}.${tag}.a+b`,
  ]) {
    assert.throws(() => box.open(bad), /not in the v2\.<key>\.<iv>\.<tag>\.<ciphertext> format/, bad);
  }
  // A truncated tag would be a weaker check; it is refused rather than accepted.
  assert.throws(() => box.open(`v2.${keyId}.${iv}.${tag!.slice(0, 8)}.${ciphertext}`), /wrong length/);
  assert.throws(() => box.open(`v2.${keyId}.${iv!.slice(0, 8)}.${tag}.${ciphertext}`), /wrong length/);
});

test('a key ring opens values of every key in it and seals with the first; v1 values still open', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const oldBox = createSecretBox(oldKey);
  const sealedOld = oldBox.seal('private key', 'settings:psa:privateKey');
  // A v1 value (no key id), as sealed before key ids existed: same cipher, no id part.
  const [, , iv, tag, ciphertext] = sealedOld.split('.');
  const legacy = `v1.${iv}.${tag}.${ciphertext}`;
  const ring = createSecretBox([newKey, oldKey]);
  assert.equal(ring.open(sealedOld, 'settings:psa:privateKey'), 'private key');
  assert.equal(ring.open(legacy, 'settings:psa:privateKey'), 'private key');
  assert.equal(ring.isStale(sealedOld), true);
  assert.equal(ring.isStale(legacy), true);
  const resealed = ring.seal('private key', 'settings:psa:privateKey');
  assert.equal(ring.isStale(resealed), false);
  assert.equal(resealed.split('.')[1], ring.keyId);
  assert.equal(createSecretBox(newKey).open(resealed, 'settings:psa:privateKey'), 'private key');
  // Without the old key, the error names the missing key and says what to do.
  assert.throws(
    () => createSecretBox(newKey).open(sealedOld, 'settings:psa:privateKey'),
    /not among the configured keys.*Rotating the secret key/,
  );
  // The key id says nothing about the key itself.
  assert.ok(!oldKey.toString('base64url').includes(oldBox.keyId));
});

test('loadSecretKeys reads a key ring from TOOLBOX_SECRET_KEY (comma-separated) or secret.key (one per line)', () => {
  const [a, b] = [randomBytes(32), randomBytes(32)];
  const fromEnv = loadSecretKeys({
    env: { TOOLBOX_SECRET_KEY: `${a.toString('base64')}, ${b.toString('base64url')}` },
    dataDir: freshDir(),
  });
  assert.deepEqual(fromEnv.keys, [a, b]);
  assert.equal(fromEnv.source, 'env');
  const dataDir = freshDir();
  fs.mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'secret.key');
  writeKeyFile(path, [b, a]);
  const fromFile = loadSecretKeys({ env: {}, dataDir });
  assert.deepEqual(fromFile.keys, [b, a]);
  assert.equal(fromFile.path, path);
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dataDir), ['secret.key'], 'no temp files left behind');
  assert.throws(() => loadSecretKeys({ env: { TOOLBOX_SECRET_KEY: `${a.toString('base64')},nope` }, dataDir }), /comma, then the old one/);
});

test('refuses keys that are not 32 bytes, and keeps its own copy of the key', () => {
  assert.throws(() => createSecretBox(randomBytes(16)), /exactly 32 bytes/);
  assert.throws(() => createSecretBox(Buffer.alloc(0)), /exactly 32 bytes/);
  const mutable = Buffer.from(key);
  const own = createSecretBox(mutable);
  const sealed = own.seal('x');
  mutable.fill(0);
  assert.equal(own.open(sealed), 'x');
});

test('loadSecretKey reads TOOLBOX_SECRET_KEY in base64 or base64url and creates no file', () => {
  const dataDir = freshDir();
  const raw = Buffer.alloc(32);
  // Bytes that encode to the characters where base64 and base64url differ (+ / vs - _).
  raw.fill(0xfb, 0, 16).fill(0xff, 16);
  for (const encoded of [raw.toString('base64'), raw.toString('base64url'), ` ${raw.toString('base64')}\n`]) {
    assert.deepEqual(loadSecretKey({ env: { TOOLBOX_SECRET_KEY: encoded }, dataDir }), raw, encoded);
  }
  assert.throws(() => statSync(dataDir), /ENOENT/);
});

test('loadSecretKey rejects a TOOLBOX_SECRET_KEY that is not 32 bytes and says how to make one', () => {
  for (const bad of [randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), 'not base64!', 'a'.repeat(64)]) {
    assert.throws(
      () => loadSecretKey({ env: { TOOLBOX_SECRET_KEY: bad }, dataDir: freshDir() }),
      (error: Error) => error.message.includes('TOOLBOX_SECRET_KEY') && error.message.includes('openssl rand -base64 32'),
      bad,
    );
  }
});

test('loadSecretKey creates {dataDir}/secret.key with mode 0600 once, then reuses it', () => {
  const dataDir = freshDir();
  const first = loadSecretKey({ env: {}, dataDir });
  assert.equal(first.length, 32);
  const path = join(dataDir, 'secret.key');
  assert.deepEqual(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'), first);
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dataDir), ['secret.key'], 'no temp files left behind');
  assert.deepEqual(loadSecretKey({ env: {}, dataDir }), first);
  // An empty variable counts as unset.
  assert.deepEqual(loadSecretKey({ env: { TOOLBOX_SECRET_KEY: '' }, dataDir }), first);
  // And a key made elsewhere is different.
  assert.notDeepEqual(loadSecretKey({ env: {}, dataDir: freshDir() }), first);
});

test('loadSecretKey uses an existing file and refuses a corrupt one', () => {
  const dataDir = freshDir();
  fs.mkdirSync(dataDir, { recursive: true });
  const existing = randomBytes(32);
  writeFileSync(join(dataDir, 'secret.key'), `${existing.toString('base64')}\n`);
  assert.deepEqual(loadSecretKey({ env: {}, dataDir }), existing);
  writeFileSync(join(dataDir, 'secret.key'), 'garbage');
  assert.throws(() => loadSecretKey({ env: {}, dataDir }), /does not hold a base64-encoded 32-byte key/);
});

test('loadSecretKey keeps the file another process published while it was generating', (t) => {
  const dataDir = freshDir();
  const theirs = randomBytes(32);
  const realLink = fs.linkSync;
  // Simulate the other process winning the race between our "does it exist?" and our publish.
  const linkMock = t.mock.method(fs, 'linkSync', (from: fs.PathLike, to: fs.PathLike) => {
    writeFileSync(to, theirs.toString('base64'), { flag: 'wx' });
    realLink(from, to);
  });
  // The module imports linkSync as a named ESM binding; this pushes the mock through to it.
  syncBuiltinESMExports();
  try {
    assert.deepEqual(loadSecretKey({ env: {}, dataDir }), theirs);
    assert.equal(linkMock.mock.callCount(), 1);
  } finally {
    linkMock.mock.restore();
    syncBuiltinESMExports();
  }
  assert.deepEqual(readdirSync(dataDir), ['secret.key']);
});

test('processes starting together all end up with the same key', async () => {
  const dataDir = freshDir();
  const moduleUrl = new URL('./secret-box.ts', import.meta.url).href;
  const script = `import { loadSecretKey } from ${JSON.stringify(moduleUrl)};
process.stdout.write(loadSecretKey({ env: {}, dataDir: process.argv[1] }).toString('base64'));`;
  const run = () =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir], {
      env: { ...process.env, TOOLBOX_SECRET_KEY: '' },
    });
  const results = await Promise.all(Array.from({ length: 6 }, run));
  const keys = new Set(results.map((result) => result.stdout));
  assert.equal(keys.size, 1);
  assert.equal(Buffer.from([...keys][0]!, 'base64').length, 32);
  assert.deepEqual(loadSecretKey({ env: {}, dataDir }).toString('base64'), [...keys][0]);
  assert.deepEqual(readdirSync(dataDir), ['secret.key']);
});
