import type { PsaClient, PsaCompany, PsaContact, PsaTicket } from '../../connectors/psa/types.js';
import type { Clock } from '../../lib/clock.js';
import type { LaunchContext, ReadResult } from '../../store/types.js';
import type { LauncherParams } from './parse-launcher-params.js';
import { contextIsComplete, timedRead } from './read-psa-context.js';

/** What the launcher read: the ticket, and the company and contact it names (or the URL named). */
export type TicketLauncherRead = {
  ticket: ReadResult<PsaTicket>;
  /** Null when the company is not known: the ticket read failed or the ticket names none. */
  company: ReadResult<PsaCompany> | null;
  contact: ReadResult<PsaContact> | null;
  companyId: string | null;
  contactId: string | null;
};

/**
 * The ticket launcher's PSA reads, and a short memory of them: the launch the technician opens
 * from the launcher moments later takes this context instead of reading the same three records
 * again (one PSA round trip less before the form). Only a complete read is kept, only for the
 * technician who asked, only for `keepMs` (a minute: a form never acts on older ticket data than a
 * screen pop's would), and at most `maxHeld` of them; another instance simply reads again.
 */
export type TicketLauncherReads = {
  read(technicianUserId: string, psaKind: string, ids: LauncherParams): Promise<TicketLauncherRead>;
  /** The context read for exactly these ids by this technician within `keepMs`, if any. */
  recent(
    technicianUserId: string,
    psaKind: string,
    ids: { ticketId: string | null; companyId: string; contactId: string },
  ): LaunchContext | undefined;
};

export function createTicketLauncherReads(deps: {
  psa: Pick<PsaClient, 'getTicket' | 'getCompany' | 'getContact'>;
  clock: Clock;
  keepMs?: number;
  maxHeld?: number;
}): TicketLauncherReads {
  const keepMs = deps.keepMs ?? 60_000;
  const maxHeld = deps.maxHeld ?? 500;
  const held = new Map<string, { context: LaunchContext; at: number }>();
  const keyOf = (userId: string, psaKind: string, ids: { ticketId: string | null; companyId: string; contactId: string }) =>
    JSON.stringify([userId, psaKind, ids.ticketId, ids.companyId, ids.contactId]);

  return {
    async read(technicianUserId, psaKind, ids) {
      const { clock, psa } = deps;
      // With the company and contact in the URL, the three reads run at once; without them the
      // ticket says which they are, so it comes first.
      const known = ids.companyId !== null && ids.contactId !== null;
      const ticketRead = timedRead(clock, () => psa.getTicket(ids.ticketId));
      const early: [Promise<ReadResult<PsaCompany>>, Promise<ReadResult<PsaContact>>] | undefined = known
        ? [timedRead(clock, () => psa.getCompany(ids.companyId as string)), timedRead(clock, () => psa.getContact(ids.contactId as string))]
        : undefined;
      const ticket = await ticketRead;
      const companyId = ids.companyId ?? (ticket.ok ? (ticket.value.companyId ?? null) : null);
      const contactId = ids.contactId ?? (ticket.ok ? (ticket.value.contactId ?? null) : null);
      const [company, contact] = early
        ? await Promise.all(early)
        : await Promise.all([
            companyId ? timedRead(clock, () => psa.getCompany(companyId)) : null,
            contactId ? timedRead(clock, () => psa.getContact(contactId)) : null,
          ]);
      if (company && contact && companyId && contactId) {
        const context: LaunchContext = { ticket, company, contact };
        if (contextIsComplete(context)) {
          held.delete(keyOf(technicianUserId, psaKind, { ticketId: ids.ticketId, companyId, contactId }));
          held.set(keyOf(technicianUserId, psaKind, { ticketId: ids.ticketId, companyId, contactId }), { context, at: clock.now() });
          for (const key of held.keys()) {
            if (held.size <= maxHeld) break;
            held.delete(key);
          }
        }
      }
      return { ticket, company, contact, companyId, contactId };
    },
    recent(technicianUserId, psaKind, ids) {
      const key = keyOf(technicianUserId, psaKind, ids);
      const entry = held.get(key);
      if (!entry) return undefined;
      if (deps.clock.now() - entry.at > keepMs) {
        held.delete(key);
        return undefined;
      }
      return entry.context;
    },
  };
}
