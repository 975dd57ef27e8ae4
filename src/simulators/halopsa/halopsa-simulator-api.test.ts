import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DemoCompany } from '../../demo/demo-data.js';
import { createManualClock } from '../../lib/clock.js';
import { DEMO_HALO_API_AGENT, demoHaloPsa } from './halopsa-seed.js';
import { createHaloPsaSimulator, type HaloPsaSimulatorOptions } from './halopsa-simulator.js';

const BASE = 'http://halo.test';

async function setup(options: HaloPsaSimulatorOptions = {}) {
  const sim = createHaloPsaSimulator({ clock: createManualClock(), ...options });
  const response = await sim.fetch(`${BASE}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: demoHaloPsa.clientId,
      client_secret: demoHaloPsa.clientSecret,
      scope: 'all',
    }).toString(),
  });
  const { access_token: token } = (await response.json()) as { access_token: string };
  const call = (path: string, init: RequestInit = {}) =>
    sim.fetch(`${BASE}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  const getJson = async (path: string) => {
    const r = await call(path);
    assert.equal(r.status, 200, `${path}: ${r.status} ${await r.clone().text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
  const post = (path: string, body: unknown) => call(path, { method: 'POST', body: JSON.stringify(body) });
  return { sim, call, getJson, post };
}

const manyCompanies = (count: number): DemoCompany[] =>
  Array.from({ length: count }, (_, i) => ({ id: 5000 + i, identifier: `CO${i}`, name: `Company ${i}`, tenantKey: 'none' }));

describe('HaloPSA simulator: records', () => {
  it('returns a ticket, client and user as bare objects with the demo data', async () => {
    const { getJson } = await setup();
    const ticket = await getJson('/api/Tickets/1001?includedetails=true');
    assert.equal(ticket.summary, 'Megan locked out after password expiry');
    assert.equal(ticket.client_id, 250);
    assert.equal(ticket.user_id, 301);
    assert.equal(ticket.status_name, 'New');
    assert.equal(ticket.team, 'Help Desk');
    const client = await getJson('/api/Client/250');
    assert.equal(client.name, 'Contoso Dental');
    const user = await getJson('/api/users/301');
    assert.equal(user.emailaddress, 'megan.bowen@contosodental.example');
    assert.equal(user.client_id, 250);
  });

  it('refuses a path id that is not an integer with a validation problem, and 404s an unknown one', async () => {
    const { call } = await setup();
    const bad = await call('/api/Tickets/abc');
    assert.equal(bad.status, 400);
    const problem = (await bad.json()) as { title: string; errors: Record<string, string[]> };
    assert.equal(problem.title, 'One or more validation errors occurred.');
    assert.deepEqual(Object.keys(problem.errors), ['id']);
    assert.equal((await call('/api/Tickets/99999')).status, 404);
    assert.equal((await call('/api/Client/1.5')).status, 400);
  });

  it('hides tickets of teams the API agent is not in', async () => {
    const { getJson, call } = await setup({ seed: { apiAgent: { ...DEMO_HALO_API_AGENT, teams: ['Help Desk'] } } });
    assert.equal((await call('/api/Tickets/1013')).status, 404, 'ticket 1013 is on the Onboarding team');
    const list = await getJson('/api/Tickets?client_id=251');
    assert.deepEqual(
      (list.tickets as { id: number }[]).map((t) => t.id),
      [1011, 1012],
    );
  });
});

describe('HaloPSA simulator: paging', () => {
  it('pages with pageinate/page_size/page_no and caps a page at 100 whatever page_size says', async () => {
    const { getJson } = await setup({ seed: { companies: manyCompanies(250), contacts: [], tickets: [] } });
    const first = await getJson('/api/Client?pageinate=true&page_size=1000&page_no=1');
    assert.equal((first.clients as unknown[]).length, 100);
    assert.equal(first.record_count, 250);
    assert.equal(first.page_size, 1000, 'the envelope repeats what was asked, which is the trap');
    const third = await getJson('/api/Client?pageinate=true&page_size=100&page_no=3');
    assert.equal((third.clients as { id: number }[]).length, 50);
    assert.equal((third.clients as { id: number }[])[0]?.id, 5200);
    const past = await getJson('/api/Client?pageinate=true&page_size=100&page_no=4');
    assert.deepEqual(past.clients, []);
    const small = await getJson('/api/Client?pageinate=true&page_size=7&page_no=2');
    assert.deepEqual(
      (small.clients as { id: number }[]).map((c) => c.id),
      [5007, 5008, 5009, 5010, 5011, 5012, 5013],
    );
  });

  it('refuses a page number that is not a number', async () => {
    const { call } = await setup();
    const response = await call('/api/Client?pageinate=true&page_no=two');
    assert.equal(response.status, 400);
    assert.deepEqual(Object.keys(((await response.json()) as { errors: object }).errors), ['page_no']);
  });

  it('filters users by client and leaves inactive ones out unless asked', async () => {
    const { sim, getJson } = await setup();
    sim.state.users.get(302)!.inactive = true;
    const users = await getJson('/api/Users?client_id=250&pageinate=true&page_size=100&page_no=1');
    assert.deepEqual(
      (users.users as { id: number }[]).map((u) => u.id),
      [301, 303],
    );
    const all = await getJson('/api/Users?client_id=250&includeinactive=true');
    assert.equal((all.users as unknown[]).length, 3);
  });
});

describe('HaloPSA simulator: agents', () => {
  it('lists agents as a bare array without API agents, and says who the API agent is with its default team', async () => {
    const { call, getJson } = await setup();
    const agents = (await (await call('/api/Agent')).json()) as { id: number; team: string }[];
    assert.deepEqual(
      agents.map((a) => a.id),
      [150, 151],
    );
    const me = await getJson('/api/Agent/me');
    assert.equal(me.id, 199);
    assert.equal(me.team, 'Help Desk');
    assert.equal(me.isapiagent, true);
  });

  it('shows an API agent without a default team no other agents, and one can tell from Agent/me', async () => {
    const { call, getJson } = await setup({ seed: { apiAgent: { ...DEMO_HALO_API_AGENT, team: '' } } });
    assert.deepEqual(await (await call('/api/Agent')).json(), []);
    assert.equal((await getJson('/api/Agent/me')).team, '');
  });

  it('has no "me" when the application logs in as no agent', async () => {
    const { call } = await setup({ seed: { apiAgent: null } });
    assert.equal((await call('/api/Agent/me')).status, 404);
  });
});

describe('HaloPSA simulator: actions (notes)', () => {
  const note = {
    ticket_id: 1001,
    outcome: 'Private Note',
    note_html: '<p>Password reset</p><p>execution ex-1 &amp; done</p>',
    hiddenfromuser: true,
  };

  it('adds an internal note from an array body and lists it with the ticket actions', async () => {
    const { post, getJson } = await setup();
    const response = await post('/api/Actions', [note]);
    assert.equal(response.status, 200);
    const created = (await response.json()) as Record<string, unknown>;
    assert.equal(created.ticket_id, 1001);
    assert.equal(created.hiddenfromuser, true);
    assert.equal(created.outcome_id, 3);
    assert.equal(created.who_agentid, 199);
    assert.equal(created.note, 'Password reset\nexecution ex-1 & done');

    const list = await getJson('/api/Actions?ticket_id=1001');
    const actions = list.actions as Record<string, unknown>[];
    assert.equal(list.record_count, 2, 'the ticket-logged action and the note');
    assert.equal(actions[0]?.id, created.id);
    assert.equal(actions[0]?.note_html, undefined, 'HTML only with includehtmlnote=true');
    const withHtml = await getJson('/api/Actions?ticket_id=1001&includehtmlnote=true');
    assert.equal((withHtml.actions as Record<string, unknown>[])[0]?.note_html, note.note_html);
    const publicOnly = await getJson('/api/Actions?ticket_id=1001&excludeprivate=true');
    assert.equal(publicOnly.record_count, 1);
  });

  it('refuses a body that is not an array, as ASP.NET does, and writes nothing', async () => {
    const { sim, post } = await setup();
    const response = await post('/api/Actions', note);
    assert.equal(response.status, 400);
    const problem = (await response.json()) as { errors: Record<string, string[]> };
    assert.match(problem.errors.$?.[0] ?? '', /could not be converted to System\.Collections\.Generic\.List/);
    assert.equal(sim.state.actions.get(1001)?.length, 1);
  });

  it('refuses ids sent as strings, unknown tickets, outcomes and agents, and empty notes', async () => {
    const { sim, post } = await setup();
    const cases: [unknown, RegExp][] = [
      [[{ ...note, ticket_id: '1001' }], /\$\[0\]\.ticket_id/],
      [[{ ...note, hiddenfromuser: 'true' }], /\$\[0\]\.hiddenfromuser/],
      [[{ ...note, ticket_id: 99999 }], /Ticket 99999 not found/],
      [[{ ...note, outcome: 'Secret Note' }], /not a valid outcome/],
      [[{ ...note, outcome: undefined }], /specify an outcome/],
      [[{ ...note, who_agentid: 4242 }], /Agent 4242/],
      [[{ ...note, note_html: '<p> </p>' }], /enter a note/],
      [[note, { ...note, ticket_id: 'x' }], /\$\[1\]\.ticket_id/],
    ];
    for (const [body, expected] of cases) {
      const response = await post('/api/Actions', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(await response.text(), expected);
    }
    assert.equal(sim.state.actions.get(1001)?.length, 1, 'nothing was written, not even the good first record');
  });

  it('uses the outcome id when given and the named agent as the author', async () => {
    const { post } = await setup();
    const created = (await (
      await post('/api/Actions', [{ ...note, outcome: undefined, outcome_id: 3, who_agentid: 150 }])
    ).json()) as Record<string, unknown>;
    assert.equal(created.outcome, 'Private Note');
    assert.equal(created.who, 'Alex Owens');
  });
});

describe('HaloPSA simulator: status changes', () => {
  it('changes the status with POST /api/Tickets [{id, status_id}] and records it as an action', async () => {
    const { sim, post, getJson } = await setup();
    const response = await post('/api/Tickets', [{ id: 1001, status_id: 8 }]);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { status_name: string }).status_name, 'Resolved');
    assert.equal((await getJson('/api/Tickets/1001')).status_id, 8);
    const last = sim.state.actions.get(1001)?.at(-1);
    assert.equal(last?.note, 'Status changed from New to Resolved');
  });

  it('refuses an unknown status, a string id and a non-array body', async () => {
    const { post } = await setup();
    assert.match(await (await post('/api/Tickets', [{ id: 1001, status_id: 77 }])).text(), /Status 77/);
    assert.equal((await post('/api/Tickets', [{ id: '1001', status_id: 8 }])).status, 400);
    assert.equal((await post('/api/Tickets', { id: 1001, status_id: 8 })).status, 400);
  });

  it('lists the global ticket statuses and the tenant outcomes as bare arrays', async () => {
    const { call } = await setup();
    const statuses = (await (await call('/api/Status?type=ticket')).json()) as { name: string }[];
    assert.ok(statuses.some((s) => s.name === 'Resolved'));
    const outcomes = (await (await call('/api/Outcome')).json()) as { outcome: string }[];
    assert.ok(outcomes.some((o) => o.outcome === 'Private Note'));
  });
});

describe('HaloPSA simulator: permissions and injected failures', () => {
  it('answers 403 for what the API agent may not do, and injected failures', async () => {
    const { sim, call } = await setup({ forbidden: [{ path: '/api/Users' }] });
    assert.equal((await call('/api/Users')).status, 403);
    assert.equal((await call('/api/Users/301')).status, 200);
    sim.failNext('/api/Tickets/*', 503, 1, { retryAfterSeconds: 2 });
    const failed = await call('/api/Tickets/1001');
    assert.equal(failed.status, 503);
    assert.equal(failed.headers.get('retry-after'), '2');
    assert.equal((await call('/api/Tickets/1001')).status, 200);
  });

  it('serves over a real socket', async () => {
    const sim = createHaloPsaSimulator();
    const server = await sim.listen({ port: 0 });
    try {
      const response = await fetch(`${server.url}/api/authinfo`);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { auth_url: string }).auth_url, `${server.url}/auth`);
    } finally {
      await server.close();
    }
  });
});
