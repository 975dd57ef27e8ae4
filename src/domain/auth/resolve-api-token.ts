import type { Clock } from '../../lib/clock.js';
import { hashToken } from '../../lib/ids.js';
import type { ApiTokenRecord, Store, UserRecord } from '../../store/types.js';

/** API tokens start with this, so a leaked one is easy to recognise (and to scan for). */
export const API_TOKEN_PREFIX = 'tbx_';

/**
 * The user behind a bearer token, when the token exists, is not revoked and its user is active.
 * Only the token's hash is looked up: the store never holds a usable token.
 */
export async function resolveApiToken(
  deps: { store: Pick<Store, 'apiTokens' | 'users'>; clock: Clock },
  token: string,
): Promise<{ user: UserRecord; token: ApiTokenRecord } | undefined> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return undefined;
  const record = await deps.store.apiTokens.findActiveByHash(hashToken(token));
  if (!record) return undefined;
  const user = await deps.store.users.findById(record.userId);
  if (!user || user.disabled) return undefined;
  const now = deps.clock.now();
  // "Last used" to the minute is enough, and saves a write per call.
  if (!record.lastUsedAt || now - Date.parse(record.lastUsedAt) > 60_000) {
    await deps.store.apiTokens.touch(record.id, new Date(now).toISOString());
  }
  return { user, token: record };
}
