import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import { createManualClock } from '../../lib/clock.js';
import { addUser } from './add-user.js';
import { createSessionResolver } from './resolve-session.js';
import { signIn } from './sign-in.js';

test('sessions: read afresh on every request (sign-out and disabling count at once), extended while in use', async () => {
  const store = await TEST_DATABASES[0]!.open();
  try {
    const clock = createManualClock(Date.parse('2026-03-01T08:00:00Z'));
    const added = await addUser(
      { store, clock },
      { email: 'tech@msp.test', role: 'technician', password: 'long-enough-password', source: 'cli' },
    );
    assert.ok(added.ok);
    const signedIn = await signIn({ store, clock, sessionTtlHours: 1 }, 'TECH@msp.test', 'long-enough-password');
    assert.ok(signedIn.ok);
    let lookups = 0;
    const counting = {
      ...store,
      sessions: {
        ...store.sessions,
        findValidWithUser: (id: string, now: string) => {
          lookups++;
          return store.sessions.findValidWithUser(id, now);
        },
      },
    };
    const resolver = createSessionResolver({ store: counting, clock, sessionTtlHours: () => 1 });

    assert.equal((await resolver.resolve(signedIn.token))?.user.email, 'tech@msp.test');
    assert.equal((await resolver.resolve(signedIn.token))?.user.email, 'tech@msp.test');
    assert.equal(lookups, 2, 'one query per request, session and user together');
    assert.equal(await resolver.resolve('not-a-session'), undefined);

    // Disabled (on this or another instance): refused on the very next request, no cache to run out.
    await store.users.update(added.user.id, { disabled: true }, new Date(clock.now()).toISOString());
    assert.equal(await resolver.resolve(signedIn.token), undefined);
    await store.users.update(added.user.id, { disabled: false }, new Date(clock.now()).toISOString());
    assert.ok(await resolver.resolve(signedIn.token));

    // Sliding expiry: in use, it outlives its first hour; idle, it ends.
    clock.advance(50 * 60_000);
    assert.ok(await resolver.resolve(signedIn.token));
    clock.advance(50 * 60_000);
    assert.ok(await resolver.resolve(signedIn.token), 'a session in use expired');
    clock.advance(61 * 60_000);
    assert.equal(await resolver.resolve(signedIn.token), undefined);

    const again = await signIn({ store, clock, sessionTtlHours: 1 }, 'tech@msp.test', 'long-enough-password');
    assert.ok(again.ok);
    const session = await resolver.resolve(again.token);
    assert.ok(session);
    await store.sessions.delete(session.session.id);
    assert.equal(await resolver.resolve(again.token), undefined, 'a deleted session was still honoured');
    assert.deepEqual(await signIn({ store, clock, sessionTtlHours: 1 }, 'tech@msp.test', 'wrong-password'), { ok: false });
  } finally {
    await store.drop();
  }
});
