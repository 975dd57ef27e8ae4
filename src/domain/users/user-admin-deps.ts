import type { Clock } from '../../lib/clock.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Store, UserRecord } from '../../store/types.js';

/** What the user and token administration needs: the store and the clock. */
export type UserAdminDeps = {
  store: Pick<Store, 'users' | 'audit' | 'apiTokens' | 'sessions'>;
  clock: Clock;
};

/** The user with this id, or a 404 an admin understands. */
export async function findUserOrFail(deps: { store: Pick<Store, 'users'> }, userId: string): Promise<UserRecord> {
  const user = await deps.store.users.findById(userId);
  if (!user) {
    throw new ToolboxError({
      code: 'TBX_ERR_NOT_FOUND',
      httpStatus: 404,
      message: 'There is no user with this id. Reload the list of users.',
    });
  }
  return user;
}

/**
 * Users from the configuration file are re-synced (role, name, password) at every start, so a
 * console change would silently come undone: the console refuses and says where to change them.
 */
export function refuseConfiguredUser(user: UserRecord, what: string): void {
  if (user.source !== 'config') return;
  throw new ToolboxError({
    code: 'TBX_ERR_SET_IN_FILE',
    httpStatus: 409,
    message: `${user.email} comes from the configuration file, which sets their role and password again at every start, so you cannot ${what} here. Change or remove them in the file and restart the toolbox.`,
  });
}

/** What the audit log keeps of a user: never the password or its hash. */
export const auditUser = (user: Pick<UserRecord, 'email' | 'name' | 'role' | 'disabled'>) => ({
  email: user.email,
  name: user.name,
  role: user.role,
  disabled: user.disabled,
});
