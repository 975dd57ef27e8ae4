import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import { fieldProblemText } from '../../lib/field-label.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import type { LiveSettings } from './live-settings.js';
import { MICROSOFT_APP_LABELS, type MicrosoftAppInput, validateMicrosoftApp } from './microsoft-app-input.js';
import { setInFile } from './save-psa-connection.js';
import { type MicrosoftAppDocument, microsoftAppDocumentSchema, SETTINGS_KEYS, settingSecretAad } from './settings-documents.js';
import { type Actor, writeSettings } from './write-settings.js';

export type SaveMicrosoftAppDeps = {
  config: Pick<Config, 'microsoft'>;
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'refresh' | 'current'>;
  secretBox: SecretBox;
  clock: Clock;
};

export type SaveMicrosoftAppInput = MicrosoftAppInput & {
  /** The revision the admin edited; the save is refused if someone saved in between. */
  revision?: string | null;
};

/** The audit log's view of the app: never a secret, only whether it is set or changed. */
function auditOf(doc: MicrosoftAppDocument, thumbprint: string | undefined, changed: string[] = []) {
  return {
    clientId: doc.clientId,
    tenantId: doc.tenantId,
    credential: doc.credential,
    ...(thumbprint ? { certificateThumbprint: thumbprint } : {}),
    authorityHost: doc.authorityHost,
    graphUrl: doc.graphUrl,
    roles: doc.roles,
    ...Object.fromEntries(Object.keys(doc.secrets).map((name) => [name, changed.includes(name) ? '(changed)' : '(set)'])),
  };
}

/**
 * Saves the MSP app an admin entered (console or API). The client secret and the private key are
 * write-only: left empty, the stored one is kept (the console never sends them back), as is the
 * stored certificate when the credential stays a certificate. Switching credential drops the other.
 * Checked with the file's own rules (microsoft-app-input.ts) before anything is written.
 */
export async function saveMicrosoftApp(deps: SaveMicrosoftAppDeps, input: SaveMicrosoftAppInput, actor: Actor) {
  if (deps.settings.current().microsoftApp?.source === 'file' || deps.config.microsoft) throw setInFile('The MSP app (microsoft)');
  const key = SETTINGS_KEYS.microsoftApp;
  const stored = await deps.store.settings.get(key);
  const storedDoc = stored ? microsoftAppDocumentSchema.safeParse(stored.value) : undefined;
  const previous = storedDoc?.success ? storedDoc.data : undefined;
  const sameKind = previous?.credential === input.credential;
  const open = (name: string) =>
    sameKind && previous?.secrets[name] ? deps.secretBox.open(previous.secrets[name], settingSecretAad(key, name)) : undefined;
  const entered = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value : undefined);
  const changed: string[] = [];
  const secretName = input.credential === 'secret' ? 'clientSecret' : 'privateKey';
  const secretValue = entered(input.credential === 'secret' ? input.clientSecret : input.privateKey);
  if (secretValue) changed.push(secretName);
  const read = validateMicrosoftApp({
    ...input,
    clientSecret: input.credential === 'secret' ? (secretValue ?? open('clientSecret')) : undefined,
    privateKey: input.credential === 'certificate' ? (secretValue ?? open('privateKey')) : undefined,
    certificate:
      input.credential === 'certificate' ? (entered(input.certificate) ?? (sameKind ? previous?.certificate : undefined)) : undefined,
  });
  if ('problems' in read) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: `Some settings need attention. ${read.problems.map((problem) => fieldProblemText(problem.path, problem.message, MICROSOFT_APP_LABELS)).join(' ')}`,
      fields: read.problems,
    });
  }
  const { app } = read;
  const secret = app.clientSecret ?? app.privateKey ?? '';
  const doc: MicrosoftAppDocument = {
    clientId: app.clientId,
    tenantId: app.tenantId,
    credential: input.credential,
    ...(app.certificate ? { certificate: app.certificate } : {}),
    authorityHost: app.authorityHost,
    graphUrl: app.graphUrl,
    roles: app.roles ?? { admin: [], technician: [] },
    secrets: { [secretName]: deps.secretBox.seal(secret, settingSecretAad(key, secretName)) },
  };
  const previousThumbprint = previous?.certificate
    ? deps.settings.current().microsoftApp?.config.certificateInfo?.thumbprintSha1
    : undefined;
  const { revision } = await writeSettings(deps, {
    key,
    value: doc,
    ...(input.revision !== undefined ? { expectedRevision: input.revision } : {}),
    action: previous ? 'msp-app.update' : 'msp-app.create',
    target: 'msp-app',
    before: previous ? auditOf(previous, previousThumbprint) : null,
    after: auditOf(doc, app.certificateInfo?.thumbprintSha1, changed),
    actor,
  });
  return { revision };
}
