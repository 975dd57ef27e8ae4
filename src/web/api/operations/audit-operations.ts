import { z } from 'zod';
import type { AuditEntry, AuditFilter } from '../../../store/types.js';
import { defineOperation } from '../api-operation.js';
import { pagingQuery } from '../paging-query.js';

export const auditQuerySchema = z.object({
  action: z.string().trim().optional().describe('Exact action, e.g. psa.update or execution.rerun'),
  actor: z.string().trim().optional().describe('The e-mail of who did it (or config / cli)'),
  target: z.string().trim().optional().describe('Exact target, e.g. psa or execution:<id>'),
  ...pagingQuery,
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  actorEmail: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown().describe('The value before; secrets were replaced by a marker before it was recorded'),
  after: z.unknown().describe('The value after; secrets were replaced by a marker before it was recorded'),
  requestId: z.string().nullable(),
});

export const auditFilterFrom = (query: AuditQuery): AuditFilter => ({
  ...(query.action ? { action: query.action } : {}),
  ...(query.actor ? { actorEmail: query.actor } : {}),
  ...(query.target ? { target: query.target } : {}),
});

export const listAuditOperation = defineOperation({
  id: 'listAuditLog',
  method: 'get',
  path: '/api/admin/audit',
  tag: 'Audit log',
  summary: 'Every admin change, newest first: who, what, when, target, before and after (without secrets)',
  access: 'admin',
  query: auditQuerySchema,
  response: z.object({ items: z.array(auditEntrySchema), total: z.number(), limit: z.number(), offset: z.number() }),
  async handler({ services, query }): Promise<{ items: AuditEntry[]; total: number; limit: number; offset: number }> {
    const { items, total } = await services.store.audit.list(auditFilterFrom(query), { limit: query.limit, offset: query.offset });
    return { items, total, limit: query.limit, offset: query.offset };
  },
});

export const auditOperations = [listAuditOperation];
