import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Role } from '../../store/types.js';
import type { Actor } from '../settings/write-settings.js';
import { auditUser, findUserOrFail, refuseConfiguredUser, type UserAdminDeps } from './user-admin-deps.js';

export type UserAccessChange = { role?: Role | undefined; disabled?: boolean | undefined };

/**
 * Changes a user's role or disables/enables them. The toolbox must keep at least one active
 * administrator, otherwise nobody could open the console again without the command line; the
 * change that would leave none is refused with the reason. A disabled user's sessions and API
 * tokens stop working: this instance forgets its cached sessions at once, others within seconds.
 */
export async function changeUserAccess(deps: UserAdminDeps, userId: string, change: UserAccessChange, actor: Actor) {
  const user = await findUserOrFail(deps, userId);
  const after = { ...user, role: change.role ?? user.role, disabled: change.disabled ?? user.disabled };
  if (after.role === user.role && after.disabled === user.disabled) return after;
  refuseConfiguredUser(
    user,
    change.disabled !== undefined && change.disabled !== user.disabled ? 'disable or enable them' : 'change their role',
  );

  const wasActiveAdmin = user.role === 'admin' && !user.disabled;
  const staysActiveAdmin = after.role === 'admin' && !after.disabled;
  if (wasActiveAdmin && !staysActiveAdmin) {
    const others = (await deps.store.users.list()).filter((other) => other.id !== user.id && other.role === 'admin' && !other.disabled);
    if (others.length === 0) {
      const self = user.id === actor.userId;
      const what = after.disabled ? 'disable' : 'make a technician';
      throw new ToolboxError({
        code: 'TBX_ERR_LAST_ADMIN',
        httpStatus: 409,
        message: `You cannot ${what} ${self ? 'yourself' : user.email}: ${self ? 'you are' : 'they are'} the last active administrator, and without one nobody could open the admin console. Add or enable another administrator first.`,
        fields: [{ path: change.disabled !== undefined ? 'disabled' : 'role', message: 'the last active administrator must stay one' }],
      });
    }
  }

  const now = new Date(deps.clock.now()).toISOString();
  await deps.store.users.update(user.id, { role: after.role, disabled: after.disabled }, now);
  // A disabled user is signed out everywhere at once (every request reads the session afresh).
  if (after.disabled) await deps.store.sessions.deleteForUser(user.id);
  const action = after.disabled !== user.disabled ? (after.disabled ? 'user.disable' : 'user.enable') : 'user.role';
  await deps.store.audit.append(
    {
      actorUserId: actor.userId,
      actorEmail: actor.email,
      action,
      target: `user:${user.email}`,
      before: auditUser(user),
      after: auditUser(after),
      requestId: actor.requestId,
    },
    now,
  );
  return after;
}
