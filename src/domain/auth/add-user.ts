import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { hashPassword, verifyPassword } from '../../lib/password-hash.js';
import type { Role, Store, UserRecord } from '../../store/types.js';

export const MIN_PASSWORD_LENGTH = 12;

/** Creates a toolbox user (technician or admin); the password is stored only as a scrypt hash. */
export async function addUser(
  deps: { store: Pick<Store, 'users'>; clock: Clock },
  user: { email: string; name?: string | undefined; role: Role; password: string; source: string },
): Promise<{ ok: true; user: UserRecord } | { ok: false; message: string }> {
  const email = user.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { ok: false, message: `"${user.email}" is not an e-mail address.` };
  if (user.password.length < MIN_PASSWORD_LENGTH)
    return { ok: false, message: `The password must be at least ${MIN_PASSWORD_LENGTH} characters.` };
  if (await deps.store.users.findByEmail(email)) return { ok: false, message: `A user with the e-mail ${email} already exists.` };
  const created = await deps.store.users.create(
    {
      id: newId(),
      email,
      name: user.name?.trim() || email.split('@')[0]!,
      role: user.role,
      passwordHash: await hashPassword(user.password),
      disabled: false,
      source: user.source,
    },
    new Date(deps.clock.now()).toISOString(),
  );
  return { ok: true, user: created };
}

/**
 * Makes the users listed in the configuration file exist with the listed role and password.
 * The file is the source of truth for them: a changed password or role there wins at start.
 */
export async function syncConfiguredUsers(
  deps: { store: Pick<Store, 'users'>; clock: Clock },
  users: { email: string; name?: string | undefined; role: Role; password: string }[],
): Promise<void> {
  for (const seed of users) {
    const existing = await deps.store.users.findByEmail(seed.email);
    if (!existing) {
      const result = await addUser(deps, { ...seed, source: 'config' });
      if (!result.ok) throw new Error(`users: ${result.message}`);
      continue;
    }
    const samePassword = await verifyPassword(seed.password, existing.passwordHash);
    await deps.store.users.update(
      existing.id,
      {
        role: seed.role,
        ...(seed.name ? { name: seed.name } : {}),
        ...(samePassword ? {} : { passwordHash: await hashPassword(seed.password) }),
      },
      new Date(deps.clock.now()).toISOString(),
    );
  }
}
