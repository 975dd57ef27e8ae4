import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '../../lib/clock.js';
import { picklistValue } from './autotask-entity-info.js';
import { demoAutotaskApiUser } from './autotask-seed.js';
import { type AutotaskSimulator, type AutotaskSimulatorOptions, createAutotaskSimulator } from './autotask-simulator.js';

const ZONE = 'https://webservices5.at.test';
const API = `${ZONE}/ATServicesRest/V1.0`;
const authHeaders = {
  ApiIntegrationCode: demoAutotaskApiUser.integrationCode,
  UserName: demoAutotaskApiUser.username,
  Secret: demoAutotaskApiUser.secret,
  'Content-Type': 'application/json',
};

function setup(options: AutotaskSimulatorOptions = {}) {
  const clock = createManualClock();
  const sim = createAutotaskSimulator({ clock, usageLatencyMs: [0, 0], ...options });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = authHeaders) => {
    const response = await sim.fetch(path.startsWith('http') ? path : `${API}/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, data: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  return { sim, clock, call };
}

const everything = [{ op: 'gte', field: 'id', value: 0 }];

type Answer = { data: Record<string, unknown> | null };
const itemOf = (answer: Answer) => (answer.data?.item ?? {}) as Record<string, unknown>;
const itemsOf = (answer: Answer) => (answer.data?.items ?? []) as Record<string, unknown>[];
const pageOf = (answer: Answer) => (answer.data?.pageDetails ?? {}) as Record<string, unknown>;
const errorsOf = (answer: Answer) => (answer.data?.errors ?? []) as string[];

describe('Autotask simulator: zone discovery and authentication', () => {
  it('answers zone discovery without credentials, with the zone URL to append V1.0 to', async () => {
    const { call } = setup();
    const zone = await call(
      'GET',
      `https://webservices.at.test/atservicesrest/v1.0/zoneInformation?user=${demoAutotaskApiUser.username}`,
      undefined,
      {},
    );
    assert.equal(zone.status, 200);
    assert.deepEqual(zone.data, {
      zoneName: 'Simulated Zone 5',
      url: 'https://webservices.at.test/ATServicesRest/',
      webUrl: 'https://webservices.at.test/',
      ci: 30595,
    });
  });

  it('answers an unknown user and a wrong integration code with 500 and the vendor messages', async () => {
    const { call } = setup();
    const unknown = await call(
      'GET',
      'https://webservices.at.test/atservicesrest/v1.0/zoneInformation?user=nobody@x.example',
      undefined,
      {},
    );
    assert.equal(unknown.status, 500);
    assert.deepEqual(unknown.data, { errors: ['Zone information could not be determined'] });
    const badCode = await call(
      'GET',
      `https://webservices.at.test/atservicesrest/v1.0/zoneInformation?user=${demoAutotaskApiUser.username}`,
      undefined,
      { ApiIntegrationCode: 'WRONG' },
    );
    assert.equal(badCode.status, 500);
    assert.deepEqual(badCode.data, { errors: ['IntegrationCode is invalid.'] });
  });

  it('refuses a call missing any of the three headers, or with a wrong one, with an empty 401', async () => {
    const { call, sim } = setup();
    for (const drop of ['ApiIntegrationCode', 'UserName', 'Secret']) {
      const headers = Object.fromEntries(Object.entries(authHeaders).filter(([name]) => name !== drop));
      const answer = await call('GET', 'Tickets/1001', undefined, headers);
      assert.equal(answer.status, 401, `without ${drop}`);
      assert.equal(answer.text, '');
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic Realm=/);
    }
    const wrong = await call('GET', 'Tickets/1001', undefined, { ...authHeaders, Secret: 'nope' });
    assert.equal(wrong.status, 401);
    sim.state.apiUser.locked = true;
    assert.equal((await call('GET', 'Tickets/1001')).status, 401, 'a locked API user is refused the same way');
    assert.ok(sim.state.requests.every((r) => r.headers.secret === undefined || r.headers.secret === '[redacted]'));
  });
});

describe('Autotask simulator: envelopes and queries', () => {
  it('wraps a single read in {item}, writes dates without Z, and types isActive per entity', async () => {
    const { call } = setup();
    const ticket = await call('GET', 'Tickets/1001');
    const item = itemOf(ticket);
    assert.equal(item.title, 'Megan locked out after password expiry');
    assert.match(String(item.createDate), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    assert.equal(itemOf(await call('GET', 'Companies/250')).isActive, true);
    assert.equal(itemOf(await call('GET', 'Contacts/301')).isActive, 1);
  });

  it('answers a missing id with 404, or {item: null} when configured so', async () => {
    assert.equal((await setup().call('GET', 'Tickets/999')).status, 404);
    const asNull = await setup({ missingAsNull: true }).call('GET', 'Tickets/999');
    assert.deepEqual([asNull.status, asNull.data], [200, { item: null }]);
  });

  it('pages a query 500 rows at a time with an absolute nextPageUrl followed by GET', async () => {
    const companies = Array.from({ length: 1203 }, (_, i) => ({ id: 5000 + i, identifier: `C${i}`, name: `Company ${i}`, tenantKey: 'x' }));
    const { call } = setup({ seed: { companies } });
    const first = await call('POST', 'Companies/query', { filter: everything, IncludeFields: ['id', 'companyName'] });
    const items = itemsOf(first);
    const details = pageOf(first);
    assert.equal(items.length, 500);
    assert.deepEqual(items[0], { id: 5000, companyName: 'Company 0' });
    assert.equal(details.count, 500);
    assert.match(String(details.nextPageUrl), /^https:\/\/webservices5\.at\.test\/ATServicesRest\/V1\.0\/Companies\/query\/next\?/);
    const second = await call('GET', String(details.nextPageUrl));
    const third = await call('GET', String(pageOf(second).nextPageUrl));
    assert.equal(itemsOf(second).length, 500);
    assert.equal(itemsOf(third).at(-1)?.id, 6202);
    assert.equal(pageOf(third).nextPageUrl, null);
    const post = await call('POST', String(details.nextPageUrl));
    assert.equal(post.status, 405, 'the reference says GET');
  });

  it('takes the query as GET ?search= too, and counts', async () => {
    const { call } = setup();
    const search = encodeURIComponent(JSON.stringify({ filter: [{ op: 'eq', field: 'companyID', value: 250 }] }));
    const got = await call('GET', `Contacts/query?search=${search}`);
    assert.deepEqual(
      itemsOf(got).map((c) => c.id),
      [301, 302, 303],
    );
    const count = await call('POST', 'Contacts/query/count', { filter: [{ op: 'eq', field: 'companyID', value: 250 }] });
    assert.deepEqual(count.data, { queryCount: 3 });
  });

  it('refuses bad queries as validation errors: HTTP 500 with errors[]', async () => {
    const { call } = setup();
    const cases: [unknown, RegExp][] = [
      [{}, /needs a filter/],
      [{ filter: [{ op: 'eq', field: 'nosuch', value: 1 }] }, /Unable to find nosuch in the Tickets entity/],
      [{ filter: everything, MaxRecords: 501 }, /MaxRecords must be a whole number from 1 to 500/],
      [{ filter: everything, IncludeFields: ['nosuch'] }, /Unable to find nosuch/],
    ];
    for (const [body, message] of cases) {
      const answer = await call('POST', 'Tickets/query', body);
      assert.equal(answer.status, 500);
      assert.match(errorsOf(answer)[0] ?? '', message);
    }
  });
});

describe('Autotask simulator: notes and ticket writes', () => {
  it('creates a note under its ticket, checked against the picklists, and answers {itemId}', async () => {
    const { call, sim } = setup();
    const answer = await call('POST', 'Tickets/1001/Notes', {
      ticketID: 1001,
      title: 'Toolbox',
      description: 'line 1\nline 2',
      noteType: 29682790,
      publish: 2,
    });
    assert.equal(answer.status, 200);
    const id = answer.data?.itemId as number;
    const stored = sim.state.ticketNotes.get(id);
    assert.deepEqual([stored?.ticketID, stored?.description, stored?.publish, stored?.creatorResourceID], [1001, 'line 1\nline 2', 2, 199]);
    const listed = await call('GET', 'Tickets/1001/Notes');
    assert.deepEqual(
      itemsOf(listed).map((n) => n.id),
      [id],
    );
  });

  it('refuses a note whose noteType or publish is not an active value of this database, and stores nothing', async () => {
    const { call, sim } = setup();
    for (const body of [
      { title: 't', description: 'd', noteType: 29682791, publish: 2 },
      { title: 't', description: 'd', noteType: 1, publish: 3 },
      { title: 't', description: 'd', noteType: 1 },
      { title: '', description: 'd', noteType: 1, publish: 2 },
      { title: 't', description: '', noteType: 1, publish: 2 },
    ]) {
      const answer = await call('POST', 'Tickets/1001/Notes', body);
      assert.equal(answer.status, 500, JSON.stringify(body));
      assert.ok(Array.isArray(answer.data?.errors));
    }
    assert.equal(sim.state.ticketNotes.size, 0);
    assert.equal(
      (await call('POST', 'TicketNotes', { ticketID: 1001, title: 't', description: 'd', noteType: 1, publish: 2 })).status,
      404,
    );
  });

  it('attributes a note to an impersonated resource, and refuses an inactive one', async () => {
    const { call, sim } = setup();
    const note = { title: 't', description: 'd', noteType: 1, publish: 2 };
    const ok = await call('POST', 'Tickets/1001/Notes', note, { ...authHeaders, ImpersonationResourceId: '150' });
    const stored = sim.state.ticketNotes.get(ok.data?.itemId as number);
    assert.deepEqual([stored?.creatorResourceID, stored?.impersonatorCreatorResourceID], [150, 199]);
    const tech = sim.state.resources.get(151);
    if (tech) tech.isActive = false;
    const refused = await call('POST', 'Tickets/1001/Notes', note, { ...authHeaders, ImpersonationResourceId: '151' });
    assert.equal(refused.status, 500);
    assert.match(errorsOf(refused)[0] ?? '', /inactive/);
  });

  it('changes a status with PATCH {id, status} from the picklist only', async () => {
    const { call, sim } = setup();
    assert.deepEqual((await call('PATCH', 'Tickets', { id: 1001, status: 8 })).data, { itemId: 1001 });
    assert.equal(sim.state.tickets.get(1001)?.status, 8);
    const inactive = await call('PATCH', 'Tickets', { id: 1001, status: 29682999 });
    assert.equal(inactive.status, 500);
    assert.equal((await call('PATCH', 'Tickets', [{ op: 'replace', path: 'status', value: 5 }])).status, 500);
    assert.equal(sim.state.tickets.get(1001)?.status, 8);
  });

  it('serves the picklists of this database from entityInformation/fields', async () => {
    const publish = [picklistValue(7, 'Internal Only'), picklistValue(9, 'All Autotask Users', { isDefaultValue: true })];
    const { call } = setup({ picklists: { 'TicketNotes.publish': publish } });
    const fields = (await call('GET', 'TicketNotes/entityInformation/fields')).data?.fields as { name: string; picklistValues: unknown }[];
    assert.deepEqual(fields.find((f) => f.name === 'publish')?.picklistValues, publish);
  });
});

describe('Autotask simulator: limits', () => {
  let sim: AutotaskSimulator;
  let server: Awaited<ReturnType<AutotaskSimulator['listen']>>;
  before(async () => {
    sim = createAutotaskSimulator({ latencyMs: 150, usageLatencyMs: [0, 0] });
    server = await sim.listen({ port: 0 });
  });
  after(async () => {
    await server.close();
  });

  it('refuses a 4th concurrent request to one endpoint over HTTP, while another endpoint still answers', async () => {
    const get = (path: string) => fetch(`${server.url}/ATServicesRest/V1.0/${path}`, { headers: authHeaders });
    const answers = await Promise.all([
      get('Tickets/1001'),
      get('Tickets/1002'),
      get('Tickets/1003'),
      get('Tickets/1004'),
      get('Companies/250'),
    ]);
    const statuses = answers.map((r) => r.status);
    assert.deepEqual(statuses.slice(0, 4).sort(), [200, 200, 200, 429]);
    assert.equal(statuses[4], 200);
    const refused = answers.find((r) => r.status === 429);
    assert.match(JSON.stringify(await refused?.json()), /thread threshold of 3 threads/);
    // Threads are given back: a later call passes.
    assert.equal((await get('Tickets/1001')).status, 200);
  });

  it('counts requests, reports them at ThresholdInformation, and refuses every call at the threshold', async () => {
    const { call, sim: small, clock } = setup({ requestThreshold: 5 });
    small.state.threshold.addExternal(2);
    await call('GET', 'Tickets/1001');
    const info = await call('GET', 'ThresholdInformation');
    assert.deepEqual(info.data, { externalRequestThreshold: 5, requestThresholdTimeframe: 60, currentTimeframeRequestCount: 4 });
    assert.equal((await call('GET', 'Companies/250')).status, 200);
    const refused = await call('GET', 'Companies/250');
    assert.equal(refused.status, 429);
    assert.match(errorsOf(refused)[0] ?? '', /request threshold of 5 requests per 60 minutes/);
    clock.advance(60 * 60_000 + 1);
    assert.equal((await call('GET', 'Companies/250')).status, 200, 'the rolling hour forgets old requests');
  });
});
