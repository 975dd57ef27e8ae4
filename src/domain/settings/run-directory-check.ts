import { checkLineState } from '../../connectors/systems-check.js';
import type { DirectoryRegistry } from '../../engine/directory-registry.js';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/types.js';
import { type DirectoryCheckDocument, directoryCheckKey } from './directory-check-document.js';
import type { LiveSettings } from './live-settings.js';
import { directoryNotFound } from './save-directory.js';
import { type Actor, writeSettings } from './write-settings.js';

export type RunDirectoryCheckDeps = {
  directories: Pick<DirectoryRegistry, 'get'>;
  store: Pick<Store, 'settings'>;
  settings: Pick<LiveSettings, 'refresh'>;
  clock: Clock;
};

/**
 * Runs a directory's systems check (sign-in, each application permission the forms need, the
 * Exchange role) with the settings in force, and keeps the result as the directory's last check,
 * so the console can show it later. Works for file and console directories alike.
 */
export async function runDirectoryCheck(deps: RunDirectoryCheckDeps, id: string, actor: Actor): Promise<DirectoryCheckDocument> {
  const entry = deps.directories.get(id);
  if (!entry) throw directoryNotFound(id);
  const results = await entry.client.systemsCheck();
  const doc: DirectoryCheckDocument = {
    directoryId: id,
    ranAt: new Date(deps.clock.now()).toISOString(),
    ranBy: actor.email,
    // Honest, not strict: a line that cannot be verified is shown as such, but does not fail the check.
    ok: results.every((line) => ['pass', 'unverified', 'warning'].includes(checkLineState(line))),
    results: results.map((line) => ({
      name: line.name,
      ok: line.ok,
      ...(line.outcome ? { outcome: line.outcome } : {}),
      message: line.message,
      ...(line.hint ? { hint: line.hint } : {}),
      ...(line.upstreamCode ? { upstreamCode: line.upstreamCode } : {}),
    })),
  };
  await writeSettings(deps, {
    key: directoryCheckKey(id),
    value: doc,
    action: 'directory.check',
    target: `directory:${id}`,
    before: null,
    after: { ok: doc.ok, failed: doc.results.filter((line) => checkLineState(line) === 'fail').map((line) => line.name) },
    actor,
  });
  return doc;
}
