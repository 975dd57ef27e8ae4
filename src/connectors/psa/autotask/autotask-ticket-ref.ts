import { ToolboxError } from '../../../lib/toolbox-error.js';
import type { AutotaskClient } from './autotask-client.js';

/**
 * Autotask technicians know a ticket by its number (`T20240101.0001`: T, the day it was created,
 * a dot, the day's sequence), the API by its id. A screen pop, a re-run or a technician may give
 * either, so the connector accepts both and looks a number's id up once, by a query on
 * `ticketNumber` (reference §6). A number names the same ticket for ever, so the answer is kept.
 */
const TICKET_NUMBER = /^T\d{8}\.\d{4,}$/;
/** Numbers looked up are kept; beyond this many, the oldest is forgotten first. */
const MAX_REMEMBERED = 1000;

/** A ticket number in Autotask's form, upper-cased; null when `raw` is not one. */
export function parseAutotaskTicketNumber(raw: string): string | null {
  const upper = raw.trim().toUpperCase();
  return TICKET_NUMBER.test(upper) ? upper : null;
}

export const isAutotaskTicketNumber = (ref: string) => TICKET_NUMBER.test(ref);

export class AutotaskTicketIds {
  readonly #client: AutotaskClient;
  readonly #ids = new Map<string, string>();

  constructor(client: AutotaskClient) {
    this.#client = client;
  }

  /**
   * The ticket a number names, as Autotask returns it from `Tickets/query` (the whole record, so
   * a screen pop reads it in one call), or a not-found error in the technician's words.
   */
  async find(ticketNumber: string, signal?: AbortSignal): Promise<unknown> {
    const operation = 'POST /Tickets/query';
    const rows = await this.#client.queryAll(
      'Tickets',
      { MaxRecords: 2, filter: [{ op: 'eq', field: 'ticketNumber', value: ticketNumber }] },
      { operation, action: `look up ticket ${ticketNumber}`, subject: { kind: 'Ticket', id: ticketNumber }, signal },
    );
    const row = rows[0] as { id?: unknown } | undefined;
    if (!row) {
      throw new ToolboxError({
        code: 'TBX_ERR_PSA_NOT_FOUND',
        message: `Ticket ${ticketNumber} was not found in Autotask.`,
        httpStatus: 404,
        upstream: { service: 'autotask', status: 200, operation, message: 'no ticket with that ticketNumber' },
      });
    }
    if (typeof row.id === 'number' && Number.isSafeInteger(row.id)) this.#remember(ticketNumber, String(row.id));
    return row;
  }

  /** The id of the ticket `ref` names: `ref` itself when it is an id, else its number looked up. */
  async idOf(ref: string, signal?: AbortSignal): Promise<string> {
    if (!isAutotaskTicketNumber(ref)) return ref;
    const known = this.#ids.get(ref);
    if (known !== undefined) return known;
    await this.find(ref, signal);
    const found = this.#ids.get(ref);
    if (found === undefined) {
      throw new ToolboxError({
        code: 'TBX_ERR_PSA_BAD_RESPONSE',
        message: `Autotask answered the look-up of ticket ${ref} without the ticket's id.`,
        httpStatus: 502,
        upstream: { service: 'autotask', operation: 'POST /Tickets/query', message: 'row without an integer id' },
      });
    }
    return found;
  }

  #remember(ticketNumber: string, id: string): void {
    this.#ids.delete(ticketNumber);
    this.#ids.set(ticketNumber, id);
    if (this.#ids.size > MAX_REMEMBERED) {
      const oldest = this.#ids.keys().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }
}
