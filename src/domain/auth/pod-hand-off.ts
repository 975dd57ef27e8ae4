import type { Clock } from '../../lib/clock.js';
import { hashToken, newToken } from '../../lib/ids.js';
import type { Store, UserRecord } from '../../store/types.js';

/**
 * Signing in to the ConnectWise pod. The pod is a page inside ConnectWise's, so it cannot see the
 * toolbox's own session cookie (SameSite=Lax, first-party): the technician signs in in a window of
 * the toolbox's own (the sign-in window), which hands a one-time code to the pod that opened it
 * (postMessage, to the toolbox's origin only); the pod trades the code for a session of its own,
 * kept in a cookie that only the pod's paths receive.
 *
 * A hand-off code is a session row that lives one minute. Its token starts with `h.`, which the
 * session resolver never accepts as a cookie, so the code opens nothing by itself: redeeming it
 * deletes it and opens the pod's session.
 */
export const HAND_OFF_PREFIX = 'h.';
const HAND_OFF_TTL_MS = 60_000;

export async function issuePodHandOff(deps: { store: Pick<Store, 'sessions'>; clock: Clock }, userId: string): Promise<string> {
  const code = `${HAND_OFF_PREFIX}${newToken()}`;
  const now = deps.clock.now();
  await deps.store.sessions.create({
    id: hashToken(code),
    userId,
    // Never used: a hand-off is not a session anyone can post forms with.
    csrfToken: newToken(),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + HAND_OFF_TTL_MS).toISOString(),
    lastSeenAt: new Date(now).toISOString(),
  });
  return code;
}

/** The pod's own session for a valid, unexpired, unused code; null otherwise. */
export async function redeemPodHandOff(
  deps: { store: Pick<Store, 'sessions'>; clock: Clock; sessionTtlHours: number },
  code: string,
): Promise<{ token: string; user: UserRecord } | null> {
  if (!code.startsWith(HAND_OFF_PREFIX) || code.length > 200) return null;
  const now = deps.clock.now();
  const found = await deps.store.sessions.findValidWithUser(hashToken(code), new Date(now).toISOString());
  if (!found) return null;
  // Only the redeem that removed the code wins: the same code posted twice at once (a double
  // click, a replay) opens one session, not two.
  if (!(await deps.store.sessions.delete(found.session.id))) return null;
  if (found.user.disabled) return null;
  const token = newToken();
  await deps.store.sessions.create({
    id: hashToken(token),
    userId: found.user.id,
    csrfToken: newToken(),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + deps.sessionTtlHours * 3_600_000).toISOString(),
    lastSeenAt: new Date(now).toISOString(),
  });
  return { token, user: found.user };
}
