import type { Config } from '../../config/config.js';
import type { DirectoryConnector } from '../../connectors/directory/types.js';
import type { Clock } from '../../lib/clock.js';
import { fieldProblemText } from '../../lib/field-label.js';
import { ownEntry } from '../../lib/own-entry.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { type FieldProblem, isToolboxError, ToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import { auditView, type ConnectionInput, prepareConnection } from './connection-input.js';
import type { LiveSettings } from './live-settings.js';
import { setInFile } from './save-psa-connection.js';
import { type DirectoryDocument, directoryDocumentSchema, directoryKey } from './settings-documents.js';
import { type Actor, writeSettings } from './write-settings.js';

/** The same rule as the configuration file's `directories[].id`, so an id works in both. */
export const DIRECTORY_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const MAX_ID_LENGTH = 63;
const MAX_NAME_LENGTH = 200;

type DefaultsSchema = {
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } };
};

export type SaveDirectoryDeps = {
  config: Pick<Config, 'directories'>;
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'refresh'>;
  secretBox: SecretBox;
  clock: Clock;
  directoryConnectors: Record<string, DirectoryConnector<unknown>>;
  formDefaultsSchemas: Record<string, DefaultsSchema>;
};

/**
 * A directory as an admin submits it. On update, what is left out stays as stored: `fields`
 * (all of them), each secret, the name, `allowPrivilegedTargets` and `formDefaults`, so the
 * console's separate "connection" and "defaults" forms each send only their part.
 */
export type SaveDirectoryInput = {
  kind?: string | undefined;
  name?: string | undefined;
  fields?: ConnectionInput['fields'] | undefined;
  secrets?: ConnectionInput['secrets'] | undefined;
  allowPrivilegedTargets?: boolean | undefined;
  formDefaults?: Record<string, unknown> | undefined;
  /** The revision the admin edited; an update is refused if someone saved in between. */
  revision?: string | null | undefined;
};

export type SaveDirectoryTarget = { mode: 'create'; id: string } | { mode: 'update'; id: string };

export const directoryNotFound = (id: string) =>
  new ToolboxError({
    code: 'TBX_ERR_NOT_FOUND',
    httpStatus: 404,
    message: `There is no directory "${id}". It may have been removed; reload the list of directories.`,
  });

/** The directory form's own words for its fields, for the error summary. */
const DIRECTORY_LABELS = { id: 'Directory id', name: 'Customer name', allowPrivilegedTargets: 'Allow resets of admin accounts' };

const validationError = (problems: FieldProblem[]) =>
  new ToolboxError({
    code: 'TBX_ERR_VALIDATION',
    httpStatus: 400,
    message: `Some settings need attention. ${problems.map((problem) => fieldProblemText(problem.path, problem.message, DIRECTORY_LABELS)).join(' ')}`,
    fields: problems,
  });

/** Each form's defaults checked by the form's own schema (as the configuration file's are); empty ones dropped. */
export function checkFormDefaults(
  schemas: Record<string, DefaultsSchema>,
  given: Record<string, unknown>,
): { formDefaults: Record<string, unknown>; problems: FieldProblem[] } {
  const formDefaults: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const [formName, value] of Object.entries(given)) {
    const schema = ownEntry(schemas, formName);
    if (!schema) {
      problems.push({
        path: `formDefaults.${formName}`,
        message: `is not a form with per-customer defaults. Forms with defaults: ${Object.keys(schemas).join(', ')}.`,
      });
      continue;
    }
    if (value === null || value === undefined) continue;
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error?.issues ?? []) {
        problems.push({ path: ['formDefaults', formName, ...issue.path.map(String)].join('.'), message: issue.message });
      }
      continue;
    }
    if (parsed.data && typeof parsed.data === 'object' && Object.keys(parsed.data).length === 0) continue;
    formDefaults[formName] = parsed.data;
  }
  return { formDefaults, problems };
}

/** The audit log's view of a directory document: everything but the secrets, which show as "(set)"/"(changed)". */
function auditDirectory(doc: DirectoryDocument, secretNames: string[], changed: string[] = []) {
  return {
    kind: doc.kind,
    name: doc.name,
    allowPrivilegedTargets: doc.allowPrivilegedTargets,
    formDefaults: doc.formDefaults,
    ...auditView(
      doc.fields,
      secretNames.filter((name) => name in doc.secrets),
      changed,
    ),
  };
}

/**
 * Creates a console directory (a customer's Microsoft 365 tenant) or updates one. Directories
 * the configuration file defines are the file's: the console shows them and refuses to change
 * them, and refuses a new one with the same id (it would never be used).
 */
export async function saveDirectory(deps: SaveDirectoryDeps, target: SaveDirectoryTarget, input: SaveDirectoryInput, actor: Actor) {
  const { id } = target;
  const problems: FieldProblem[] = [];
  if (target.mode === 'create' && (!DIRECTORY_ID_PATTERN.test(id) || id.length > MAX_ID_LENGTH)) {
    throw validationError([
      {
        path: 'id',
        message: `must be lowercase letters, digits and dashes, starting with a letter or digit, at most ${MAX_ID_LENGTH} characters, e.g. "contoso".`,
      },
    ]);
  }
  if (deps.config.directories.some((directory) => directory.id === id)) throw setInFile(`The directory "${id}"`);

  const stored = await deps.store.settings.get(directoryKey(id));
  const storedDoc = stored ? directoryDocumentSchema.safeParse(stored.value) : undefined;
  const previous = storedDoc?.success ? storedDoc.data : undefined;
  if (target.mode === 'create' && stored) {
    throw new ToolboxError({
      code: 'TBX_ERR_DIRECTORY_EXISTS',
      httpStatus: 409,
      message: `A directory with the id "${id}" already exists. Choose another id, or edit that directory.`,
      fields: [{ path: 'id', message: 'is already used by another directory.' }],
    });
  }
  if (target.mode === 'update' && !stored) throw directoryNotFound(id);

  const kind = input.kind ?? previous?.kind ?? '';
  const connector = ownEntry(deps.directoryConnectors, kind);
  if (!connector) {
    throw validationError([{ path: 'kind', message: `must be one of ${Object.keys(deps.directoryConnectors).join(', ')}.` }]);
  }

  const name = (input.name ?? previous?.name ?? '').trim();
  if (name === '')
    problems.push({ path: 'name', message: 'is required: the customer’s name as technicians know it, e.g. "Contoso Dental".' });
  else if (name.length > MAX_NAME_LENGTH) problems.push({ path: 'name', message: `must be at most ${MAX_NAME_LENGTH} characters.` });

  const checked = input.formDefaults
    ? checkFormDefaults(deps.formDefaultsSchemas, input.formDefaults)
    : { formDefaults: previous?.formDefaults ?? {}, problems: [] };
  problems.push(...checked.problems);

  const sameKind = previous?.kind === kind;
  let prepared: ReturnType<typeof prepareConnection> | undefined;
  try {
    prepared = prepareConnection({
      key: directoryKey(id),
      connectorFields: connector.fields,
      schema: connector.settings,
      input: {
        fields: input.fields ?? (sameKind ? previous.fields : {}),
        secrets: input.secrets ?? {},
      },
      storedSecrets: sameKind ? previous.secrets : undefined,
      secretBox: deps.secretBox,
    });
  } catch (error) {
    if (!isToolboxError(error) || error.fields.length === 0) throw error;
    problems.push(...error.fields);
  }
  if (problems.length > 0 || !prepared) throw validationError(problems);

  const secretNames = connector.fields.filter((field) => field.secret).map((field) => field.name);
  const doc: DirectoryDocument = {
    kind,
    fields: prepared.fields,
    secrets: prepared.secrets,
    id,
    name,
    allowPrivilegedTargets: input.allowPrivilegedTargets ?? previous?.allowPrivilegedTargets ?? false,
    formDefaults: checked.formDefaults,
  };
  const { revision } = await writeSettings(deps, {
    key: directoryKey(id),
    value: doc,
    // Creating only where nothing exists: two admins adding the same id do not overwrite each other.
    expectedRevision: target.mode === 'create' ? null : (input.revision ?? stored?.revision ?? null),
    action: target.mode === 'create' ? 'directory.create' : 'directory.update',
    target: `directory:${id}`,
    before: previous ? auditDirectory(previous, secretNames) : null,
    after: auditDirectory(doc, secretNames, prepared.changedSecrets),
    actor,
  });
  return { id, revision };
}
