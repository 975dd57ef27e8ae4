import { z } from 'zod';
import { companyNamesOf } from '../../../domain/execution/company-names.js';
import { rerunExecution, rerunOf, reviewRerun } from '../../../domain/execution/rerun-execution.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import type { Services } from '../../../services.js';
import type { ExecutionFilter, ExecutionRecord, StepRecord, UserRecord } from '../../../store/types.js';
import { type ApiCaller, defineOperation } from '../api-operation.js';
import { pagingQuery } from '../paging-query.js';
import { csvRow } from './execution-csv.js';

export const EXECUTION_STATUSES = ['queued', 'running', 'succeeded', 'partial', 'failed'] as const;
const STEP_STATUSES = ['pending', 'running', 'ok', 'warning', 'failed', 'skipped', 'unknown'] as const;
const NOTE_STATUSES = ['pending', 'written', 'skipped', 'failed'] as const;

/** The most rows one CSV export holds; narrow the filters for more. */
export const CSV_ROW_CAP = 10_000;
const CSV_PAGE = 500;

/** Public view of an execution: never the secret (the store keeps inputs with secrets removed). */
export function executionJson(execution: ExecutionRecord, steps: StepRecord[]) {
  return {
    ...executionSummaryJson(execution),
    inputs: execution.inputs.form ?? {},
    startedAt: execution.startedAt,
    launchId: execution.launchId,
    steps: steps.map((step) => ({
      seq: step.seq,
      key: step.key,
      label: step.label,
      status: step.status,
      message: step.message,
      upstreamCode: step.upstreamCode,
      startedAt: step.startedAt,
      finishedAt: step.finishedAt,
      durationMs: step.durationMs,
    })),
  };
}

/** One row of the execution list (no inputs or steps: those are on the detail). */
export function executionSummaryJson(execution: ExecutionRecord) {
  return {
    id: execution.id,
    form: execution.formName,
    status: execution.status,
    psaKind: execution.psaKind,
    ticketId: execution.ticketId,
    companyId: execution.companyId,
    contactId: execution.contactId,
    directoryId: execution.directoryId,
    target: { id: execution.targetUserId, display: execution.targetDisplay },
    technician: { id: execution.technicianUserId, email: execution.technicianEmail },
    note: { status: execution.noteStatus, error: execution.noteError },
    error: execution.errorMessage,
    createdAt: execution.createdAt,
    finishedAt: execution.finishedAt,
    rerunOf: rerunOf(execution),
  };
}

const nullableString = z.string().nullable();
const executionSummarySchema = z.object({
  id: z.string(),
  form: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  psaKind: nullableString.describe('The PSA its ticket, company and contact ids belong to; its ticket note goes there only'),
  ticketId: nullableString,
  companyId: z.string(),
  contactId: z.string(),
  directoryId: z.string(),
  target: z.object({ id: z.string(), display: z.string() }),
  technician: z.object({ id: z.string(), email: z.string() }),
  note: z.object({ status: z.enum(NOTE_STATUSES), error: nullableString }),
  error: nullableString,
  createdAt: z.string(),
  finishedAt: nullableString,
  rerunOf: nullableString.describe('The execution this one runs again, if it is a re-run'),
});

export const executionDetailSchema = executionSummarySchema.extend({
  inputs: z.record(z.string(), z.unknown()).describe('The form inputs; secrets are never stored, so never included'),
  startedAt: nullableString,
  launchId: nullableString.describe('The screen pop it came from; null for a re-run'),
  steps: z.array(
    z.object({
      seq: z.number(),
      key: z.string(),
      label: z.string(),
      status: z.enum(STEP_STATUSES),
      message: nullableString,
      upstreamCode: nullableString.describe('The upstream HTTP status and error code when a step failed there'),
      startedAt: nullableString,
      finishedAt: nullableString,
      durationMs: z.number().nullable(),
    }),
  ),
});

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const dateQuery = (what: string) =>
  z
    .string()
    .trim()
    .refine((value) => value === '' || (!Number.isNaN(Date.parse(value)) && (DATE_ONLY.test(value) || value.includes('T'))), {
      message: `Enter the ${what} date as YYYY-MM-DD or an ISO time such as 2026-05-01T08:00:00Z.`,
    })
    .optional();

/** The list's filters, shared by the JSON list and the CSV export. Empty values mean "any". */
export const executionFilterQuerySchema = z.object({
  form: z.string().trim().optional().describe('Form name, e.g. password_reset'),
  status: z.union([z.literal(''), z.enum(EXECUTION_STATUSES)], { error: `Choose one of: ${EXECUTION_STATUSES.join(', ')}.` }).optional(),
  companyId: z.string().trim().optional().describe('PSA company id'),
  technician: z.string().trim().optional().describe('User id or e-mail; technicians always see only their own'),
  from: dateQuery('from').describe('Created on or after: a day (YYYY-MM-DD, from its start, UTC) or an ISO time'),
  to: dateQuery('to').describe('Created on or before: a day (YYYY-MM-DD, the whole day, UTC) or an ISO time'),
});

export const listExecutionsQuerySchema = executionFilterQuerySchema.extend(pagingQuery);
export type ExecutionFilterQuery = z.infer<typeof executionFilterQuerySchema>;

const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();

/**
 * The store's filter from the query: dates to ISO instants (`to` a whole day, or up to and
 * including an instant), the technician to a user id, and a technician caller limited to their
 * own executions whatever they ask for.
 */
export async function resolveExecutionFilter(
  services: Pick<Services, 'store'>,
  caller: Pick<ApiCaller, 'user'>,
  query: ExecutionFilterQuery,
): Promise<ExecutionFilter> {
  const filter: ExecutionFilter = {};
  if (query.form) filter.formName = query.form;
  if (query.status) filter.status = query.status;
  if (query.companyId) filter.companyId = query.companyId;
  if (query.from) filter.from = DATE_ONLY.test(query.from) ? `${query.from}T00:00:00.000Z` : new Date(query.from).toISOString();
  if (query.to) filter.to = DATE_ONLY.test(query.to) ? dayAfter(query.to) : new Date(Date.parse(query.to) + 1).toISOString();
  if (caller.user.role !== 'admin') {
    filter.technicianUserId = caller.user.id;
  } else if (query.technician) {
    let user: UserRecord | undefined;
    if (query.technician.includes('@')) user = await services.store.users.findByEmail(query.technician.toLowerCase());
    else user = await services.store.users.findById(query.technician);
    if (!user)
      throw new ToolboxError({
        code: 'TBX_ERR_VALIDATION',
        httpStatus: 400,
        message: `No toolbox user is "${query.technician}": give a user id or the e-mail a technician signs in with.`,
        fields: [{ path: 'query.technician', message: 'No toolbox user has this id or e-mail.' }],
      });
    filter.technicianUserId = user.id;
  }
  if (filter.from && filter.to && filter.from >= filter.to)
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: 'The "to" date is before the "from" date: swap them or widen the range.',
      fields: [{ path: 'query.to', message: 'Must be on or after the "from" date.' }],
    });
  return filter;
}

const notFound = () => new ToolboxError({ code: 'TBX_ERR_NOT_FOUND', httpStatus: 404, message: 'No execution has this id.' });

/** The execution if the caller may see it: their own, or any for an administrator. */
export async function loadVisibleExecution(services: Pick<Services, 'store'>, caller: Pick<ApiCaller, 'user'>, id: string) {
  const execution = await services.store.executions.get(id);
  if (!execution) throw notFound();
  if (caller.user.role !== 'admin' && execution.technicianUserId !== caller.user.id)
    throw new ToolboxError({ code: 'TBX_ERR_FORBIDDEN', httpStatus: 403, message: 'This execution belongs to another technician.' });
  return { execution, steps: await services.store.executions.steps(id) };
}

export const listExecutionsOperation = defineOperation({
  id: 'listExecutions',
  method: 'get',
  path: '/api/executions',
  tag: 'Executions',
  summary: 'Executions, newest first, with filters and paging (technicians: only their own)',
  access: 'user',
  query: listExecutionsQuerySchema,
  response: z.object({
    items: z.array(
      executionSummarySchema.extend({
        companyName: nullableString.describe('The PSA company’s name as its screen pop read it; null when unknown'),
      }),
    ),
    total: z.number(),
    limit: z.number(),
    offset: z.number(),
  }),
  async handler({ services, caller, query }) {
    const filter = await resolveExecutionFilter(services, caller, query);
    const { items, total } = await services.store.executions.search(filter, { limit: query.limit, offset: query.offset });
    const names = await companyNamesOf(services.store.launches, items);
    return {
      items: items.map((item) => ({ ...executionSummaryJson(item), companyName: names.get(item.companyId) ?? null })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  },
});

export const executionsCsvOperation = defineOperation({
  id: 'exportExecutionsCsv',
  method: 'get',
  path: '/api/executions.csv',
  tag: 'Executions',
  summary: `The matching executions as CSV (same filters as the list; at most ${CSV_ROW_CAP} rows)`,
  description:
    'Columns: created, form, status, technician, ticket, company, contact, target, directory, note status, error. Cells that a spreadsheet would read as a formula start with an apostrophe. When more rows match than the cap, the header X-Toolbox-Truncated is true.',
  access: 'user',
  query: executionFilterQuerySchema,
  response: z.string(),
  produces: 'text/csv',
  async handler({ services, caller, query, c }) {
    const filter = await resolveExecutionFilter(services, caller, query);
    const chunks = [
      csvRow(['created', 'form', 'status', 'technician', 'ticket', 'company', 'contact', 'target', 'directory', 'note status', 'error']),
    ];
    let offset = 0;
    let total = 0;
    // Paged, so a large log is never one query result in memory at once.
    while (offset < CSV_ROW_CAP) {
      const page = await services.store.executions.search(filter, { limit: Math.min(CSV_PAGE, CSV_ROW_CAP - offset), offset });
      total = page.total;
      for (const e of page.items)
        chunks.push(
          csvRow([
            e.createdAt,
            e.formName,
            e.status,
            e.technicianEmail,
            e.ticketId,
            e.companyId,
            e.contactId,
            e.targetDisplay,
            e.directoryId,
            e.noteStatus,
            e.errorMessage ?? e.noteError,
          ]),
        );
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) break;
    }
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="executions-${new Date(services.clock.now()).toISOString().slice(0, 10)}.csv"`);
    c.header('X-Toolbox-Truncated', total > CSV_ROW_CAP ? 'true' : 'false');
    return c.body(chunks.join(''));
  },
});

export const getExecutionOperation = defineOperation({
  id: 'getExecution',
  method: 'get',
  path: '/api/executions/{id}',
  tag: 'Executions',
  summary: 'One execution with its steps (technicians: only their own)',
  access: 'user',
  params: z.object({ id: z.string().min(1) }),
  response: executionDetailSchema,
  async handler({ services, caller, params }) {
    const { execution, steps } = await loadVisibleExecution(services, caller, params.id);
    return executionJson(execution, steps);
  },
});

const rerunDeps = (services: Services) => ({
  store: services.store,
  directories: services.directories,
  forms: services.forms,
  enabledForms: services.settings.current().forms.enabled,
  jobQueue: services.jobQueue,
  secretBox: services.secretBox,
  clock: services.clock,
});

export const reviewRerunOperation = defineOperation({
  id: 'reviewRerun',
  method: 'get',
  path: '/api/executions/{id}/rerun-review',
  tag: 'Executions',
  summary: 'What running an execution again would change, read from the directory now, with the token that confirms it',
  description:
    'Nothing runs. Send reviewToken with rerunExecution to run exactly this: if the directory changed meanwhile, the re-run is refused (409) instead of doing something else. The console always does.',
  access: 'user',
  params: z.object({ id: z.string().min(1) }),
  response: z.object({
    changes: z.array(z.string()).describe('What will change, in plain words, in order'),
    when: z.string().nullable().describe('When it runs, if not at once'),
    action: z.string().describe('The action and the person, as the confirm button says it'),
    reviewToken: z.string(),
  }),
  async handler({ services, caller, params }) {
    const { review, token } = await reviewRerun(rerunDeps(services), params.id, caller.user);
    return { changes: review.changes, when: review.when ?? null, action: review.action, reviewToken: token };
  },
});

export const rerunExecutionOperation = defineOperation({
  id: 'rerunExecution',
  method: 'post',
  path: '/api/executions/{id}/rerun',
  tag: 'Executions',
  summary: 'Run an execution again with the same inputs (a new execution; a typed password cannot be repeated: 409)',
  description:
    'Administrators, or the technician who ran it. A generated password or passphrase is generated anew and shown once to the caller on the new execution’s page. The new execution records the one it repeats in rerunOf. With reviewToken (from reviewRerun) it runs only if the review still says the same (409 TBX_ERR_RERUN_REVIEW_CHANGED otherwise).',
  access: 'user',
  params: z.object({ id: z.string().min(1) }),
  body: z
    .strictObject({ reviewToken: z.string().min(1).optional().describe('From reviewRerun: run only what was reviewed') })
    .describe('{} or { "reviewToken": "…" }'),
  response: z.object({ executionId: z.string(), rerunOf: z.string(), url: z.string() }),
  status: 201,
  async handler({ services, caller, params, body, actor }) {
    const result = await rerunExecution(rerunDeps(services), params.id, caller.user, actor, { reviewToken: body.reviewToken });
    return { ...result, url: `${services.config.publicUrl}/executions/${result.executionId}` };
  },
});

export const executionOperations = [
  listExecutionsOperation,
  executionsCsvOperation,
  getExecutionOperation,
  reviewRerunOperation,
  rerunExecutionOperation,
];
