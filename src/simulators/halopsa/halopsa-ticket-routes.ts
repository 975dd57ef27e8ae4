import { listResponse } from './halopsa-paging.js';
import { HaloRefusal, intField, intParam, json, readArrayBody, stringField } from './halopsa-responses.js';
import { type HaloRouteContext, methodNotAllowed, notFound, pathId, routeNotFound } from './halopsa-route.js';
import type { HaloRecord } from './halopsa-seed.js';
import type { HaloStore } from './halopsa-store.js';

/**
 * `/api/Tickets`: one ticket (`Faults`, a bare object), the list (`{record_count, tickets}`), and
 * the upsert `POST /api/Tickets` with an array body, which is how a status changes (reference §3:
 * `[{"id":123,"status_id":9}]`).
 */
export async function ticketRoutes(context: HaloRouteContext): Promise<Response> {
  const { store, method, segments, url } = context;
  const [, rawId, ...rest] = segments;
  if (rest.length > 0) throw routeNotFound();
  if (rawId !== undefined) {
    if (method !== 'GET') throw methodNotAllowed();
    const id = pathId(rawId);
    const ticket = store.visibleTicket(id);
    if (!ticket) throw notFound('Ticket', id);
    return json(200, ticket);
  }
  if (method === 'GET') return listResponse(url.searchParams, 'tickets', filterTickets(store, url.searchParams));
  if (method === 'POST') return upsertTickets(context);
  throw methodNotAllowed();
}

function filterTickets(store: HaloStore, params: URLSearchParams): HaloRecord[] {
  const clientId = intParam(params, 'client_id');
  const userId = intParam(params, 'user_id');
  const statusId = intParam(params, 'status_id');
  const team = params.get('team');
  const search = params.get('search')?.toLowerCase();
  return store
    .visibleTickets()
    .filter(
      (t) =>
        (clientId === undefined || t.client_id === clientId) &&
        (userId === undefined || t.user_id === userId) &&
        (statusId === undefined || t.status_id === statusId) &&
        (!team || String(t.team).toLowerCase() === team.toLowerCase()) &&
        (!search || String(t.summary).toLowerCase().includes(search)),
    )
    .sort((a, b) => a.id - b.id);
}

/** Records a status change the way Halo's ticket history shows one: a private system action. */
export function changeStatus(store: HaloStore, ticket: HaloRecord, statusId: number): void {
  const status = store.state.statuses.find((s) => s.id === statusId);
  if (!status || ticket.status_id === statusId) return;
  const agent = store.apiAgent();
  const actions = store.state.actions.get(ticket.id) ?? [];
  actions.push({
    id: store.nextActionId(),
    ticket_id: ticket.id,
    outcome: 'Status Change',
    outcome_id: 20,
    who: agent?.name ?? 'API',
    who_type: 1,
    who_agentid: agent?.id ?? 0,
    datetime: store.now(),
    note: `Status changed from ${String(ticket.status_name)} to ${String(status.name)}`,
    note_html: `<p>Status changed from ${String(ticket.status_name)} to ${String(status.name)}</p>`,
    hiddenfromuser: true,
    important: false,
    old_status: ticket.status_id,
    new_status: statusId,
  });
  store.state.actions.set(ticket.id, actions);
  ticket.status_id = statusId;
  ticket.status_name = status.name;
  ticket.lastactiondate = store.now();
}

export function requireStatus(store: HaloStore, statusId: number): HaloRecord {
  const status = store.state.statuses.find((s) => s.id === statusId);
  if (!status) throw new HaloRefusal(`Status ${statusId} is not a valid ticket status.`);
  return status;
}

async function upsertTickets({ store, request, entry }: HaloRouteContext): Promise<Response> {
  const items = await readArrayBody(request, 'Faults');
  entry.body = items;
  // Everything is checked before anything changes: one bad record refuses the whole request.
  const plans = items.map((item, index) => {
    const path = `$[${index}]`;
    const id = intField(item, 'id', path);
    const statusId = intField(item, 'status_id', path);
    const summary = stringField(item, 'summary', path);
    const clientId = intField(item, 'client_id', path);
    if (statusId !== undefined) requireStatus(store, statusId);
    if (id !== undefined && id > 0) {
      const ticket = store.visibleTicket(id);
      if (!ticket) throw new HaloRefusal(`Ticket ${id} not found.`);
      return { ticket, statusId, summary };
    }
    if (!summary?.trim() || clientId === undefined || !store.state.clients.has(clientId)) {
      throw new HaloRefusal('A new ticket needs a summary and the client_id of an existing client.');
    }
    return { ticket: undefined, statusId, summary, clientId };
  });
  const saved = plans.map((plan) => {
    if (plan.ticket) {
      if (plan.summary !== undefined) plan.ticket.summary = plan.summary;
      if (plan.statusId !== undefined) changeStatus(store, plan.ticket, plan.statusId);
      return plan.ticket;
    }
    const id = Math.max(0, ...store.state.tickets.keys()) + 1;
    const client = store.state.clients.get(plan.clientId as number);
    const team = store.state.teams[0];
    const status = store.state.statuses.find((s) => s.id === (plan.statusId ?? 1)) ?? store.state.statuses[0];
    const ticket: HaloRecord = {
      id,
      summary: plan.summary,
      details: '',
      status_id: status?.id,
      status_name: status?.name,
      tickettype_id: 1,
      tickettype_name: 'Incident',
      client_id: client?.id,
      client_name: client?.name,
      user_id: 0,
      user_name: '',
      team: team?.name ?? '',
      team_id: team?.id ?? 0,
      dateoccurred: store.now(),
      lastactiondate: store.now(),
      customfields: [],
    };
    store.state.tickets.set(id, ticket);
    store.state.actions.set(id, []);
    return ticket;
  });
  // The POST answers with what was saved: the record for one, a list for several (unverified).
  return json(200, saved.length === 1 ? saved[0] : saved);
}
