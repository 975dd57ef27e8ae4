import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { hashPassword, verifyPassword } from '../../lib/password-hash.js';
import type { Role, Store, UserRecord } from '../../store/types.js';

export const MIN_PASSWORD_LENGTH = 12;

type NewUser = { email: string; name?: string | undefined; role: Role; password: string; source: string };

/** The user as stored, or why it cannot be: the same rules for every way a user is added. */
async function prepareUser(user: NewUser): Promise<{ ok: true; user: Omit<UserRecord, 'createdAt'> } | { ok: false; message: string }> {
  const email = user.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { ok: false, message: `"${user.email}" is not an e-mail address.` };
  if (user.password.length < MIN_PASSWORD_LENGTH)
    return { ok: false, message: `The password must be at least ${MIN_PASSWORD_LENGTH} characters.` };
  return {
    ok: true,
    user: {
      id: newId(),
      email,
      name: user.name?.trim() || email.split('@')[0]!,
      role: user.role,
      passwordHash: await hashPassword(user.password),
      disabled: false,
      source: user.source,
    },
  };
}

/** Creates a toolbox user (technician or admin); the password is stored only as a scrypt hash. */
export async function addUser(
  deps: { store: Pick<Store, 'users'>; clock: Clock },
  user: NewUser,
): Promise<{ ok: true; user: UserRecord } | { ok: false; message: string }> {
  const email = user.email.trim().toLowerCase();
  if (await deps.store.users.findByEmail(email)) return { ok: false, message: `A user with the e-mail ${email} already exists.` };
  const prepared = await prepareUser(user);
  if (!prepared.ok) return prepared;
  const created = await deps.store.users.create(prepared.user, new Date(deps.clock.now()).toISOString());
  return { ok: true, user: created };
}

/**
 * Makes the users listed in the configuration file exist with the listed role and password.
 * The file is the source of truth for them: a changed password or role there wins at start.
 * Several instances starting together on an empty database each run this at once: creating is
 * "insert unless present", and whoever finds the user already there brings it in step instead.
 */
export async function syncConfiguredUsers(
  deps: { store: Pick<Store, 'users'>; clock: Clock },
  users: { email: string; name?: string | undefined; role: Role; password: string }[],
): Promise<void> {
  for (const seed of users) {
    let existing = await deps.store.users.findByEmail(seed.email.trim());
    if (!existing) {
      const prepared = await prepareUser({ ...seed, source: 'config' });
      if (!prepared.ok) throw new Error(`users: ${prepared.message}`);
      if (await deps.store.users.createIfAbsent(prepared.user, new Date(deps.clock.now()).toISOString())) continue;
      // Another instance created it between our read and our insert.
      existing = await deps.store.users.findByEmail(prepared.user.email);
      if (!existing) throw new Error(`users: ${prepared.user.email} could not be created.`);
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
