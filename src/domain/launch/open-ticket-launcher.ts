import { capabilitiesOf } from '../../connectors/directory/directory-capabilities.js';
import type { PsaCompany, PsaConnector, PsaContact, PsaTicket } from '../../connectors/psa/types.js';
import type { DirectoryRegistry } from '../../engine/directory-registry.js';
import { offerFor } from '../../forms/form-offer.js';
import type { FormRegistry } from '../../forms/form-registry.js';
import type { ReadFailure } from '../../store/types.js';
import type { LaunchCapacity } from './launch-capacity.js';
import type { PsaReadName } from './open-launch.js';
import { type LauncherParams, parseLauncherParams } from './parse-launcher-params.js';
import type { ParamProblem } from './parse-screen-pop-params.js';
import type { TicketLauncherReads } from './ticket-launcher-reads.js';

export type TicketLauncherDeps = {
  /** The PSA in force (undefined: none is connected). */
  psaConnector: Pick<PsaConnector, 'kind' | 'parseId' | 'idFormat' | 'ticketLauncher'> | undefined;
  reads: TicketLauncherReads;
  directories: Pick<DirectoryRegistry, 'forCompany'>;
  /** Forms this build can run, in list order. */
  forms: Pick<FormRegistry, 'list'>;
  /** Forms the configuration enables. */
  enabledForms: string[];
  /** Whether the PSA can take this many reads soon enough (as a screen pop is asked). */
  capacity?: (reads: number) => LaunchCapacity;
};

export type LauncherForm = { name: string; label: string; description: string };

export type TicketLauncherResult =
  | { kind: 'no-psa' }
  | { kind: 'invalid'; problems: ParamProblem[] }
  | { kind: 'busy'; retryAfterSeconds: number }
  | { kind: 'psa-failed'; failures: { read: PsaReadName; id: string; error: ReadFailure }[] }
  /** The ticket names no company or no contact: a form needs both (set them on the ticket). */
  | { kind: 'incomplete-ticket'; ticket: PsaTicket; missing: ('company' | 'contact')[] }
  | {
      kind: 'ready';
      ticket: PsaTicket;
      company: PsaCompany;
      contact: PsaContact;
      /** The ids a launch is created with. */
      ids: { ticketId: string; companyId: string; contactId: string };
      /** The directory serving the company (null: not mapped yet, so no form can run for it). */
      directoryName: string | null;
      /** The enabled forms the company's directory is offered, in the registry's order. */
      forms: LauncherForm[];
    };

/**
 * The ticket launcher: the PSA ticket a technician opened the toolbox from (a ConnectWise pod, an
 * Autotask LiveLink, a HaloPSA button), its company and contact, and the forms they can open for
 * it. Called only for a signed-in technician: the sign-in is what stands between the URL and the
 * PSA reads (a launcher URL carries no secret, since a PSA shows its links to every technician).
 */
export async function openTicketLauncher(
  deps: TicketLauncherDeps,
  query: Record<string, string | undefined>,
  technicianUserId: string,
): Promise<TicketLauncherResult> {
  const connector = deps.psaConnector;
  if (!connector) return { kind: 'no-psa' };
  const parsed = parseLauncherParams(query, connector);
  if (!parsed.ok) return { kind: 'invalid', problems: parsed.problems };
  const ids: LauncherParams = parsed.value;
  const capacity = deps.capacity?.(3);
  if (capacity && !capacity.ok) return { kind: 'busy', retryAfterSeconds: capacity.retryAfterSeconds };

  const read = await deps.reads.read(technicianUserId, connector.kind, ids);
  const failures: { read: PsaReadName; id: string; error: ReadFailure }[] = [];
  if (!read.ticket.ok) failures.push({ read: 'ticket', id: ids.ticketId, error: read.ticket.error });
  if (read.company && !read.company.ok) failures.push({ read: 'company', id: read.companyId ?? '', error: read.company.error });
  if (read.contact && !read.contact.ok) failures.push({ read: 'contact', id: read.contactId ?? '', error: read.contact.error });
  if (failures.length > 0 || !read.ticket.ok) return { kind: 'psa-failed', failures };
  if (!read.company?.ok || !read.contact?.ok || !read.companyId || !read.contactId) {
    const missing = [...(read.company ? [] : (['company'] as const)), ...(read.contact ? [] : (['contact'] as const))];
    return { kind: 'incomplete-ticket', ticket: read.ticket.value, missing };
  }

  const directory = deps.directories.forCompany(read.companyId);
  const capabilities = directory ? capabilitiesOf(directory.client) : undefined;
  const forms = deps.forms.list
    .filter((form) => deps.enabledForms.includes(form.name))
    // A form the company's directory cannot do is not offered (its page would only say so).
    .filter((form) => !directory || !capabilities || offerFor(form, capabilities, directory.config.name).offered)
    .map((form) => ({
      name: form.name,
      // The form's own words, as its page heads them.
      label: form.form.label,
      description: form.form.description,
    }));
  return {
    kind: 'ready',
    ticket: read.ticket.value,
    company: read.company.value,
    contact: read.contact.value,
    ids: { ticketId: ids.ticketId, companyId: read.companyId, contactId: read.contactId },
    directoryName: directory?.config.name ?? null,
    forms,
  };
}
