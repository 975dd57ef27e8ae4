import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withHalo } from '../../../../test/helpers/halopsa-harness.js';
import { rejection } from '../../../../test/helpers/rejection.js';
import type { DemoCompany } from '../../../demo/demo-data.js';
import { noteMarker } from '../../../engine/compose-ticket-note.js';
import { DEMO_HALO_API_AGENT, demoHaloPsa } from '../../../simulators/halopsa/halopsa-seed.js';

const manyCompanies = (count: number): DemoCompany[] =>
  Array.from({ length: count }, (_, i) => ({ id: 5000 + i, identifier: `CO${i}`, name: `Company ${i}`, tenantKey: 'none' }));

describe('HaloPSA connector: reads over HTTP', () => {
  it('reads a ticket with a client-credentials token and maps it', async () => {
    await withHalo({}, async ({ client, url, requests }) => {
      assert.deepEqual(await client.getTicket('1001'), {
        id: '1001',
        number: '#1001',
        summary: 'Megan locked out after password expiry',
        queue: 'Help Desk',
        status: 'New',
        type: 'Incident',
        companyId: '250',
        companyName: 'Contoso Dental',
        contactId: '301',
        contactName: 'Megan Bowen',
        url: `${url}/tickets?id=1001`,
      });
      const [token] = requests('POST', '/auth/token');
      assert.equal(token?.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.deepEqual(token?.body, { grant_type: 'client_credentials', scope: 'all', has_client_secret: true });
      assert.deepEqual(token?.query, {}, 'a self-hosted instance gets no tenant');
      const [read] = requests('GET', '/api/Tickets/1001');
      assert.equal(read?.headers.authorization, 'Bearer [redacted]');
      assert.equal(read?.query.includedetails, 'true');
    });
  });

  it('maps a client and a user (contact) with their phones', async () => {
    await withHalo({}, async ({ client }) => {
      assert.deepEqual(await client.getCompany('250'), { id: '250', name: 'Contoso Dental' });
      assert.deepEqual(await client.getContact('302'), {
        id: '302',
        firstName: 'Diego',
        lastName: 'Siciliani',
        name: 'Diego Siciliani',
        email: 'diego@contosodental.example',
        phones: [{ label: 'Mobile', number: '5550101002' }],
        companyId: '250',
        companyName: 'Contoso Dental',
        title: 'Dentist',
      });
    });
  });

  it('splits a user known only by its full name', async () => {
    await withHalo({}, async ({ sim, client }) => {
      const user = sim.state.users.get(311)!;
      user.firstname = '';
      user.surname = '';
      user.name = 'Lidia Holloway';
      const contact = await client.getContact('311');
      assert.equal(contact.firstName, 'Lidia');
      assert.equal(contact.lastName, 'Holloway');
    });
  });

  it('shares one token between parallel reads, keeps it, and renews it shortly before it expires', async () => {
    await withHalo({}, async ({ sim, client, clock }) => {
      await Promise.all([client.getTicket('1001'), client.getCompany('250'), client.getContact('301')]);
      await client.getTicket('1002');
      assert.equal(sim.tokensIssued(), 1);
      clock.advance(3600_000 - 61_000);
      await client.getTicket('1003');
      assert.equal(sim.tokensIssued(), 1, 'still more than a minute left');
      clock.advance(2_000);
      await client.getTicket('1003');
      assert.equal(sim.tokensIssued(), 2, 'renewed within the last minute');
    });
  });

  it('asks for a new token once when Halo refuses the cached one, then carries on', async () => {
    await withHalo({}, async ({ sim, client, requests }) => {
      await client.getTicket('1001');
      sim.tokens.clear();
      const ticket = await client.getTicket('1002');
      assert.equal(ticket.id, '1002');
      assert.equal(sim.tokensIssued(), 2);
      assert.deepEqual(
        requests('GET', '/api/Tickets/1002').map((r) => r.status),
        [401, 200],
      );
    });
  });

  it('gives up after one new token when Halo keeps answering 401', async () => {
    await withHalo({}, async ({ sim, client, requests }) => {
      sim.failNext('/api/Tickets/1001', 401, 5);
      const error = await rejection(client.getTicket('1001'));
      assert.equal(error.code, 'TBX_ERR_PSA_AUTH');
      assert.equal(error.upstream?.status, 401);
      assert.equal(requests('GET', '/api/Tickets/1001').length, 2);
      assert.equal(sim.tokensIssued(), 2);
    });
  });

  it('reports an unknown or hidden ticket as not found, and refuses a malformed id before calling', async () => {
    await withHalo({ sim: { seed: { apiAgent: { ...DEMO_HALO_API_AGENT, teams: ['Help Desk'] } } } }, async ({ sim, client }) => {
      const missing = await rejection(client.getTicket('99999'));
      assert.equal(missing.code, 'TBX_ERR_PSA_NOT_FOUND');
      assert.equal(missing.upstream?.status, 404);
      assert.match(missing.message, /Ticket 99999 was not found in HaloPSA/);
      const hidden = await rejection(client.getTicket('1013'));
      assert.equal(hidden.code, 'TBX_ERR_PSA_NOT_FOUND');
      assert.match(hidden.message, /team/);
      const before = sim.state.requests.length;
      assert.equal((await rejection(client.getTicket('12abc'))).code, 'TBX_ERR_PSA_BAD_ID');
      assert.equal((await rejection(client.getContact('0'))).code, 'TBX_ERR_PSA_BAD_ID');
      assert.equal(sim.state.requests.length, before);
    });
  });

  it('names the status from the status list when the ticket carries only its id', async () => {
    await withHalo({}, async ({ sim, client }) => {
      delete sim.state.tickets.get(1003)!.status_name;
      assert.equal((await client.getTicket('1003')).status, 'In Progress');
    });
  });
});

describe('HaloPSA connector: sign-in errors', () => {
  it('says which key is wrong in 1Stream words, keeps the upstream code, and never shows the secret', async () => {
    await withHalo({ settings: { clientSecret: 'not-the-secret-123' } }, async ({ client, logLines }) => {
      const error = await rejection(client.getTicket('1001'));
      assert.equal(error.code, 'TBX_ERR_PSA_AUTH');
      assert.equal(error.upstream?.status, 401);
      assert.equal(error.upstream?.code, 'invalid_client');
      assert.match(error.message, /API Key.*API Private Key/);
      assert.ok(!error.message.includes('not-the-secret-123'));
      assert.ok(!logLines.join('\n').includes('not-the-secret-123'));
      assert.ok(!logLines.join('\n').includes(demoHaloPsa.clientId));
    });
  });

  it('sends the tenant of a hosted instance and explains a wrong or missing one', async () => {
    await withHalo({ sim: { hosted: true }, settings: { tenant: 'northwind' } }, async ({ client, requests }) => {
      await client.getTicket('1001');
      assert.deepEqual(requests('POST', '/auth/token')[0]?.query, { tenant: 'northwind' });
    });
    await withHalo({ sim: { hosted: true }, settings: { tenant: 'contoso' } }, async ({ client }) => {
      const error = await rejection(client.getTicket('1001'));
      assert.equal(error.code, 'TBX_ERR_PSA_CONFIG');
      assert.match(error.message, /does not know the tenant 'contoso'/);
      assert.equal(error.upstream?.status, 400);
    });
    await withHalo({ sim: { hosted: true } }, async ({ client }) => {
      const error = await rejection(client.getTicket('1001'));
      assert.match(error.message, /needs the tenant/);
    });
  });

  it('explains a URL that is not a Halo instance, or one nothing answers at', async () => {
    await withHalo({}, async ({ url }) => {
      await withHalo({ settings: { url: `${url}/not-halo` } }, async ({ client }) => {
        const error = await rejection(client.getTicket('1001'));
        assert.equal(error.code, 'TBX_ERR_PSA_CONFIG');
        assert.match(error.message, /no HaloPSA sign-in service/);
      });
    });
    await withHalo({ settings: { url: 'http://127.0.0.1:9' } }, async ({ client }) => {
      const error = await rejection(client.getTicket('1001'));
      assert.equal(error.code, 'TBX_ERR_PSA_UNAVAILABLE');
      assert.match(error.message, /could not be reached at 127\.0\.0\.1:9/);
    });
  });
});

describe('HaloPSA connector: throttling', () => {
  it('waits as long as Retry-After says and tries again', async () => {
    await withHalo({ sim: { rateLimit: { requests: 2, windowMs: 2_000 } } }, async ({ client, delays, requests }) => {
      await client.getTicket('1001');
      const company = await client.getCompany('250');
      assert.equal(company.name, 'Contoso Dental');
      assert.deepEqual(delays, [2000]);
      assert.deepEqual(
        requests('GET', '/api/Client/250').map((r) => r.status),
        [429, 200],
      );
    });
  });

  it('gives up on a long Retry-After with a retryable "rate-limiting" error that says how long', async () => {
    await withHalo({ sim: { rateLimit: { requests: 2, windowMs: 120_000 } } }, async ({ client, delays }) => {
      await client.getTicket('1001');
      const error = await rejection(client.getCompany('250'));
      assert.equal(error.code, 'TBX_ERR_PSA_RATE_LIMITED');
      assert.equal(error.retryable, true);
      assert.equal(error.upstream?.status, 429);
      assert.match(error.message, /try again in 120 s/);
      assert.deepEqual(delays, []);
    });
  });

  it('backs off without Retry-After and falls back to 5 s in the message', async () => {
    await withHalo({ sim: { rateLimit: { requests: 2, windowMs: 600_000, retryAfterHeader: false } } }, async ({ client, delays }) => {
      await client.getTicket('1001');
      const error = await rejection(client.getCompany('250'));
      assert.equal(error.code, 'TBX_ERR_PSA_RATE_LIMITED');
      assert.match(error.message, /try again in 5 s/);
      assert.equal(delays.length, 2, 'two backoffs, three attempts');
    });
  });
});

describe('HaloPSA connector: lists', () => {
  it('reads every active client 100 at a time until a short page', async () => {
    await withHalo({ sim: { seed: { companies: manyCompanies(250), contacts: [], tickets: [] } } }, async ({ sim, client, requests }) => {
      sim.state.clients.get(5001)!.inactive = true;
      const companies = await client.listCompanies();
      assert.equal(companies.length, 249);
      assert.deepEqual(companies[0], { id: '5000', name: 'Company 0' });
      assert.ok(!companies.some((c) => c.id === '5001'));
      const pages = requests('GET', '/api/Client');
      assert.deepEqual(
        pages.map((p) => [p.query.pageinate, p.query.page_size, p.query.page_no]),
        [
          ['true', '100', '1'],
          ['true', '100', '2'],
          ['true', '100', '3'],
        ],
      );
    });
  });

  it('reads one more page when the last full page ends the list', async () => {
    await withHalo({ sim: { seed: { companies: manyCompanies(200), contacts: [], tickets: [] } } }, async ({ client, requests }) => {
      assert.equal((await client.listCompanies()).length, 200);
      assert.equal(requests('GET', '/api/Client').length, 3);
    });
  });

  it("counts the e-mail domains of a few clients' active users, client by client", async () => {
    await withHalo({}, async ({ sim, client, requests }) => {
      sim.state.users.get(303)!.inactive = true;
      const domains = await client.listContactEmailDomains!(['250', '251', 'x-1']);
      assert.deepEqual(domains, {
        '250': { contactsWithEmail: 2, domains: { 'contosodental.example': 2 } },
        '251': { contactsWithEmail: 3, domains: { 'fabrikamlogistics.example': 2, 'gmail.example': 1 } },
        'x-1': { contactsWithEmail: 0, domains: {} },
      });
      assert.deepEqual(
        requests('GET', '/api/Users').map((r) => r.query.client_id),
        ['250', '251'],
      );
    });
  });

  it('reads all users once when many clients are asked for', async () => {
    await withHalo({}, async ({ client, requests }) => {
      const domains = await client.listContactEmailDomains!(['250', '251', '252', '254']);
      assert.equal(domains['252']?.contactsWithEmail, 3);
      assert.deepEqual(domains['254'], { contactsWithEmail: 0, domains: {} });
      const calls = requests('GET', '/api/Users');
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.query.client_id, undefined);
    });
  });

  it('lists the agents as members, without API agents', async () => {
    await withHalo({}, async ({ sim, client }) => {
      sim.state.agents.get(151)!.isdisabled = true;
      const members = await client.listMembers();
      assert.deepEqual(members, [
        { id: '150', identifier: 'AO', name: 'Alex Owens', email: 'alex.owens@northwind-it.example', inactive: false },
      ]);
    });
  });

  it('says the API agent needs a default team when Halo shows it no agents', async () => {
    await withHalo({ sim: { seed: { apiAgent: { ...DEMO_HALO_API_AGENT, team: '' } } } }, async ({ client }) => {
      const error = await rejection(client.listMembers());
      assert.equal(error.code, 'TBX_ERR_PSA_CONFIG');
      assert.match(error.message, /'1Stream API' has no default team/);
      assert.match(error.message, /Default Team/);
    });
  });
});

describe('HaloPSA connector: notes', () => {
  const lines = ['Password reset for Megan Bowen <megan@contoso>', 'Step 1: user found & checked', '', 'execution ex-42'];

  it('posts an internal note as a one-element array with integer ids, escaped HTML lines and no e-mail', async () => {
    await withHalo({}, async ({ sim, client, requests }) => {
      const { id } = await client.addTicketNote('1001', { lines, visibility: 'internal' });
      const [post] = requests('POST', '/api/Actions');
      assert.deepEqual(post?.body, [
        {
          ticket_id: 1001,
          outcome: 'Private Note',
          note_html:
            '<p>Password reset for Megan Bowen &lt;megan@contoso&gt;</p><p>Step 1: user found &amp; checked</p><p>execution ex-42</p>',
          hiddenfromuser: true,
          sendemail: false,
        },
      ]);
      const stored = sim.state.actions.get(1001)?.at(-1);
      assert.equal(String(stored?.id), id);
      assert.equal(stored?.note, 'Password reset for Megan Bowen <megan@contoso>\nStep 1: user found & checked\nexecution ex-42');
      assert.equal(stored?.hiddenfromuser, true);
    });
  });

  it("uses the configured outcome id and the technician's agent", async () => {
    await withHalo({ settings: { noteOutcomeId: 3 } }, async ({ sim, client, requests }) => {
      await client.addTicketNote('1001', { lines, visibility: 'internal', author: { id: '150', display: 'AO' } });
      const body = requests('POST', '/api/Actions')[0]?.body as Record<string, unknown>[];
      assert.equal(body[0]?.outcome_id, 3);
      assert.equal(body[0]?.outcome, undefined);
      assert.equal(body[0]?.who_agentid, 150);
      assert.equal(sim.state.actions.get(1001)?.at(-1)?.who, 'Alex Owens');
    });
  });

  it('reports a refused agent as an author refusal (Halo’s 400 kept), so the note can be written again without it', async () => {
    await withHalo({}, async ({ sim, client, requests }) => {
      const error = await rejection(client.addTicketNote('1001', { lines, visibility: 'internal', author: { id: '4242', display: 'XX' } }));
      assert.equal(error.code, 'TBX_ERR_PSA_AUTHOR_REFUSED');
      assert.equal(error.upstream?.status, 400);
      assert.equal(error.retryable, false);
      assert.match(error.message, /Agent 4242/);
      assert.equal(sim.state.actions.get(1001)?.length, 1, 'nothing written');
      // An agent id that is no Halo id is refused the same way, before anything is sent.
      const posts = requests('POST', '/api/Actions').length;
      const bad = await rejection(client.addTicketNote('1001', { lines, visibility: 'internal', author: { id: 'x1', display: 'XX' } }));
      assert.equal(bad.code, 'TBX_ERR_PSA_AUTHOR_REFUSED');
      assert.equal(requests('POST', '/api/Actions').length, posts);
      // Without an agent, a refused note is no author refusal.
      sim.failNext('/api/Actions', 400, 1, { method: 'POST' });
      const plain = await rejection(client.addTicketNote('1001', { lines, visibility: 'internal' }));
      assert.equal(plain.code, 'TBX_ERR_PSA_BAD_REQUEST');
    });
  });

  it('finds a note by its exact marker: a re-run’s note naming the original run is not the original’s note', async () => {
    await withHalo({}, async ({ client }) => {
      const rerun = await client.addTicketNote('1002', {
        lines: [
          'Technician Toolbox: Password reset for Megan Bowen succeeded.',
          `Run by Alex Owens again, as a re-run of execution W-1${noteMarker('X_1')}`,
        ],
        visibility: 'internal',
      });
      assert.equal(await client.findTicketNote('1002', noteMarker('W-1')), null);
      assert.deepEqual(await client.findTicketNote('1002', noteMarker('X_1')), rerun);
      assert.equal(await client.findTicketNote('1002', noteMarker('X')), null);
      const original = await client.addTicketNote('1002', {
        lines: [`Run by Alex Owens from a screen pop${noteMarker('W-1')}`],
        visibility: 'internal',
      });
      assert.deepEqual(await client.findTicketNote('1002', noteMarker('W-1')), original);
    });
  });

  it('never sends a note twice: a lost answer is a retryable timeout, and findTicketNote then finds the note', async () => {
    await withHalo({ settings: { timeoutMs: 300 } }, async ({ sim, client, requests }) => {
      sim.holdAnswerNext('/api/Actions', { method: 'POST', delayMs: 2_000 });
      const error = await rejection(client.addTicketNote('1002', { lines, visibility: 'internal' }));
      assert.equal(error.code, 'TBX_ERR_PSA_TIMEOUT');
      assert.equal(error.retryable, true);
      assert.match(error.message, /may or may not have been saved/);
      assert.equal(requests('POST', '/api/Actions').length, 1, 'the POST was not repeated');
      const found = await client.findTicketNote('1002', 'execution ex-42');
      const notes = sim.state.actions.get(1002)?.filter((a) => String(a.note).includes('execution ex-42')) ?? [];
      assert.equal(notes.length, 1);
      assert.deepEqual(found, { id: String(notes[0]?.id) });
    });
  });

  it('does not repeat a note POST that failed with 503 or 429', async () => {
    await withHalo({}, async ({ sim, client, requests }) => {
      sim.failNext('/api/Actions', 503, 1, { method: 'POST' });
      const unavailable = await rejection(client.addTicketNote('1001', { lines, visibility: 'internal' }));
      assert.equal(unavailable.code, 'TBX_ERR_PSA_UNAVAILABLE');
      assert.equal(unavailable.retryable, true);
      sim.failNext('/api/Actions', 429, 1, { method: 'POST', retryAfterSeconds: 1 });
      const limited = await rejection(client.addTicketNote('1001', { lines, visibility: 'internal' }));
      assert.equal(limited.code, 'TBX_ERR_PSA_RATE_LIMITED');
      assert.equal(requests('POST', '/api/Actions').length, 2);
    });
  });

  it('finds no note where there is none, and finds one whose marker was escaped in the HTML', async () => {
    await withHalo({}, async ({ client }) => {
      assert.equal(await client.findTicketNote('1001', 'execution ex-42'), null);
      const { id } = await client.addTicketNote('1001', { lines: ['Done', 'execution a&b<c>'], visibility: 'internal' });
      assert.deepEqual(await client.findTicketNote('1001', 'execution a&b<c>'), { id });
      assert.equal(await client.findTicketNote('1002', 'execution a&b<c>'), null, 'another ticket');
    });
  });

  it('refuses an empty note before calling Halo', async () => {
    await withHalo({}, async ({ client, requests }) => {
      const error = await rejection(client.addTicketNote('1001', { lines: ['', '  '], visibility: 'internal' }));
      assert.equal(error.code, 'TBX_ERR_PSA_BAD_REQUEST');
      assert.equal(requests('POST', '/api/Actions').length, 0);
    });
  });
});

describe('HaloPSA connector: status', () => {
  it('sets a status by name with a Tickets upsert, and does nothing when it already has it', async () => {
    await withHalo({}, async ({ sim, client, requests }) => {
      await client.setTicketStatus!('1001', 'resolved');
      assert.deepEqual(requests('POST', '/api/Tickets')[0]?.body, [{ id: 1001, status_id: 8 }]);
      assert.equal(sim.state.tickets.get(1001)?.status_name, 'Resolved');
      await client.setTicketStatus!('1001', 'Resolved');
      assert.equal(requests('POST', '/api/Tickets').length, 1);
      assert.equal(requests('GET', '/api/Status').length, 1, 'the status list is cached');
    });
  });

  it('names the statuses there are when the one asked for does not exist', async () => {
    await withHalo({}, async ({ client }) => {
      const error = await rejection(client.setTicketStatus!('1001', 'Done and dusted'));
      assert.equal(error.code, 'TBX_ERR_PSA_STATUS_UNKNOWN');
      assert.match(error.message, /no ticket status called 'Done and dusted'.*New, In Progress/);
    });
  });

  it('links to the ticket in the agent app', async () => {
    await withHalo({}, async ({ client, url }) => {
      assert.equal(client.ticketUrl('1001'), `${url}/tickets?id=1001`);
      assert.throws(() => client.ticketUrl('x'));
    });
  });
});
