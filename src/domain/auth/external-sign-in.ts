import type { SignInRoles } from '../../config/sign-in-providers-schema.js';
import type { Clock } from '../../lib/clock.js';
import { hashToken, newId, newToken } from '../../lib/ids.js';
import type { Role, Store, UserRecord } from '../../store/types.js';
import type { Actor } from '../settings/write-settings.js';

/**
 * How long a session opened by Microsoft or OIDC sign-in lasts at most, however much it is used
 * (docs/microsoft-365.md, "Technician sign-in"). Then sign-in repeats (silently while the
 * provider's own session lasts), which reads the roles from a fresh ID token: a technician removed
 * from the app role or group loses access within this time. Disabling a user in the console ends
 * their sessions at once, whatever this says.
 */
export const EXTERNAL_SESSION_RECHECK_MS = 60 * 60_000;

/** A user as a provider vouched for them, after the ID token was verified. */
export type ExternalIdentity = {
  /** `microsoft` or `oidc`: the user's `source` when created here. */
  kind: 'microsoft' | 'oidc';
  /** `microsoft:{tid}` or `oidc:{issuer}`. */
  provider: string;
  /** Microsoft's `oid`, another provider's `sub`: immutable, unlike the e-mail. */
  subject: string;
  email: string | undefined;
  name: string | undefined;
  /** The app role values, group ids or claim values the token (or Graph) gave. */
  roleValues: string[];
};

export type ExternalSignInRefusal = 'no-role' | 'disabled' | 'no-email' | 'email-in-use';

/** Admin wins: a value in both lists (or one in each) makes an admin. */
export function roleFromValues(values: string[], roles: SignInRoles): Role | undefined {
  const held = new Set(values.map((v) => v.toLowerCase()));
  const has = (list: string[]) => list.some((value) => held.has(value.toLowerCase()));
  if (has(roles.admin)) return 'admin';
  if (has(roles.technician)) return 'technician';
  return undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Finds or creates the toolbox user behind a verified external identity and opens a session.
 * The user is found by the provider's immutable key; on first sign-in, by e-mail (an existing
 * technician account with that address is linked: its PSA member mapping goes by e-mail too; an
 * admin account is not), else created without a password. Its role follows the token at every sign-in; a user an admin
 * disabled stays refused.
 */
export async function externalSignIn(
  deps: {
    store: Pick<Store, 'users' | 'sessions'>;
    clock: Clock;
    sessionTtlHours: number;
    /**
     * Maps a user seen for the first time to the PSA member with the signed-in e-mail (as the
     * systems check maps everyone), so a technician's first note is already theirs. The actor is
     * the user signing in. Failures do not block the sign-in: the next systems check maps them.
     */
    mapToPsaMember?: (actor: Actor) => Promise<void>;
  },
  identity: ExternalIdentity,
  roles: SignInRoles,
): Promise<{ ok: true; user: UserRecord; token: string } | { ok: false; reason: ExternalSignInRefusal }> {
  const role = roleFromValues(identity.roleValues, roles);
  const now = deps.clock.now();
  const nowIso = new Date(now).toISOString();
  const email = identity.email && EMAIL.test(identity.email) ? identity.email.trim().toLowerCase() : undefined;
  let user = await deps.store.users.findByExternalIdentity(identity.provider, identity.subject);
  if (!user && email) {
    const sameEmail = await deps.store.users.findByEmail(email);
    // The e-mail claim is mutable and not proof of identity: it links a technician's existing
    // account once, but never an admin account (the break-glass one), nor an account another
    // identity of this provider already holds.
    if (sameEmail && (sameEmail.role === 'admin' || (await deps.store.users.externalProviders(sameEmail.id)).includes(identity.provider))) {
      return { ok: false, reason: 'email-in-use' };
    }
    user = sameEmail;
  }
  if (user?.disabled) return { ok: false, reason: 'disabled' };
  if (!role) return { ok: false, reason: 'no-role' };
  if (!user) {
    if (!email) return { ok: false, reason: 'no-email' };
    user = await deps.store.users.create(
      { id: newId(), email, name: identity.name?.trim() || email, role, passwordHash: '', disabled: false, source: identity.kind },
      nowIso,
    );
    await deps.mapToPsaMember?.({ userId: user.id, email: user.email, requestId: null }).catch(() => {});
  } else if (user.role !== role || (identity.name && user.name !== identity.name)) {
    await deps.store.users.update(user.id, { role, ...(identity.name ? { name: identity.name } : {}) }, nowIso);
    user = { ...user, role, ...(identity.name ? { name: identity.name } : {}) };
  }
  await deps.store.users.linkExternalIdentity({ provider: identity.provider, subject: identity.subject, userId: user.id }, nowIso);
  const token = newToken();
  const reauthAt = now + EXTERNAL_SESSION_RECHECK_MS;
  await deps.store.sessions.create({
    id: hashToken(token),
    userId: user.id,
    csrfToken: newToken(),
    createdAt: nowIso,
    expiresAt: new Date(Math.min(now + deps.sessionTtlHours * 3_600_000, reauthAt)).toISOString(),
    lastSeenAt: nowIso,
    reauthAt: new Date(reauthAt).toISOString(),
  });
  return { ok: true, user, token };
}
