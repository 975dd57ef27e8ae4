import type { PsaConnector } from '../../connectors/psa/types.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { LaunchContext, LaunchRecord, LaunchRepo } from '../../store/types.js';
import type { LaunchCapacity } from './launch-capacity.js';
import type { LaunchReads } from './launch-reads.js';
import { type ParamProblem, parseScreenPopParams } from './parse-screen-pop-params.js';

export type CreateLaunchDeps = {
  /** The PSA in force: its id rules, and its kind, recorded on the launch. */
  psaConnector: Pick<PsaConnector, 'kind' | 'parseId' | 'idFormat'>;
  launches: LaunchRepo;
  launchReads: LaunchReads;
  clock: Clock;
  /** Forms this build can run. */
  availableForms: readonly string[];
  /** A form's list label ("Password Reset"), for the pages that refuse it. */
  labelOf: (formName: string) => string;
  /** Forms the configuration enables. */
  enabledForms: string[];
  ttlMinutes: number;
  /**
   * Whether the PSA and the directory can take this launch's calls soon enough (`reads`: how many
   * PSA reads it makes). Left out, every launch is accepted.
   */
  capacity?: (companyId: string, reads: number) => LaunchCapacity;
  /**
   * The PSA context read for these ids moments ago for this technician (the ticket launcher), if
   * any: the launch then saves it instead of reading the same records again.
   */
  prefetched?: (ids: { ticketId: string | null; companyId: string; contactId: string }) => LaunchContext | undefined;
};

export type CreateLaunchResult =
  | { kind: 'invalid'; problems: ParamProblem[] }
  | { kind: 'unknown-form'; formName: string }
  | { kind: 'form-disabled'; formName: string; label: string }
  /** Refused before anything was recorded: the connections are too busy to serve it in time. */
  | { kind: 'busy'; retryAfterSeconds: number; busy: 'psa' | 'directory' }
  | { kind: 'created'; launchId: string };

/**
 * Turns one screen-pop click into a launch: checks the parameters and the form, records the
 * launch, and starts the PSA reads without waiting for them, so the caller can redirect at once.
 */
export async function createLaunch(
  deps: CreateLaunchDeps,
  query: Record<string, string | undefined>,
  technicianUserId: string | null,
): Promise<CreateLaunchResult> {
  const parsed = parseScreenPopParams(query, deps.psaConnector);
  if (!parsed.ok) return { kind: 'invalid', problems: parsed.problems };
  const params = parsed.value;
  if (!deps.availableForms.includes(params.formName)) return { kind: 'unknown-form', formName: params.formName };
  if (!deps.enabledForms.includes(params.formName))
    return { kind: 'form-disabled', formName: params.formName, label: deps.labelOf(params.formName) };
  const prefetched = deps.prefetched?.(params);
  // Checked last, just before the launch is recorded: a bad link is told so even under load.
  const capacity = deps.capacity?.(params.companyId, prefetched ? 0 : params.ticketId ? 3 : 2);
  if (capacity && !capacity.ok) return { kind: 'busy', retryAfterSeconds: capacity.retryAfterSeconds, busy: capacity.busy };

  return {
    kind: 'created',
    launchId: await startLaunch(deps, { ...params, psaKind: deps.psaConnector.kind }, technicianUserId, prefetched),
  };
}

/**
 * Records a launch for these PSA ids and starts its reads without waiting for them. Used by the
 * screen pop and by "open the form again" for an expired or used launch.
 */
export async function startLaunch(
  deps: Pick<CreateLaunchDeps, 'launches' | 'launchReads' | 'clock' | 'ttlMinutes'>,
  params: Pick<LaunchRecord, 'psaKind' | 'formName' | 'ticketId' | 'companyId' | 'contactId'> & { extra: Record<string, string> },
  technicianUserId: string | null,
  prefetched?: LaunchContext,
): Promise<string> {
  const now = deps.clock.now();
  const launch: LaunchRecord = {
    id: newId(),
    psaKind: params.psaKind,
    formName: params.formName,
    ticketId: params.ticketId,
    companyId: params.companyId,
    contactId: params.contactId,
    extraParams: params.extra,
    technicianUserId,
    status: 'pending' as const,
    context: null,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + deps.ttlMinutes * 60_000).toISOString(),
  };
  // The reads start before the row is written: they need only the ids, so the insert overlaps
  // with the PSA round trips. Their result is saved only once the insert has finished.
  const inserted = deps.launches.create(launch);
  deps.launchReads.start(launch, inserted, prefetched);
  await inserted;
  return launch.id;
}
