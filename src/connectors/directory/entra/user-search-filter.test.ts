import assert from 'node:assert/strict';
import { test } from 'node:test';
import { userSearchFilter } from './user-search-filter.js';

test('one word is matched at the start of each of the five properties', () => {
  assert.equal(
    userSearchFilter(' bowen '),
    "startswith(displayName,'bowen') or startswith(givenName,'bowen') or startswith(surname,'bowen') or startswith(mail,'bowen') or startswith(userPrincipalName,'bowen')",
  );
  assert.equal(userSearchFilter('   '), null);
});

test('several words pair first and last name both ways, escaped, with the words bounded', () => {
  const filter = userSearchFilter("Mary  O'Brien")!;
  assert.ok(filter.startsWith("startswith(displayName,'Mary O''Brien') or "));
  assert.ok(filter.includes("(startswith(givenName,'Mary') and startswith(surname,'O''Brien'))"));
  assert.ok(filter.includes("(startswith(surname,'Mary') and startswith(givenName,'O''Brien'))"));
  // Six words: the display name as typed, and splits of the first four only.
  const long = userSearchFilter('a b c d e f')!;
  assert.equal((long.match(/ and /g) ?? []).length, 6);
});
