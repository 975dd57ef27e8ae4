import { hashPassword } from '../../lib/password-hash.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import { MIN_PASSWORD_LENGTH } from '../auth/add-user.js';
import { generatePassword } from '../passwords/generate-password.js';
import type { Actor } from '../settings/write-settings.js';
import { findUserOrFail, refuseConfiguredUser, type UserAdminDeps } from './user-admin-deps.js';

/**
 * Sets a new password for a user, typed by the admin or generated (returned once, for the admin
 * to pass on). The audit entry says that it changed, never what to.
 */
export async function resetUserPassword(
  deps: UserAdminDeps,
  userId: string,
  input: { password?: string | undefined; generatePassword?: boolean | undefined },
  actor: Actor,
): Promise<{ generatedPassword: string | null }> {
  const user = await findUserOrFail(deps, userId);
  refuseConfiguredUser(user, 'reset their password');
  const generated = input.generatePassword ? generatePassword({ length: 16 }) : null;
  const password = generated ?? input.password ?? '';
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: `Type a new password of at least ${MIN_PASSWORD_LENGTH} characters, or choose "Generate one".`,
      fields: [{ path: 'password', message: `at least ${MIN_PASSWORD_LENGTH} characters, or choose "Generate one"` }],
    });
  }
  const now = new Date(deps.clock.now()).toISOString();
  await deps.store.users.update(user.id, { passwordHash: await hashPassword(password) }, now);
  // Whoever knew the old password is signed out too (the usual reason for a reset).
  const endedSessions = await deps.store.sessions.deleteForUser(user.id);
  await deps.store.audit.append(
    {
      actorUserId: actor.userId,
      actorEmail: actor.email,
      action: 'user.password-reset',
      target: `user:${user.email}`,
      before: null,
      after: { password: generated ? '(generated)' : '(changed)', sessionsEnded: endedSessions },
      requestId: actor.requestId,
    },
    now,
  );
  return { generatedPassword: generated };
}
