import { type ConnectionField, connectionFieldShown } from '../../connectors/connection-fields.js';
import { fieldProblemText } from '../../lib/field-label.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { type FieldProblem, ToolboxError } from '../../lib/toolbox-error.js';
import { settingSecretAad } from './settings-documents.js';

/** A connection as an admin submits it: plain fields, and secrets only when (re-)entered. */
export type ConnectionInput = {
  fields: Record<string, string | number | undefined>;
  secrets: Record<string, string | undefined>;
};

type SettingsSchema = {
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } };
};

/**
 * Turns a submitted connection into the stored document: validates it with the connector's own
 * schema (so the console accepts exactly what the configuration file would), keeps a stored
 * secret the admin left empty, and seals every secret. Returns the validated settings too, and
 * which secrets changed, for the audit log.
 */
export function prepareConnection(options: {
  key: string;
  connectorFields: ConnectionField[];
  schema: SettingsSchema;
  input: ConnectionInput;
  /** The stored document's sealed secrets (same connector kind), kept where no new value came. */
  storedSecrets: Record<string, string> | undefined;
  secretBox: SecretBox;
  /** Prefix of problem paths, as the API names the fields. */
}): { fields: Record<string, string | number>; secrets: Record<string, string>; settings: unknown; changedSecrets: string[] } {
  const secretNames = options.connectorFields.filter((field) => field.secret).map((field) => field.name);
  const knownNames = new Set(options.connectorFields.map((field) => field.name));
  const problems: FieldProblem[] = [];
  const fields: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(options.input.fields)) {
    if (secretNames.includes(name)) {
      problems.push({ path: `fields.${name}`, message: 'is a secret: send it under secrets, not fields.' });
    } else if (!knownNames.has(name)) {
      problems.push({ path: `fields.${name}`, message: 'is not a setting of this connector.' });
    } else if (value !== undefined && String(value).trim() !== '') {
      fields[name] = typeof value === 'number' ? value : value.trim();
    }
  }
  // A value for a field whose condition does not hold was left behind (the console hides the field,
  // a script or an old form may still send it): dropped, so a hidden value never takes effect.
  const shown = (name: string) => {
    const field = options.connectorFields.find((candidate) => candidate.name === name);
    return !field || connectionFieldShown(field, fields);
  };
  for (const name of Object.keys(fields)) if (!shown(name)) delete fields[name];
  for (const field of options.connectorFields) {
    const value = fields[field.name];
    if (field.type !== 'select' || value === undefined) continue;
    const allowed = (field.options ?? []).map((option) => option.value);
    if (!allowed.includes(String(value))) {
      problems.push({ path: `fields.${field.name}`, message: `must be one of: ${allowed.join(', ')}.` });
    }
  }
  const plain: Record<string, unknown> = { ...fields };
  for (const field of options.connectorFields.filter((candidate) => candidate.type === 'number')) {
    if (typeof plain[field.name] === 'string') plain[field.name] = Number(plain[field.name]);
  }
  const secrets: Record<string, string> = {};
  const changedSecrets: string[] = [];
  // A new secret of a credential group replaces the group's other stored secrets (secret → certificate).
  const groupOf = (name: string) => options.connectorFields.find((field) => field.name === name)?.group;
  const replacedGroups = new Set(
    secretNames.filter((name) => (options.input.secrets[name] ?? '') !== '' && groupOf(name)).map((name) => groupOf(name)),
  );
  for (const name of secretNames) {
    if (!shown(name)) continue;
    const given = options.input.secrets[name];
    const aad = settingSecretAad(options.key, name);
    if (given !== undefined && given !== '') {
      plain[name] = given;
      secrets[name] = options.secretBox.seal(given, aad);
      changedSecrets.push(name);
    } else if (options.storedSecrets?.[name] && !(groupOf(name) && replacedGroups.has(groupOf(name)))) {
      plain[name] = options.secretBox.open(options.storedSecrets[name], aad);
      secrets[name] = options.storedSecrets[name];
    }
  }
  for (const name of Object.keys(options.input.secrets)) {
    if (!secretNames.includes(name)) problems.push({ path: `secrets.${name}`, message: 'is not a secret of this connector.' });
  }
  const parsed = options.schema.safeParse(plain);
  if (!parsed.success) {
    for (const issue of parsed.error?.issues ?? []) {
      const name = String(issue.path[0] ?? '');
      const label = options.connectorFields.find((field) => field.name === name)?.label ?? name;
      // A left-empty field arrives as missing: zod's "expected string, received undefined" says that badly.
      const missing = name !== '' && plain[name] === undefined && (issue as { code?: string }).code === 'invalid_type';
      problems.push({
        path: `${secretNames.includes(name) ? 'secrets' : 'fields'}.${name}`,
        message: missing ? `${label} is required.` : issue.message,
      });
    }
  }
  if (problems.length > 0) {
    const labels = Object.fromEntries(options.connectorFields.map((field) => [field.name, field.label]));
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      // Each problem by the field's label, as the form shows it; never a raw key such as `tenantId`.
      message: `Some settings need attention. ${problems.map((problem) => fieldProblemText(problem.path, problem.message, labels)).join(' ')}`,
      fields: problems,
    });
  }
  return { fields, secrets, settings: parsed.data, changedSecrets };
}

/** The audit log's view of a connection: fields as they are, each secret only as "set" or "changed". */
export function auditView(fields: Record<string, string | number>, secretNames: string[], changed: string[] = []): Record<string, unknown> {
  return {
    ...fields,
    ...Object.fromEntries(secretNames.map((name) => [name, changed.includes(name) ? '(changed)' : '(set)'])),
  };
}
