import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import { createManualClock } from '../../lib/clock.js';
import { addUser } from './add-user.js';
import { createSignInThrottle, type SignInThrottlePolicy } from './sign-in-throttle.js';

const POLICY: SignInThrottlePolicy = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  perPair: 3,
  perAddress: 5,
  perAccount: 4,
  knownForMs: 24 * 3_600_000,
};

for (const database of TEST_DATABASES) {
  describe(`sign-in throttle on ${database.name}`, { skip: database.skip }, () => {
    test('per account+address strict, per address for spraying, per account softer and not for known addresses; locks run out', async () => {
      const store = await database.open();
      try {
        const clock = createManualClock(Date.parse('2026-03-01T08:00:00Z'));
        await addUser({ store, clock }, { email: 'jo@msp.test', role: 'technician', password: 'long-enough-password', source: 'cli' });
        const throttle = createSignInThrottle({ store, clock, policy: POLICY });

        // Home is where Jo signed in before.
        await throttle.recordSuccess('jo@msp.test', '198.51.100.7');

        // One address guessing Jo's password: locked for that pair after 3.
        for (let i = 0; i < 2; i++) await throttle.recordFailure('JO@msp.test ', '203.0.113.1');
        assert.deepEqual(await throttle.check('jo@msp.test', '203.0.113.1'), { locked: false });
        await throttle.recordFailure('jo@msp.test', '203.0.113.1');
        assert.deepEqual(await throttle.check('jo@msp.test', '203.0.113.1'), { locked: true, retryAfterSeconds: 900 });
        assert.deepEqual(await throttle.check('jo@msp.test', '203.0.113.2'), { locked: false }, 'the pair lock shut out another address');

        // A second address: the account as a whole reaches 4 and locks, except for Jo's known address.
        await throttle.recordFailure('jo@msp.test', '203.0.113.2');
        assert.equal((await throttle.check('jo@msp.test', '203.0.113.3')).locked, true);
        assert.deepEqual(await throttle.check('jo@msp.test', '198.51.100.7'), { locked: false }, 'the known address was locked out');

        // Spraying many accounts from one address locks the address (5), whichever account it tries.
        for (const who of ['a', 'b', 'c', 'd', 'e']) await throttle.recordFailure(`${who}@msp.test`, '192.0.2.9');
        assert.equal((await throttle.check('f@msp.test', '192.0.2.9')).locked, true);

        const audit = await store.audit.list({ action: 'sign-in.lock' }, { limit: 10, offset: 0 });
        assert.deepEqual(audit.items.map((entry) => entry.target).sort(), ['address:192.0.2.9', 'user:jo@msp.test', 'user:jo@msp.test']);
        assert.ok(
          audit.items.every((entry) => !JSON.stringify(entry).includes('a@msp.test')),
          'an e-mail that is no user reached the audit log',
        );

        // Never for ever: after the lock time everything may try again, and the counters start afresh.
        clock.advance(5 * 60_000);
        assert.deepEqual(await throttle.check('jo@msp.test', '203.0.113.1'), { locked: true, retryAfterSeconds: 600 });
        clock.advance(10 * 60_000);
        assert.deepEqual(await throttle.check('jo@msp.test', '203.0.113.1'), { locked: false });
        assert.deepEqual(await throttle.check('f@msp.test', '192.0.2.9'), { locked: false });
        await throttle.recordFailure('jo@msp.test', '203.0.113.1');
        assert.deepEqual(await throttle.check('jo@msp.test', '203.0.113.1'), { locked: false }, 'the old window still counted');

        // Housekeeping keeps the known address and drops counters that ran out.
        clock.advance(16 * 60_000);
        assert.ok((await throttle.purge()) > 0);
        const left = await store.signInThrottle.get(['known:jo@msp.test|198.51.100.7', 'pair:jo@msp.test|203.0.113.1']);
        assert.deepEqual(
          left.map((row) => row.scope),
          ['known'],
        );
      } finally {
        await store.drop();
      }
    });

    test('two instances counting at once count every failure and lock once', async () => {
      const store = await database.open();
      try {
        const clock = createManualClock(Date.parse('2026-03-01T08:00:00Z'));
        const policy = { ...POLICY, perPair: 10, perAccount: 100, perAddress: 100 };
        const a = createSignInThrottle({ store, clock, policy });
        const b = createSignInThrottle({ store, clock, policy });
        await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).recordFailure('jo@msp.test', '203.0.113.1')));
        const [pair] = await store.signInThrottle.get(['pair:jo@msp.test|203.0.113.1']);
        assert.equal(pair?.failures, 12);
        assert.ok(pair?.lockedUntil);
        assert.equal((await store.audit.list({ action: 'sign-in.lock' }, { limit: 10, offset: 0 })).total, 1);
      } finally {
        await store.drop();
      }
    });
  });
}
