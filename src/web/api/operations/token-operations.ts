import { z } from 'zod';
import { createApiToken } from '../../../domain/users/create-api-token.js';
import { revokeApiToken } from '../../../domain/users/revoke-api-token.js';
import type { ApiTokenRecord, UserRecord } from '../../../store/types.js';
import { defineOperation } from '../api-operation.js';

export const apiTokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  userId: z.string(),
  userEmail: z.string().nullable(),
  hint: z.string().describe('The token’s last four characters, to tell tokens apart'),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable().describe('To the minute'),
  revokedAt: z.string().nullable(),
});

export const toApiTokenView = (record: ApiTokenRecord, users: Map<string, UserRecord>): z.infer<typeof apiTokenViewSchema> => ({
  id: record.id,
  name: record.name,
  userId: record.userId,
  userEmail: users.get(record.userId)?.email ?? null,
  hint: record.hint,
  createdAt: record.createdAt,
  lastUsedAt: record.lastUsedAt,
  revokedAt: record.revokedAt,
});

export const createApiTokenBodySchema = z.strictObject({
  name: z.string().trim().min(1, 'required: say what the token is for').max(100, 'must be at most 100 characters'),
  userId: z.string().min(1).optional().describe('The user the token acts as, with their role; default: you'),
});

export const listApiTokensOperation = defineOperation({
  id: 'listApiTokens',
  method: 'get',
  path: '/api/admin/tokens',
  tag: 'Users and API tokens',
  summary: 'Every API token (never the token itself)',
  access: 'admin',
  response: z.object({ tokens: z.array(apiTokenViewSchema) }),
  async handler({ services }) {
    const [tokens, users] = await Promise.all([services.store.apiTokens.list({}), services.store.users.list()]);
    const byId = new Map(users.map((user) => [user.id, user]));
    return { tokens: tokens.map((token) => toApiTokenView(token, byId)) };
  },
});

export const createApiTokenOperation = defineOperation({
  id: 'createApiToken',
  method: 'post',
  path: '/api/admin/tokens',
  tag: 'Users and API tokens',
  summary: 'Create an API token; the answer holds it once, it is never shown again',
  description: 'Send it as "Authorization: Bearer tbx_…". It acts as its user with their role, until revoked or the user is disabled.',
  access: 'admin',
  status: 201,
  body: createApiTokenBodySchema,
  response: z.object({ token: z.string().describe('The token: store it now'), tokenInfo: apiTokenViewSchema }),
  async handler({ services, body, actor }) {
    const created = await createApiToken({ store: services.store, clock: services.clock }, body, actor);
    return { token: created.token, tokenInfo: toApiTokenView(created.record, new Map([[created.user.id, created.user]])) };
  },
});

export const revokeApiTokenOperation = defineOperation({
  id: 'revokeApiToken',
  method: 'post',
  path: '/api/admin/tokens/{id}/revoke',
  tag: 'Users and API tokens',
  summary: 'Revoke an API token (for good)',
  access: 'admin',
  params: z.object({ id: z.string().min(1) }),
  // Declared although empty: a POST must carry Content-Type: application/json (a body-less one
  // counts as a form post, which the Origin check refuses), so the document tells clients to send {}.
  body: z.strictObject({}).describe('Nothing to send: {}'),
  response: z.object({ tokenInfo: apiTokenViewSchema }),
  async handler({ services, params, actor }) {
    const record = await revokeApiToken({ store: services.store, clock: services.clock }, params.id, actor);
    const owner = await services.store.users.findById(record.userId);
    return { tokenInfo: toApiTokenView(record, new Map(owner ? [[owner.id, owner]] : [])) };
  },
});

export const tokenOperations = [listApiTokensOperation, createApiTokenOperation, revokeApiTokenOperation];
