import { z } from 'zod';
import type { Clock } from '../../../lib/clock.js';
import type { AutotaskClient } from './autotask-client.js';

/**
 * The database's own picklists (reference §3.1, §4): status, queue, note type and publish codes
 * differ from one Autotask instance to the next, so they are read from
 * `{Entity}/entityInformation/fields` and never hard-coded. They change rarely (an admin edits
 * them), so each entity's list is kept for a quarter of an hour and read again after a write was
 * refused for a picklist value.
 */
export type PicklistEntry = { value: number; label: string; isDefault: boolean; isActive: boolean; sortOrder: number };
export type Picklists = Record<string, PicklistEntry[]>;

const TTL_MS = 15 * 60_000;

const fieldsSchema = z.looseObject({
  fields: z.array(
    z.looseObject({
      name: z.string(),
      isPickList: z.boolean().nullish(),
      picklistValues: z
        .array(
          z.looseObject({
            value: z.union([z.string(), z.number()]),
            label: z.string().nullish(),
            isDefaultValue: z.boolean().nullish(),
            isActive: z.boolean().nullish(),
            sortOrder: z.number().nullish(),
          }),
        )
        .nullish(),
    }),
  ),
});

export class AutotaskPicklists {
  readonly #client: AutotaskClient;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { lists: Picklists; at: number }>();
  readonly #loading = new Map<string, Promise<Picklists>>();

  constructor(client: AutotaskClient, clock: Clock) {
    this.#client = client;
    this.#clock = clock;
  }

  /** The picklists of `Tickets` or `TicketNotes`, by lower-case field name. */
  of(entity: 'Tickets' | 'TicketNotes', signal?: AbortSignal): Promise<Picklists> {
    const cached = this.#cache.get(entity);
    if (cached && this.#clock.now() - cached.at < TTL_MS) return Promise.resolve(cached.lists);
    let loading = this.#loading.get(entity);
    if (!loading) {
      // Shared between callers, so it takes no caller's signal (it is bounded by timeoutMs).
      loading = this.#load(entity).finally(() => this.#loading.delete(entity));
      this.#loading.set(entity, loading);
    }
    if (!signal) return loading;
    if (signal.aborted) return Promise.reject(signal.reason);
    // The caller may stop waiting; the shared read goes on for the others.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([loading, aborted]).finally(() => {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    });
  }

  forget(entity: 'Tickets' | 'TicketNotes'): void {
    this.#cache.delete(entity);
  }

  async #load(entity: 'Tickets' | 'TicketNotes'): Promise<Picklists> {
    const request = {
      method: 'GET' as const,
      path: `${entity}/entityInformation/fields`,
      operation: `GET /${entity}/entityInformation/fields`,
      action: `read the ${entity === 'Tickets' ? 'ticket' : 'ticket note'} picklists`,
    };
    const parsed = this.#client.parse(fieldsSchema, await this.#client.request(request), request);
    const lists: Picklists = {};
    for (const field of parsed.fields) {
      if (!field.isPickList && !field.picklistValues) continue;
      lists[field.name.toLowerCase()] = (field.picklistValues ?? [])
        .map((v) => ({
          value: Number(v.value),
          label: (v.label ?? '').trim(),
          isDefault: v.isDefaultValue === true,
          isActive: v.isActive !== false,
          sortOrder: v.sortOrder ?? 0,
        }))
        // Codes of these fields are integers; anything else cannot be sent back.
        .filter((v) => Number.isInteger(v.value) && v.label !== '');
    }
    this.#cache.set(entity, { lists, at: this.#clock.now() });
    return lists;
  }
}

export const labelOf = (list: PicklistEntry[] | undefined, code: number | null | undefined) =>
  code === null || code === undefined ? undefined : list?.find((v) => v.value === code)?.label;

/**
 * The label of a code, only when it is not the picklist's default: a ticket type worth saying
 * ("Change Request"), not the one nearly every ticket has.
 */
export function unusualLabel(list: PicklistEntry[] | undefined, code: number | null | undefined): string | undefined {
  const entry = code === null || code === undefined ? undefined : list?.find((v) => v.value === code);
  return entry && !entry.isDefault ? entry.label : undefined;
}

const active = (list: PicklistEntry[] | undefined) => (list ?? []).filter((v) => v.isActive).sort((a, b) => a.sortOrder - b.sortOrder);

/**
 * The publish value that keeps a note away from the customer. Autotask's stock label is "Internal
 * Only"; "Internal & Co-managed" also shows it to a co-managing customer's own IT, so it comes
 * only after any other internal value.
 */
export function internalPublish(list: PicklistEntry[] | undefined): PicklistEntry | undefined {
  const values = active(list);
  return (
    values.find((v) => /^internal only$/i.test(v.label)) ??
    values.find((v) => /internal/i.test(v.label) && !/co-?managed|all|customer|public|portal/i.test(v.label)) ??
    values.find((v) => /internal/i.test(v.label))
  );
}

/** The publish value a customer sees: "All Autotask Users" (reference §4), else the default. */
export function publicPublish(list: PicklistEntry[] | undefined): PicklistEntry | undefined {
  const values = active(list);
  return values.find((v) => /^all autotask users$/i.test(v.label)) ?? values.find((v) => v.isDefault && !/internal/i.test(v.label));
}

/** The note type: an internal one when the database has it, else its default, else the first. */
export function noteTypeFor(list: PicklistEntry[] | undefined, internal: boolean): PicklistEntry | undefined {
  const values = active(list);
  return (internal ? values.find((v) => /internal/i.test(v.label)) : undefined) ?? values.find((v) => v.isDefault) ?? values[0];
}

/** The active status with this name, exact case first. */
export function statusByName(list: PicklistEntry[] | undefined, name: string): PicklistEntry | undefined {
  const wanted = name.trim();
  const values = active(list);
  return values.find((v) => v.label === wanted) ?? values.find((v) => v.label.toLowerCase() === wanted.toLowerCase());
}

export const activeLabels = (list: PicklistEntry[] | undefined) => active(list).map((v) => v.label);
