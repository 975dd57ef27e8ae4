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

test('no word that password blocklists are known to refuse (seasons, months, welcome, secret …)', () => {
  // Entra's global banned-password list rejects passwords built on such terms; a passphrase that
  // contains one would fail the reset after the technician already read it out.
  const banned = ['password', 'welcome', 'letmein', 'qwerty', 'summer', 'winter', 'spring', 'autumn', 'admin', 'login', 'secret'];
  const months = ['january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  const offending = WORDLIST.filter((word) => [...banned, ...months, ...days].some((term) => word.includes(term)));
  assert.deepEqual(offending, []);
});
