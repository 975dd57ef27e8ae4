import type { Clock } from '../../lib/clock.js';
import { hashToken } from '../../lib/ids.js';
import type { SessionRecord, Store, UserRecord } from '../../store/types.js';

/**
 * The signed-in user behind a session cookie, or undefined. Sliding expiry: a session in use is
 * extended, at most once a minute so that page loads do not each write to the store.
 */
export async function resolveSession(
  deps: { store: Pick<Store, 'users' | 'sessions'>; clock: Clock; sessionTtlHours: number },
  token: string | undefined,
): Promise<{ user: UserRecord; session: SessionRecord } | undefined> {
  if (!token || token.length > 200) return undefined;
  const now = deps.clock.now();
  const session = await deps.store.sessions.findValid(hashToken(token), new Date(now).toISOString());
  if (!session) return undefined;
  const user = await deps.store.users.findById(session.userId);
  if (!user || user.disabled) return undefined;
  if (now - Date.parse(session.lastSeenAt) > 60_000) {
    await deps.store.sessions.touch(
      session.id,
      new Date(now).toISOString(),
      new Date(now + deps.sessionTtlHours * 3_600_000).toISOString(),
    );
  }
  return { user, session };
}
