import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { test } from 'node:test';
import { hashPassword, verifyPassword } from './password-hash.js';

test('hashes in the scrypt$N$r$p$salt$hash format with the agreed parameters', async () => {
  const stored = await hashPassword('correct horse battery staple');
  const [scheme, N, r, p, salt, hash, ...rest] = stored.split('$');
  assert.equal(scheme, 'scrypt');
  assert.equal(N, String(2 ** 15));
  assert.equal(r, '8');
  assert.equal(p, '1');
  assert.equal(Buffer.from(salt!, 'base64').length, 16);
  assert.equal(Buffer.from(hash!, 'base64').length, 32);
  assert.deepEqual(rest, []);
});

test('verifies the right password and rejects a wrong one', async () => {
  const stored = await hashPassword('Tr0ub4dor&3');
  assert.equal(await verifyPassword('Tr0ub4dor&3', stored), true);
  assert.equal(await verifyPassword('Tr0ub4dor&4', stored), false);
  assert.equal(await verifyPassword('tr0ub4dor&3', stored), false);
  assert.equal(await verifyPassword('', stored), false);
});

test('salts every hash, so the same password hashes differently', async () => {
  const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('same', a), true);
  assert.equal(await verifyPassword('same', b), true);
});

test('handles non-ASCII passwords', async () => {
  const stored = await hashPassword('pässwörd 🔑');
  assert.equal(await verifyPassword('pässwörd 🔑', stored), true);
  assert.equal(await verifyPassword('passwörd 🔑', stored), false);
});

test('reads the parameters from the stored string, so older or newer settings still verify', async () => {
  const stored = await hashPassword('param change');
  const parts = stored.split('$');
  // The same salt and hash under different parameters must not match...
  assert.equal(await verifyPassword('param change', ['scrypt', 2 ** 14, ...parts.slice(2)].join('$')), false);
  // ...and a hash made with other parameters verifies with those parameters.
  const salt = Buffer.alloc(16, 7);
  const key = scryptSync('cheap', salt, 24, { N: 1024, r: 4, p: 2 });
  const legacy = ['scrypt', 1024, 4, 2, salt.toString('base64'), key.toString('base64')].join('$');
  assert.equal(await verifyPassword('cheap', legacy), true);
  assert.equal(await verifyPassword('cheaper', legacy), false);
});

test('returns false, without throwing, for malformed or hostile stored strings', async () => {
  const good = await hashPassword('x');
  const [, , , , salt, hash] = good.split('$');
  const malformed = [
    '',
    'not a hash',
    'scrypt$',
    good.replace('scrypt$', 'bcrypt$'),
    `${good}$extra`,
    `scrypt$32768$8$1$${salt}`,
    `scrypt$32767$8$1$${salt}$${hash}`,
    `scrypt$0$8$1$${salt}$${hash}`,
    `scrypt$-32768$8$1$${salt}$${hash}`,
    `scrypt$3.2768e4$8$1$${salt}$${hash}`,
    `scrypt$${2 ** 30}$8$1$${salt}$${hash}`,
    `scrypt$32768$1000$1$${salt}$${hash}`,
    `scrypt$32768$8$0$${salt}$${hash}`,
    `scrypt$32768$8$1$!!!$${hash}`,
    `scrypt$32768$8$1$${salt}$`,
    `scrypt$32768$8$1$${salt}$AAAA`,
    `scrypt$32768$8$1$AAAA$${hash}`,
  ];
  for (const stored of malformed) {
    assert.equal(await verifyPassword('x', stored), false, stored);
  }
  assert.equal(await verifyPassword('x', undefined as unknown as string), false);
});

test('does not block the event loop while hashing', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    await Promise.all([hashPassword('a'), hashPassword('b'), hashPassword('c')]);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 0, 'the timer never fired while scrypt ran');
});
