import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import { directoryCheckKey } from './directory-check-document.js';
import type { LiveSettings } from './live-settings.js';
import { directoryNotFound } from './save-directory.js';
import { setInFile } from './save-psa-connection.js';
import { companyMappingsDocumentSchema, directoryDocumentSchema, directoryKey, SETTINGS_KEYS } from './settings-documents.js';
import { type Actor, writeSettings } from './write-settings.js';

export type RemoveDirectoryDeps = {
  config: Pick<Config, 'directories'>;
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'refresh'>;
  clock: Clock;
};

/** Another admin saving the company mappings at the same moment: read again and retry a few times. */
const MAPPING_ATTEMPTS = 3;

/**
 * Removes a console directory, then the console company mappings that pointed at it and its
 * last systems check, each with its own audit entry. The directory goes first: if the mappings
 * could not be written, a mapping to a directory that no longer exists is ignored (and listed as
 * a problem on the overview), whereas the other order could drop mappings and keep the directory.
 */
export async function removeDirectory(
  deps: RemoveDirectoryDeps,
  id: string,
  options: { revision?: string | undefined },
  actor: Actor,
): Promise<{ id: string; removedCompanyMappings: string[] }> {
  if (deps.config.directories.some((directory) => directory.id === id)) throw setInFile(`The directory "${id}"`);
  const stored = await deps.store.settings.get(directoryKey(id));
  if (!stored) throw directoryNotFound(id);
  const parsed = directoryDocumentSchema.safeParse(stored.value);
  await writeSettings(deps, {
    key: directoryKey(id),
    value: null,
    expectedRevision: options.revision ?? stored.revision,
    action: 'directory.remove',
    target: `directory:${id}`,
    before: parsed.success ? { kind: parsed.data.kind, name: parsed.data.name, ...parsed.data.fields } : { id },
    after: null,
    actor,
  });

  let removedCompanyMappings: string[] = [];
  for (let attempt = 1; attempt <= MAPPING_ATTEMPTS; attempt++) {
    const entry = await deps.store.settings.get(SETTINGS_KEYS.companyMappings);
    const doc = entry ? companyMappingsDocumentSchema.safeParse(entry.value) : undefined;
    if (!entry || !doc?.success) break;
    const mine = Object.entries(doc.data.mappings).filter(([, directoryId]) => directoryId === id);
    if (mine.length === 0) break;
    const kept = Object.fromEntries(Object.entries(doc.data.mappings).filter(([, directoryId]) => directoryId !== id));
    try {
      await writeSettings(deps, {
        key: SETTINGS_KEYS.companyMappings,
        value: { mappings: kept },
        expectedRevision: entry.revision,
        action: 'company-mappings.remove-directory',
        target: SETTINGS_KEYS.companyMappings,
        before: Object.fromEntries(mine),
        after: null,
        actor,
      });
      removedCompanyMappings = mine.map(([companyId]) => companyId);
      break;
    } catch (error) {
      if (!(isToolboxError(error) && error.code === 'TBX_ERR_SETTINGS_CONFLICT') || attempt === MAPPING_ATTEMPTS) throw error;
    }
  }

  if (await deps.store.settings.get(directoryCheckKey(id))) {
    await writeSettings(deps, {
      key: directoryCheckKey(id),
      value: null,
      action: 'directory.check-remove',
      target: `directory:${id}`,
      before: null,
      after: null,
      actor,
    });
  }
  return { id, removedCompanyMappings };
}
