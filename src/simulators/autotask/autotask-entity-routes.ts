import { ENTITY_NAMES, type EntityName, entityInformation, fieldInformation } from './autotask-entity-info.js';
import { json, methodNotAllowed, notFound, readJsonBody, routeNotFound } from './autotask-http.js';
import { countQuery, parseNextPage, parseQueryBody, parseSearchParam, runQuery } from './autotask-query.js';
import type { AtRecord } from './autotask-seed.js';
import type { AutotaskRequestLogEntry, AutotaskSimulatorState } from './autotask-state.js';
import { createTicketNote, listTicketNotes } from './autotask-ticket-note-routes.js';
import { createTicket, patchTicket, putTicket } from './autotask-ticket-routes.js';

/**
 * The entity routes under `…/V1.0/` (reference §3): single reads in `{item}`, queries in
 * `{items, pageDetails}`, entity information with this database's picklists, and the ticket and
 * note writes. Entity names match case-insensitively, as ASP.NET routes do.
 */
export type RouteContext = {
  request: Request;
  url: URL;
  method: string;
  /** The path after `V1.0/`, split. */
  segments: string[];
  /** `https://host/ATServicesRest/V1.0` */
  apiBase: string;
  state: AutotaskSimulatorState;
  entry: AutotaskRequestLogEntry;
};

const entityByName = (raw: string | undefined): EntityName | undefined =>
  raw === undefined ? undefined : ENTITY_NAMES.find((name) => name.toLowerCase() === raw.toLowerCase());

export function rowsOf(state: AutotaskSimulatorState, entity: EntityName): Map<number, AtRecord> {
  switch (entity) {
    case 'Tickets':
      return state.tickets;
    case 'TicketNotes':
      return state.ticketNotes;
    case 'Companies':
      return state.companies;
    case 'Contacts':
      return state.contacts;
    default:
      return state.resources;
  }
}

async function queryBodyOf(ctx: RouteContext): Promise<unknown> {
  if (ctx.method === 'GET') return parseSearchParam(ctx.url);
  const body = await readJsonBody(ctx.request);
  ctx.entry.body = body;
  return body;
}

function readById(ctx: RouteContext, entity: EntityName, rawId: string): Response {
  if (!/^\d+$/.test(rawId)) return routeNotFound(ctx.url);
  const record = rowsOf(ctx.state, entity).get(Number(rawId));
  if (!record) {
    if (ctx.state.missingAsNull) return json(200, { item: null });
    throw notFound(entity.replace(/s$/, ''), rawId);
  }
  return json(200, { item: record });
}

export async function routeEntity(ctx: RouteContext): Promise<Response> {
  const { method, segments, state, url } = ctx;
  const [first, second, third, fourth] = segments;
  const lowerSecond = second?.toLowerCase();

  if (segments.length === 1 && first?.toLowerCase() === 'version' && method === 'GET') {
    return json(200, { majorVersion: 1, minorVersion: 0, build: 2026, customerType: 'Simulator' });
  }
  if (segments.length === 1 && first?.toLowerCase() === 'thresholdinformation' && method === 'GET') {
    return json(200, state.threshold.info());
  }

  const entity = entityByName(first);
  if (!entity) return routeNotFound(url);
  const rows = rowsOf(state, entity);

  if (segments.length === 1) {
    if (entity === 'Tickets') {
      if (method === 'PATCH') return patchTicket(ctx);
      if (method === 'PUT') return putTicket(ctx);
      if (method === 'POST') return createTicket(ctx);
    }
    // `POST /TicketNotes` does not exist: notes are created under their ticket (reference §3, §9).
    return entity === 'TicketNotes' ? routeNotFound(url) : methodNotAllowed(method);
  }

  if (lowerSecond === 'entityinformation' && method === 'GET') {
    if (segments.length === 2) return json(200, entityInformation(entity));
    if (segments.length === 3 && third?.toLowerCase() === 'fields') return json(200, fieldInformation(entity, state.picklists));
    if (segments.length === 3 && third?.toLowerCase() === 'userdefinedfields') return json(200, { fields: [] });
    return routeNotFound(url);
  }

  if (lowerSecond === 'query') {
    if (segments.length === 2 && (method === 'POST' || method === 'GET')) {
      const search = await queryBodyOf(ctx);
      const body = parseQueryBody(entity, search);
      return json(200, runQuery({ entity, rows: rows.values(), body, search, apiBase: ctx.apiBase }));
    }
    if (segments.length === 3 && third?.toLowerCase() === 'count' && (method === 'POST' || method === 'GET')) {
      return json(200, countQuery(entity, rows.values(), parseQueryBody(entity, await queryBodyOf(ctx))));
    }
    if (segments.length === 3 && third?.toLowerCase() === 'next') {
      if (method !== state.nextPageMethod) return methodNotAllowed(method);
      const { cursor, search } = parseNextPage(url);
      const body = parseQueryBody(entity, search);
      return json(200, runQuery({ entity, rows: rows.values(), body, search, cursor, apiBase: ctx.apiBase }));
    }
    return routeNotFound(url);
  }

  if (!second || !/^\d+$/.test(second)) return routeNotFound(url);
  if (segments.length === 2) return method === 'GET' ? readById(ctx, entity, second) : methodNotAllowed(method);

  // Child access: Tickets/{id}/Notes (reference §3, [AT-help] child access URLs).
  if (entity === 'Tickets' && third?.toLowerCase() === 'notes') {
    const ticketId = Number(second);
    if (segments.length === 3) {
      if (method === 'GET') return listTicketNotes(ctx, ticketId);
      if (method === 'POST') return createTicketNote(ctx, ticketId);
      return methodNotAllowed(method);
    }
    if (segments.length === 4 && fourth && /^\d+$/.test(fourth) && method === 'GET') {
      if (!state.tickets.has(ticketId)) throw notFound('Ticket', ticketId);
      const note = state.ticketNotes.get(Number(fourth));
      if (!note || note.ticketID !== ticketId) {
        if (state.missingAsNull) return json(200, { item: null });
        throw notFound('TicketNote', fourth);
      }
      return json(200, { item: note });
    }
  }
  return routeNotFound(url);
}
