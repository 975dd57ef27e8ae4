import type { Config } from '../../config/config.js';
import type { PsaConnector } from '../../connectors/psa/types.js';
import type { Clock } from '../../lib/clock.js';
import { ownEntry } from '../../lib/own-entry.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import { auditView, type ConnectionInput, prepareConnection } from './connection-input.js';
import type { LiveSettings } from './live-settings.js';
import { type PsaDocument, psaDocumentSchema, SETTINGS_KEYS } from './settings-documents.js';
import { type Actor, writeSettings } from './write-settings.js';

export type SavePsaConnectionDeps = {
  config: Pick<Config, 'psa'>;
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'refresh'>;
  secretBox: SecretBox;
  clock: Clock;
  psaConnectors: Record<string, PsaConnector<unknown>>;
};

export type SavePsaConnectionInput = ConnectionInput & {
  kind: string;
  /** The revision the admin edited; the save is refused if someone saved in between. */
  revision?: string | null;
};

/** Error when the file owns a setting: the console shows it but cannot change it. */
export const setInFile = (what: string) =>
  new ToolboxError({
    code: 'TBX_ERR_SET_IN_FILE',
    httpStatus: 409,
    message: `${what} is set in the configuration file, so it is read-only here. Change it in the file and restart the toolbox.`,
  });

/**
 * Saves the PSA connection an admin entered. Secrets left empty keep their stored value (the
 * console never sends them back to the browser, so "unchanged" arrives as empty).
 */
export async function savePsaConnection(deps: SavePsaConnectionDeps, input: SavePsaConnectionInput, actor: Actor) {
  if (deps.config.psa) throw setInFile('The PSA connection');
  const connector = ownEntry(deps.psaConnectors, input.kind);
  if (!connector) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: `"${input.kind}" is not a PSA this toolbox knows. Known: ${Object.keys(deps.psaConnectors).join(', ')}.`,
      fields: [{ path: 'kind', message: `must be one of ${Object.keys(deps.psaConnectors).join(', ')}` }],
    });
  }
  const stored = await deps.store.settings.get(SETTINGS_KEYS.psa);
  const storedDoc = stored ? psaDocumentSchema.safeParse(stored.value) : undefined;
  const previous = storedDoc?.success ? storedDoc.data : undefined;
  const prepared = prepareConnection({
    key: SETTINGS_KEYS.psa,
    connectorFields: connector.fields,
    schema: connector.settings,
    input,
    storedSecrets: previous?.kind === input.kind ? previous.secrets : undefined,
    secretBox: deps.secretBox,
  });
  const secretNames = connector.fields.filter((field) => field.secret).map((field) => field.name);
  const doc: PsaDocument = { kind: input.kind, fields: prepared.fields, secrets: prepared.secrets };
  const { revision } = await writeSettings(deps, {
    key: SETTINGS_KEYS.psa,
    value: doc,
    ...(input.revision !== undefined ? { expectedRevision: input.revision } : {}),
    action: previous ? 'psa.update' : 'psa.create',
    before: previous ? { kind: previous.kind, ...auditView(previous.fields, Object.keys(previous.secrets)) } : null,
    after: {
      kind: doc.kind,
      ...auditView(
        doc.fields,
        secretNames.filter((name) => name in doc.secrets),
        prepared.changedSecrets,
      ),
    },
    actor,
  });
  return { revision };
}
