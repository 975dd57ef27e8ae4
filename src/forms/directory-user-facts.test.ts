import assert from 'node:assert/strict';
import { test } from 'node:test';
import { directoryUserFacts } from './directory-user-facts.js';

const base = { id: 'u1', userPrincipalName: 'u@example.com', displayName: 'U', accountEnabled: true, onPremisesSyncEnabled: false };

test('title, department, state, source and last sign-in, each only when known', () => {
  assert.deepEqual(directoryUserFacts({ ...base, jobTitle: 'Dentist', department: ' ', lastSignIn: '2026-12-01T16:47:03Z' }), {
    role: ['Dentist'],
    state: 'enabled',
    source: 'cloud-only',
    lastSignIn: '2026-12-01 16:47 UTC',
  });
  assert.deepEqual(directoryUserFacts({ ...base, accountEnabled: false, onPremisesSyncEnabled: true, lastSignIn: null }), {
    role: [],
    state: 'disabled',
    source: 'synced',
    lastSignIn: 'never',
  });
  assert.equal(directoryUserFacts(base).lastSignIn, null, 'not given by the directory: nothing shown');
  assert.equal(
    directoryUserFacts({ ...base, container: { id: 'OU=Staff,DC=contoso,DC=example', name: 'Staff', path: 'Staff' } }).source,
    'on-premises',
    'an AD account is neither cloud-only nor synced',
  );
});
