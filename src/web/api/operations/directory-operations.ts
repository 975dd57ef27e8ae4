import { z } from 'zod';
import { checkLineState } from '../../../connectors/systems-check.js';
import {
  type DirectoryCheckDocument,
  directoryCheckDocumentSchema,
  readDirectoryCheck,
  readDirectoryChecks,
} from '../../../domain/settings/directory-check-document.js';
import type { EffectiveDirectory } from '../../../domain/settings/live-settings.js';
import { removeDirectory } from '../../../domain/settings/remove-directory.js';
import { runDirectoryCheck } from '../../../domain/settings/run-directory-check.js';
import { directoryNotFound, saveDirectory } from '../../../domain/settings/save-directory.js';
import type { Services } from '../../../services.js';
import { defineOperation } from '../api-operation.js';
import { connectorList, connectorListSchema } from '../connector-schemas.js';

const lastCheckSummarySchema = z
  .object({
    ranAt: z.string(),
    ranBy: z.string(),
    ok: z.boolean(),
    failed: z.array(z.string()),
    notRun: z.array(z.string()).describe('Lines skipped because an earlier one failed'),
    unverified: z.array(z.string()).describe('Lines the check cannot verify without changing something'),
  })
  .nullable()
  .describe('The last systems check, or null when it never ran');

export const directoryViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  label: z.string().describe('The connector, e.g. Microsoft 365 (Entra ID)'),
  name: z.string(),
  source: z.enum(['file', 'console']).describe('file: defined in the configuration file and read-only here'),
  fields: z.record(z.string(), z.union([z.string(), z.number()])).describe('Non-secret connection settings'),
  secretsSet: z.array(z.string()).describe('Secret settings that hold a value; their values are never returned'),
  allowPrivilegedTargets: z.boolean(),
  formDefaults: z.record(z.string(), z.unknown()).describe('Per form name, this customer’s defaults'),
  companyIds: z.array(z.string()).describe('PSA company ids mapped to this directory (file and console)'),
  revision: z.string().nullable().describe('Send back as `revision` when updating (console directories only)'),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  lastCheck: lastCheckSummarySchema,
});
export type DirectoryView = z.infer<typeof directoryViewSchema>;

const summary = (check: DirectoryCheckDocument | null | undefined) =>
  check
    ? {
        ranAt: check.ranAt,
        ranBy: check.ranBy,
        ok: check.ok,
        failed: check.results.filter((l) => checkLineState(l) === 'fail').map((l) => l.name),
        notRun: check.results.filter((l) => checkLineState(l) === 'not-run').map((l) => l.name),
        unverified: check.results.filter((l) => checkLineState(l) === 'unverified').map((l) => l.name),
      }
    : null;

function toView(directory: EffectiveDirectory, check: DirectoryCheckDocument | null | undefined): DirectoryView {
  return {
    id: directory.id,
    kind: directory.kind,
    label: directory.view.label,
    name: directory.name,
    source: directory.view.source,
    fields: directory.view.fields,
    secretsSet: directory.view.secretsSet,
    allowPrivilegedTargets: directory.allowPrivilegedTargets,
    formDefaults: directory.formDefaults,
    companyIds: [...directory.psaCompanyIds],
    revision: directory.view.revision,
    updatedAt: directory.view.updatedAt,
    updatedBy: directory.view.updatedBy,
    lastCheck: summary(check),
  };
}

/** One directory as the API and the console show it; 404 when there is none. */
export async function findDirectoryView(services: Services, id: string): Promise<DirectoryView> {
  await services.settings.ensureFresh();
  const directory = services.settings.current().directories.find((candidate) => candidate.id === id);
  if (!directory) throw directoryNotFound(id);
  return toView(directory, await readDirectoryCheck(services.store, id));
}

const saveDeps = (services: Services) => ({
  config: services.config,
  store: services.store,
  settings: services.settings,
  secretBox: services.secretBox,
  clock: services.clock,
  directoryConnectors: services.connectors.directory,
  formDefaultsSchemas: { ...services.forms.defaultsSchemas },
});

const idParams = z.object({ id: z.string().min(1).describe('The directory id, e.g. contoso') });

const connectionBody = {
  fields: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .optional()
    .describe('Non-secret settings by name (see connectors[].fields); empty values mean "default"'),
  secrets: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      'Secret settings by name (the client secret, or the certificate’s private key); leave one out (or empty) to keep the stored value',
    ),
  allowPrivilegedTargets: z.boolean().optional().describe('Allow forms to act on users who hold an admin role (default false)'),
  formDefaults: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Per form name, this customer’s defaults, checked by the form’s own schema (see docs/forms.md)'),
};

export const createDirectoryBodySchema = z.strictObject({
  id: z.string().describe('Lowercase letters, digits and dashes, e.g. contoso; fixed once created'),
  kind: z.string().min(1).describe('The directory connector, e.g. entra'),
  name: z.string().describe('The customer’s name as technicians know it'),
  ...connectionBody,
});

export const updateDirectoryBodySchema = z.strictObject({
  kind: z.string().min(1).optional().describe('Defaults to the stored kind'),
  name: z.string().optional(),
  ...connectionBody,
  revision: z.string().min(1).describe('The revision read; the update is refused (409) if someone saved in between'),
});

const savedSchema = z.object({ id: z.string(), revision: z.string() });

export const listDirectories = defineOperation({
  id: 'listDirectories',
  method: 'get',
  path: '/api/admin/directories',
  tag: 'Directories',
  summary: 'The customers’ directories (Microsoft 365 tenants) in force, from the file and the console; secrets never included',
  access: 'admin',
  response: z.object({
    directories: z.array(directoryViewSchema),
    connectors: connectorListSchema,
  }),
  async handler({ services }) {
    await services.settings.ensureFresh();
    const checks = await readDirectoryChecks(services.store);
    return {
      directories: services.settings.current().directories.map((directory) => toView(directory, checks.get(directory.id))),
      connectors: connectorList(services.connectors.directory),
    };
  },
});

export const createDirectory = defineOperation({
  id: 'createDirectory',
  method: 'post',
  path: '/api/admin/directories',
  tag: 'Directories',
  summary: 'Add a directory (a customer’s Microsoft 365 tenant); secrets are write-only and encrypted at rest',
  access: 'admin',
  status: 201,
  body: createDirectoryBodySchema,
  response: savedSchema,
  async handler({ services, body, actor }) {
    const { id, ...input } = body;
    return saveDirectory(saveDeps(services), { mode: 'create', id }, input, actor);
  },
});

export const getDirectory = defineOperation({
  id: 'getDirectory',
  method: 'get',
  path: '/api/admin/directories/{id}',
  tag: 'Directories',
  summary: 'One directory (secrets never included)',
  access: 'admin',
  params: idParams,
  response: directoryViewSchema,
  async handler({ services, params }) {
    return findDirectoryView(services, params.id);
  },
});

export const updateDirectory = defineOperation({
  id: 'updateDirectory',
  method: 'put',
  path: '/api/admin/directories/{id}',
  tag: 'Directories',
  summary: 'Update a console directory; left-out settings keep their stored values; file directories are read-only (409)',
  access: 'admin',
  params: idParams,
  body: updateDirectoryBodySchema,
  response: savedSchema,
  async handler({ services, params, body, actor }) {
    return saveDirectory(saveDeps(services), { mode: 'update', id: params.id }, body, actor);
  },
});

export const deleteDirectory = defineOperation({
  id: 'deleteDirectory',
  method: 'delete',
  path: '/api/admin/directories/{id}',
  tag: 'Directories',
  summary: 'Remove a console directory and the console company mappings to it; file directories are read-only (409)',
  access: 'admin',
  params: idParams,
  query: z.object({ revision: z.string().min(1).optional().describe('The revision read; refused (409) if someone saved in between') }),
  response: z.object({ id: z.string(), removedCompanyMappings: z.array(z.string()).describe('PSA company ids no longer mapped') }),
  async handler({ services, params, query, actor }) {
    return removeDirectory(services, params.id, { revision: query.revision }, actor);
  },
});

export const runDirectoryCheckOperation = defineOperation({
  id: 'runDirectoryCheck',
  method: 'post',
  path: '/api/admin/directories/{id}/check',
  tag: 'Directories',
  summary:
    'Run the directory’s systems check: sign-in, each application permission the forms need, the Exchange role; kept as its last check',
  access: 'admin',
  params: idParams,
  response: directoryCheckDocumentSchema,
  async handler({ services, params, actor }) {
    await services.settings.ensureFresh();
    return runDirectoryCheck(
      { directories: services.settings.directories, store: services.store, settings: services.settings, clock: services.clock },
      params.id,
      actor,
    );
  },
});

export const getDirectoryCheck = defineOperation({
  id: 'getDirectoryCheck',
  method: 'get',
  path: '/api/admin/directories/{id}/check',
  tag: 'Directories',
  summary: 'The directory’s last systems check',
  access: 'admin',
  params: idParams,
  response: z.object({ check: directoryCheckDocumentSchema.nullable().describe('null when the check never ran') }),
  async handler({ services, params }) {
    await findDirectoryView(services, params.id);
    return { check: await readDirectoryCheck(services.store, params.id) };
  },
});

export const directoryOperations = [
  listDirectories,
  createDirectory,
  getDirectory,
  updateDirectory,
  deleteDirectory,
  runDirectoryCheckOperation,
  getDirectoryCheck,
];
