import type { DirectoryRegistry } from '../../engine/directory-registry.js';
import type { Clock } from '../../lib/clock.js';
import type { LaunchRecord, LaunchRepo } from '../../store/types.js';

export type ListOpenLaunchesDeps = {
  launches: Pick<LaunchRepo, 'listOpen'>;
  directories: Pick<DirectoryRegistry, 'forCompany'>;
  clock: Clock;
};

/**
 * The screen pops a technician can still go back to and submit: not expired, not submitted, and
 * not dead ends. A launch whose PSA reads failed, or whose company no directory serves (the 409
 * page), cannot become a form, so it is not offered as "open". Read a few more than shown, so the
 * ones left out do not shorten the list.
 */
export async function listOpenLaunches(deps: ListOpenLaunchesDeps, technicianUserId: string, limit: number): Promise<LaunchRecord[]> {
  const now = new Date(deps.clock.now()).toISOString();
  const candidates = await deps.launches.listOpen({ technicianUserId, now, limit: limit * 3 });
  return candidates
    .filter((launch) => launch.status !== 'failed' && deps.directories.forCompany(launch.companyId) !== undefined)
    .slice(0, limit);
}
