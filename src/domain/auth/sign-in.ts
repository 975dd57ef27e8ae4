import type { Clock } from '../../lib/clock.js';
import { hashToken, newToken } from '../../lib/ids.js';
import { hashPassword, verifyPassword } from '../../lib/password-hash.js';
import type { Store, UserRecord } from '../../store/types.js';

/**
 * Checks an e-mail and password and opens a session. The cookie gets the random token; the store
 * keeps only its hash. Unknown e-mail and wrong password take the same time and give the same
 * answer, so the form does not reveal which accounts exist.
 */
let dummyHash: Promise<string> | undefined;
// A real hash of a random password, so an unknown e-mail costs the same scrypt work as a known one.
const getDummyHash = () => {
  dummyHash ??= hashPassword(newToken());
  return dummyHash;
};

export async function signIn(
  deps: { store: Pick<Store, 'users' | 'sessions'>; clock: Clock; sessionTtlHours: number },
  email: string,
  password: string,
  /** Whether local sign-in is open to this user (local-sign-in-policy.ts); asked only after the password matched. */
  allowed: (user: UserRecord) => boolean = () => true,
): Promise<{ ok: true; user: UserRecord; token: string; csrfToken: string } | { ok: false; localAccountsOff?: true }> {
  const user = await deps.store.users.findByEmail(email.trim());
  const valid = await verifyPassword(password, user?.passwordHash ?? (await getDummyHash()));
  if (!user || !valid || user.disabled) return { ok: false };
  if (!allowed(user)) return { ok: false, localAccountsOff: true };
  const token = newToken();
  const csrfToken = newToken();
  const now = deps.clock.now();
  await deps.store.sessions.create({
    id: hashToken(token),
    userId: user.id,
    csrfToken,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + deps.sessionTtlHours * 3_600_000).toISOString(),
    lastSeenAt: new Date(now).toISOString(),
  });
  return { ok: true, user, token, csrfToken };
}
