import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '../../lib/clock.js';
import { createAccountRolesCache } from './account-roles-cache.js';

test('roles are read once per user and directory within the time to live, and again after it', async () => {
  const clock = createManualClock();
  const cache = createAccountRolesCache({ clock, ttlMs: 30_000 });
  let reads = 0;
  const load = async () => {
    reads += 1;
    return ['Global Administrator'];
  };
  assert.deepEqual(await cache.read('contoso', 'u1', load), ['Global Administrator']);
  await Promise.all([cache.read('contoso', 'u1', load), cache.read('contoso', 'u1', load)]);
  assert.equal(reads, 1);
  await cache.read('fabrikam', 'u1', load);
  await cache.read('contoso', 'u2', load);
  assert.equal(reads, 3, 'another directory or user shared an entry');
  clock.advance(30_001);
  await cache.read('contoso', 'u1', load);
  assert.equal(reads, 4, 'an expired entry was served');
});

test('a failed read is not remembered, and concurrent reads share one call', async () => {
  const cache = createAccountRolesCache({ clock: createManualClock() });
  let reads = 0;
  const failing = async (): Promise<string[]> => {
    reads += 1;
    throw new Error('throttled');
  };
  const both = await Promise.allSettled([cache.read('d', 'u', failing), cache.read('d', 'u', failing)]);
  assert.deepEqual(
    both.map((result) => result.status),
    ['rejected', 'rejected'],
  );
  assert.equal(reads, 1);
  assert.deepEqual(await cache.read('d', 'u', async () => ['Helpdesk Administrator']), ['Helpdesk Administrator']);
});

test('at most maxEntries users are kept, the oldest going first', async () => {
  const cache = createAccountRolesCache({ clock: createManualClock(), maxEntries: 2 });
  const reads: string[] = [];
  const load = (id: string) => async () => {
    reads.push(id);
    return [];
  };
  await cache.read('d', 'a', load('a'));
  await cache.read('d', 'b', load('b'));
  await cache.read('d', 'c', load('c'));
  await cache.read('d', 'b', load('b'));
  await cache.read('d', 'a', load('a'));
  assert.deepEqual(reads, ['a', 'b', 'c', 'a']);
});
