import { htmlToText, textToHtml } from './halopsa-html.js';
import { boolField, boolParam, HaloRefusal, intField, intParam, json, readArrayBody, stringField } from './halopsa-responses.js';
import { type HaloRouteContext, methodNotAllowed, notFound, pathId, routeNotFound } from './halopsa-route.js';
import type { HaloRecord } from './halopsa-seed.js';
import type { HaloStore } from './halopsa-store.js';
import { requireStatus } from './halopsa-ticket-routes.js';

/**
 * `/api/Actions`: a ticket's notes and other actions (reference §4). A note is added with a POST
 * whose body is an ARRAY of actions, even for one; each names its ticket, an outcome (by id or by
 * the tenant's own name), the note as HTML (`note_html`) or text (`note`), and `hiddenfromuser`
 * for an internal note. There is no idempotency key: a POST sent twice writes two actions.
 */
export async function actionRoutes(context: HaloRouteContext): Promise<Response> {
  const { store, method, segments, url } = context;
  const [, rawId, ...rest] = segments;
  if (rest.length > 0) throw routeNotFound();
  if (method === 'POST' && rawId === undefined) return addActions(context);
  if (method !== 'GET') throw methodNotAllowed();
  const params = url.searchParams;
  const withHtml = boolParam(params, 'includehtmlnote') === true;
  const shape = (action: HaloRecord) => (withHtml ? action : withoutHtml(action));
  const ticketId = intParam(params, 'ticket_id');
  if (rawId !== undefined) {
    const id = pathId(rawId);
    const action = visibleActions(store, ticketId).find((a) => a.id === id);
    if (!action) throw notFound('Action', id);
    return json(200, shape(action));
  }
  const excludePrivate = boolParam(params, 'excludeprivate') === true;
  const count = intParam(params, 'count');
  // Newest first, as the ticket screen shows them (order unverified: clients must not rely on it).
  let rows = visibleActions(store, ticketId)
    .filter((a) => !excludePrivate || a.hiddenfromuser !== true)
    .sort((a, b) => b.id - a.id);
  const total = rows.length;
  if (count !== undefined && count >= 0) rows = rows.slice(0, count);
  return json(200, { record_count: total, actions: rows.map(shape) });
}

function withoutHtml(action: HaloRecord): HaloRecord {
  const { note_html: _html, ...rest } = action;
  return rest as HaloRecord;
}

/** The actions of one visible ticket, or of every visible ticket when none is named. */
function visibleActions(store: HaloStore, ticketId: number | undefined): HaloRecord[] {
  if (ticketId !== undefined) return store.visibleTicket(ticketId) ? (store.state.actions.get(ticketId) ?? []) : [];
  return store.visibleTickets().flatMap((ticket) => store.state.actions.get(ticket.id) ?? []);
}

async function addActions({ store, request, entry }: HaloRouteContext): Promise<Response> {
  const items = await readArrayBody(request, 'Actions');
  entry.body = items;
  if (items.length === 0) throw new HaloRefusal('No actions were given.');
  // Checked in full before anything is written: a refused request writes nothing.
  const planned = items.map((item, index) => planAction(store, item, `$[${index}]`));
  const saved = planned.map(({ ticket, action, newStatus }) => {
    const record: HaloRecord = { id: store.nextActionId(), ...action, datetime: store.now() };
    if (newStatus !== undefined && newStatus.id !== ticket.status_id) {
      record.old_status = ticket.status_id;
      record.new_status = newStatus.id;
      record.new_status_name = newStatus.name;
      ticket.status_id = newStatus.id;
      ticket.status_name = newStatus.name;
    }
    ticket.lastactiondate = store.now();
    const list = store.state.actions.get(ticket.id) ?? [];
    list.push(record);
    store.state.actions.set(ticket.id, list);
    return record;
  });
  // Whether Halo answers with the record or a list is unverified (reference §4): one record for
  // one action, a list for several.
  return json(200, saved.length === 1 ? saved[0] : saved);
}

function planAction(
  store: HaloStore,
  item: Record<string, unknown>,
  path: string,
): { ticket: HaloRecord; action: Omit<HaloRecord, 'id'>; newStatus?: HaloRecord } {
  const ticketId = intField(item, 'ticket_id', path);
  if (ticketId === undefined || ticketId <= 0) throw new HaloRefusal('Please specify the ticket_id of the action.');
  const ticket = store.visibleTicket(ticketId);
  if (!ticket) throw new HaloRefusal(`Ticket ${ticketId} not found.`);

  const outcomeId = intField(item, 'outcome_id', path);
  const outcomeName = stringField(item, 'outcome', path);
  const outcome =
    outcomeId !== undefined && outcomeId > 0
      ? store.state.outcomes.find((o) => o.id === outcomeId)
      : outcomeName
        ? store.state.outcomes.find((o) => String(o.outcome).toLowerCase() === outcomeName.trim().toLowerCase())
        : undefined;
  if (!outcome) {
    throw new HaloRefusal(
      outcomeId !== undefined || outcomeName
        ? `Outcome '${outcomeId ?? outcomeName}' is not a valid outcome.`
        : 'Please specify an outcome.',
    );
  }

  const noteHtml = stringField(item, 'note_html', path);
  const note = stringField(item, 'note', path);
  const html = noteHtml?.trim() ? noteHtml : note?.trim() ? textToHtml(note) : '';
  const plain = noteHtml?.trim() ? htmlToText(noteHtml) : (note ?? '');
  if (plain.trim() === '') throw new HaloRefusal('Please enter a note.');

  const whoId = intField(item, 'who_agentid', path);
  const apiAgent = store.apiAgent();
  let who = apiAgent;
  if (whoId !== undefined && whoId > 0) {
    who = store.state.agents.get(whoId);
    if (!who || who.isdisabled === true) throw new HaloRefusal(`Agent ${whoId} is not a valid agent.`);
  }
  const newStatusId = intField(item, 'new_status', path);
  const newStatus = newStatusId !== undefined && newStatusId > 0 ? requireStatus(store, newStatusId) : undefined;

  return {
    ticket,
    newStatus,
    action: {
      ticket_id: ticketId,
      outcome: outcome.outcome,
      outcome_id: outcome.id,
      who: who?.name ?? 'API',
      who_type: 1,
      who_agentid: who?.id ?? 0,
      note: plain,
      note_html: html,
      // An outcome can hide its actions from the end user by itself; the flag can too.
      hiddenfromuser: boolField(item, 'hiddenfromuser', path) ?? outcome.hidefromuser === true,
      sendemail: boolField(item, 'sendemail', path) ?? false,
      important: boolField(item, 'important', path) ?? false,
    },
  };
}
