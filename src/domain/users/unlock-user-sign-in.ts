import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/types.js';
import { describeLock } from '../auth/sign-in-throttle.js';
import type { Actor } from '../settings/write-settings.js';
import { findUserOrFail } from './user-admin-deps.js';

export type UnlockUserDeps = { store: Pick<Store, 'users' | 'audit' | 'signInThrottle'>; clock: Clock };

/**
 * Lifts the sign-in locks on a user's account (account-wide and from each address) and forgets
 * their failed sign-ins, so they can try again at once; recorded in the audit log with the locks
 * it lifted. Allowed for users from the configuration file too: a lock is not a file setting.
 * A lock on an address (many accounts tried from it) is not the account's and runs out by itself.
 */
export async function unlockUserSignIn(deps: UnlockUserDeps, userId: string, actor: Actor): Promise<{ unlocked: number }> {
  const user = await findUserOrFail(deps, userId);
  const now = new Date(deps.clock.now()).toISOString();
  const locks = (await deps.store.signInThrottle.listLocked(now, user.email)).filter((lock) => lock.scope !== 'address');
  const unlocked = await deps.store.signInThrottle.unlockAccount(user.email, now);
  if (locks.length > 0) {
    await deps.store.audit.append(
      {
        actorUserId: actor.userId,
        actorEmail: actor.email,
        action: 'user.unlock',
        target: `user:${user.email}`,
        before: { locks: locks.map((lock) => ({ locked: describeLock(lock), until: lock.lockedUntil })) },
        after: { locks: [] },
        requestId: actor.requestId,
      },
      now,
    );
  }
  return { unlocked };
}
