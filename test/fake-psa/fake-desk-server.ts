/**
 * "FakeDesk": a small PSA that exists only in the tests, with words, ids and an API unlike any of
 * the real three (incidents, customers, requesters, agents; ids such as INC-1001). Its connector
 * (beside this file) is registered by the test alone, to prove that a fourth PSA is one folder and
 * one registry line. The API keeps state, checks its key and tenant, and records every request.
 */
export type FakeDeskNote = { id: string; body: string; private: boolean; agentId: string | null };

export type FakeDeskState = {
  incidents: Map<string, { id: string; title: string; queue: string; state: string; customerId: string; requesterId: string }>;
  customers: Map<string, { id: string; code: string; name: string }>;
  requesters: Map<string, { id: string; givenName: string; familyName: string; email: string; phone: string; customerId: string }>;
  agents: Map<string, { id: string; handle: string; fullName: string; email: string; active: boolean }>;
  notes: Map<string, FakeDeskNote[]>;
  requests: { method: string; path: string }[];
  /** The next calls to a path answer this status (a PSA that is down). */
  failNext: { path: string; status: number; times: number } | null;
};

export const FAKE_DESK_API_KEY = 'fake-desk-api-key-7d41';
export const FAKE_DESK_TENANT = 'northwind';

export function createFakeDesk() {
  const state: FakeDeskState = {
    incidents: new Map([
      [
        'INC-1001',
        {
          id: 'INC-1001',
          title: 'Megan cannot sign in',
          queue: 'Front line',
          state: 'Waiting for agent',
          customerId: 'CUST-7',
          requesterId: 'REQ-301',
        },
      ],
      [
        'INC-1002',
        { id: 'INC-1002', title: 'New starter', queue: 'Onboarding', state: 'Open', customerId: 'CUST-7', requesterId: 'REQ-301' },
      ],
    ]),
    customers: new Map([
      ['CUST-7', { id: 'CUST-7', code: 'CONTOSO', name: 'Contoso Dental' }],
      ['CUST-8', { id: 'CUST-8', code: 'FABRIKAM', name: 'Fabrikam Logistics' }],
    ]),
    requesters: new Map([
      [
        'REQ-301',
        {
          id: 'REQ-301',
          givenName: 'Megan',
          familyName: 'Bowen',
          email: 'megan.bowen@contosodental.example',
          phone: '555 0101',
          customerId: 'CUST-7',
        },
      ],
    ]),
    agents: new Map([
      ['AG-151', { id: 'AG-151', handle: 'bkim', fullName: 'Bailey Kim', email: 'tech@northwind-it.example', active: true }],
      ['AG-150', { id: 'AG-150', handle: 'aowens', fullName: 'Alex Owens', email: 'admin@northwind-it.example', active: true }],
    ]),
    notes: new Map(),
    requests: [],
    failNext: null,
  };
  let nextNote = 1;

  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const notFound = (what: string) => json(404, { error: 'not_found', detail: `${what} does not exist` });

  async function handler(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    state.requests.push({ method: request.method, path });
    if (request.headers.get('x-api-key') !== FAKE_DESK_API_KEY) return json(401, { error: 'unauthorized', detail: 'bad API key' });
    if (request.headers.get('x-tenant') !== FAKE_DESK_TENANT) return json(403, { error: 'wrong_tenant', detail: 'unknown tenant' });
    if (state.failNext && state.failNext.path === path && state.failNext.times > 0) {
      state.failNext.times--;
      return json(state.failNext.status, { error: 'unavailable' });
    }
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'api') return notFound(path);
    const [, collection, id, sub] = parts;
    if (request.method === 'GET' && collection === 'incidents' && id && !sub) {
      const incident = state.incidents.get(id);
      return incident ? json(200, incident) : notFound(`incident ${id}`);
    }
    if (request.method === 'GET' && collection === 'customers' && id) {
      const customer = state.customers.get(id);
      return customer ? json(200, customer) : notFound(`customer ${id}`);
    }
    if (request.method === 'GET' && collection === 'customers') return json(200, [...state.customers.values()]);
    if (request.method === 'GET' && collection === 'requesters' && id) {
      const requester = state.requesters.get(id);
      return requester ? json(200, requester) : notFound(`requester ${id}`);
    }
    if (request.method === 'GET' && collection === 'agents') return json(200, [...state.agents.values()]);
    if (collection === 'incidents' && id && sub === 'notes') {
      if (!state.incidents.has(id)) return notFound(`incident ${id}`);
      if (request.method === 'GET') return json(200, state.notes.get(id) ?? []);
      if (request.method === 'POST') {
        const body = (await request.json()) as { body?: unknown; private?: unknown; agentId?: unknown };
        if (typeof body.body !== 'string' || body.body.trim() === '') return json(422, { error: 'invalid', detail: 'body is required' });
        if (body.private !== true && body.private !== false) return json(422, { error: 'invalid', detail: 'private is required' });
        if (body.agentId !== undefined && !state.agents.get(String(body.agentId))?.active)
          return json(422, { error: 'invalid', detail: `agent ${String(body.agentId)} cannot write notes` });
        const note: FakeDeskNote = {
          id: `N-${nextNote++}`,
          body: body.body,
          private: body.private,
          agentId: body.agentId === undefined ? null : String(body.agentId),
        };
        state.notes.set(id, [...(state.notes.get(id) ?? []), note]);
        return json(201, note);
      }
    }
    return notFound(path);
  }

  return { state, handler };
}
