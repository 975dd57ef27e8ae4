import type { Clock } from '../../lib/clock.js';
import { hashToken } from '../../lib/ids.js';
import type { SessionRecord, Store, UserRecord } from '../../store/types.js';

export type SessionResolverDeps = {
  store: Pick<Store, 'users' | 'sessions'>;
  clock: Clock;
  /** Read at each extension, so a changed setting applies to sessions in use. */
  sessionTtlHours: () => number;
  /**
   * How long a looked-up session is trusted without asking the store again. A sign-out or a
   * disabled user on another instance takes effect here within this time; on this instance at
   * once (`forget`). 0 turns the cache off.
   */
  cacheMs?: number;
};

export type SessionResolver = {
  /** The signed-in user behind a session cookie, or undefined. */
  resolve(token: string | undefined): Promise<{ user: UserRecord; session: SessionRecord } | undefined>;
  /** Drops a session from the cache (sign-out). */
  forget(sessionId: string): void;
  /** Drops every cached session of a user (disabled, role changed), so this instance looks again at once. */
  forgetUser(userId: string): void;
};

const MAX_CACHED = 10_000;

/**
 * Sessions live in the store so that every instance shares them. Every page load needs one, and a
 * screen pop is two page loads, so a few seconds of memory cache saves two queries per request.
 * Sliding expiry: a session in use is extended, at most once a minute.
 */
export function createSessionResolver(deps: SessionResolverDeps): SessionResolver {
  const cacheMs = deps.cacheMs ?? 5_000;
  const cache = new Map<string, { user: UserRecord; session: SessionRecord; until: number }>();

  return {
    async resolve(token) {
      if (!token || token.length > 200) return undefined;
      const id = hashToken(token);
      const now = deps.clock.now();
      const cached = cache.get(id);
      if (cached && cached.until > now && Date.parse(cached.session.expiresAt) > now) return { user: cached.user, session: cached.session };
      const session = await deps.store.sessions.findValid(id, new Date(now).toISOString());
      if (!session) {
        cache.delete(id);
        return undefined;
      }
      const user = await deps.store.users.findById(session.userId);
      if (!user || user.disabled) return undefined;
      if (now - Date.parse(session.lastSeenAt) > 60_000) {
        const expiresAt = new Date(now + deps.sessionTtlHours() * 3_600_000).toISOString();
        await deps.store.sessions.touch(session.id, new Date(now).toISOString(), expiresAt);
        session.lastSeenAt = new Date(now).toISOString();
        session.expiresAt = expiresAt;
      }
      if (cacheMs > 0) {
        if (cache.size >= MAX_CACHED) cache.clear();
        cache.set(id, { user, session, until: now + cacheMs });
      }
      return { user, session };
    },
    forget(sessionId) {
      cache.delete(sessionId);
    },
    forgetUser(userId) {
      for (const [id, entry] of cache) if (entry.user.id === userId) cache.delete(id);
    },
  };
}
