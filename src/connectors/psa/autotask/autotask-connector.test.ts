import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withAutotask } from '../../../../test/helpers/autotask-sim.js';
import { rejection } from '../../../../test/helpers/rejection.js';
import { noteMarker } from '../../../engine/compose-ticket-note.js';
import { picklistValue } from '../../../simulators/autotask/autotask-entity-info.js';
import { demoAutotaskApiUser } from '../../../simulators/autotask/autotask-seed.js';
import { autotaskConnector } from './autotask-connector.js';
import { AUTOTASK_ZONE_DISCOVERY_URL } from './autotask-settings.js';

const user = demoAutotaskApiUser;

/** The filter a query request sent. */
const filterOf = (request: { body?: unknown } | undefined) => (request?.body as { filter?: unknown } | undefined)?.filter;

describe('Autotask connector: settings', () => {
  it('defaults zoneDiscoveryUrl to Autotask’s own, completes a bare host, and refuses unknown keys', () => {
    const base = { username: user.username, secret: 's', integrationCode: 'c' };
    assert.equal(autotaskConnector.settings.parse(base).zoneDiscoveryUrl, AUTOTASK_ZONE_DISCOVERY_URL);
    assert.equal(
      autotaskConnector.settings.parse({ ...base, zoneDiscoveryUrl: 'webservices5.autotask.net' }).zoneDiscoveryUrl,
      'https://webservices5.autotask.net/atservicesrest/v1.0/zoneInformation',
    );
    assert.equal(
      autotaskConnector.settings.parse({ ...base, zoneDiscoveryUrl: 'https://webservices5.autotask.net/ATServicesRest/V1.0/' })
        .zoneDiscoveryUrl,
      'https://webservices5.autotask.net/atservicesrest/v1.0/zoneInformation',
    );
    assert.equal(autotaskConnector.settings.safeParse({ ...base, siteUrl: 'x' }).success, false);
    assert.equal(autotaskConnector.settings.safeParse({ username: user.username, secret: 's' }).success, false);
  });

  it('asks in 1Stream’s words, keeps the secret and the code write-only, and takes 3 calls at once per endpoint a screen pop reads', () => {
    const byName = Object.fromEntries(autotaskConnector.fields.map((f) => [f.name, f]));
    assert.equal(byName.username?.label, 'CRM Username');
    assert.equal(byName.secret?.label, 'CRM Password');
    assert.equal(byName.secret?.secret, true);
    assert.equal(byName.integrationCode?.secret, true);
    assert.equal(byName.zoneDiscoveryUrl?.advanced, true);
    // 3 threads per endpoint (the client's endpoint slots) for each of Tickets, Companies, Contacts.
    assert.equal(autotaskConnector.maxConcurrentRequests, 9);
    assert.equal(autotaskConnector.parseId('company', ' 29682885 '), '29682885');
    for (const bad of ['0', '012', '-5', '12abc', 'T20240101.0001', '1234567890123456'])
      assert.equal(autotaskConnector.parseId('company', bad), null, bad);
  });
});

describe('Autotask connector: words, ids and screen pops', () => {
  it('calls technicians resources, takes numeric ids of every kind, and uses 1Stream’s variables', () => {
    assert.equal(autotaskConnector.words.name, 'Autotask');
    assert.deepEqual(autotaskConnector.words.member, { one: 'resource', many: 'resources' });
    assert.deepEqual(autotaskConnector.screenPop, { ticket: '@ticketid', company: '@companyid', contact: '@contactid' });
    for (const kind of ['ticket', 'company', 'contact', 'member'] as const) {
      assert.equal(autotaskConnector.parseId(kind, '29682885'), '29682885', kind);
      assert.equal(autotaskConnector.parseId(kind, 'abc'), null, kind);
      assert.match(autotaskConnector.idFormat[kind], /positive whole number/);
    }
  });

  it('takes a ticket by the number technicians see, too, and only a ticket', () => {
    assert.equal(autotaskConnector.parseId('ticket', ' t20240101.0001 '), 'T20240101.0001');
    assert.equal(autotaskConnector.parseId('ticket', 'T20240101.12345'), 'T20240101.12345');
    for (const bad of ['T2024010.0001', 'T20240101.001', 'T20240101', '20240101.0001', 'T20240101.0001x'])
      assert.equal(autotaskConnector.parseId('ticket', bad), null, bad);
    for (const kind of ['company', 'contact', 'member'] as const) assert.equal(autotaskConnector.parseId(kind, 'T20240101.0001'), null);
    assert.match(autotaskConnector.idFormat.ticket, /T20240101\.0001/);
  });
});

describe('Autotask connector: zone discovery and headers', () => {
  it('discovers the zone once, sends no secret there, and the three headers on every API call', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      await Promise.all([client.getTicket('1001'), client.getCompany('250'), client.getContact('301')]);
      await client.getTicket('1002');
      const discovery = requests('GET', '/atservicesrest/v1.0/zoneInformation');
      assert.equal(discovery.length, 1, 'one discovery, shared and cached');
      assert.equal(discovery[0]?.query.user, user.username);
      assert.equal(discovery[0]?.headers.secret, undefined, 'the secret never goes to zone discovery');
      const api = sim.state.requests.filter((r) => r.path !== '/atservicesrest/v1.0/zoneInformation');
      assert.ok(api.length >= 4);
      for (const call of api) {
        assert.equal(call.authOk, true);
        assert.equal(call.headers.apiintegrationcode, user.integrationCode);
        assert.equal(call.headers.username, user.username);
        assert.equal(call.headers.secret, '[redacted]');
      }
    }));

  it('sends calls to the zone discovery names, whatever host it is on', async () => {
    await withAutotask({}, async (zoneB) => {
      await withAutotask({ sim: { zone: { url: `${zoneB.server.url}/ATServicesRest/`, zoneName: 'Zone B' } } }, async ({ client, sim }) => {
        const ticket = await client.getTicket('1001');
        assert.equal(ticket.summary, 'Megan locked out after password expiry');
        assert.deepEqual(
          sim.state.requests.map((r) => r.path),
          ['/atservicesrest/v1.0/zoneInformation'],
          'only discovery on the first host',
        );
        assert.ok(zoneB.requests('GET', 'Tickets/1001').length === 1);
      });
    });
  });
});

describe('Autotask connector: reads', () => {
  it('maps a ticket: number, title, queue and status names from the picklists, ExecuteCommand link', () =>
    withAutotask({}, async ({ client, server }) => {
      const ticket = await client.getTicket('1001');
      assert.deepEqual(ticket, {
        id: '1001',
        number: ticket.number,
        summary: 'Megan locked out after password expiry',
        queue: 'Help Desk',
        status: 'New',
        companyId: '250',
        contactId: '301',
        url: `${server.url}/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID=1001`,
      });
      assert.match(ticket.number, /^T\d{8}\.0001$/);
      assert.equal(
        client.ticketUrl('1003'),
        `${server.url}/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID=1003`,
      );
    }));

  it('names the ticket type only when it is not the database’s default', () =>
    withAutotask({}, async ({ client, sim }) => {
      assert.equal('type' in (await client.getTicket('1001')), false, 'Service Request is the default type');
      const ticket = sim.state.tickets.get(1002);
      if (ticket) ticket.ticketType = 4;
      assert.equal((await client.getTicket('1002')).type, 'Change Request');
    }));

  it('reads the ticket picklists once, beside the ticket, and keeps them', () =>
    withAutotask({}, async ({ client, requests }) => {
      await client.getTicket('1001');
      await client.getTicket('1002');
      assert.equal(requests('GET', 'Tickets/entityInformation/fields').length, 1);
    }));

  it('maps a company and a contact', () =>
    withAutotask({}, async ({ client, sim }) => {
      assert.deepEqual(await client.getCompany('251'), { id: '251', identifier: 'FABRIKAM', name: 'Fabrikam Logistics' });
      assert.deepEqual(await client.getContact('301'), {
        id: '301',
        firstName: 'Megan',
        lastName: 'Bowen',
        name: 'Megan Bowen',
        email: 'megan.bowen@contosodental.example',
        phones: [{ label: 'Phone', number: '5550101001', extension: undefined }],
        companyId: '250',
        title: 'Practice Manager',
      });
      const diego = sim.state.contacts.get(302);
      if (diego) Object.assign(diego, { emailAddress: '', emailAddress2: 'diego.s@contosodental.example', alternatePhone: '5550109999' });
      const mapped = await client.getContact('302');
      assert.equal(mapped.email, 'diego.s@contosodental.example');
      assert.deepEqual(mapped.phones, [
        { label: 'Mobile', number: '5550101002' },
        { label: 'Alternate', number: '5550109999' },
      ]);
    }));

  it('reports a missing record as not found, whether Autotask answers 404 or {item: null}', async () => {
    for (const missingAsNull of [false, true]) {
      await withAutotask({ sim: { missingAsNull } }, async ({ client }) => {
        const error = await rejection(client.getTicket('999'));
        assert.equal(error.code, 'TBX_ERR_PSA_NOT_FOUND');
        assert.equal(error.httpStatus, 404);
        assert.equal(error.message, 'Ticket 999 was not found in Autotask.');
        assert.equal(error.upstream?.status, missingAsNull ? 200 : 404);
      });
    }
  });

  it('rejects ids that are not Autotask ids before calling', () =>
    withAutotask({}, async ({ client, sim }) => {
      const error = await rejection(client.getContact('12abc'));
      assert.equal(error.code, 'TBX_ERR_PSA_BAD_ID');
      assert.equal(sim.state.requests.length, 0);
    }));

  it('lists resources across nextPageUrl pages of 500', async () => {
    const members = Array.from({ length: 1100 }, (_, i) => ({
      id: 1000 + i,
      identifier: `tech${i}`,
      firstName: 'Tech',
      lastName: String(i),
      email: `tech${i}@msp.example`,
    }));
    await withAutotask({ sim: { seed: { members } } }, async ({ client, requests, sim }) => {
      const tech = sim.state.resources.get(1001);
      if (tech) tech.isActive = false;
      const listed = await client.listMembers();
      assert.equal(listed.length, 1101, 'the technicians and the API user');
      assert.deepEqual(
        listed.find((m) => m.id === '1001'),
        { id: '1001', identifier: 'tech1', name: 'Tech 1', email: 'tech1@msp.example', inactive: true },
      );
      assert.equal(requests('POST', 'Resources/query').length, 1);
      assert.equal(requests('GET', 'Resources/query/next').length, 2);
    });
  });

  it('follows a next page with POST when the server refuses GET there', () =>
    withAutotask(
      {
        sim: {
          nextPageMethod: 'POST',
          seed: {
            companies: Array.from({ length: 700 }, (_, i) => ({ id: 5000 + i, identifier: `C${i}`, name: `Co ${i}`, tenantKey: 'x' })),
          },
        },
      },
      async ({ client, requests }) => {
        assert.equal((await client.listCompanies()).length, 700);
        assert.deepEqual(
          requests('GET', 'Companies/query/next').map((r) => r.status),
          [405],
        );
        assert.deepEqual(
          requests('POST', 'Companies/query/next').map((r) => r.status),
          [200],
        );
      },
    ));

  it('lists active companies only, asking Autotask for them with a boolean', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      const adatum = sim.state.companies.get(252);
      if (adatum) adatum.isActive = false;
      const companies = await client.listCompanies();
      assert.deepEqual(
        companies.map((c) => c.id),
        ['250', '251', '253'],
      );
      assert.deepEqual(filterOf(requests('POST', 'Companies/query')[0]), [{ op: 'eq', field: 'isActive', value: true }]);
    }));

  it('counts the e-mail domains of active contacts per company', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      const pat = sim.state.contacts.get(303);
      if (pat) pat.isActive = 0;
      const domains = await client.listContactEmailDomains!(['250', '251', '999', 'not-an-id']);
      assert.deepEqual(domains, {
        '250': { contactsWithEmail: 2, domains: { 'contosodental.example': 2 } },
        '251': { contactsWithEmail: 3, domains: { 'fabrikamlogistics.example': 2, 'gmail.example': 1 } },
        '999': { contactsWithEmail: 0, domains: {} },
        'not-an-id': { contactsWithEmail: 0, domains: {} },
      });
      const [query] = requests('POST', 'Contacts/query');
      assert.deepEqual(filterOf(query), [
        { op: 'in', field: 'companyID', value: [250, 251, 999] },
        { op: 'eq', field: 'isActive', value: 1 },
      ]);
    }));
});

describe('Autotask connector: a ticket named by its number', () => {
  it('reads it with one query, links it by number, and writes, finds and moves by the id it looked up once', () =>
    withAutotask({}, async ({ client, sim, requests, server }) => {
      const number = String(sim.state.tickets.get(1002)?.ticketNumber);
      assert.match(number, /^T\d{8}\.\d{4}$/);
      const ticket = await client.getTicket(number.toLowerCase());
      assert.equal(ticket.id, '1002');
      assert.equal(ticket.number, number);
      assert.equal(requests('GET', /^Tickets\/\d+$/).length, 0, 'no second read by id');
      assert.deepEqual(filterOf(requests('POST', 'Tickets/query')[0]), [{ op: 'eq', field: 'ticketNumber', value: number }]);
      assert.equal(
        client.ticketUrl(number),
        `${server.url}/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketNumber=${number}`,
      );

      const marker = noteMarker('ex-9');
      const note = await client.addTicketNote(number, {
        lines: ['Done.', `Run by Alex Owens from a screen pop${marker}`],
        visibility: 'internal',
      });
      assert.equal(sim.state.ticketNotes.get(Number(note.id))?.ticketID, 1002);
      assert.deepEqual(await client.findTicketNote(number, marker), note);
      await client.setTicketStatus!(number, 'In Progress');
      assert.equal(sim.state.tickets.get(1002)?.status, 8);
      assert.equal(requests('POST', 'Tickets/query').length, 1, 'the number was looked up once');
    }));

  it('an unknown number is a ticket not found, in the technician’s words', () =>
    withAutotask({}, async ({ client, sim }) => {
      const error = await rejection(client.getTicket('T19990101.0001'));
      assert.equal(error.code, 'TBX_ERR_PSA_NOT_FOUND');
      assert.equal(error.message, 'Ticket T19990101.0001 was not found in Autotask.');
      const noteError = await rejection(client.addTicketNote('T19990101.0001', { lines: ['x'], visibility: 'internal' }));
      assert.equal(noteError.code, 'TBX_ERR_PSA_NOT_FOUND');
      assert.equal(sim.state.ticketNotes.size, 0);
    }));
});

describe('Autotask connector: notes', () => {
  const lines = ['Technician Toolbox: Password reset for Megan Bowen succeeded.', 'Run by Alex Owens; execution ex-1.', '1. Reset: OK'];

  it('writes an internal note: title, plain-text lines, and noteType and publish from this database’s picklists', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      const result = await client.addTicketNote('1001', { lines, visibility: 'internal' });
      const stored = sim.state.ticketNotes.get(Number(result.id));
      assert.equal(stored?.ticketID, 1001);
      const [post] = requests('POST', 'Tickets/1001/Notes');
      assert.deepEqual(post?.body, {
        ticketID: 1001,
        title: 'Technician Toolbox: Password reset for Megan Bowen succeeded.',
        description: lines.join('\n'),
        // 'Internal Notes' and 'Internal Only' in the simulated database: neither is 1.
        noteType: 29682790,
        publish: 2,
      });
      assert.equal(post?.headers['content-type'], 'application/json');
      assert.equal(post?.headers.impersonationresourceid, undefined);
    }));

  it('uses whatever codes the database has for an internal publish value', () =>
    withAutotask(
      {
        sim: {
          picklists: {
            'TicketNotes.publish': [
              picklistValue(11, 'All Autotask Users', { isDefaultValue: true }),
              picklistValue(12, 'Internal & Co-managed'),
              picklistValue(13, 'Internal Only'),
            ],
            'TicketNotes.noteType': [picklistValue(40, 'Task Notes', { isDefaultValue: true })],
          },
        },
      },
      async ({ client, requests }) => {
        await client.addTicketNote('1002', { lines: ['Done.'], visibility: 'internal' });
        await client.addTicketNote('1002', { lines: ['Your authenticator was reset.'], visibility: 'customer' });
        const bodies = requests('POST', 'Tickets/1002/Notes').map((r) => r.body as { publish: number; noteType: number });
        assert.deepEqual(
          bodies.map((b) => [b.publish, b.noteType]),
          [
            [13, 40],
            [11, 40],
          ],
        );
      },
    ));

  it('attributes a note to the technician’s resource, and an inactive one is an author refusal (Autotask’s 500 kept)', () =>
    withAutotask({}, async ({ client, sim }) => {
      const { id } = await client.addTicketNote('1001', { lines: ['x'], visibility: 'internal', author: { id: '150', display: 'aowens' } });
      assert.equal(sim.state.ticketNotes.get(Number(id))?.creatorResourceID, 150);
      const bailey = sim.state.resources.get(151);
      if (bailey) bailey.isActive = false;
      const error = await rejection(
        client.addTicketNote('1001', { lines: ['y'], visibility: 'internal', author: { id: '151', display: 'bkim' } }),
      );
      assert.equal(error.code, 'TBX_ERR_PSA_AUTHOR_REFUSED');
      assert.equal(error.retryable, false);
      assert.equal(error.upstream?.status, 500);
      assert.match(error.message, /resource 151 is inactive/);
      assert.equal(sim.state.ticketNotes.size, 1);
    }));

  it('a security level without impersonation, or a resource id that is none, is an author refusal too', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      sim.state.apiUser.impersonationAllowed = false;
      const error = await rejection(
        client.addTicketNote('1001', { lines: ['x'], visibility: 'internal', author: { id: '150', display: 'aowens' } }),
      );
      assert.equal(error.code, 'TBX_ERR_PSA_AUTHOR_REFUSED');
      assert.match(error.upstream?.message ?? '', /not allowed to impersonate/);
      const posts = requests('POST', 'Tickets/1001/Notes').length;
      const bad = await rejection(
        client.addTicketNote('1001', { lines: ['x'], visibility: 'internal', author: { id: 'bkim', display: 'bkim' } }),
      );
      assert.equal(bad.code, 'TBX_ERR_PSA_AUTHOR_REFUSED');
      assert.equal(requests('POST', 'Tickets/1001/Notes').length, posts, 'nothing sent');
      // Without a resource, the same kind of refusal is not about the author, and a server fault never is.
      sim.failNext('Tickets/1001/Notes', 500, 1, { method: 'POST', body: { errors: ['title is required.'] } });
      assert.equal(
        (await rejection(client.addTicketNote('1001', { lines: ['x'], visibility: 'internal' }))).code,
        'TBX_ERR_PSA_BAD_REQUEST',
      );
      sim.state.apiUser.impersonationAllowed = true;
      sim.failNext('Tickets/1001/Notes', 503, 1, { method: 'POST', body: {} });
      const fault = await rejection(
        client.addTicketNote('1001', { lines: ['x'], visibility: 'internal', author: { id: '150', display: 'aowens' } }),
      );
      assert.equal(fault.code, 'TBX_ERR_PSA_UNAVAILABLE');
      assert.equal(sim.state.ticketNotes.size, 0);
    }));

  it('never sends a note POST twice, whatever the answer', async () => {
    for (const status of [500, 503, 429]) {
      await withAutotask({}, async ({ client, sim, requests, delays }) => {
        sim.failNext('Tickets/1001/Notes', status, 5, { method: 'POST', retryAfterSeconds: 1, body: {} });
        const error = await rejection(client.addTicketNote('1001', { lines: ['x'], visibility: 'internal' }));
        assert.equal(error.retryable, true, `${status}`);
        assert.equal(requests('POST', 'Tickets/1001/Notes').length, 1, `${status}`);
        assert.deepEqual(delays, []);
      });
    }
  });

  it('a lost answer: the note landed, the error says it may have, and findTicketNote finds it before any second write', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      const marker = 'execution ex-42';
      const noteLines = ['Technician Toolbox: Offboarding for Lee Gu succeeded.', `Run by Alex Owens from a screen pop; ${marker}.`];
      sim.failNext('Tickets/1001/Notes', 0, 1, { method: 'POST', afterApply: true, dropConnection: true });
      const error = await rejection(client.addTicketNote('1001', { lines: noteLines, visibility: 'internal' }));
      assert.equal(error.code, 'TBX_ERR_PSA_UNAVAILABLE');
      assert.equal(error.retryable, true);
      assert.match(error.message, /may or may not have been saved/);
      assert.equal(sim.state.ticketNotes.size, 1, 'Autotask saved it');

      // What the note retry does: look first, write only if nothing is there.
      const found = await client.findTicketNote('1001', marker);
      const [saved] = sim.state.ticketNotes.values();
      assert.deepEqual(found, { id: String(saved?.id) });
      assert.equal(requests('POST', 'Tickets/1001/Notes').length, 1);
      const [query] = requests('POST', 'TicketNotes/query');
      assert.deepEqual(filterOf(query), [
        { op: 'eq', field: 'ticketID', value: 1001 },
        { op: 'contains', field: 'description', value: marker },
      ]);
    }));

  it('finds nothing when no note of this ticket carries the marker', () =>
    withAutotask({}, async ({ client }) => {
      await client.addTicketNote('1002', { lines: ['execution ex-7'], visibility: 'internal' });
      await client.addTicketNote('1001', { lines: ['execution ex-8'], visibility: 'internal' });
      assert.equal(await client.findTicketNote('1001', 'execution ex-7'), null);
      assert.notEqual(await client.findTicketNote('1002', 'execution ex-7'), null);
    }));

  it('finds a note by its exact marker: a re-run’s note naming the original run is not the original’s note', () =>
    withAutotask({}, async ({ client }) => {
      const rerun = await client.addTicketNote('1001', {
        lines: [
          'Technician Toolbox: Password reset for Megan Bowen succeeded.',
          `Run by Alex Owens again, as a re-run of execution W-1${noteMarker('X_1')}`,
        ],
        visibility: 'internal',
      });
      assert.equal(await client.findTicketNote('1001', noteMarker('W-1')), null);
      assert.deepEqual(await client.findTicketNote('1001', noteMarker('X_1')), rerun);
      assert.equal(await client.findTicketNote('1001', noteMarker('X')), null);
      const original = await client.addTicketNote('1001', {
        lines: ['Done.', `Run by Alex Owens from a screen pop${noteMarker('W-1')}`],
        visibility: 'internal',
      });
      assert.deepEqual(await client.findTicketNote('1001', noteMarker('W-1')), original);
    }));

  it('reads the note picklists again after Autotask refused a value that changed', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      await client.addTicketNote('1001', { lines: ['first'], visibility: 'internal' });
      // An administrator retires the "Internal Notes" note type.
      const types = sim.state.picklists['TicketNotes.noteType'] ?? [];
      for (const value of types) if (value.label === 'Internal Notes') value.isActive = false;
      const error = await rejection(client.addTicketNote('1001', { lines: ['second'], visibility: 'internal' }));
      assert.equal(error.code, 'TBX_ERR_PSA_BAD_REQUEST');
      assert.match(error.message, /noteType is not a valid picklist value/);
      await client.addTicketNote('1001', { lines: ['third'], visibility: 'internal' });
      assert.equal(requests('GET', 'TicketNotes/entityInformation/fields').length, 2);
      assert.deepEqual(
        requests('POST', 'Tickets/1001/Notes').map((r) => (r.body as { noteType: number }).noteType),
        [29682790, 29682790, 1],
      );
    }));
});

describe('Autotask connector: ticket status', () => {
  it('sets a status by its name from the picklist with PATCH {id, status}', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      await client.setTicketStatus!('1001', 'in progress');
      assert.equal(sim.state.tickets.get(1001)?.status, 8);
      assert.deepEqual(requests('PATCH', 'Tickets')[0]?.body, { id: 1001, status: 8 });
      assert.equal((await client.getTicket('1001')).status, 'In Progress');
    }));

  it('names the active statuses when there is none by that name, inactive ones included', () =>
    withAutotask({}, async ({ client, requests }) => {
      for (const name of ['Closed', 'Escalated']) {
        const error = await rejection(client.setTicketStatus!('1001', name));
        assert.equal(error.code, 'TBX_ERR_PSA_STATUS_UNKNOWN');
        assert.equal(
          error.message,
          `Autotask has no active ticket status called '${name}'. Its statuses are: New, In Progress, Waiting on Client, Resolved, Scheduled, Completed.`,
        );
      }
      assert.equal(requests('PATCH', 'Tickets').length, 0);
    }));
});

describe('Autotask connector: failures', () => {
  it('explains refused credentials (401) without echoing them', () =>
    withAutotask({ settings: { secret: 'wrong-secret-value' } }, async ({ client }) => {
      const error = await rejection(client.getTicket('1001'));
      assert.equal(error.code, 'TBX_ERR_PSA_AUTH');
      assert.equal(error.upstream?.status, 401);
      assert.match(error.message, /CRM Username .* CRM Password .* integration code/);
      assert.match(error.message, /not locked/);
      assert.doesNotMatch(JSON.stringify({ message: error.message, upstream: error.upstream }), /wrong-secret-value|DEMOTOOLBOX/);
    }));

  it('explains an unknown username and a wrong integration code at zone discovery', async () => {
    await withAutotask({ settings: { username: 'someone@northwind-it.example' } }, async ({ client }) => {
      const error = await rejection(client.getCompany('250'));
      assert.equal(error.code, 'TBX_ERR_PSA_CONFIG');
      assert.equal(error.upstream?.status, 500);
      assert.match(error.message, /does not know that username/);
    });
    await withAutotask({ settings: { integrationCode: 'NOT-OUR-CODE' } }, async ({ client }) => {
      const error = await rejection(client.getCompany('250'));
      assert.equal(error.code, 'TBX_ERR_PSA_AUTH');
      assert.match(error.message, /integration code/);
    });
  });

  it('explains a security level that does not allow a read (403)', () =>
    withAutotask({ sim: { forbidden: [{ path: 'Contacts/*' }] } }, async ({ client }) => {
      const error = await rejection(client.getContact('301'));
      assert.equal(error.code, 'TBX_ERR_PSA_FORBIDDEN');
      assert.match(error.message, /security level/);
    }));

  it('keeps at most 3 calls at once per endpoint, so Autotask never refuses a 4th', () =>
    withAutotask({ sim: { latencyMs: 40 } }, async ({ client, requests }) => {
      const ids = ['1001', '1002', '1003', '1011', '1012', '1013', '1021'];
      const tickets = await Promise.all(ids.map((id) => client.getTicket(id)));
      assert.deepEqual(
        tickets.map((t) => t.id),
        ids,
      );
      assert.equal(requests('GET', /^Tickets\//).filter((r) => r.status === 429).length, 0);
    }));

  it('retries a read refused by the thread limit (another toolbox instance shares the code)', () =>
    withAutotask({}, async ({ client, sim, requests }) => {
      sim.failNext('Tickets/1001', 429, 1, {
        body: { errors: ['Thread Threshold Exceeded: the API thread threshold of 3 threads has been exceeded.'] },
      });
      assert.equal((await client.getTicket('1001')).id, '1001');
      assert.deepEqual(
        requests('GET', 'Tickets/1001').map((r) => r.status),
        [429, 200],
      );
    }));

  it('logs each call at debug without the secret or the integration code', async () => {
    const lines: string[] = [];
    await withAutotask({ logLines: lines }, async ({ client }) => {
      await client.getTicket('1001');
      await client.addTicketNote('1001', { lines: ['x'], visibility: 'internal' });
    });
    const calls = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === 'autotask call');
    assert.ok(calls.some((c) => c.path === '/ATServicesRest/V1.0/Tickets/1001' && c.status === 200));
    const all = lines.join('\n');
    assert.equal(all.includes(user.secret), false);
    assert.equal(all.includes(user.integrationCode), false);
  });
});
