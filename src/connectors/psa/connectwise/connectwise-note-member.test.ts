import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rejection } from '../../../../test/helpers/rejection.js';
import { demoMsp } from '../../../demo/demo-data.js';
import { createManualClock } from '../../../lib/clock.js';
import { createSilentLogger } from '../../../lib/logger.js';
import { isToolboxError } from '../../../lib/toolbox-error.js';
import { type ConnectWiseSimulatorOptions, createConnectWiseSimulator } from '../../../simulators/connectwise/connectwise-simulator.js';
import { connectWiseConnector } from './connectwise-connector.js';
import type { ConnectWiseSettingsInput } from './connectwise-settings.js';

const goodSettings: ConnectWiseSettingsInput = {
  siteUrl: 'https://na.cw.test',
  apiUrl: 'https://api-na.cw.test',
  companyId: demoMsp.connectWiseCompanyId,
  publicKey: demoMsp.publicKey,
  privateKey: demoMsp.privateKey,
  clientId: demoMsp.clientId,
};

function setup(options: { sim?: ConnectWiseSimulatorOptions; settings?: Partial<ConnectWiseSettingsInput> } = {}) {
  const clock = createManualClock();
  const sim = createConnectWiseSimulator({ clock, requireApiHostPrefix: true, ...options.sim });
  const settings = connectWiseConnector.settings.parse({ ...goodSettings, ...options.settings });
  const client = connectWiseConnector.create(settings, {
    fetch: sim.fetch,
    logger: createSilentLogger(),
    clock,
    sleep: async (ms) => clock.advance(ms),
  });
  return { sim, client };
}

describe('ConnectWise connector: notes attributed to a member', () => {
  it('sends the member reference and the simulator records the note as that member', async () => {
    const { sim, client } = setup();
    const note = await client.addTicketNote('1001', {
      lines: ['Password reset'],
      visibility: 'internal',
      author: { id: '151', display: 'bkim' },
    });
    const post = sim.state.requests.find((r) => r.method === 'POST');
    assert.deepEqual((post!.body as { member?: unknown }).member, { id: 151 });
    const stored = sim.state.notes.get(1001)?.find((n) => String(n.id) === note.id);
    assert.deepEqual(stored?.member, { id: 151, identifier: 'bkim', name: 'Bailey Kim' });
  });

  it('without a member the note is the API member’s, and no member is sent', async () => {
    const { sim, client } = setup();
    await client.addTicketNote('1001', { lines: ['Password reset'], visibility: 'internal' });
    const post = sim.state.requests.find((r) => r.method === 'POST');
    assert.equal('member' in (post!.body as object), false);
    assert.equal((sim.state.notes.get(1001)![0]!.member as { identifier: string }).identifier, 'APIMember');
  });

  it('an unknown member is an author refusal, with 400 InvalidObject naming the member field kept, and nothing is stored', async () => {
    const { sim, client } = setup();
    const error = await rejection(
      client.addTicketNote('1001', { lines: ['x'], visibility: 'internal', author: { id: '777', display: 'gone' } }),
    );
    assert.ok(isToolboxError(error));
    assert.equal(error.code, 'TBX_ERR_PSA_AUTHOR_REFUSED');
    assert.equal(error.retryable, false);
    assert.equal(error.upstream?.status, 400);
    assert.equal(error.upstream?.code, 'InvalidObject');
    assert.match(error.message, /Member 777 was not found/);
    assert.equal(sim.state.notes.get(1001), undefined);
    const response = sim.state.requests.find((r) => r.method === 'POST');
    assert.equal(response?.status, 400);
  });

  it('a member id that is not a ConnectWise id is an author refusal before anything is sent', async () => {
    const { sim, client } = setup();
    const error = await rejection(
      client.addTicketNote('1001', { lines: ['x'], visibility: 'internal', author: { id: 'abc', display: 'x' } }),
    );
    assert.ok(isToolboxError(error));
    assert.equal(error.code, 'TBX_ERR_PSA_AUTHOR_REFUSED');
    assert.equal(sim.state.requests.filter((r) => r.method === 'POST').length, 0);
  });
});

describe('ConnectWise systems check: what to do about each failure', () => {
  const line = (results: { name: string }[], name: string) =>
    results.find((r) => r.name === name) as (typeof results)[number] & {
      ok: boolean;
      hint?: string;
      message: string;
      upstreamCode?: string;
    };

  it('a wrong private key: the hint says where the keys come from and that a lost private key means a new pair', async () => {
    const { client } = setup({ settings: { privateKey: 'wrong-private-key' } });
    const keys = line(await client.systemsCheck(), 'API keys and clientId accepted');
    assert.equal(keys.ok, false);
    assert.equal(keys.upstreamCode, '401 Unauthorized');
    assert.match(keys.hint ?? '', /privateKey/);
    assert.match(keys.hint ?? '', /API Members/);
    assert.match(keys.hint ?? '', /new key pair/);
  });

  it('ConnectWise Cloud answers bad keys with 404: the hint says so', async () => {
    const { client } = setup({ sim: { cloudMode: true }, settings: { publicKey: 'wrong-public-key' } });
    const results = await client.systemsCheck();
    const keys = line(results, 'API keys and clientId accepted');
    assert.equal(keys.ok, false);
    assert.match(keys.upstreamCode ?? '', /^404/);
    assert.match(keys.hint ?? '', /Cloud answers wrong API keys.*404/);
    assert.equal(line(results, 'ConnectWise API host answers').ok, true);
  });

  it('a rejected clientId: the hint says where the Client ID comes from', async () => {
    const { client } = setup({ settings: { clientId: 'not-registered' } });
    const keys = line(await client.systemsCheck(), 'API keys and clientId accepted');
    assert.equal(keys.ok, false);
    assert.match(keys.hint ?? '', /developer\.connectwise\.com/);
  });

  it('a wrong company id: the codebase lookup fails with a hint about siteUrl and companyId', async () => {
    const { client } = setup({ settings: { companyId: 'nosuchco' } });
    const site = line(await client.systemsCheck(), 'ConnectWise site and codebase');
    assert.equal(site.ok, false);
    assert.match(site.hint ?? '', /siteUrl.*companyId/);
  });

  it('each denied permission names the security role module to change', async () => {
    const { client } = setup({
      sim: {
        forbidden: [
          { method: 'GET', path: '/service/tickets' },
          { method: 'GET', path: '/company/companies' },
          { method: 'GET', path: '/company/contacts' },
          { method: 'GET', path: '/system/members' },
        ],
      },
    });
    const results = await client.systemsCheck();
    const expected: [string, RegExp][] = [
      ['Can read tickets', /Service Desk > Service Tickets/],
      ['Can read companies', /Companies > Company Maintenance/],
      ['Can read contacts', /Companies > Contacts/],
      ['Can read members', /System > Member Maintenance/],
    ];
    for (const [name, module] of expected) {
      const result = line(results, name);
      assert.equal(result.ok, false, name);
      assert.equal(result.upstreamCode, '403 NotAuthorized', name);
      assert.match(result.hint ?? '', module, name);
      assert.match(result.hint ?? '', /Security Roles/, name);
    }
    // No ticket could be read, so the note permission cannot be looked at; the hint says what it needs.
    assert.match(line(results, 'Can add ticket notes').hint ?? '', /Add Level/);
  });

  it('notes the API member may not read: the hint names the ticket add/edit permission', async () => {
    const { client } = setup({ sim: { forbidden: [{ method: 'GET', path: '/service/tickets/*/notes' }] } });
    const notes = line(await client.systemsCheck(), 'Can add ticket notes');
    assert.equal(notes.ok, false);
    assert.match(notes.hint ?? '', /Service Desk > Service Tickets \("Add Level" and "Edit Level"/);
  });
});
