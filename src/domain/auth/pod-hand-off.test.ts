import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import { createManualClock } from '../../lib/clock.js';
import { addUser } from './add-user.js';
import { issuePodHandOff, redeemPodHandOff } from './pod-hand-off.js';
import { createSessionResolver } from './resolve-session.js';

for (const database of TEST_DATABASES) {
  describe(`the pod's one-time hand-off code (${database.name})`, { skip: database.skip }, () => {
    test('opens one session, once: the same code redeemed twice at once wins once; expired or not a code, nothing', async () => {
      const store = await database.open();
      try {
        const clock = createManualClock(Date.parse('2026-03-01T08:00:00Z'));
        const added = await addUser(
          { store, clock },
          { email: 'tech@msp.test', role: 'technician', password: 'long-enough-password', source: 'cli' },
        );
        assert.ok(added.ok);
        const deps = { store, clock, sessionTtlHours: 8 };
        const resolver = createSessionResolver({ store, clock, sessionTtlHours: () => 8 });

        const code = await issuePodHandOff({ store, clock }, added.user.id);
        assert.equal(await resolver.resolve(code), undefined, 'a hand-off code opened pages by itself');

        // A double click or a replay: both posts reach the store together.
        const results = await Promise.all([redeemPodHandOff(deps, code), redeemPodHandOff(deps, code), redeemPodHandOff(deps, code)]);
        const won = results.filter((result) => result !== null);
        assert.equal(won.length, 1, `${won.length} sessions opened from one code`);
        assert.equal((await resolver.resolve(won[0]!.token))?.user.email, 'tech@msp.test');
        assert.equal(await redeemPodHandOff(deps, code), null, 'a used code was redeemed again');

        const late = await issuePodHandOff({ store, clock }, added.user.id);
        clock.advance(61_000);
        assert.equal(await redeemPodHandOff(deps, late), null, 'a code older than a minute was redeemed');
        assert.equal(await redeemPodHandOff(deps, won[0]!.token), null, 'a session token was taken for a hand-off code');
      } finally {
        await store.drop();
      }
    });
  });
}
