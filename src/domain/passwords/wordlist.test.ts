import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WORDLIST } from './wordlist.js';

test('has at least 1024 words, so each word adds at least 10 bits', () => {
  assert.ok(WORDLIST.length >= 1024, `only ${WORDLIST.length} words`);
  assert.ok(Math.log2(WORDLIST.length) >= 10);
});

test('has no duplicates', () => {
  const seen = new Set<string>();
  const duplicates = WORDLIST.filter((word) => {
    if (seen.has(word)) return true;
    seen.add(word);
    return false;
  });
  assert.deepEqual(duplicates, []);
});

test('every word is 4 to 8 lowercase ASCII letters', () => {
  const bad = WORDLIST.filter((word) => !/^[a-z]{4,8}$/.test(word));
  assert.deepEqual(bad, []);
});
