import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rejection } from '../../../../test/helpers/rejection.js';
import { demoMsp } from '../../../demo/demo-data.js';
import { noteMarker } from '../../../engine/compose-ticket-note.js';
import { createManualClock } from '../../../lib/clock.js';
import type { FetchLike } from '../../../lib/http-fetch.js';
import { createLogger, createSilentLogger } from '../../../lib/logger.js';
import { type ConnectWiseSimulatorOptions, createConnectWiseSimulator } from '../../../simulators/connectwise/connectwise-simulator.js';
import { checkLineState } from '../../systems-check.js';
import { connectWiseConnector } from './connectwise-connector.js';
import type { ConnectWiseSettingsInput } from './connectwise-settings.js';

const goodSettings: ConnectWiseSettingsInput = {
  siteUrl: 'https://na.cw.test',
  apiUrl: 'https://api-na.cw.test/v4_6_release/apis/3.0/',
  companyId: demoMsp.connectWiseCompanyId,
  publicKey: demoMsp.publicKey,
  privateKey: demoMsp.privateKey,
  clientId: demoMsp.clientId,
};

type SetupOptions = {
  sim?: ConnectWiseSimulatorOptions;
  settings?: Partial<ConnectWiseSettingsInput>;
  fetch?: FetchLike;
  logLines?: string[];
};

function setup(options: SetupOptions = {}) {
  const clock = createManualClock();
  const sim = createConnectWiseSimulator({ clock, requireApiHostPrefix: true, ...options.sim });
  const delays: number[] = [];
  // Records each wait and moves both clocks, so nothing really sleeps.
  const sleep = async (ms: number) => {
    delays.push(ms);
    clock.advance(ms);
  };
  const settings = connectWiseConnector.settings.parse({ ...goodSettings, ...options.settings });
  const logger = options.logLines
    ? createLogger({ level: 'debug', destination: { write: (line: string) => options.logLines?.push(line) } })
    : createSilentLogger();
  const client = connectWiseConnector.create(settings, { fetch: options.fetch ?? sim.fetch, logger, clock, sleep });
  const requests = (method: string, path: string | RegExp) =>
    sim.state.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  return { sim, client, delays, clock, settings, requests };
}

describe('ConnectWise connector: discovery and headers', () => {
  it('discovers the codebase over a real socket and sends the documented headers', async () => {
    const sim = createConnectWiseSimulator();
    const server = await sim.listen({ port: 0 });
    try {
      const settings = connectWiseConnector.settings.parse({ ...goodSettings, siteUrl: server.url, apiUrl: server.url });
      const client = connectWiseConnector.create(settings, {
        fetch: globalThis.fetch,
        logger: createSilentLogger(),
        clock: createManualClock(),
      });
      const ticket = await client.getTicket('1001');
      assert.equal(ticket.summary, 'Megan locked out after password expiry');

      const [lookup, read] = sim.state.requests;
      assert.equal(lookup?.path, '/login/companyinfo/northwind');
      assert.equal(lookup?.headers.authorization, undefined, 'companyinfo needs no auth, so none is sent');
      assert.equal(lookup?.headers.clientid, undefined);
      assert.equal(read?.path, '/service/tickets/1001');
      assert.equal(read?.basicAuthOk, true);
      assert.equal(read?.headers.authorization, 'Basic [redacted]');
      assert.equal(read?.headers.clientid, demoMsp.clientId);
      assert.ok(read?.headers.accept?.startsWith('application/vnd.connectwise.com+json; version=2025.1'));
      assert.equal(read?.apiVersion, '2025.1');
      assert.equal(read?.headers['content-type'], undefined);
    } finally {
      await server.close();
    }
  });

  it('normalises a pasted endpoint to the API host and builds {host}/{codebase}apis/3.0/{path}', async () => {
    const { client, settings } = setup();
    assert.equal(settings.apiUrl, 'https://api-na.cw.test');
    let seen = '';
    const sim = createConnectWiseSimulator();
    const spying = connectWiseConnector.create(settings, {
      fetch: (input, init) => {
        seen = String(input);
        return sim.fetch(input, init);
      },
      logger: createSilentLogger(),
      clock: createManualClock(),
    });
    await spying.getCompany('250');
    assert.equal(seen, 'https://api-na.cw.test/v2025_1/apis/3.0/company/companies/250');
    assert.ok(client);
  });

  it('shares one discovery between concurrent callers and caches it', async () => {
    const { client, requests } = setup();
    await Promise.all([client.getTicket('1001'), client.getCompany('250'), client.getContact('301')]);
    await client.getTicket('1002');
    assert.equal(requests('GET', '/login/companyinfo/northwind').length, 1);
  });

  it('skips discovery when a codebase is configured', async () => {
    const { client, requests } = setup({ settings: { codebase: '/v4_6_release' } });
    await client.getTicket('1001');
    assert.equal(requests('GET', /companyinfo/).length, 0);
    assert.equal(client.ticketUrl('1001').includes('/v4_6_release/services/'), true);
  });
});

describe('ConnectWise connector: reads and mapping', () => {
  it('maps a service ticket with its conventional deep link', async () => {
    const { client } = setup();
    assert.deepEqual(await client.getTicket('1001'), {
      id: '1001',
      number: '#1001',
      summary: 'Megan locked out after password expiry',
      queue: 'Help Desk',
      status: 'New',
      type: undefined,
      companyId: '250',
      companyName: 'Contoso Dental',
      contactId: '301',
      contactName: 'Megan Bowen',
      url: 'https://na.cw.test/v2025_1/services/system_io/Service/fv_sr100_request.rails?service_recid=1001&companyName=northwind',
    });
  });

  it('falls back to the project ticket on a 404', async () => {
    const { client, requests } = setup();
    const ticket = await client.getTicket('2001');
    assert.equal(ticket.type, 'project ticket');
    assert.equal(ticket.queue, 'Onboarding');
    assert.deepEqual(
      [...requests('GET', '/service/tickets/2001'), ...requests('GET', '/project/tickets/2001')].map((r) => r.status),
      [404, 200],
    );
  });

  it('reports a missing ticket with the cloud-keys hint', async () => {
    const { client } = setup();
    const error = await rejection(client.getTicket('999'));
    assert.equal(error.code, 'TBX_ERR_PSA_NOT_FOUND');
    assert.equal(error.httpStatus, 404);
    assert.equal(
      error.message,
      'Ticket 999 was not found in ConnectWise. If every lookup fails like this, check the API keys: ConnectWise Cloud answers bad keys with 404.',
    );
    assert.deepEqual(error.upstream, {
      service: 'connectwise',
      status: 404,
      code: 'NotFound',
      message: 'Ticket recid 999 not found',
      operation: 'GET /service/tickets/{id}',
    });
  });

  it('maps a company', async () => {
    const { client } = setup();
    assert.deepEqual(await client.getCompany('251'), { id: '251', identifier: 'FABRIKAM', name: 'Fabrikam Logistics' });
  });

  it('maps contacts: default e-mail, phones labelled by type name', async () => {
    const { client } = setup();
    assert.deepEqual(await client.getContact('301'), {
      id: '301',
      firstName: 'Megan',
      lastName: 'Bowen',
      name: 'Megan Bowen',
      email: 'megan.bowen@contosodental.example',
      phones: [{ label: 'Direct', number: '5550101001', extension: undefined }],
      companyId: '250',
      companyName: 'Contoso Dental',
      title: 'Practice Manager',
    });
    const diego = await client.getContact('302');
    assert.deepEqual(diego.phones, [{ label: 'Cell', number: '5550101002', extension: undefined }]);
  });

  it('picks the default Email item by communicationType, not by type name', async () => {
    const { sim, client } = setup();
    const contact = sim.state.contacts.get(301);
    assert.ok(contact);
    contact.communicationItems = [
      { type: { name: 'Work' }, value: 'second@x.example', communicationType: 'Email', defaultFlag: false },
      { type: { name: 'Email' }, value: '5551112222', communicationType: 'Phone', defaultFlag: true },
      { type: { name: 'Home' }, value: 'default@x.example', communicationType: 'Email', defaultFlag: true },
    ];
    const mapped = await client.getContact('301');
    assert.equal(mapped.email, 'default@x.example');
    assert.deepEqual(mapped.phones, [{ label: 'Email', number: '5551112222', extension: undefined }]);
  });

  it('lists members across Link pages', async () => {
    const members = Array.from({ length: 2100 }, (_, i) => ({
      id: 1000 + i,
      identifier: `tech${i}`,
      firstName: 'Tech',
      lastName: String(i),
      email: i === 0 ? '' : `tech${i}@msp.example`,
    }));
    const { client, requests } = setup({ sim: { seed: { members } } });
    const listed = await client.listMembers();
    assert.equal(listed.length, 2100);
    assert.deepEqual(listed[1], { id: '1001', identifier: 'tech1', name: 'Tech 1', email: 'tech1@msp.example', inactive: false });
    assert.equal(listed[0]?.email, undefined);
    const pages = requests('GET', '/system/members');
    assert.deepEqual(
      pages.map((r) => [r.query.page, r.query.pageSize]),
      [
        [undefined, '1000'],
        ['2', '1000'],
        ['3', '1000'],
      ],
    );
  });

  it('rejects ids that are not ConnectWise ids before calling', async () => {
    const { client, sim } = setup();
    const error = await rejection(client.getTicket('12abc'));
    assert.equal(error.code, 'TBX_ERR_PSA_BAD_ID');
    assert.equal(sim.state.requests.length, 0);
  });
});

describe('ConnectWise connector: writes', () => {
  it('writes an internal note as one readable line with the right flags', async () => {
    const { client, sim, requests } = setup();
    const result = await client.addTicketNote('1001', {
      lines: ['Password reset for Megan Bowen', 'Step 1: user found', '', 'Step 2: done'],
      visibility: 'internal',
    });
    const stored = sim.state.notes.get(1001);
    assert.equal(stored?.length, 1);
    assert.equal(result.id, String(stored?.[0]?.id));
    assert.equal(stored?.[0]?.text, 'Password reset for Megan Bowen | Step 1: user found | Step 2: done');
    const [post] = requests('POST', '/service/tickets/1001/notes');
    assert.deepEqual(post?.body, {
      text: 'Password reset for Megan Bowen | Step 1: user found | Step 2: done',
      internalAnalysisFlag: true,
      detailDescriptionFlag: false,
      resolutionFlag: false,
      customerUpdatedFlag: false,
      processNotifications: false,
    });
    assert.equal(post?.headers['content-type'], 'application/json');
  });

  it('writes a customer-visible note to the Discussion', async () => {
    const { client, sim } = setup();
    await client.addTicketNote('1002', { lines: ['Your authenticator was reset.'], visibility: 'customer' });
    const note = sim.state.notes.get(1002)?.[0];
    assert.equal(note?.detailDescriptionFlag, true);
    assert.equal(note?.internalAnalysisFlag, false);
  });

  it('never retries a note POST, even on a retryable status', async () => {
    for (const status of [500, 503]) {
      const { client, sim, requests, delays } = setup();
      sim.failNext('/service/tickets/1001/notes', status, 5, { method: 'POST', retryAfterSeconds: 1 });
      const error = await rejection(client.addTicketNote('1001', { lines: ['x'], visibility: 'internal' }));
      assert.equal(error.code, 'TBX_ERR_PSA_UNAVAILABLE');
      assert.match(error.message, /may or may not have been saved/);
      assert.equal(requests('POST', '/service/tickets/1001/notes').length, 1);
      assert.deepEqual(delays, []);
    }
  });

  it('finds a note by its exact marker: a re-run’s note naming the original run is not the original’s note', async () => {
    const { client } = setup();
    const rerun = await client.addTicketNote('1001', {
      lines: [
        'Technician Toolbox: Password reset for Megan Bowen succeeded.',
        `Run by Alex Owens again, as a re-run of execution W-1${noteMarker('X_1')}`,
      ],
      visibility: 'internal',
    });
    assert.equal(await client.findTicketNote('1001', noteMarker('W-1')), null);
    assert.deepEqual(await client.findTicketNote('1001', noteMarker('X_1')), rerun);
    // An id that only starts like another is not it either.
    assert.equal(await client.findTicketNote('1001', noteMarker('X')), null);
    const original = await client.addTicketNote('1001', {
      lines: [`Run by Alex Owens from a screen pop${noteMarker('W-1')}`],
      visibility: 'internal',
    });
    assert.deepEqual(await client.findTicketNote('1001', noteMarker('W-1')), original);
  });

  it('moves a ticket to a status found on its own board', async () => {
    const { client, sim, requests } = setup();
    await client.setTicketStatus!('1001', 'In Progress');
    assert.deepEqual(sim.state.tickets.get(1001)?.status, { id: 12, name: 'In Progress' });
    const [lookup] = requests('GET', '/service/boards/1/statuses');
    assert.equal(lookup?.query.conditions, 'name="In Progress"');
    const [patch] = requests('PATCH', '/service/tickets/1001');
    assert.deepEqual(patch?.body, [{ op: 'replace', path: 'status', value: { id: 12 } }]);

    await client.setTicketStatus!('1013', 'completed');
    assert.deepEqual(sim.state.tickets.get(1013)?.status, { id: 23, name: 'Completed' });
  });

  it('names the board statuses when the status does not exist on that board', async () => {
    const { client, requests } = setup();
    const error = await rejection(client.setTicketStatus!('1001', 'Completed'));
    assert.equal(error.code, 'TBX_ERR_PSA_STATUS_UNKNOWN');
    assert.equal(
      error.message,
      "Board 'Help Desk' has no status called 'Completed'. Its statuses are: New, In Progress, Waiting on Client, Resolved.",
    );
    assert.equal(requests('PATCH', /.*/).length, 0);
  });

  it('does not PATCH a ticket already in that status', async () => {
    const { client, requests } = setup();
    await client.setTicketStatus!('1001', 'New');
    assert.equal(requests('PATCH', /.*/).length, 0);
  });
});

describe('ConnectWise connector: failures', () => {
  it('retries a read after 429, waiting for Retry-After', async () => {
    const { client, sim, delays, requests } = setup();
    sim.failNext('/service/tickets/1001', 429, 1, { retryAfterSeconds: 2 });
    const ticket = await client.getTicket('1001');
    assert.equal(ticket.id, '1001');
    assert.deepEqual(delays, [2000]);
    assert.equal(requests('GET', '/service/tickets/1001').length, 2);
  });

  it('retries a read through the real rate limiter', async () => {
    const { client, delays } = setup({ sim: { rateLimit: { requests: 2, windowMs: 3000 } } });
    await client.getTicket('1001');
    await client.getTicket('1002');
    assert.deepEqual(delays, [3000]);
  });

  it('reports a long Retry-After as rate limiting without waiting', async () => {
    const { client, sim, delays } = setup();
    sim.failNext('/service/tickets/1001', 429, 1, { retryAfterSeconds: 30 });
    const error = await rejection(client.getTicket('1001'));
    assert.equal(error.code, 'TBX_ERR_PSA_RATE_LIMITED');
    assert.equal(error.message, 'ConnectWise is rate-limiting us; try again in 30 s.');
    assert.equal(error.retryable, true);
    assert.deepEqual(delays, []);
  });

  it('explains refused keys (401) without echoing them', async () => {
    const { client } = setup({ settings: { privateKey: 'wrong-private-key' } });
    const error = await rejection(client.getTicket('1001'));
    assert.equal(error.code, 'TBX_ERR_PSA_AUTH');
    assert.match(error.message, /^ConnectWise refused the API keys/);
    assert.doesNotMatch(JSON.stringify({ message: error.message, upstream: error.upstream }), /wrong-private-key|demoPublicKey01/);
  });

  it('explains a refused clientId', async () => {
    const { client } = setup({ settings: { clientId: '00000000-0000-0000-0000-000000000000' } });
    const error = await rejection(client.getCompany('250'));
    assert.equal(error.code, 'TBX_ERR_PSA_AUTH');
    assert.match(error.message, /clientId/);
  });

  it('points at the keys when ConnectWise Cloud answers bad keys with 404', async () => {
    const { client } = setup({ sim: { cloudMode: true }, settings: { publicKey: 'nope' } });
    const error = await rejection(client.getTicket('1001'));
    assert.equal(error.code, 'TBX_ERR_PSA_NOT_FOUND');
    assert.match(error.message, /check the API keys: ConnectWise Cloud answers bad keys with 404/);
  });

  it('explains a security-role denial (403)', async () => {
    const { client } = setup({ sim: { forbidden: [{ path: '/company/contacts/*' }] } });
    const error = await rejection(client.getContact('301'));
    assert.equal(error.code, 'TBX_ERR_PSA_FORBIDDEN');
    assert.match(error.message, /security role/);
  });

  it('explains the browser host used as API host ("SSL is required")', async () => {
    const { client } = setup({ settings: { apiUrl: 'https://na.cw.test' } });
    const error = await rejection(client.getTicket('1001'));
    assert.equal(error.code, 'TBX_ERR_PSA_CONFIG');
    assert.match(error.message, /api- host/);
  });

  it('explains an unsupported API version', async () => {
    const { client } = setup({ sim: { latestVersion: '2024.1' } });
    const error = await rejection(client.getTicket('1001'));
    assert.equal(error.code, 'TBX_ERR_PSA_CONFIG');
    assert.match(error.message, /apiVersion/);
  });

  it('explains an unknown company id at discovery', async () => {
    const { client } = setup({ settings: { companyId: 'nosuchco' } });
    const error = await rejection(client.getTicket('1001'));
    assert.equal(error.code, 'TBX_ERR_PSA_CONFIG');
    assert.match(error.message, /company id 'nosuchco'/);
  });

  it('times out over a real socket when ConnectWise is slower than timeoutMs', async () => {
    const sim = createConnectWiseSimulator();
    const server = await sim.listen({ port: 0 });
    try {
      const settings = connectWiseConnector.settings.parse({ ...goodSettings, siteUrl: server.url, apiUrl: server.url, timeoutMs: 100 });
      const delays: number[] = [];
      const client = connectWiseConnector.create(settings, {
        fetch: globalThis.fetch,
        logger: createSilentLogger(),
        clock: createManualClock(),
        sleep: async (ms) => {
          delays.push(ms);
        },
      });
      await client.getTicket('1001');
      // On a busy machine the first call (a new connection, 100 ms to answer) may itself need a
      // retry: only the slow call's retries are counted.
      delays.length = 0;
      sim.state.latencyMs = 250;
      const error = await rejection(client.getTicket('1002'));
      assert.equal(error.code, 'TBX_ERR_PSA_TIMEOUT');
      assert.equal(error.httpStatus, 504);
      assert.match(error.message, /^ConnectWise did not answer within 0\.1 s/);
      assert.equal(delays.length, 2, 'a read is retried twice before giving up');
    } finally {
      sim.state.latencyMs = 0;
      await server.close();
    }
  });

  it('logs each call at debug without secrets', async () => {
    const lines: string[] = [];
    const { client } = setup({ logLines: lines });
    await client.getTicket('1001');
    const calls = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === 'connectwise call');
    assert.equal(calls.length, 2);
    assert.equal(calls[1]?.method, 'GET');
    assert.equal(calls[1]?.path, '/v2025_1/apis/3.0/service/tickets/1001');
    assert.equal(calls[1]?.status, 200);
    assert.equal(typeof calls[1]?.durationMs, 'number');
    const all = lines.join('\n');
    for (const secret of [
      demoMsp.publicKey,
      demoMsp.privateKey,
      Buffer.from(`northwind+${demoMsp.publicKey}:${demoMsp.privateKey}`).toString('base64'),
    ]) {
      assert.equal(all.includes(secret), false);
    }
  });
});

describe('ConnectWise connector: systems check', () => {
  it('is all green with good settings', async () => {
    const { client, sim } = setup();
    const results = await client.systemsCheck();
    assert.deepEqual(
      results.map((r) => [r.name, checkLineState(r)]),
      [
        ['ConnectWise site and codebase', 'pass'],
        ['ConnectWise API host answers', 'pass'],
        ['API keys and clientId accepted', 'pass'],
        ['Can read tickets', 'pass'],
        ['Can read companies', 'pass'],
        ['Can read contacts', 'pass'],
        ['Can read members', 'pass'],
        // Adding a note is not tried (it would change a ticket): not verifiable, not a pass.
        ['Can add ticket notes', 'unverified'],
      ],
    );
    assert.match(results[0]?.message ?? '', /codebase v2025_1\//);
    assert.equal(results[6]?.message, '2 members found (2 active).');
    assert.match(results[7]?.message ?? '', /^Not tested by writing/);
    assert.equal(sim.state.notes.size, 0);
    assert.equal(sim.state.requests.filter((r) => r.method !== 'GET').length, 0);
    assert.equal(sim.state.requests.filter((r) => r.path.startsWith('/login/companyinfo')).length, 1);
  });

  it('fails the credential line and skips the rest with a bad clientId', async () => {
    const { client } = setup({ settings: { clientId: 'not-registered' } });
    const results = await client.systemsCheck();
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, false, false, false, false, false, false],
    );
    assert.match(results[2]?.message ?? '', /clientId/);
    assert.equal(results[2]?.upstreamCode, '401 Unauthorized');
    assert.match(results[3]?.message ?? '', /^Not tried/);
    // Skipped after the failure: "not run", never "fail".
    assert.deepEqual(
      results.map((r) => checkLineState(r)),
      ['pass', 'pass', 'fail', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run'],
    );
  });

  it('reports an unreachable site without throwing', async () => {
    const refuse: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const { client } = setup({ fetch: refuse });
    const results = await client.systemsCheck();
    assert.equal(results.length, 8);
    assert.equal(results[0]?.ok, false);
    assert.match(results[0]?.message ?? '', /could not be reached/);
    assert.ok(results.every((r) => !r.ok));
    assert.deepEqual(
      results.map((r) => checkLineState(r)),
      ['fail', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run'],
    );
  });
});
