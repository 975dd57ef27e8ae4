import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTRA_PASSWORD_POLICY } from '../../connectors/directory/entra/entra-password-policy.js';
import { checkPassword } from './check-password.js';

const checkEntraPassword = (password: string) => checkPassword(ENTRA_PASSWORD_POLICY, password);

import { generatePassphrase } from './generate-passphrase.js';
import { WORDLIST } from './wordlist.js';

const words = new Set(WORDLIST);

/** Splits a default passphrase and checks each part is a capitalised list word, one of them with a 2-digit number. */
function parse(passphrase: string, separator = '-'): { parts: string[]; numbered: number } {
  const parts = passphrase.split(separator);
  const numbered: number[] = [];
  parts.forEach((part, index) => {
    const match = /^([A-Z][a-z]{3,7})(\d{2})?$/.exec(part);
    assert.ok(match, `part ${part} of ${passphrase}`);
    assert.ok(words.has(match[1]!.toLowerCase()), `${match[1]} is not in the word list`);
    if (match[2] !== undefined) {
      assert.ok(Number(match[2]) >= 10, `${match[2]} is not a 2-digit number`);
      numbered.push(index);
    }
  });
  assert.equal(numbered.length, 1, `${passphrase} should have exactly one number`);
  return { parts, numbered: numbered[0]! };
}

test('defaults to 4 capitalised words joined by "-", one with a 2-digit number', () => {
  for (let i = 0; i < 200; i++) {
    const passphrase = generatePassphrase();
    assert.equal(parse(passphrase).parts.length, 4);
    assert.ok(passphrase.length >= 20, `${passphrase} is shorter than 20 characters`);
    assert.deepEqual(checkEntraPassword(passphrase), { ok: true });
  }
});

test('the number lands on every position and the words vary', () => {
  const positions = new Set<number>();
  const firstWords = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const { parts, numbered } = parse(generatePassphrase());
    positions.add(numbered);
    firstWords.add(parts[0]!.replace(/\d+$/, ''));
  }
  assert.deepEqual([...positions].sort(), [0, 1, 2, 3]);
  assert.ok(firstWords.size > 200, `only ${firstWords.size} distinct first words in 300 passphrases`);
});

test('honours the word count and separator, and still meets the Entra rule without a symbol', () => {
  assert.equal(parse(generatePassphrase({ words: 3 })).parts.length, 3);
  assert.equal(parse(generatePassphrase({ words: 10, separator: '.' }), '.').parts.length, 10);
  assert.equal(parse(generatePassphrase({ separator: ' ' }), ' ').parts.length, 4);
  const joined = generatePassphrase({ separator: '' });
  assert.match(joined, /^([A-Z][a-z]{3,7}(\d{2})?){4}$/);
  assert.deepEqual(checkEntraPassword(joined), { ok: true });
});

test('rejects word counts outside 3..10 and unusable separators', () => {
  for (const count of [2, 11, 0, 3.5, Number.NaN]) {
    assert.throws(() => generatePassphrase({ words: count }), RangeError, `words ${count}`);
  }
  assert.throws(() => generatePassphrase({ separator: '·' }), RangeError);
  assert.throws(() => generatePassphrase({ separator: '----' }), RangeError);
});

test('never uses Math.random', (t) => {
  t.mock.method(Math, 'random', () => {
    throw new Error('Math.random was called');
  });
  assert.equal(generatePassphrase().split('-').length, 4);
});
