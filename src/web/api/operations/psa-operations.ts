import { z } from 'zod';
import { savePsaConnection } from '../../../domain/settings/save-psa-connection.js';
import { defineOperation } from '../api-operation.js';
import { connectionFieldSchema } from '../connector-schemas.js';

const nounSchema = z.object({ one: z.string(), many: z.string() });

/** Every PSA this build has: what the console's kind select offers, with each kind's fields and words. */
export const psaConnectorListSchema = z
  .array(
    z.object({
      kind: z.string(),
      label: z.string(),
      fields: z.array(connectionFieldSchema),
      words: z
        .object({ name: z.string(), ticket: nounSchema, company: nounSchema, contact: nounSchema, member: nounSchema })
        .describe('What this PSA calls its records (a technician: member, resource, agent)'),
      idFormat: z
        .object({ ticket: z.string(), company: z.string(), contact: z.string(), member: z.string() })
        .describe('What a valid id of each kind looks like'),
      screenPop: z
        .object({ ticket: z.string(), company: z.string(), contact: z.string() })
        .describe('The 1Stream variables of this PSA’s screen-pop URLs'),
    }),
  )
  .describe('The PSAs this build has, with the settings each asks for');

export const psaConnectionViewSchema = z.object({
  configured: z.boolean(),
  source: z.enum(['file', 'console']).nullable().describe('Where the connection in force comes from; file values are read-only'),
  kind: z.string().nullable(),
  label: z.string().nullable(),
  fields: z.record(z.string(), z.union([z.string(), z.number()])).describe('Non-secret settings'),
  secretsSet: z.array(z.string()).describe('Secret settings that hold a value; their values are never returned'),
  revision: z.string().nullable().describe('Send back as `revision` when saving, to detect concurrent edits'),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  connectors: psaConnectorListSchema,
});

export const savePsaConnectionBodySchema = z.strictObject({
  kind: z
    .string()
    .min(1)
    .describe('The PSA, one of connectors[].kind (e.g. connectwise); switching kind keeps the other PSA’s mappings unused'),
  fields: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .default({})
    .describe('Non-secret settings by name (see connectors[].fields); empty values mean "default"'),
  secrets: z
    .record(z.string(), z.string())
    .default({})
    .describe('Secret settings by name; leave one out (or empty) to keep the stored value'),
  revision: z.string().nullable().optional().describe('The revision read; null when creating'),
});

export const getPsaConnection = defineOperation({
  id: 'getPsaConnection',
  method: 'get',
  path: '/api/admin/psa',
  tag: 'PSA connection',
  summary: 'The PSA connection in force (secrets never included)',
  access: 'admin',
  response: psaConnectionViewSchema,
  async handler({ services }) {
    const psa = services.settings.current().psa;
    return {
      configured: psa !== null,
      source: psa?.source ?? null,
      kind: psa?.kind ?? null,
      label: psa?.label ?? null,
      fields: psa?.fields ?? {},
      secretsSet: psa?.secretsSet ?? [],
      revision: psa?.revision ?? null,
      updatedAt: psa?.updatedAt ?? null,
      updatedBy: psa?.updatedBy ?? null,
      connectors: Object.values(services.connectors.psa).map((connector) => ({
        kind: connector.kind,
        label: connector.label,
        fields: connector.fields,
        words: connector.words,
        idFormat: connector.idFormat,
        screenPop: connector.screenPop,
      })),
    };
  },
});

export const savePsaConnectionOperation = defineOperation({
  id: 'savePsaConnection',
  method: 'put',
  path: '/api/admin/psa',
  tag: 'PSA connection',
  summary: 'Save the PSA connection (secrets are write-only and encrypted at rest)',
  access: 'admin',
  body: savePsaConnectionBodySchema,
  response: z.object({ revision: z.string() }),
  async handler({ services, body, actor }) {
    return savePsaConnection(
      {
        config: services.config,
        store: services.store,
        settings: services.settings,
        secretBox: services.secretBox,
        clock: services.clock,
        psaConnectors: services.connectors.psa,
      },
      body,
      actor,
    );
  },
});

export const psaOperations = [getPsaConnection, savePsaConnectionOperation];
