import type { Clock } from '../../lib/clock.js';
import { hashToken } from '../../lib/ids.js';
import type { SessionRecord, Store, UserRecord } from '../../store/types.js';
import { HAND_OFF_PREFIX } from './pod-hand-off.js';

export type SessionResolverDeps = {
  store: Pick<Store, 'sessions'>;
  clock: Clock;
  /** Read at each extension, so a changed setting applies to sessions in use. */
  sessionTtlHours: () => number;
};

export type SessionResolver = {
  /** The signed-in user behind a session cookie, or undefined. */
  resolve(token: string | undefined): Promise<{ user: UserRecord; session: SessionRecord } | undefined>;
};

/**
 * Sessions live in the store so that every instance shares them, and every request asks the store
 * (one indexed query for the session and its user): a sign-out, a disabled user or a changed role
 * counts on every instance at once. There used to be a 5-second cache here; it let another
 * instance honour a signed-out session, and measured against the screen-pop benchmark it saved
 * nothing visible (docs/benchmarks.md). Sliding expiry: a session in use is extended, at most
 * once a minute, but never past its `reauthAt` (Microsoft/OIDC sign-ins re-read roles then).
 */
export function createSessionResolver(deps: SessionResolverDeps): SessionResolver {
  return {
    async resolve(token) {
      // A pod hand-off code is not a session: it is only ever redeemed (pod-hand-off.ts).
      if (!token || token.length > 200 || token.startsWith(HAND_OFF_PREFIX)) return undefined;
      const now = deps.clock.now();
      const found = await deps.store.sessions.findValidWithUser(hashToken(token), new Date(now).toISOString());
      if (!found || found.user.disabled) return undefined;
      const { session } = found;
      if (now - Date.parse(session.lastSeenAt) > 60_000) {
        // A Microsoft/OIDC session never outlives its re-check time (external-sign-in.ts).
        const extended = now + deps.sessionTtlHours() * 3_600_000;
        const expiresAt = new Date(session.reauthAt ? Math.min(extended, Date.parse(session.reauthAt)) : extended).toISOString();
        await deps.store.sessions.touch(session.id, new Date(now).toISOString(), expiresAt);
        session.lastSeenAt = new Date(now).toISOString();
        session.expiresAt = expiresAt;
      }
      return found;
    },
  };
}
