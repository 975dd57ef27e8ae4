import { ToolboxError } from '../../lib/toolbox-error.js';
import type { ApiTokenRecord } from '../../store/types.js';
import type { Actor } from '../settings/write-settings.js';
import type { UserAdminDeps } from './user-admin-deps.js';

/** Revokes an API token for good: the next call with it gets 401. Revoking twice changes nothing. */
export async function revokeApiToken(deps: Pick<UserAdminDeps, 'store' | 'clock'>, tokenId: string, actor: Actor): Promise<ApiTokenRecord> {
  const record = await deps.store.apiTokens.get(tokenId);
  if (!record) {
    throw new ToolboxError({
      code: 'TBX_ERR_NOT_FOUND',
      httpStatus: 404,
      message: 'There is no API token with this id. Reload the list of tokens.',
    });
  }
  if (record.revokedAt) return record;
  const now = new Date(deps.clock.now()).toISOString();
  await deps.store.apiTokens.revoke(record.id, now);
  const owner = await deps.store.users.findById(record.userId);
  await deps.store.audit.append(
    {
      actorUserId: actor.userId,
      actorEmail: actor.email,
      action: 'token.revoke',
      target: `token:${record.id}`,
      before: { name: record.name, user: owner?.email ?? record.userId, revoked: false },
      after: { name: record.name, user: owner?.email ?? record.userId, revoked: true },
      requestId: actor.requestId,
    },
    now,
  );
  return { ...record, revokedAt: now };
}
