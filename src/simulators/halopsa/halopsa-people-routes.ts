import { listResponse } from './halopsa-paging.js';
import { boolParam, HaloRefusal, intParam, json } from './halopsa-responses.js';
import { type HaloRouteContext, methodNotAllowed, notFound, pathId, routeNotFound } from './halopsa-route.js';
import type { HaloRecord } from './halopsa-seed.js';

/**
 * Clients (`Area`), their users (`Users`, the contacts) and agents (`Uname`, the technicians).
 * Clients and users are listed in Halo's paged envelope; agents, like the other lookups, as a
 * bare array with no paging parameters (the spec's `/Agent` list has none).
 */
const includes = (value: unknown, search: string) =>
  String(value ?? '')
    .toLowerCase()
    .includes(search);

export function clientRoutes({ store, method, segments, url }: HaloRouteContext): Response {
  if (method !== 'GET') throw methodNotAllowed();
  const [, rawId, ...rest] = segments;
  if (rest.length > 0) throw routeNotFound();
  if (rawId !== undefined) {
    const id = pathId(rawId);
    const client = store.state.clients.get(id);
    if (!client) throw notFound('Client', id);
    return json(200, client);
  }
  const params = url.searchParams;
  const includeInactive = boolParam(params, 'includeinactive') === true;
  const includeActive = boolParam(params, 'includeactive') !== false;
  const topLevel = intParam(params, 'toplevel_id');
  const search = params.get('search')?.toLowerCase();
  const rows = [...store.state.clients.values()]
    .filter(
      (c) =>
        (c.inactive === true ? includeInactive : includeActive) &&
        (topLevel === undefined || c.toplevel_id === topLevel) &&
        (!search || includes(c.name, search)),
    )
    .sort((a, b) => a.id - b.id);
  return listResponse(params, 'clients', rows);
}

export function userRoutes({ store, method, segments, url }: HaloRouteContext): Response {
  if (method !== 'GET') throw methodNotAllowed();
  const [, rawId, ...rest] = segments;
  if (rest.length > 0) throw routeNotFound();
  if (rawId !== undefined) {
    const id = pathId(rawId);
    const user = store.state.users.get(id);
    if (!user) throw notFound('User', id);
    return json(200, user);
  }
  const params = url.searchParams;
  const clientId = intParam(params, 'client_id');
  const siteId = intParam(params, 'site_id');
  const includeInactive = boolParam(params, 'includeinactive') === true;
  const search = params.get('search')?.toLowerCase();
  const rows = [...store.state.users.values()]
    .filter(
      (u) =>
        (includeInactive || u.inactive !== true) &&
        (clientId === undefined || u.client_id === clientId) &&
        (siteId === undefined || u.site_id === siteId) &&
        (!search || includes(u.name, search) || includes(u.emailaddress, search)),
    )
    .sort((a, b) => a.id - b.id);
  return listResponse(params, 'users', rows);
}

export function agentRoutes({ store, method, segments, url }: HaloRouteContext): Response {
  if (method !== 'GET') throw methodNotAllowed();
  const [, rawId, ...rest] = segments;
  if (rest.length > 0) throw routeNotFound();
  if (rawId?.toLowerCase() === 'me') {
    const me = store.apiAgent();
    // The application logs in as no agent (or a deleted one): nobody is "me" (answer unverified).
    if (!me) throw new HaloRefusal('No agent is associated with this API application.', 404);
    return json(200, me);
  }
  if (rawId !== undefined) {
    const id = pathId(rawId);
    const agent = store.state.agents.get(id);
    if (!agent) throw notFound('Agent', id);
    return json(200, agent);
  }
  const me = store.apiAgent();
  // 1Stream's Halo guide: "If you fail to select a team, the agent will not have access to view
  // other agents and the setup will fail." An API agent without a default team sees none.
  if (me && String(me.team ?? '').trim() === '') return json(200, []);
  const params = url.searchParams;
  const includeApiAgents = boolParam(params, 'includeapiagents') === true;
  // Declared as strings in the spec; "true" is what clients send.
  const includeDisabled = (params.get('includedisabled') ?? '').toLowerCase() === 'true';
  const search = params.get('search')?.toLowerCase();
  const team = params.get('team')?.toLowerCase();
  const rows = [...store.state.agents.values()]
    .filter(
      (a: HaloRecord) =>
        (includeApiAgents || a.isapiagent !== true) &&
        (includeDisabled || a.isdisabled !== true) &&
        (!search || includes(a.name, search) || includes(a.email, search)) &&
        (!team || String(a.team).toLowerCase() === team),
    )
    .sort((a, b) => a.id - b.id);
  return json(200, rows);
}

/** `/api/Status`, `/api/Outcome`, `/api/Team`: the tenant's lookups, bare arrays. */
export function lookupRoutes({ store, method, segments }: HaloRouteContext): Response {
  if (method !== 'GET') throw methodNotAllowed();
  const [resource = '', rawId, ...rest] = segments;
  if (rest.length > 0) throw routeNotFound();
  const lists: Record<string, HaloRecord[]> = {
    status: store.state.statuses,
    outcome: store.state.outcomes,
    team: store.state.teams,
  };
  const rows = lists[resource.toLowerCase()];
  if (!rows) throw routeNotFound();
  if (rawId === undefined) return json(200, rows);
  const id = pathId(rawId);
  const row = rows.find((r) => r.id === id);
  if (!row) throw notFound(resource, id);
  return json(200, row);
}
