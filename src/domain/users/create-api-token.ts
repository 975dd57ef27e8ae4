import { hashToken, newId, newToken } from '../../lib/ids.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { ApiTokenRecord, UserRecord } from '../../store/types.js';
import { API_TOKEN_PREFIX } from '../auth/resolve-api-token.js';
import type { Actor } from '../settings/write-settings.js';
import { findUserOrFail, type UserAdminDeps } from './user-admin-deps.js';

/**
 * Creates an API token that acts as a user, with that user's role. The token is returned once;
 * the store keeps its SHA-256 and its last four characters (so an admin can tell tokens apart).
 */
export async function createApiToken(
  deps: Pick<UserAdminDeps, 'store' | 'clock'>,
  input: { name: string; userId?: string | undefined },
  actor: Actor,
): Promise<{ token: string; record: ApiTokenRecord; user: UserRecord }> {
  const userId = input.userId ?? actor.userId;
  if (!userId) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: 'Choose the user the token acts as.',
      fields: [{ path: 'userId', message: 'required' }],
    });
  }
  const user = await findUserOrFail(deps, userId);
  if (user.disabled) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: `${user.email} is disabled, so a token for them would not work. Enable the user first, or choose another.`,
      fields: [{ path: 'userId', message: 'this user is disabled' }],
    });
  }
  const token = `${API_TOKEN_PREFIX}${newToken()}`;
  const now = new Date(deps.clock.now()).toISOString();
  const record = await deps.store.apiTokens.create(
    { id: newId(), userId: user.id, name: input.name.trim(), hint: token.slice(-4), tokenHash: hashToken(token) },
    now,
  );
  await deps.store.audit.append(
    {
      actorUserId: actor.userId,
      actorEmail: actor.email,
      action: 'token.create',
      target: `token:${record.id}`,
      before: null,
      after: { name: record.name, user: user.email, role: user.role },
      requestId: actor.requestId,
    },
    now,
  );
  return { token, record, user };
}
