import { findField } from './autotask-entity-info.js';
import type { RouteContext } from './autotask-entity-routes.js';
import { autotaskDate, json, notFound, readJsonBody, validation } from './autotask-http.js';
import { runQuery } from './autotask-query.js';
import type { AtRecord } from './autotask-seed.js';
import { picklistCode } from './autotask-ticket-routes.js';

/**
 * Notes under their ticket (reference §3, §4): `POST /Tickets/{id}/Notes` with title, plain-text
 * description, and noteType and publish from this database's picklists, answered `200 {"itemId"}`.
 * `ImpersonationResourceId` attributes the note to another resource, which must exist, be active,
 * and the API user's security level must allow impersonation. Every refusal is a 500 with
 * `{errors}`; nothing is stored then.
 */
const field = (name: string) => findField('TicketNotes', name);

export async function createTicketNote(ctx: RouteContext, ticketId: number): Promise<Response> {
  const { state } = ctx;
  const ticket = state.tickets.get(ticketId);
  if (!ticket) throw notFound('Ticket', ticketId);
  const body = await readJsonBody(ctx.request);
  ctx.entry.body = body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw validation('The request body must be a single note object.');
  const input = body as Record<string, unknown>;
  const value = (name: string) => {
    const key = Object.keys(input).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : input[key];
  };

  const parent = value('ticketID');
  if (parent !== undefined && parent !== null && parent !== ticketId) {
    throw validation(`The ticketID ${String(parent)} of the note does not match the ticket ${ticketId} in the URL.`);
  }
  const errors: string[] = [];
  const title = value('title');
  const description = value('description');
  if (title !== undefined && title !== null && typeof title !== 'string') errors.push('The field title must be text.');
  else if (state.requireNoteTitle && (typeof title !== 'string' || title.trim() === '')) {
    // The ticket category setting "Require titles on ticket notes" (reference §4).
    errors.push('The field title is required.');
  } else if (typeof title === 'string' && title.length > (field('title')?.length ?? 250)) {
    errors.push(`The field title is longer than ${field('title')?.length ?? 250} characters.`);
  }
  if (typeof description !== 'string' || description.trim() === '') errors.push('The field description is required.');
  else if (description.length > (field('description')?.length ?? 32000)) {
    errors.push(`The field description is longer than ${field('description')?.length ?? 32000} characters.`);
  }
  let noteType: number | undefined;
  let publish: number | undefined;
  for (const [name, key] of [
    ['noteType', 'TicketNotes.noteType'],
    ['publish', 'TicketNotes.publish'],
  ] as const) {
    const raw = value(name);
    if (raw === undefined || raw === null) {
      errors.push(`The field ${name} is required.`);
      continue;
    }
    try {
      const code = picklistCode(state, key, name, raw);
      if (name === 'noteType') noteType = code;
      else publish = code;
    } catch (error) {
      errors.push((error as Error).message);
    }
  }

  let creator = state.apiUser.id;
  let impersonator: number | null = null;
  const impersonation = ctx.request.headers.get('impersonationresourceid');
  if (impersonation !== null) {
    const id = /^\d+$/.test(impersonation.trim()) ? Number(impersonation.trim()) : Number.NaN;
    const resource = state.resources.get(id);
    if (!state.apiUser.impersonationAllowed) {
      errors.push('The API user is not allowed to impersonate resources: its security level does not allow impersonation.');
    } else if (!resource) {
      errors.push(`Impersonation failed: resource ${impersonation} does not exist.`);
    } else if (resource.isActive !== true) {
      errors.push(`Impersonation failed: resource ${impersonation} is inactive.`);
    } else {
      creator = id;
      impersonator = state.apiUser.id;
    }
  }
  if (errors.length > 0) throw validation(...errors);

  const now = autotaskDate(state.clock.now());
  const id = Math.max(29680000, ...state.ticketNotes.keys()) + 1;
  const note: AtRecord = {
    id,
    ticketID: ticketId,
    title: typeof title === 'string' ? title : '',
    // Plain text only: the API cannot create Rich Text (reference §4), so it is stored as sent.
    description: description as string,
    noteType,
    publish,
    createDateTime: now,
    creatorResourceID: creator,
    createdByContactID: null,
    impersonatorCreatorResourceID: impersonator,
    lastActivityDate: now,
  };
  state.ticketNotes.set(id, note);
  ticket.lastActivityDate = now;
  return json(200, { itemId: id });
}

/** `GET /Tickets/{id}/Notes`: the ticket's notes in the query envelope. */
export function listTicketNotes(ctx: RouteContext, ticketId: number): Response {
  if (!ctx.state.tickets.has(ticketId)) throw notFound('Ticket', ticketId);
  const search = { filter: [{ op: 'eq', field: 'ticketID', value: ticketId }] };
  const rows: AtRecord[] = [...ctx.state.ticketNotes.values()].filter((n) => n.ticketID === ticketId);
  return json(
    200,
    runQuery({
      entity: 'TicketNotes',
      rows,
      body: { filter: search.filter, maxRecords: 500 },
      search,
      apiBase: ctx.apiBase,
    }),
  );
}
