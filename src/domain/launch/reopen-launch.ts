import type { LaunchRepo } from '../../store/types.js';
import { type CreateLaunchDeps, startLaunch } from './create-launch.js';

export type ReopenLaunchResult =
  | { kind: 'not-found' }
  | { kind: 'forbidden' }
  /** Its ids belong to a PSA that is not the one connected now: read again, they would name other records. */
  | { kind: 'psa-changed'; launchPsaKind: string | null }
  | { kind: 'form-disabled'; formName: string }
  /** The connections are too busy to read it again soon enough (as a screen pop would be told). */
  | { kind: 'busy'; retryAfterSeconds: number }
  | { kind: 'created'; launchId: string };

/**
 * "Open the form for ticket #… again": a new launch for the same form, ticket, company and contact,
 * owned by the technician asking, with fresh PSA reads. Only the technician the old launch
 * belonged to may (or anyone signed in, for one nobody opened): a launch id is no licence to act.
 */
export async function reopenLaunch(
  deps: Pick<CreateLaunchDeps, 'launches' | 'launchReads' | 'clock' | 'ttlMinutes' | 'enabledForms' | 'availableForms' | 'capacity'> & {
    launches: LaunchRepo;
    /** The kind of the PSA connected now (null: none). */
    psaKind: string | null;
  },
  launchId: string,
  technicianUserId: string,
): Promise<ReopenLaunchResult> {
  const old = await deps.launches.get(launchId);
  if (!old) return { kind: 'not-found' };
  if (old.technicianUserId !== null && old.technicianUserId !== technicianUserId) return { kind: 'forbidden' };
  if (old.psaKind !== deps.psaKind) return { kind: 'psa-changed', launchPsaKind: old.psaKind };
  if (!deps.availableForms.includes(old.formName) || !deps.enabledForms.includes(old.formName))
    return { kind: 'form-disabled', formName: old.formName };
  const capacity = deps.capacity?.(old.companyId, old.ticketId ? 3 : 2);
  if (capacity && !capacity.ok) return { kind: 'busy', retryAfterSeconds: capacity.retryAfterSeconds };
  const id = await startLaunch(deps, { ...old, extra: old.extraParams }, technicianUserId);
  return { kind: 'created', launchId: id };
}
