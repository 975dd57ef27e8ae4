import { type CreateLaunchDeps, type CreateLaunchResult, createLaunch } from './create-launch.js';
import type { TicketLauncherReads } from './ticket-launcher-reads.js';

/** Where a launch made from inside the PSA came from, kept with the launch's parameters. */
export type LauncherOrigin = 'launcher' | 'pod';

/**
 * The technician picked a form on the ticket launcher (or in the ConnectWise pod): a launch is
 * created exactly as a screen pop creates one (same checks, same record, owned by this
 * technician), with the PSA context the launcher has just read when it is still fresh, so the same
 * records are not read twice.
 */
export function launchFromTicket(
  deps: Omit<CreateLaunchDeps, 'prefetched'> & { reads: TicketLauncherReads },
  fields: Record<string, unknown>,
  via: LauncherOrigin,
  technicianUserId: string,
): Promise<CreateLaunchResult> {
  const field = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  const kind = deps.psaConnector.kind;
  return createLaunch(
    { ...deps, prefetched: (ids) => deps.reads.recent(technicianUserId, kind, ids) },
    // Only the launch's own fields: the form's CSRF token or anything else posted is not recorded.
    {
      ticket_id: field('ticket_id'),
      company_id: field('company_id'),
      contact_id: field('contact_id'),
      form_name: field('form_name'),
      via,
    },
    technicianUserId,
  );
}
