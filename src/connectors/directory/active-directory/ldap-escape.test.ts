import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeDnValue, escapeFilterValue } from './ldap-escape.js';

test('filter values: the five characters of RFC 4515 are escaped, nothing else', () => {
  assert.equal(escapeFilterValue('megan.bowen@contoso.example'), 'megan.bowen@contoso.example');
  assert.equal(escapeFilterValue('*'), '\\2a');
  assert.equal(escapeFilterValue('a*)(objectClass=*'), 'a\\2a\\29\\28objectClass=\\2a');
  assert.equal(escapeFilterValue('back\\slash'), 'back\\5cslash');
  assert.equal(escapeFilterValue('nul\0'), 'nul\\00');
  assert.equal(escapeFilterValue('Zoë Ünal'), 'Zoë Ünal', 'non-ASCII stays as UTF-8 text');
  // n8n's LDAP node tests the same injection: a value that would widen the search to everyone.
  assert.equal(escapeFilterValue('*)(|(uid=*'), '\\2a\\29\\28|\\28uid=\\2a');
});

test('DN values: RFC 4514 specials, leading and trailing spaces, a leading #', () => {
  assert.equal(escapeDnValue('Megan Bowen'), 'Megan Bowen');
  assert.equal(escapeDnValue('Bowen, Megan'), 'Bowen\\, Megan');
  assert.equal(escapeDnValue('a+b="c"<d>;e\\f'), 'a\\+b\\=\\"c\\"\\<d\\>\\;e\\\\f');
  assert.equal(escapeDnValue(' lead'), '\\ lead');
  assert.equal(escapeDnValue('trail '), 'trail\\ ');
  assert.equal(escapeDnValue('#hash'), '\\#hash');
  assert.equal(escapeDnValue('tab\there'), 'tab\\09here');
});
