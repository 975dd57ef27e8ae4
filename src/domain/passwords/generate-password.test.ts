import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTRA_PASSWORD_POLICY } from '../../connectors/directory/entra/entra-password-policy.js';
import { checkPassword } from './check-password.js';

const checkEntraPassword = (password: string) => checkPassword(ENTRA_PASSWORD_POLICY, password);

import { generatePassword, PASSWORD_CHARACTER_CLASSES } from './generate-password.js';

const { upper, lower, digits, specials } = PASSWORD_CHARACTER_CLASSES;
const pool = upper + lower + digits + specials;
const classOf = (char: string): string => {
  if (upper.includes(char)) return 'upper';
  if (lower.includes(char)) return 'lower';
  if (digits.includes(char)) return 'digit';
  if (specials.includes(char)) return 'special';
  return 'none';
};

test('defaults to 16 characters from the look-alike-free pool', () => {
  const password = generatePassword();
  assert.equal(password.length, 16);
  for (const char of password) assert.ok(pool.includes(char), `unexpected character ${char}`);
});

test('the pool has no look-alike characters', () => {
  for (const char of 'IlO01oQjJ') assert.ok(!pool.includes(char), `${char} is in the pool`);
});

test('every class is present in each of 500 passwords of the minimum length', () => {
  for (let i = 0; i < 500; i++) {
    const password = generatePassword({ length: 12 });
    assert.equal(password.length, 12);
    for (const set of [upper, lower, digits, specials]) {
      assert.ok(
        [...password].some((char) => set.includes(char)),
        `${password} lacks one of ${set}`,
      );
    }
    assert.deepEqual(checkEntraPassword(password), { ok: true });
  }
});

test('passwords are distinct and the characters are spread over the whole pool', () => {
  const passwords = Array.from({ length: 500 }, () => generatePassword());
  assert.equal(new Set(passwords).size, passwords.length);
  const counts = new Map<string, number>();
  for (const char of passwords.join('')) counts.set(char, (counts.get(char) ?? 0) + 1);
  // 8,000 characters over 61 symbols: every one should appear, and none should dominate.
  assert.equal(counts.size, pool.length);
  const max = Math.max(...counts.values());
  assert.ok(max < 400, `one character appeared ${max} times`);
});

test('the shuffle moves the guaranteed characters: every class shows up in the first position', () => {
  const firstClasses = new Set(Array.from({ length: 500 }, () => classOf(generatePassword({ length: 12 }).charAt(0))));
  assert.deepEqual([...firstClasses].sort(), ['digit', 'lower', 'special', 'upper']);
});

test('accepts the length bounds and rejects anything else with a RangeError', () => {
  assert.equal(generatePassword({ length: 12 }).length, 12);
  assert.equal(generatePassword({ length: 256 }).length, 256);
  for (const length of [11, 257, 0, -16, 16.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => generatePassword({ length }), RangeError, `length ${length}`);
  }
});

test('never uses Math.random', (t) => {
  t.mock.method(Math, 'random', () => {
    throw new Error('Math.random was called');
  });
  assert.equal(generatePassword().length, 16);
});
