import type { PsaClient } from '../../connectors/psa/types.js';
import type { Clock } from '../../lib/clock.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { LaunchContext, ReadResult } from '../../store/types.js';

export type PsaContextReadDeps = { psa: Pick<PsaClient, 'getTicket' | 'getCompany' | 'getContact'>; clock: Clock };

/**
 * One PSA read, timed, its failure kept as data: a launch shows which read failed and why, in the
 * connector's words, with the upstream status and code for the log.
 */
export async function timedRead<T>(clock: Clock, read: () => Promise<T>): Promise<ReadResult<T>> {
  const started = clock.now();
  try {
    const value = await read();
    return { ok: true, value, ms: clock.now() - started };
  } catch (error) {
    const ms = clock.now() - started;
    if (isToolboxError(error)) {
      return {
        ok: false,
        ms,
        error: {
          code: error.code,
          message: error.message,
          ...(error.upstream?.status !== undefined ? { upstreamStatus: error.upstream.status } : {}),
          ...(error.upstream?.code !== undefined ? { upstreamCode: error.upstream.code } : {}),
        },
      };
    }
    return {
      ok: false,
      ms,
      error: { code: 'TBX_ERR_INTERNAL', message: 'The read failed unexpectedly; the details are in the service log.' },
    };
  }
}

/** The three reads of a launch whose ids are all known, in parallel (the ticket only when there is one). */
export async function readPsaContext(
  deps: PsaContextReadDeps,
  ids: { ticketId: string | null; companyId: string; contactId: string },
): Promise<LaunchContext> {
  const [ticket, company, contact] = await Promise.all([
    ids.ticketId ? timedRead(deps.clock, () => deps.psa.getTicket(ids.ticketId as string)) : Promise.resolve(null),
    timedRead(deps.clock, () => deps.psa.getCompany(ids.companyId)),
    timedRead(deps.clock, () => deps.psa.getContact(ids.contactId)),
  ]);
  return { ticket, company, contact };
}

/** Whether every read of a launch's context succeeded: its form can be filled. */
export function contextIsComplete(context: LaunchContext): boolean {
  return context.company.ok && context.contact.ok && (context.ticket === null || context.ticket.ok);
}
