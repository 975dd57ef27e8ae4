import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rejection } from '../../../../test/helpers/rejection.js';
import { type DemoCompany, type DemoContact, demoMsp } from '../../../demo/demo-data.js';
import { createManualClock } from '../../../lib/clock.js';
import { createSilentLogger } from '../../../lib/logger.js';
import { type ConnectWiseSimulatorOptions, createConnectWiseSimulator } from '../../../simulators/connectwise/connectwise-simulator.js';
import { connectWiseConnector } from './connectwise-connector.js';

function setup(sim: ConnectWiseSimulatorOptions = {}) {
  const clock = createManualClock();
  const simulator = createConnectWiseSimulator({ clock, requireApiHostPrefix: true, ...sim });
  const settings = connectWiseConnector.settings.parse({
    siteUrl: 'https://na.cw.test',
    apiUrl: 'https://api-na.cw.test',
    companyId: demoMsp.connectWiseCompanyId,
    publicKey: demoMsp.publicKey,
    privateKey: demoMsp.privateKey,
    clientId: demoMsp.clientId,
  });
  const client = connectWiseConnector.create(settings, {
    fetch: simulator.fetch,
    logger: createSilentLogger(),
    clock,
    sleep: async (ms) => clock.advance(ms),
  });
  const requests = (path: string) => simulator.state.requests.filter((r) => r.method === 'GET' && r.path === path);
  return { sim: simulator, client, requests };
}

const manyCompanies = (count: number): DemoCompany[] =>
  Array.from({ length: count }, (_, i) => ({ id: 5000 + i, identifier: `CO${i}`, name: `Company ${i}`, tenantKey: 'none' }));

describe('ConnectWise company reads (company mapping)', () => {
  it('lists every active company across Link pages of 1000, leaving out deleted and inactive ones', async () => {
    const { sim, client, requests } = setup({ seed: { companies: manyCompanies(2345), contacts: [], tickets: [] } });
    sim.state.companies.get(5001)!.deletedFlag = true;
    sim.state.companies.get(5002)!.status = { id: 2, name: 'Inactive' };

    const companies = await client.listCompanies();

    assert.equal(companies.length, 2343);
    assert.deepEqual(companies[0], { id: '5000', identifier: 'CO0', name: 'Company 0' });
    assert.ok(!companies.some((company) => company.id === '5001' || company.id === '5002'));
    assert.equal(companies.at(-1)?.id, '7344');
    const pages = requests('/company/companies');
    assert.deepEqual(
      pages.map((r) => [r.query.page, r.query.pageSize]),
      [
        [undefined, '1000'],
        ['2', '1000'],
        ['3', '1000'],
      ],
    );
    for (const page of pages) {
      assert.equal(page.status, 200);
      assert.equal(page.query.conditions, 'deletedFlag=false');
      assert.equal(page.headers.clientid, demoMsp.clientId);
      assert.match(page.headers.accept ?? '', /^application\/vnd\.connectwise\.com\+json; version=/);
    }
  });

  it('counts each active contact once, by its main e-mail address, per company', async () => {
    const { sim, client, requests } = setup();
    // A contact who left (inactive) and one whose default address is not its first.
    sim.state.contacts.get(303)!.inactiveFlag = true;
    sim.state.contacts.get(312)!.communicationItems = [
      { id: 1, type: { name: 'Work' }, value: 'lee@old-name.example', communicationType: 'Email', defaultFlag: false },
      { id: 2, type: { name: 'Email' }, value: 'Lee.Gu@FabrikamLogistics.example', communicationType: 'Email', defaultFlag: true },
    ];

    const domains = await client.listContactEmailDomains!(['250', '251', '252', '999', 'not-a-number']);

    assert.deepEqual(domains, {
      '250': { contactsWithEmail: 2, domains: { 'contosodental.example': 2 } },
      '251': { contactsWithEmail: 3, domains: { 'fabrikamlogistics.example': 2, 'gmail.example': 1 } },
      '252': { contactsWithEmail: 3, domains: { 'adatumlegal.example': 3 } },
      '999': { contactsWithEmail: 0, domains: {} },
      'not-a-number': { contactsWithEmail: 0, domains: {} },
    });
    const [call] = requests('/company/contacts');
    assert.equal(call?.query.conditions, 'company/id in (250,251,252,999) and inactiveFlag=false');
    assert.equal(call?.status, 200);
  });

  it('splits many company ids into requests whose URLs stay under 2,000 characters, and follows contact pages', async () => {
    const companies = manyCompanies(600);
    const contacts: DemoContact[] = Array.from({ length: 1500 }, (_, i) => ({
      id: 100000 + i,
      companyId: 5000 + (i % 3),
      firstName: 'C',
      lastName: String(i),
      email: `c${i}@customer${i % 3}.example`,
    }));
    const { sim, client, requests } = setup({ seed: { companies, contacts, tickets: [] } });
    const ids = companies.map((company) => String(company.id));

    const domains = await client.listContactEmailDomains!(ids);

    assert.equal(Object.keys(domains).length, 600);
    assert.deepEqual(domains['5000'], { contactsWithEmail: 500, domains: { 'customer0.example': 500 } });
    assert.deepEqual(domains['5599'], { contactsWithEmail: 0, domains: {} });
    const calls = requests('/company/contacts');
    const batches = calls.filter((call) => call.query.page === undefined);
    assert.ok(batches.length >= 2, `expected several batches, got ${batches.length}`);
    assert.ok(
      calls.some((call) => call.query.page === '2'),
      'the 1,500 contacts of the first batch span two pages',
    );
    const asked = batches.flatMap((call) => /in \(([^)]*)\)/.exec(call.query.conditions ?? '')?.[1]?.split(',') ?? []);
    assert.deepEqual(asked.sort(), [...ids].sort());
    for (const call of calls) {
      const query = new URLSearchParams(call.query).toString();
      assert.ok(`https://api-na.cw.test/${sim.credentials.codebase}apis/3.0/company/contacts?${query}`.length < 2000);
    }
  });

  it('translates a security-role refusal into words, keeping the upstream status', async () => {
    const { client } = setup({ forbidden: [{ method: 'GET', path: '/company/contacts' }] });
    const error = await rejection(client.listContactEmailDomains!(['250']));
    assert.equal(error.code, 'TBX_ERR_PSA_FORBIDDEN');
    assert.equal(error.upstream?.status, 403);
    assert.match(error.message, /contacts/);
  });
});
