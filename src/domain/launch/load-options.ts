import type { DirectoryRegistry } from '../../engine/directory-registry.js';
import type { FormDefinition, OptionContext, OptionItem } from '../../forms/types.js';
import type { Clock } from '../../lib/clock.js';
import { ownEntry } from '../../lib/own-entry.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { LaunchRepo } from '../../store/types.js';

export type LoadOptionsResult =
  | { kind: 'not-found' }
  /** The form has no search of this name: a wrong address, not a missing launch. */
  | { kind: 'unknown-source' }
  | { kind: 'forbidden' }
  | { kind: 'too-short' }
  | { kind: 'failed'; message: string }
  | { kind: 'ok'; items: OptionItem[] };

const CACHE_MS = 30_000;
const MAX_CACHED = 1_000;

/**
 * The live option lists of a launch's form (groups, users, members), for its search boxes. Answers
 * are cached for a few seconds per directory and query, so typing and going back does not ask the
 * directory again; a failing directory gives a message for that field, not an error page.
 */
export function createOptionLoader(deps: {
  launches: LaunchRepo;
  directories: DirectoryRegistry;
  forms: Record<string, FormDefinition<unknown>>;
  clock: Clock;
}) {
  const cache = new Map<string, { until: number; items: OptionItem[] }>();
  return async function loadOptions(
    launchId: string,
    technicianUserId: string,
    source: string,
    query: string,
    context: OptionContext = {},
  ): Promise<LoadOptionsResult> {
    const launch = await deps.launches.get(launchId);
    if (!launch) return { kind: 'not-found' };
    if (launch.technicianUserId !== technicianUserId) return { kind: 'forbidden' };
    const load = ownEntry(ownEntry(deps.forms, launch.formName)?.optionSources, source);
    if (!load) return { kind: 'unknown-source' };
    const directory = deps.directories.forCompany(launch.companyId);
    if (!directory) return { kind: 'not-found' };
    const trimmed = query.trim().slice(0, 100);
    // Searches need two characters; a lookup by id (a group's members) any.
    if (source !== 'members' && trimmed.length < 2) return { kind: 'too-short' };
    const userId = context.userId?.trim().slice(0, 200) || undefined;
    const key = `${directory.config.id}\u0000${source}\u0000${userId ?? ''}\u0000${trimmed.toLowerCase()}`;
    const now = deps.clock.now();
    const cached = cache.get(key);
    if (cached && cached.until > now) return { kind: 'ok', items: cached.items };
    try {
      const items = await load(directory.client, trimmed, userId ? { userId } : {});
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(key, { until: now + CACHE_MS, items });
      return { kind: 'ok', items };
    } catch (error) {
      return { kind: 'failed', message: isToolboxError(error) ? error.message : 'The directory did not answer as expected.' };
    }
  };
}
