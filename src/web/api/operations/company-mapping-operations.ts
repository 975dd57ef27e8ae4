import { z } from 'zod';
import { loadCompanyMappings } from '../../../domain/settings/load-company-mappings.js';
import { saveCompanyMappings } from '../../../domain/settings/save-company-mappings.js';
import { ownEntry } from '../../../lib/own-entry.js';
import { defineOperation } from '../api-operation.js';

const source = z.enum(['file', 'console']);

export const companyMappingsViewSchema = z.object({
  psaConfigured: z.boolean(),
  directories: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        source,
        onPremises: z.boolean().describe('An on-premises AD directory: the second of a hybrid pair'),
      }),
    )
    .describe('Directories a company can be mapped to'),
  revision: z.string().nullable().describe('Send back as `revision` when saving, to detect concurrent edits'),
  mappings: z
    .array(
      z.object({
        companyId: z.string(),
        companyName: z.string().nullable().describe('Null when the PSA could not be read or no longer lists the company'),
        identifier: z.string().nullable(),
        directoryId: z.string().describe('A directory id, or a hybrid pair `<cloud id>+<AD id>`'),
        directoryName: z.string(),
        source: source.describe('`file` mappings (directories[].psaCompanyIds) are read-only here'),
      }),
    )
    .describe('Every company mapped to a directory'),
  otherPsaMappings: z
    .array(
      z.object({
        psaKind: z.string(),
        psaLabel: z.string(),
        companyId: z.string(),
        directoryId: z.string(),
        directoryName: z.string(),
      }),
    )
    .describe(
      'Mappings saved while another PSA was connected: their ids are that PSA’s, so they are not applied (they are again if it is reconnected)',
    ),
  unmapped: z
    .array(
      z.object({
        companyId: z.string(),
        companyName: z.string(),
        identifier: z.string().nullable(),
        suggestion: z
          .object({ directoryId: z.string(), directoryName: z.string(), reason: z.string() })
          .nullable()
          .describe("The directory whose verified domains match most of the company's contacts' e-mail domains"),
        noSuggestionReason: z.string().nullable(),
      }),
    )
    .describe('Active PSA companies no directory serves yet; screen pops for them cannot find users'),
  problems: z.array(z.string()).describe('Reads that failed or took too long, in words'),
});

export const saveCompanyMappingsBodySchema = z.strictObject({
  mappings: z
    .record(z.string(), z.string().min(1).nullable())
    .describe(
      'PSA company id → directory id, or a hybrid pair `<Microsoft 365 directory id>+<AD directory id>` (a company synced from on-premises AD), or null to unmap. Companies left out keep their mapping.',
    ),
  revision: z.string().nullable().optional().describe('The revision read; null when no console mapping exists yet'),
});

export const getCompanyMappings = defineOperation({
  id: 'getCompanyMappings',
  method: 'get',
  path: '/api/admin/company-mappings',
  tag: 'Company mapping',
  summary: 'PSA companies and the directories serving them, with suggestions for the unmapped ones',
  description:
    'Reads the active companies and their contacts from the PSA and the verified domains of each directory. ' +
    'A read that fails or is slow is reported in `problems`; the rest is still returned.',
  access: 'admin',
  response: companyMappingsViewSchema,
  async handler({ services }) {
    return loadCompanyMappings({
      settings: services.settings,
      logger: services.logger,
      psaLabel: (kind) => ownEntry(services.connectors.psa, kind)?.label ?? kind,
    });
  },
});

export const saveCompanyMappingsOperation = defineOperation({
  id: 'saveCompanyMappings',
  method: 'put',
  path: '/api/admin/company-mappings',
  tag: 'Company mapping',
  summary:
    'Map or unmap companies of the PSA connected now, in bulk (409 for companies the configuration file maps, or with no PSA connected)',
  access: 'admin',
  body: saveCompanyMappingsBodySchema,
  response: z.object({ revision: z.string(), saved: z.number().int() }),
  async handler({ services, body, actor }) {
    return saveCompanyMappings({ store: services.store, settings: services.settings, clock: services.clock }, body, actor);
  },
});

export const companyMappingOperations = [getCompanyMappings, saveCompanyMappingsOperation];
