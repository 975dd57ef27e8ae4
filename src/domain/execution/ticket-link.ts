import { psaWordsOf } from '../../connectors/psa/psa-words.js';
import type { PsaConnectorRegistry, PsaWords } from '../../connectors/psa/types.js';
import type { ExecutionRecord } from '../../store/types.js';
import type { LiveSettings } from '../settings/live-settings.js';

export type TicketLink = {
  /** The ticket in its PSA's web UI; null without a ticket, or when that PSA is not the one connected now. */
  url: string | null;
  /** The words of the PSA the execution's ticket belongs to. */
  words: PsaWords;
  /** False when the PSA was switched since: the ticket is in a PSA the toolbox no longer reads. */
  inForce: boolean;
};

/**
 * Where an execution's ticket is. Only the PSA connected now can build a link, and only to its
 * own tickets: the same number in another PSA is another ticket.
 */
export function ticketLinkOf(
  deps: { settings: Pick<LiveSettings, 'current' | 'psa'>; psaConnectors: PsaConnectorRegistry },
  execution: Pick<ExecutionRecord, 'ticketId' | 'psaKind'>,
): TicketLink {
  const words = psaWordsOf(deps.psaConnectors, execution.psaKind);
  const inForce = execution.psaKind !== null && deps.settings.current().psa?.kind === execution.psaKind;
  let url: string | null = null;
  if (execution.ticketId && inForce) {
    try {
      url = deps.settings.psa.ticketUrl(execution.ticketId);
    } catch {
      // An id the connector would not link (or no client after all): the number alone still helps.
    }
  }
  return { url, words, inForce };
}
