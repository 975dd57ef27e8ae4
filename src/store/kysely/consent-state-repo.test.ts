import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import type { Store } from '../types.js';

for (const database of TEST_DATABASES) {
  describe(`consent states on ${database.name}`, { skip: database.skip }, () => {
    let store: Store & { drop(): Promise<void> };
    before(async () => {
      store = await database.open();
    });
    after(async () => {
      await store?.drop();
    });

    test('a state is taken once: two takes at the same time get it once', async () => {
      const record = {
        stateHash: 'h1',
        sessionId: 's1',
        userId: 'u1',
        createdAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2026-01-01T00:15:00.000Z',
      };
      await store.consentStates.create(record);
      const [a, b] = await Promise.all([store.consentStates.take('h1'), store.consentStates.take('h1')]);
      assert.deepEqual([a, b].filter(Boolean), [record]);
      assert.equal(await store.consentStates.take('h1'), undefined);
      assert.equal(await store.consentStates.take('unknown'), undefined);
    });

    test('expired states are purged, live ones kept', async () => {
      await store.consentStates.create({
        stateHash: 'old',
        sessionId: 's',
        userId: 'u',
        createdAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2026-01-01T00:15:00.000Z',
      });
      await store.consentStates.create({
        stateHash: 'new',
        sessionId: 's',
        userId: 'u',
        createdAt: '2026-01-01T00:10:00.000Z',
        expiresAt: '2026-01-01T00:25:00.000Z',
      });
      assert.equal(await store.consentStates.purgeExpired('2026-01-01T00:20:00.000Z'), 1);
      assert.equal((await store.consentStates.take('new'))?.sessionId, 's');
    });
  });
}
