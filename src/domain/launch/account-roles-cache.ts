import type { Clock } from '../../lib/clock.js';

/** The admin roles of one directory user, as read for the form page's warning. */
export type AccountRolesCache = {
  /** The roles of `userId` in `directoryId`: remembered for a short while, or read with `load`. */
  read(directoryId: string, userId: string, load: () => Promise<string[]>): Promise<string[]>;
};

/**
 * Remembers each user's admin roles for `ttlMs` (30 s), for the warning on the form page only: a
 * reload, a user picked, a refused submit re-rendered, a second form for the same caller do not
 * ask Graph again (directory queries are throttled, and this read is a tenth of a screen pop's
 * CPU). The run's own account check never uses it: it reads the roles afresh before any change.
 * Reads in flight are shared; a failed read is not remembered.
 */
export function createAccountRolesCache(deps: { clock: Clock; ttlMs?: number; maxEntries?: number }): AccountRolesCache {
  const ttlMs = deps.ttlMs ?? 30_000;
  const maxEntries = deps.maxEntries ?? 2000;
  const entries = new Map<string, { until: number; roles: Promise<string[]> }>();
  return {
    read(directoryId, userId, load) {
      const key = `${directoryId}\u0000${userId}`;
      const now = deps.clock.now();
      const held = entries.get(key);
      if (held && held.until > now) return held.roles;
      // The oldest entry goes first (a Map keeps insertion order).
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      const roles = load();
      entries.set(key, { until: now + ttlMs, roles });
      roles.catch(() => {
        if (entries.get(key)?.roles === roles) entries.delete(key);
      });
      return roles;
    },
  };
}
