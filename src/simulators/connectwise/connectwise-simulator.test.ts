import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoMsp } from '../../demo/demo-data.js';
import { createManualClock } from '../../lib/clock.js';
import { type ConnectWiseSimulatorOptions, createConnectWiseSimulator } from './connectwise-simulator.js';

const BASE = 'https://api-na.cw.test/v2025_1/apis/3.0';
const AUTH = `Basic ${Buffer.from(`${demoMsp.connectWiseCompanyId}+${demoMsp.publicKey}:${demoMsp.privateKey}`).toString('base64')}`;
const ACCEPT = 'application/vnd.connectwise.com+json; version=2025.1, application/json';

function setup(options: ConnectWiseSimulatorOptions = {}) {
  const clock = createManualClock();
  const sim = createConnectWiseSimulator({ clock, ...options });
  const call = async (method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; base?: string } = {}) => {
    const response = await sim.fetch(`${init.base ?? BASE}${path}`, {
      method,
      headers: {
        authorization: AUTH,
        clientId: demoMsp.clientId,
        accept: ACCEPT,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : null };
  };
  return { sim, clock, call };
}

const errorBody = (body: unknown) => body as { code: string; message: string; errors: { message: string }[] | null };

describe('ConnectWise simulator: lookup, auth, versioning', () => {
  it('serves companyinfo without auth, with IsCloud as a string', async () => {
    const { sim } = setup();
    const response = await sim.fetch('https://na.cw.test/login/companyinfo/northwind');
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.Codebase, 'v2025_1/');
    assert.equal(body.IsCloud, 'False');
    const cloud = setup({ cloudMode: true });
    const cloudBody = (await (await cloud.sim.fetch('https://na.cw.test/login/companyinfo/northwind')).json()) as Record<string, unknown>;
    assert.equal(cloudBody.IsCloud, 'True');
    assert.equal((await sim.fetch('https://na.cw.test/login/companyinfo/someoneelse')).status, 404);
  });

  it('also answers through the Hono app', async () => {
    const { sim } = setup();
    const response = await sim.app.request('/login/companyinfo/northwind');
    assert.equal(response.status, 200);
  });

  it('rejects bad Basic credentials and a missing clientId with 401, or 404 in cloud mode', async () => {
    const { call } = setup();
    const bad = await call('GET', '/system/info', {
      headers: { authorization: `Basic ${Buffer.from('northwind+x:y').toString('base64')}` },
    });
    assert.equal(bad.status, 401);
    assert.equal(errorBody(bad.body).code, 'Unauthorized');
    assert.equal(errorBody(bad.body).errors, null);
    const noClient = await call('GET', '/system/info', { headers: { clientId: '' } });
    assert.equal(noClient.status, 401);
    assert.match(errorBody(noClient.body).message, /clientId/);
    const cloud = setup({ cloudMode: true });
    assert.equal((await cloud.call('GET', '/system/info', { headers: { clientId: 'wrong' } })).status, 404);
    assert.equal((await cloud.call('GET', '/system/info')).status, 200);
  });

  it('answers "SSL is required." to a host without the api- prefix when asked to', async () => {
    const { call } = setup({ requireApiHostPrefix: true });
    const wrong = await call('GET', '/system/info', { base: 'https://na.cw.test/v2025_1/apis/3.0' });
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body, { code: 'Security', message: 'SSL is required.', errors: null });
    assert.equal((await call('GET', '/system/info')).status, 200);
  });

  it('reads the version from Accept only when the vendor type comes first', async () => {
    const { sim, call } = setup();
    const pinned = await call('GET', '/system/info');
    assert.match(pinned.headers.get('content-type') ?? '', /version=2025\.1/);
    assert.equal(sim.state.requests.at(-1)?.apiVersion, '2025.1');
    await call('GET', '/system/info', { headers: { accept: 'application/json, application/vnd.connectwise.com+json; version=2025.1' } });
    assert.equal(sim.state.requests.at(-1)?.apiVersion, '2025.8');
    await call('GET', '/system/info', { headers: { accept: 'application/json' } });
    assert.equal(sim.state.requests.at(-1)?.apiVersion, '2025.8');
    for (const version of ['3.0.0', '0.0']) {
      const rejected = await call('GET', '/system/info', {
        headers: { accept: `application/vnd.connectwise.com+json; version=${version}` },
      });
      assert.equal(rejected.status, 400);
      assert.match(errorBody(rejected.body).message, /does not support the API version '0\.0'/);
    }
    const future = await call('GET', '/system/info', { headers: { accept: 'application/vnd.connectwise.com+json; version=2031.1' } });
    assert.match(errorBody(future.body).message, /does not support the API version '2031\.1'/);
  });

  it('accepts v4_6_release/ and rejects another codebase', async () => {
    const { call } = setup();
    assert.equal((await call('GET', '/system/info', { base: 'https://api-na.cw.test/v4_6_release/apis/3.0' })).status, 200);
    assert.equal((await call('GET', '/system/info', { base: 'https://api-na.cw.test/v2019_1/apis/3.0' })).status, 404);
  });

  it('logs requests without the Authorization value', async () => {
    const { sim, call } = setup();
    await call('GET', '/system/info');
    const entry = sim.state.requests.at(-1);
    assert.equal(entry?.headers.authorization, 'Basic [redacted]');
    assert.equal(entry?.basicAuthOk, true);
    assert.equal(entry?.headers.clientid, demoMsp.clientId);
  });
});

describe('ConnectWise simulator: lists and paging', () => {
  const manyCompanies = Array.from({ length: 60 }, (_, i) => ({ id: 500 + i, identifier: `C${i}`, name: `Company ${i}`, tenantKey: 'x' }));

  it('returns arrays, 25 per page by default, with first/prev/next/last links', async () => {
    const { call } = setup({ seed: { companies: manyCompanies } });
    const first = await call('GET', '/company/companies');
    assert.equal((first.body as unknown[]).length, 25);
    const link = first.headers.get('link') ?? '';
    assert.match(link, /page=1&pageSize=25>; rel="first"/);
    assert.match(link, /page=2&pageSize=25>; rel="next"/);
    assert.match(link, /page=3&pageSize=25>; rel="last"/);
    assert.doesNotMatch(link, /rel="prev"/);
    const middle = await call('GET', '/company/companies?page=2');
    assert.match(middle.headers.get('link') ?? '', /page=1&pageSize=25>; rel="prev"/);
    const last = await call('GET', '/company/companies?page=3');
    assert.equal((last.body as unknown[]).length, 10);
    assert.doesNotMatch(last.headers.get('link') ?? '', /rel="next"/);
    const single = await call('GET', '/company/companies?conditions=id=500');
    assert.ok(Array.isArray(single.body));
    assert.equal((single.body as unknown[]).length, 1);
  });

  it('caps pageSize at 1000 and rejects a bad page', async () => {
    const members = Array.from({ length: 1200 }, (_, i) => ({
      id: 1000 + i,
      identifier: `m${i}`,
      firstName: 'M',
      lastName: `${i}`,
      email: '',
    }));
    const { call } = setup({ seed: { members } });
    const page = await call('GET', '/system/members?pageSize=5000');
    assert.equal((page.body as unknown[]).length, 1000);
    assert.equal((await call('GET', '/system/members?page=0')).status, 400);
  });

  it('supports forward-only paging with pageId and rejects orderBy there', async () => {
    const { call } = setup({ seed: { companies: manyCompanies } });
    const headers = { 'pagination-type': 'forward-only' };
    const first = await call('GET', '/company/companies?pageSize=50', { headers });
    const rows = first.body as { id: number }[];
    assert.equal(rows.length, 50);
    const next = first.headers.get('link') ?? '';
    assert.match(next, /pageId=549/);
    const second = await call('GET', '/company/companies?pageSize=50&pageId=549', { headers });
    assert.deepEqual(
      (second.body as { id: number }[]).map((r) => r.id),
      Array.from({ length: 10 }, (_, i) => 550 + i),
    );
    const rejected = await call('GET', '/company/companies?orderBy=name', { headers });
    assert.equal(rejected.status, 400);
  });

  it('filters with conditions, orders, and returns partial fields', async () => {
    const { call } = setup();
    const conditions = encodeURIComponent(
      'board/name="Help Desk" and status/name in ("New","In Progress") and summary contains \'password\'',
    );
    const result = await call('GET', `/service/tickets?conditions=${conditions}&orderBy=id desc&fields=id,summary,board/name`);
    assert.equal(result.status, 200);
    assert.deepEqual(
      (result.body as { id: number }[]).map((t) => t.id),
      [1033, 1022, 1012, 1003, 1001],
    );
    assert.deepEqual(Object.keys((result.body as object[])[0] ?? {}).sort(), ['board', 'id', 'summary']);
    const count = await call('GET', `/service/tickets/count?conditions=${encodeURIComponent('board/id=2')}`);
    assert.deepEqual(count.body, { count: 1 });
  });

  it('answers a bad condition with 400 and the {code,message,errors} shape', async () => {
    const { call } = setup();
    const mismatch = await call('GET', `/service/tickets?conditions=${encodeURIComponent('closedFlag=1')}`);
    assert.equal(mismatch.status, 400);
    assert.match(errorBody(mismatch.body).message, /^Expected a boolean value, not a numeric\./);
    assert.ok('errors' in (mismatch.body as object));
    const syntax = await call('GET', `/service/tickets?conditions=${encodeURIComponent('summary = "open')}`);
    assert.equal(syntax.status, 400);
    assert.equal(typeof errorBody(syntax.body).code, 'string');
  });

  it('finds a contact by e-mail with childConditions on communicationItems', async () => {
    const { call } = setup();
    const child = encodeURIComponent(
      'communicationItems/value="diego@contosodental.example" AND communicationItems/communicationType="Email"',
    );
    const found = await call('GET', `/company/contacts?childConditions=${child}`);
    assert.deepEqual(
      (found.body as { id: number }[]).map((c) => c.id),
      [302],
    );
    // The value and the type must hold for the same item: a phone number is not an e-mail.
    const mixed = encodeURIComponent('communicationItems/value="5550101001" AND communicationItems/communicationType="Email"');
    assert.deepEqual((await call('GET', `/company/contacts?childConditions=${mixed}`)).body, []);
  });

  it('answers childConditions on a company without contacts with an empty list, and still checks the query', async () => {
    const { call } = setup({ seed: { contacts: [] } });
    const child = encodeURIComponent('communicationItems/value="nobody@example.test" AND communicationItems/communicationType="Email"');
    const none = await call('GET', `/company/contacts?childConditions=${child}`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, []);
    // A wrong type is still a 400, with or without records to look at.
    const wrongType = await call('GET', `/company/contacts?childConditions=${encodeURIComponent('communicationItems/defaultFlag="yes"')}`);
    assert.equal(wrongType.status, 400);
  });

  it('keeps statuses per board', async () => {
    const { call } = setup();
    const helpDesk = await call('GET', `/service/boards/1/statuses?conditions=${encodeURIComponent('name="New"')}`);
    const onboarding = await call('GET', `/service/boards/2/statuses?conditions=${encodeURIComponent("name='New'")}`);
    assert.equal((helpDesk.body as { id: number }[])[0]?.id, 11);
    assert.equal((onboarding.body as { id: number }[])[0]?.id, 21);
  });
});

describe('ConnectWise simulator: records, notes and PATCH', () => {
  it('answers a missing record with 404 {code,message,errors}', async () => {
    const { call } = setup();
    const missing = await call('GET', '/service/tickets/999');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { code: 'NotFound', message: 'Ticket recid 999 not found', errors: null });
    assert.equal((await call('GET', '/service/tickets/2001')).status, 404, 'a project ticket is not a service ticket');
    assert.equal((await call('GET', '/project/tickets/2001')).status, 200);
  });

  it('answers a security-role denial with 403 {code,message,errors}', async () => {
    const { call } = setup({ forbidden: [{ method: 'GET', path: '/company/contacts/*' }] });
    const denied = await call('GET', '/company/contacts/301');
    assert.equal(denied.status, 403);
    assert.equal(typeof errorBody(denied.body).message, 'string');
    assert.equal(errorBody(denied.body).errors, null);
  });

  it('creates a note with 201, collapsing newlines to spaces', async () => {
    const { sim, call } = setup();
    const created = await call('POST', '/service/tickets/1001/notes', {
      body: { text: 'line one\nline two\r\nline three', internalAnalysisFlag: true, detailDescriptionFlag: false, resolutionFlag: false },
    });
    assert.equal(created.status, 201);
    const note = created.body as { id: number; text: string; internalAnalysisFlag: boolean; ticketId: number };
    assert.equal(note.text, 'line one line two line three');
    assert.equal(note.internalAnalysisFlag, true);
    assert.equal(note.ticketId, 1001);
    assert.equal(sim.state.notes.get(1001)?.length, 1);
    const listed = await call('GET', '/service/tickets/1001/notes');
    assert.deepEqual(
      (listed.body as { id: number }[]).map((n) => n.id),
      [note.id],
    );
  });

  it('filters notes by text even before the ticket has any, and rejects unknown note fields', async () => {
    const { call } = setup();
    const empty = await call('GET', `/service/tickets/1001/notes?conditions=${encodeURIComponent('text contains "execution abc"')}`);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, []);
    await call('POST', '/service/tickets/1001/notes', { body: { text: 'done | execution abc', internalAnalysisFlag: true } });
    await call('POST', '/service/tickets/1001/notes', { body: { text: 'something else', internalAnalysisFlag: true } });
    const found = await call('GET', `/service/tickets/1001/notes?conditions=${encodeURIComponent('text contains "execution abc"')}`);
    assert.deepEqual(
      (found.body as { text: string }[]).map((n) => n.text),
      ['done | execution abc'],
    );
    const unknown = await call('GET', `/service/tickets/1001/notes?conditions=${encodeURIComponent('nosuch = 1')}`);
    assert.equal(unknown.status, 400);
  });

  it('refuses a note with all three display flags false', async () => {
    const { sim, call } = setup();
    const refused = await call('POST', '/service/tickets/1001/notes', {
      body: { text: 'hidden', internalAnalysisFlag: false, detailDescriptionFlag: false, resolutionFlag: false },
    });
    assert.equal(refused.status, 400);
    const body = errorBody(refused.body);
    assert.equal(body.code, 'InvalidObject');
    assert.equal(body.message, 'serviceNote object is invalid');
    assert.equal(body.errors?.[0]?.message, 'Please choose where to display the notes in order to save this record.');
    assert.equal(sim.state.notes.size, 0);
  });

  it('changes the status with a CW patch array, scoped to the board', async () => {
    const { sim, call } = setup();
    const patched = await call('PATCH', '/service/tickets/1001', { body: [{ op: 'replace', path: 'status', value: { id: 12 } }] });
    assert.equal(patched.status, 200);
    assert.deepEqual(sim.state.tickets.get(1001)?.status, { id: 12, name: 'In Progress' });
    const otherBoard = await call('PATCH', '/service/tickets/1001', { body: [{ op: 'replace', path: 'status', value: { id: 22 } }] });
    assert.equal(otherBoard.status, 400);
    assert.deepEqual(sim.state.tickets.get(1001)?.status, { id: 12, name: 'In Progress' });
  });

  it('gives a false 200 on a sub-path and rejects RFC 6902 or wrong-case paths', async () => {
    const { sim, call } = setup();
    const before = structuredClone(sim.state.tickets.get(1001));
    const falseOk = await call('PATCH', '/service/tickets/1001', { body: [{ op: 'replace', path: 'company/identifier', value: 'OTHER' }] });
    assert.equal(falseOk.status, 200);
    assert.deepEqual(sim.state.tickets.get(1001), before);
    assert.equal(
      (await call('PATCH', '/service/tickets/1001', { body: [{ op: 'replace', path: '/status', value: { id: 12 } }] })).status,
      400,
    );
    assert.equal(
      (await call('PATCH', '/service/tickets/1001', { body: [{ op: 'replace', path: 'Status', value: { id: 12 } }] })).status,
      400,
    );
    assert.equal((await call('PATCH', '/service/tickets/1001', { body: { status: { id: 12 } } })).status, 400);
  });

  it('replaces customFields wholesale', async () => {
    const { sim, call } = setup();
    const fields = [{ id: 9, caption: 'Other', type: 'Text', entryMethod: 'EntryField', numberOfDecimals: 0, value: 'x' }];
    assert.equal(
      (await call('PATCH', '/service/tickets/1001', { body: [{ op: 'replace', path: 'customFields', value: fields }] })).status,
      200,
    );
    assert.deepEqual(sim.state.tickets.get(1001)?.customFields, fields);
  });
});

describe('ConnectWise simulator: throttling and injected failures', () => {
  it('answers 429 with Retry-After and the non-standard body beyond the budget', async () => {
    const { call, clock } = setup({ rateLimit: { requests: 2, windowMs: 10_000 } });
    assert.equal((await call('GET', '/system/info')).status, 200);
    assert.equal((await call('GET', '/system/info')).status, 200);
    const limited = await call('GET', '/system/info');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '10');
    assert.deepEqual(limited.body, { error: 'ConnectWiseAPI', message: 'Too many requests. Please try again in 10 seconds.' });
    clock.advance(10_000);
    assert.equal((await call('GET', '/system/info')).status, 200);
  });

  it('fails the next matching requests on demand', async () => {
    const { sim, call } = setup();
    sim.failNext('/service/tickets/*', 503, 2, { method: 'GET' });
    assert.equal((await call('GET', '/service/tickets/1001')).status, 503);
    assert.equal((await call('GET', '/service/tickets/1002')).status, 503);
    assert.equal((await call('GET', '/service/tickets/1001')).status, 200);
  });

  it('serves over a real socket and honours latency', async () => {
    const { sim } = setup({ latencyMs: 20 });
    const server = await sim.listen({ port: 0 });
    try {
      const started = Date.now();
      const response = await fetch(`${server.url}/login/companyinfo/northwind`);
      assert.equal(response.status, 200);
      await response.text();
      assert.ok(Date.now() - started >= 15);
    } finally {
      await server.close();
    }
  });
});
