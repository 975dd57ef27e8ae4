import { ENTITY_FIELDS, findField } from './autotask-entity-info.js';
import type { RouteContext } from './autotask-entity-routes.js';
import { autotaskDate, json, notFound, readJsonBody, validation } from './autotask-http.js';
import type { AtRecord } from './autotask-seed.js';
import type { AutotaskSimulatorState } from './autotask-state.js';

/**
 * Ticket writes (reference §3, §5): `PATCH /Tickets` with `{id, …fields}` changes only those
 * fields, `PUT /Tickets` replaces the whole ticket (every writable field left out becomes null),
 * `POST /Tickets` creates one. All answer `200 {"itemId": n}` and refuse bad values with 500.
 */

/** Checks a picklist field's value against this database's picklist: active values only. */
export function picklistCode(state: AutotaskSimulatorState, key: string, field: string, raw: unknown): number {
  const text = typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
  const value = text === undefined ? undefined : state.picklists[key]?.find((v) => v.value === text);
  if (!value?.isActive) {
    throw validation(`Value '${String(raw)}' for field ${field} is not a valid picklist value.`);
  }
  return Number(value.value);
}

function checkReference(state: AutotaskSimulatorState, field: string, value: unknown): void {
  if (value === null) return;
  const maps: Record<string, Map<number, AtRecord>> = {
    companyID: state.companies,
    contactID: state.contacts,
    assignedResourceID: state.resources,
  };
  const map = maps[field];
  if (map && (typeof value !== 'number' || !map.has(value)))
    throw validation(`Value '${String(value)}' for field ${field} does not exist.`);
}

/** Validates one field of a ticket write and returns the value to store. */
function ticketValue(state: AutotaskSimulatorState, name: string, raw: unknown): unknown {
  const field = findField('Tickets', name);
  if (!field) throw validation(`Unable to find ${name} in the Ticket entity.`);
  if (field.isReadOnly) throw validation(`The field ${field.name} is read-only.`);
  if (raw === null || raw === undefined) {
    if (field.isRequired) throw validation(`The field ${field.name} is required.`);
    return null;
  }
  if (field.picklist) return picklistCode(state, field.picklist, field.name, raw);
  if (field.dataType === 'string') {
    if (typeof raw !== 'string') throw validation(`The field ${field.name} must be text.`);
    if (field.isRequired && raw.trim() === '') throw validation(`The field ${field.name} is required.`);
    if (field.length && raw.length > field.length) throw validation(`The field ${field.name} is longer than ${field.length} characters.`);
    return raw;
  }
  if (field.dataType === 'datetime') {
    if (typeof raw !== 'string' || Number.isNaN(Date.parse(raw))) throw validation(`The field ${field.name} must be a date and time.`);
    return raw.replace(/Z$/, '');
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw validation(`The field ${field.name} must be a whole number.`);
  checkReference(state, field.name, raw);
  return raw;
}

async function writeBody(ctx: RouteContext): Promise<Record<string, unknown>> {
  const body = await readJsonBody(ctx.request);
  ctx.entry.body = body;
  // A single object, not an RFC 6902 patch array (reference §5).
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw validation('The request body must be a single ticket object.');
  return body as Record<string, unknown>;
}

function existingTicket(state: AutotaskSimulatorState, body: Record<string, unknown>): AtRecord {
  const id = body.id;
  if (typeof id !== 'number' || !Number.isInteger(id)) throw validation('The ticket to update needs its id.');
  const ticket = state.tickets.get(id);
  if (!ticket) throw notFound('Ticket', id);
  return ticket;
}

export async function patchTicket(ctx: RouteContext): Promise<Response> {
  const { state } = ctx;
  const body = await writeBody(ctx);
  const ticket = existingTicket(state, body);
  const changes: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(body)) {
    if (name.toLowerCase() === 'id' || name === 'userDefinedFields') continue;
    const field = findField('Tickets', name);
    changes[field?.name ?? name] = ticketValue(state, name, raw);
  }
  Object.assign(ticket, changes, { lastActivityDate: autotaskDate(state.clock.now()) });
  return json(200, { itemId: ticket.id });
}

export async function putTicket(ctx: RouteContext): Promise<Response> {
  const { state } = ctx;
  const body = await writeBody(ctx);
  const ticket = existingTicket(state, body);
  const replaced: AtRecord = { ...ticket };
  // A full replace: what is left out becomes null (reference §5), and required fields must be there.
  for (const field of ENTITY_FIELDS.Tickets) {
    if (field.isReadOnly) continue;
    const key = Object.keys(body).find((k) => k.toLowerCase() === field.name.toLowerCase());
    replaced[field.name] = ticketValue(state, field.name, key === undefined ? null : body[key]);
  }
  replaced.lastActivityDate = autotaskDate(state.clock.now());
  state.tickets.set(ticket.id, replaced);
  return json(200, { itemId: ticket.id });
}

export async function createTicket(ctx: RouteContext): Promise<Response> {
  const { state } = ctx;
  const body = await writeBody(ctx);
  if (body.id !== undefined && body.id !== null && body.id !== 0) throw validation('A new ticket cannot have an id.');
  const id = Math.max(0, ...state.tickets.keys()) + 1;
  const now = autotaskDate(state.clock.now());
  const ticket: AtRecord = { id, ticketNumber: `T${now.slice(0, 10).replaceAll('-', '')}.${String(id % 10000).padStart(4, '0')}` };
  for (const field of ENTITY_FIELDS.Tickets) {
    if (field.isReadOnly) continue;
    const key = Object.keys(body).find((k) => k.toLowerCase() === field.name.toLowerCase());
    ticket[field.name] = ticketValue(state, field.name, key === undefined ? null : body[key]);
  }
  Object.assign(ticket, { createDate: now, lastActivityDate: now, completedDate: null, userDefinedFields: [] });
  state.tickets.set(id, ticket);
  return json(200, { itemId: id });
}
