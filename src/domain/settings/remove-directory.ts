import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import { directoryCheckKey } from './directory-check-document.js';
import type { LiveSettings } from './live-settings.js';
import { directoryNotFound } from './save-directory.js';
import { setInFile } from './save-psa-connection.js';
import { companyMappingsDocumentSchema, directoryDocumentSchema, directoryKey, SETTINGS_KEYS } from './settings-documents.js';
import { type Actor, type SettingsChange, writeSettingsTogether } from './write-settings.js';

export type RemoveDirectoryDeps = {
  config: Pick<Config, 'directories'>;
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'refresh'>;
  clock: Clock;
};

/** Another admin saving the company mappings at the same moment: read again and retry a few times. */
const ATTEMPTS = 3;

/**
 * Removes a console directory together with the console company mappings that pointed at it and
 * its last systems check: one transaction, so a failure leaves all three as they were. Each change
 * has its own audit entry.
 */
export async function removeDirectory(
  deps: RemoveDirectoryDeps,
  id: string,
  options: { revision?: string | undefined },
  actor: Actor,
): Promise<{ id: string; removedCompanyMappings: string[] }> {
  if (deps.config.directories.some((directory) => directory.id === id)) throw setInFile(`The directory "${id}"`);
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.settings.get(directoryKey(id));
    if (!stored) throw directoryNotFound(id);
    // The admin's view of the directory must still be current; the mappings may move on meanwhile.
    const expected = options.revision ?? stored.revision;
    const parsed = directoryDocumentSchema.safeParse(stored.value);
    const changes: SettingsChange[] = [
      {
        key: directoryKey(id),
        value: null,
        expectedRevision: expected,
        action: 'directory.remove',
        target: `directory:${id}`,
        before: parsed.success ? { kind: parsed.data.kind, name: parsed.data.name, ...parsed.data.fields } : { id },
        after: null,
      },
    ];
    const mappingsEntry = await deps.store.settings.get(SETTINGS_KEYS.companyMappings);
    const mappings = mappingsEntry ? companyMappingsDocumentSchema.safeParse(mappingsEntry.value) : undefined;
    // Under every PSA: a directory that is gone serves no company of any PSA.
    const byPsa = mappings?.success ? mappings.data.byPsa : {};
    const mine = Object.values(byPsa).flatMap((companies) => Object.entries(companies).filter(([, directoryId]) => directoryId === id));
    if (mappingsEntry && mappings?.success && mine.length > 0) {
      const kept = Object.fromEntries(
        Object.entries(byPsa).map(([psaKind, companies]) => [
          psaKind,
          Object.fromEntries(Object.entries(companies).filter(([, directoryId]) => directoryId !== id)),
        ]),
      );
      changes.push({
        key: SETTINGS_KEYS.companyMappings,
        value: { byPsa: kept },
        expectedRevision: mappingsEntry.revision,
        action: 'company-mappings.remove-directory',
        before: Object.fromEntries(mine),
        after: null,
      });
    }
    if (await deps.store.settings.get(directoryCheckKey(id))) {
      changes.push({
        key: directoryCheckKey(id),
        value: null,
        action: 'directory.check-remove',
        target: `directory:${id}`,
        before: null,
        after: null,
      });
    }
    try {
      await writeSettingsTogether(deps, changes, actor);
      return { id, removedCompanyMappings: mine.map(([companyId]) => companyId) };
    } catch (error) {
      // A stale directory revision is the admin's conflict to see; a mappings change meanwhile is retried.
      const retry =
        isToolboxError(error) && error.code === 'TBX_ERR_SETTINGS_CONFLICT' && expected === stored.revision && attempt < ATTEMPTS;
      if (!retry) throw error;
    }
  }
}
