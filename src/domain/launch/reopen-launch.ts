import type { LaunchRepo } from '../../store/types.js';
import { type CreateLaunchDeps, startLaunch } from './create-launch.js';

export type ReopenLaunchResult =
  | { kind: 'not-found' }
  | { kind: 'forbidden' }
  | { kind: 'form-disabled'; formName: string }
  | { kind: 'created'; launchId: string };

/**
 * "Open the form for ticket #… again": a new launch for the same form, ticket, company and contact,
 * owned by the technician asking, with fresh PSA reads. Only the technician the old launch
 * belonged to may (or anyone signed in, for one nobody opened): a launch id is no licence to act.
 */
export async function reopenLaunch(
  deps: Pick<CreateLaunchDeps, 'launches' | 'launchReads' | 'clock' | 'ttlMinutes' | 'enabledForms' | 'availableForms'> & {
    launches: LaunchRepo;
  },
  launchId: string,
  technicianUserId: string,
): Promise<ReopenLaunchResult> {
  const old = await deps.launches.get(launchId);
  if (!old) return { kind: 'not-found' };
  if (old.technicianUserId !== null && old.technicianUserId !== technicianUserId) return { kind: 'forbidden' };
  if (!deps.availableForms.includes(old.formName) || !deps.enabledForms.includes(old.formName))
    return { kind: 'form-disabled', formName: old.formName };
  const id = await startLaunch(deps, { ...old, extra: old.extraParams }, technicianUserId);
  return { kind: 'created', launchId: id };
}
