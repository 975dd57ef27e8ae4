import { z } from 'zod';
import { countCheckStates } from '../../../connectors/systems-check.js';
import { readPsaMembers } from '../../../domain/settings/psa-members-document.js';
import { runPsaSystemsCheck } from '../../../domain/settings/run-psa-systems-check.js';
import { defineOperation } from '../api-operation.js';

const checkLineSchema = z.object({
  name: z.string().describe('What was checked, e.g. "Can read tickets"'),
  ok: z.boolean().describe('True only for a real pass'),
  outcome: z
    .enum(['not-run', 'unverified', 'warning'])
    .optional()
    .describe('Why a line that is not ok is not a failure: skipped after a failure, not verifiable without writing, or a warning'),
  message: z.string().describe('What happened'),
  hint: z.string().optional().describe('What to do about a failure'),
  upstreamCode: z.string().optional().describe('The PSA’s own status or error code, for its support'),
});

const lastCheckSchema = z.object({
  ranAt: z.string(),
  ranBy: z.string().describe('Email of the admin who ran it'),
  passed: z.number().int(),
  failed: z.number().int().describe('Lines that failed (not those skipped or not verifiable)'),
  notRun: z.number().int().describe('Lines skipped because an earlier one failed'),
  unverified: z.number().int().describe('Lines that cannot be verified without writing to the PSA'),
  results: z.array(checkLineSchema),
});

const membersSummarySchema = z.object({
  count: z.number().int(),
  active: z.number().int(),
  pulledAt: z.string().nullable().describe('When the members were last read; null if never'),
  pullError: z.string().nullable().describe('Why the last pull failed; the members pulled before are kept'),
});

export const psaCheckViewSchema = z.object({
  configured: z.boolean().describe('Whether a PSA connection is in force; without one there is nothing to check'),
  lastCheck: lastCheckSchema.nullable(),
  members: membersSummarySchema.nullable(),
});

const withCounts = (check: { ranAt: string; ranBy: string; results: z.infer<typeof checkLineSchema>[] }) => ({
  ...check,
  passed: countCheckStates(check.results).pass,
  failed: countCheckStates(check.results).fail,
  notRun: countCheckStates(check.results)['not-run'],
  unverified: countCheckStates(check.results).unverified,
});

export const getPsaCheck = defineOperation({
  id: 'getPsaSystemsCheck',
  method: 'get',
  path: '/api/admin/psa/check',
  tag: 'PSA connection',
  summary: 'The last PSA systems check: each check with pass/fail, message and what to do',
  access: 'admin',
  response: psaCheckViewSchema,
  async handler({ services }) {
    const stored = await readPsaMembers(services.store);
    return {
      configured: services.settings.current().psa !== null,
      lastCheck: stored ? withCounts(stored.doc.lastCheck) : null,
      members: stored
        ? {
            count: stored.doc.members.length,
            active: stored.doc.members.filter((member) => !member.inactive).length,
            pulledAt: stored.doc.pulledAt,
            pullError: stored.doc.pullError,
          }
        : null,
    };
  },
});

export const runPsaCheck = defineOperation({
  id: 'runPsaSystemsCheck',
  method: 'post',
  path: '/api/admin/psa/check',
  tag: 'PSA connection',
  summary: 'Run the PSA systems check, pull the PSA members and map technicians to them by email',
  description:
    'Checks the saved connection step by step with the PSA’s own steps (how it is reached: ConnectWise site and codebase, ' +
    'Autotask zone, HaloPSA URL; the credentials; Autotask’s request threshold; HaloPSA’s API agent and its default team; read ' +
    'access to tickets, companies, contacts and members; ticket notes), each failure with what to do. Throttling by the PSA ' +
    'fails its own line and leaves the steps after it not run. Nothing is written to the PSA. 503 TBX_ERR_PSA_NOT_CONFIGURED ' +
    'without a connection.',
  access: 'admin',
  response: z.object({
    lastCheck: lastCheckSchema,
    members: membersSummarySchema,
    autoMap: z
      .object({
        mapped: z.array(z.object({ userId: z.string(), email: z.string(), memberIdentifier: z.string() })),
        unmapped: z.array(z.object({ userId: z.string(), email: z.string() })),
        keptManual: z.number().int(),
        unmatched: z.number().int(),
      })
      .nullable()
      .describe('What automatic mapping by email changed; null when no members are known'),
  }),
  async handler({ services, actor }) {
    const outcome = await runPsaSystemsCheck(
      { store: services.store, settings: services.settings, clock: services.clock, logger: services.logger },
      actor,
    );
    return { lastCheck: withCounts(outcome.check), members: outcome.members, autoMap: outcome.autoMap };
  },
});

export const psaCheckOperations = [getPsaCheck, runPsaCheck];
