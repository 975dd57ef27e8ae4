import type { SecretBox } from '../../lib/secret-box.js';
import type { Store } from '../../store/types.js';
import { SETTINGS_KEYS, settingSecretAad } from './settings-documents.js';

export type RotateSecretKeyDeps = {
  store: Pick<Store, 'settings' | 'executions'>;
  /** Holds the new key first and the old ones after it. */
  secretBox: SecretBox;
  clock: { now(): number };
};

export type RotateSecretKeyResult = { settingsResealed: number; oneTimeSecretsResealed: number; stillStale: number };

/** Where a document keeps sealed values: connections under `secrets`, the screen-pop secret at `secret`. */
function sealedFields(key: string, value: unknown): { field: string; get(): string; set(sealed: string): void }[] {
  const doc = value as Record<string, unknown>;
  if (key === SETTINGS_KEYS.screenpop && typeof doc.secret === 'string') {
    return [{ field: 'secret', get: () => doc.secret as string, set: (sealed) => (doc.secret = sealed) }];
  }
  const secrets = doc.secrets;
  if (secrets && typeof secrets === 'object') {
    const record = secrets as Record<string, string>;
    return Object.keys(record).map((field) => ({ field, get: () => record[field]!, set: (sealed) => (record[field] = sealed) }));
  }
  return [];
}

/**
 * Re-seals every stored secret with the box's current key: the console's connection secrets and
 * the one-time passwords not shown yet. Each settings document is written over the revision read,
 * so a concurrent console edit is not lost (its values are re-sealed on the next run). With
 * `dryRun` it only counts what still needs an old key.
 */
export async function rotateSecretKey(deps: RotateSecretKeyDeps, options: { dryRun?: boolean } = {}): Promise<RotateSecretKeyResult> {
  const now = new Date(deps.clock.now()).toISOString();
  let settingsResealed = 0;
  let stillStale = 0;
  for (const entry of await deps.store.settings.list()) {
    const fields = sealedFields(entry.key, entry.value).filter((field) => deps.secretBox.isStale(field.get()));
    if (fields.length === 0) continue;
    if (options.dryRun) {
      stillStale += fields.length;
      continue;
    }
    for (const field of fields) {
      const aad = settingSecretAad(entry.key, field.field);
      field.set(deps.secretBox.seal(deps.secretBox.open(field.get(), aad), aad));
    }
    await deps.store.settings.write(entry.key, entry.value, {
      now,
      expectedRevision: entry.revision,
      updatedBy: entry.updatedBy,
      audit: {
        actorUserId: null,
        actorEmail: 'cli',
        action: 'secret-key.reseal',
        target: entry.key,
        before: { keyIds: 'old' },
        after: { keyId: deps.secretBox.keyId, fields: fields.map((field) => field.field) },
        requestId: null,
      },
    });
    settingsResealed += fields.length;
  }
  let oneTimeSecretsResealed = 0;
  if (!options.dryRun) {
    oneTimeSecretsResealed = await deps.store.executions.resealSecrets((sealed, executionId) =>
      deps.secretBox.isStale(sealed) ? deps.secretBox.seal(deps.secretBox.open(sealed, executionId), executionId) : sealed,
    );
  }
  return { settingsResealed, oneTimeSecretsResealed, stillStale };
}
