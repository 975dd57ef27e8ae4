import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../../domain/auth/add-user.js';
import { changeUserAccess } from '../../../domain/users/change-user-access.js';
import { createConsoleUser } from '../../../domain/users/create-console-user.js';
import { resetUserPassword } from '../../../domain/users/reset-user-password.js';
import { unlockUserSignIn } from '../../../domain/users/unlock-user-sign-in.js';
import type { Services } from '../../../services.js';
import type { SignInThrottleRecord, UserRecord } from '../../../store/types.js';
import { defineOperation } from '../api-operation.js';

const roleSchema = z.enum(['admin', 'technician']).describe('admin: the console and the API; technician: the forms');

export const userViewSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  signInLockedUntil: z
    .string()
    .nullable()
    .describe('Until when sign-in is refused after too many failed attempts (account-wide or from some address); null when not locked'),
  source: z.string().describe('config: from the configuration file (read-only here); console or cli: added here or by the command line'),
  readOnly: z.boolean().describe('True for users from the configuration file: it sets them again at every start'),
  createdAt: z.string(),
});

export const toUserView = (user: UserRecord, signInLockedUntil: string | null = null): z.infer<typeof userViewSchema> => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  disabled: user.disabled,
  signInLockedUntil,
  source: user.source,
  readOnly: user.source === 'config',
  createdAt: user.createdAt,
});

const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, 'must be at most 1024 characters');

/** A typed password or "generate one", not both and not neither. */
const oneWayToSetPassword = (value: { password?: string | undefined; generatePassword?: boolean | undefined }, ctx: z.RefinementCtx) => {
  if (value.generatePassword && value.password) {
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'leave empty when "generatePassword" is true' });
  } else if (!value.generatePassword && !value.password) {
    ctx.addIssue({
      code: 'custom',
      path: ['password'],
      message: `type one (at least ${MIN_PASSWORD_LENGTH} characters) or set "generatePassword": true`,
    });
  }
};

export const createUserBodySchema = z
  .strictObject({
    email: z.string().trim().min(1, 'required').max(320, 'too long'),
    name: z.string().trim().max(200, 'must be at most 200 characters').optional(),
    role: roleSchema,
    password: passwordSchema.optional(),
    generatePassword: z.boolean().optional().describe('Make up a password; it is in the answer once, never again'),
  })
  .superRefine(oneWayToSetPassword);

export const changeUserBodySchema = z
  .strictObject({
    role: roleSchema.optional(),
    disabled: z.boolean().optional().describe('A disabled user cannot sign in; their sessions and API tokens stop working'),
  })
  .refine((value) => value.role !== undefined || value.disabled !== undefined, { message: 'send "role", "disabled" or both' });

export const resetPasswordBodySchema = z
  .strictObject({
    password: passwordSchema.optional(),
    generatePassword: z.boolean().optional().describe('Make up a password; it is in the answer once, never again'),
  })
  .superRefine(oneWayToSetPassword);

const userIdParams = z.object({ id: z.string().min(1) });

const depsOf = (services: Services) => ({ store: services.store, clock: services.clock });

export const listUsersOperation = defineOperation({
  id: 'listUsers',
  method: 'get',
  path: '/api/admin/users',
  tag: 'Users and API tokens',
  summary: 'Every toolbox user (never a password or its hash)',
  access: 'admin',
  response: z.object({ users: z.array(userViewSchema) }),
  async handler({ services }) {
    const [users, locks] = await Promise.all([
      services.store.users.list(),
      services.store.signInThrottle.listLocked(new Date(services.clock.now()).toISOString()),
    ]);
    const lockedUntil = latestLockByEmail(locks);
    return { users: users.map((user) => toUserView(user, lockedUntil.get(user.email) ?? null)) };
  },
});

/** The latest end of each account's locks (account-wide or from an address; address-wide locks are no account's). */
export function latestLockByEmail(locks: SignInThrottleRecord[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const lock of locks) {
    if (!lock.email || !lock.lockedUntil || lock.scope === 'address') continue;
    const seen = latest.get(lock.email);
    if (!seen || lock.lockedUntil > seen) latest.set(lock.email, lock.lockedUntil);
  }
  return latest;
}

export const unlockUserSignInOperation = defineOperation({
  id: 'unlockUserSignIn',
  method: 'post',
  path: '/api/admin/users/{id}/unlock',
  tag: 'Users and API tokens',
  summary: 'Lift a user’s sign-in locks after too many failed attempts',
  description:
    'Lifts the account-wide lock and the locks from each address, and forgets the failed attempts; recorded in the audit log (user.unlock) when something was locked. Locks also run out by themselves after 15 minutes.',
  access: 'admin',
  params: userIdParams,
  response: z.object({ unlocked: z.number().int().describe('How many locks were lifted (0: the user was not locked)') }),
  async handler({ services, params, actor }) {
    return unlockUserSignIn({ store: services.store, clock: services.clock }, params.id, actor);
  },
});

export const createUserOperation = defineOperation({
  id: 'createUser',
  method: 'post',
  path: '/api/admin/users',
  tag: 'Users and API tokens',
  summary: 'Add a user with a typed or generated password',
  access: 'admin',
  status: 201,
  body: createUserBodySchema,
  response: z.object({
    user: userViewSchema,
    generatedPassword: z.string().nullable().describe('Only when "generatePassword" was true: pass it on now, it is not shown again'),
  }),
  async handler({ services, body, actor }) {
    const { user, generatedPassword } = await createConsoleUser(depsOf(services), body, actor);
    return { user: toUserView(user), generatedPassword };
  },
});

export const changeUserOperation = defineOperation({
  id: 'changeUser',
  method: 'patch',
  path: '/api/admin/users/{id}',
  tag: 'Users and API tokens',
  summary: 'Change a user’s role, or disable or enable them',
  description: 'Refused (409 TBX_ERR_LAST_ADMIN) when it would leave no active administrator, and for users from the configuration file.',
  access: 'admin',
  params: userIdParams,
  body: changeUserBodySchema,
  response: z.object({ user: userViewSchema }),
  async handler({ services, params, body, actor }) {
    const user = await changeUserAccess(depsOf(services), params.id, body, actor);
    const locks = await services.store.signInThrottle.listLocked(new Date(services.clock.now()).toISOString(), user.email);
    return { user: toUserView(user, latestLockByEmail(locks).get(user.email) ?? null) };
  },
});

export const resetUserPasswordOperation = defineOperation({
  id: 'resetUserPassword',
  method: 'post',
  path: '/api/admin/users/{id}/password',
  tag: 'Users and API tokens',
  summary: 'Set a new password for a user, typed or generated',
  access: 'admin',
  params: userIdParams,
  body: resetPasswordBodySchema,
  response: z.object({
    generatedPassword: z.string().nullable().describe('Only when "generatePassword" was true: pass it on now, it is not shown again'),
  }),
  async handler({ services, params, body, actor }) {
    return resetUserPassword(depsOf(services), params.id, body, actor);
  },
});

export const userOperations = [
  listUsersOperation,
  createUserOperation,
  changeUserOperation,
  resetUserPasswordOperation,
  unlockUserSignInOperation,
];
