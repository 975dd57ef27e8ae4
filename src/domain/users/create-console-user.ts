import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Role, UserRecord } from '../../store/types.js';
import { addUser } from '../auth/add-user.js';
import { generatePassword } from '../passwords/generate-password.js';
import type { Actor } from '../settings/write-settings.js';
import { auditUser, type UserAdminDeps } from './user-admin-deps.js';

export type CreateConsoleUserInput = {
  email: string;
  name?: string | undefined;
  role: Role;
  /** The password the admin typed; leave out with `generatePassword`. */
  password?: string | undefined;
  /** Make one up, to be shown to the admin once. */
  generatePassword?: boolean | undefined;
};

/**
 * Adds a user from the console. A generated password is returned once, for the admin to pass on;
 * the store keeps only its hash and the audit log neither.
 */
export async function createConsoleUser(
  deps: Pick<UserAdminDeps, 'store' | 'clock'>,
  input: CreateConsoleUserInput,
  actor: Actor,
): Promise<{ user: UserRecord; generatedPassword: string | null }> {
  const generated = input.generatePassword ? generatePassword({ length: 16 }) : null;
  const password = generated ?? input.password;
  if (!password) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: 'Type a password of at least 12 characters, or choose "Generate one".',
      fields: [{ path: 'password', message: 'type one (at least 12 characters) or choose "Generate one"' }],
    });
  }
  const result = await addUser(deps, { email: input.email, name: input.name, role: input.role, password, source: 'console' });
  if (!result.ok) {
    const duplicate = result.message.includes('already exists');
    const field = result.message.includes('password') ? 'password' : 'email';
    throw new ToolboxError({
      code: duplicate ? 'TBX_ERR_CONFLICT' : 'TBX_ERR_VALIDATION',
      httpStatus: duplicate ? 409 : 400,
      message: result.message,
      fields: [{ path: field, message: result.message }],
    });
  }
  const now = new Date(deps.clock.now()).toISOString();
  await deps.store.audit.append(
    {
      actorUserId: actor.userId,
      actorEmail: actor.email,
      action: 'user.create',
      target: `user:${result.user.email}`,
      before: null,
      after: { ...auditUser(result.user), password: generated ? '(generated)' : '(set)' },
      requestId: actor.requestId,
    },
    now,
  );
  return { user: result.user, generatedPassword: generated };
}
