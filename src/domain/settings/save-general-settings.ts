import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import type { LiveSettings } from './live-settings.js';
import { type GeneralDocument, generalDocumentSchema, SETTINGS_KEYS } from './settings-documents.js';
import { type Actor, writeSettings } from './write-settings.js';

export type SaveGeneralSettingsDeps = {
  config: Pick<Config, 'explicit'>;
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'refresh' | 'current'>;
  clock: Clock;
};

/** A value per setting, or null to go back to the default. */
export type GeneralSettingsInput = {
  [key in keyof GeneralDocument]?: number | null;
} & { revision?: string | null };

const LABELS: Record<keyof GeneralDocument, string> = {
  launchTtlMinutes: 'launch.ttlMinutes',
  psaTimeoutMs: 'launch.psaTimeoutMs',
  sessionTtlHours: 'session.ttlHours',
  launchRetentionDays: 'retention.launchesDays',
  jobRetentionDays: 'retention.jobsDays',
  executionRetentionDays: 'retention.executionsDays',
};

/**
 * Saves the general settings the configuration file leaves out. A setting the file sets is
 * refused by name (read-only in the console); a key left out keeps its saved value.
 */
export async function saveGeneralSettings(deps: SaveGeneralSettingsDeps, input: GeneralSettingsInput, actor: Actor) {
  const current = deps.settings.current().general;
  const fromFile = (Object.keys(LABELS) as (keyof GeneralDocument)[]).filter(
    (key) => input[key] !== undefined && deps.config.explicit[key],
  );
  if (fromFile.length > 0) {
    throw new ToolboxError({
      code: 'TBX_ERR_SET_IN_FILE',
      httpStatus: 409,
      message: `${fromFile.map((key) => LABELS[key]).join(', ')} ${fromFile.length > 1 ? 'are' : 'is'} set in the configuration file, so read-only here. Change ${fromFile.length > 1 ? 'them' : 'it'} in the file and restart the toolbox.`,
      fields: fromFile.map((key) => ({ path: key, message: 'set in the configuration file' })),
    });
  }
  const stored = await deps.store.settings.get(SETTINGS_KEYS.general);
  const previous = stored ? generalDocumentSchema.safeParse(stored.value) : undefined;
  const next: GeneralDocument = { ...(previous?.success ? previous.data : {}) };
  for (const key of Object.keys(LABELS) as (keyof GeneralDocument)[]) {
    const value = input[key];
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  const before = Object.fromEntries((Object.keys(LABELS) as (keyof GeneralDocument)[]).map((key) => [key, current[key].value]));
  return writeSettings(deps, {
    key: SETTINGS_KEYS.general,
    value: next,
    ...(input.revision !== undefined ? { expectedRevision: input.revision } : {}),
    action: 'general.update',
    before,
    after: { ...before, ...next },
    actor,
  });
}
