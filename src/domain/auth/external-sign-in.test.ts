import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_DATABASES } from '../../../test/helpers/test-databases.js';
import { createManualClock } from '../../lib/clock.js';
import { addUser } from './add-user.js';
import { EXTERNAL_SESSION_RECHECK_MS, type ExternalIdentity, externalSignIn, roleFromValues } from './external-sign-in.js';
import { createSessionResolver } from './resolve-session.js';
import { signIn } from './sign-in.js';

const ROLES = { admin: ['Toolbox.Admin', 'aaaa-group'], technician: ['Toolbox.Technician'] };
const identity = (over: Partial<ExternalIdentity> = {}): ExternalIdentity => ({
  kind: 'microsoft',
  provider: 'microsoft:tenant-1',
  subject: 'oid-1',
  email: 'Tech@MSP.test',
  name: 'Tina Tech',
  roleValues: ['Toolbox.Technician'],
  ...over,
});

describe('roleFromValues', () => {
  it('admin wins, matching ignores case, nothing matching is no role', () => {
    assert.equal(roleFromValues(['toolbox.technician', 'AAAA-GROUP'], ROLES), 'admin');
    assert.equal(roleFromValues(['Toolbox.Technician'], ROLES), 'technician');
    assert.equal(roleFromValues(['Other'], ROLES), undefined);
  });
});

for (const db of TEST_DATABASES) {
  describe(`external sign-in (${db.name})`, { skip: db.skip }, () => {
    it('a user seen for the first time is handed to the PSA member mapping, once, as the actor; a failing mapping does not block the sign-in', async () => {
      const store = await db.open();
      try {
        const clock = createManualClock(Date.parse('2026-03-01T08:00:00Z'));
        const calls: { userId: string | null; email: string }[] = [];
        const deps = {
          store,
          clock,
          sessionTtlHours: 12,
          mapToPsaMember: async (actor: { userId: string | null; email: string }) => {
            calls.push({ userId: actor.userId, email: actor.email });
            throw new Error('the PSA members document could not be read');
          },
        };
        const first = await externalSignIn(deps, identity(), ROLES);
        assert.ok(first.ok, 'signed in although the mapping failed');
        assert.deepEqual(calls, [{ userId: first.user.id, email: 'tech@msp.test' }]);
        const again = await externalSignIn(deps, identity(), ROLES);
        assert.ok(again.ok);
        assert.equal(calls.length, 1, 'a known user is not mapped again at each sign-in (an admin may have chosen otherwise)');
      } finally {
        await store.drop();
      }
    });

    it('creates the user keyed on the provider, follows the token role, keeps disabled users out, re-checks within the hour', async () => {
      const store = await db.open();
      try {
        const clock = createManualClock(Date.parse('2026-03-01T08:00:00Z'));
        const deps = { store, clock, sessionTtlHours: 12 };
        const resolver = createSessionResolver({ store, clock, sessionTtlHours: () => 12 });

        const first = await externalSignIn(deps, identity(), ROLES);
        assert.ok(first.ok);
        assert.equal(first.user.email, 'tech@msp.test');
        assert.equal(first.user.role, 'technician');
        assert.equal(first.user.source, 'microsoft');
        // No password: the local form never lets this account in.
        assert.deepEqual(await signIn(deps, 'tech@msp.test', ''), { ok: false });

        // The e-mail changed at the provider: still the same user (keyed on tid+oid), now an admin.
        const second = await externalSignIn(deps, identity({ email: 'renamed@msp.test', roleValues: ['Toolbox.Admin'] }), ROLES);
        assert.ok(second.ok);
        assert.equal(second.user.id, first.user.id);
        assert.equal((await store.users.findById(first.user.id))?.role, 'admin');

        // Another tenant's same oid is another identity.
        const other = await externalSignIn(deps, identity({ provider: 'microsoft:tenant-2', email: 'x@other.test' }), ROLES);
        assert.ok(other.ok);
        assert.notEqual(other.user.id, first.user.id);

        assert.deepEqual(await externalSignIn(deps, identity({ roleValues: [] }), ROLES), { ok: false, reason: 'no-role' });
        assert.deepEqual(await externalSignIn(deps, identity({ subject: 'oid-9', email: undefined }), ROLES), {
          ok: false,
          reason: 'no-email',
        });

        // The session is used all the time, but ends at the re-check; disabling ends it at once.
        for (let minutes = 0; minutes < 59; minutes += 5) {
          assert.ok(await resolver.resolve(second.token), `in use after ${minutes} minutes`);
          clock.advance(5 * 60_000);
        }
        clock.advance(EXTERNAL_SESSION_RECHECK_MS - 60 * 60_000 + 61_000);
        assert.equal(await resolver.resolve(second.token), undefined, 'an external session outlived its re-check time');

        const third = await externalSignIn(deps, identity(), ROLES);
        assert.ok(third.ok);
        assert.ok(await resolver.resolve(third.token));
        await store.users.update(first.user.id, { disabled: true }, new Date(clock.now()).toISOString());
        assert.equal(await resolver.resolve(third.token), undefined);
        assert.deepEqual(await externalSignIn(deps, identity(), ROLES), { ok: false, reason: 'disabled' });
      } finally {
        await store.drop();
      }
    });

    it('never links an admin account by e-mail, nor one another identity of the provider holds', async () => {
      const store = await db.open();
      try {
        const clock = createManualClock(Date.parse('2026-03-01T08:00:00Z'));
        const deps = { store, clock, sessionTtlHours: 12 };
        const admin = await addUser(
          { store, clock },
          { email: 'boss@msp.test', role: 'admin', password: 'long-enough-password', source: 'cli' },
        );
        assert.ok(admin.ok);
        assert.deepEqual(
          await externalSignIn(deps, identity({ subject: 'oid-x', email: 'boss@msp.test', roleValues: ['Toolbox.Admin'] }), ROLES),
          {
            ok: false,
            reason: 'email-in-use',
          },
        );
        assert.ok((await externalSignIn(deps, identity({ subject: 'oid-a', email: 'pat@msp.test' }), ROLES)).ok);
        assert.deepEqual(await externalSignIn(deps, identity({ subject: 'oid-b', email: 'pat@msp.test' }), ROLES), {
          ok: false,
          reason: 'email-in-use',
        });
        // Another provider's identity with that e-mail may link (a technician moving from OIDC to Microsoft).
        assert.ok(
          (await externalSignIn(deps, identity({ provider: 'oidc:https://id.test', subject: 'pat', email: 'pat@msp.test' }), ROLES)).ok,
        );
      } finally {
        await store.drop();
      }
    });

    it('links an existing local user by e-mail on first sign-in; their password keeps working', async () => {
      const store = await db.open();
      try {
        const clock = createManualClock(Date.parse('2026-03-01T08:00:00Z'));
        const added = await addUser(
          { store, clock },
          { email: 'lee@msp.test', role: 'technician', password: 'long-enough-password', source: 'cli' },
        );
        assert.ok(added.ok);
        const result = await externalSignIn(
          { store, clock, sessionTtlHours: 12 },
          identity({ subject: 'oid-lee', email: 'lee@msp.test' }),
          ROLES,
        );
        assert.ok(result.ok);
        assert.equal(result.user.id, added.user.id);
        assert.equal(result.user.role, 'technician');
        assert.equal((await store.users.findByExternalIdentity('microsoft:tenant-1', 'oid-lee'))?.id, added.user.id);
        assert.ok((await signIn({ store, clock, sessionTtlHours: 1 }, 'lee@msp.test', 'long-enough-password')).ok);
      } finally {
        await store.drop();
      }
    });
  });
}
