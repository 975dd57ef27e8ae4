import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildDemoConfig, DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, GRAPH_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';

for (const database of TEST_DATABASES) {
  describe(`a technician's open screen pops (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store });
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('the start page lists a screen pop not submitted yet, only to its technician, until it is submitted', async () => {
      const tech = await toolbox.signIn();
      const other = await toolbox.signIn({ email: 'other.tech@northwind-it.example', password: 'another-tech-password' });
      const pop = await toolbox.request(POP, { cookie: tech.cookie });
      const launchPath = pop.headers.get('location')!;
      assert.equal((await toolbox.request(launchPath, { cookie: tech.cookie })).status, 200);

      const home = await (await toolbox.request('/', { cookie: tech.cookie })).text();
      assert.match(home, /Your open screen pops/);
      assert.ok(home.includes(`href="${launchPath}"`), 'the open launch is linked');
      assert.match(home, /Password Reset · ticket #1001 · Contoso Dental/);
      assert.ok(!(await (await toolbox.request('/', { cookie: other.cookie })).text()).includes(`href="${launchPath}"`), 'not to another');

      const submitted = await toolbox.request(launchPath, {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on' },
      });
      assert.equal(submitted.status, 303);
      assert.ok(!(await (await toolbox.request('/', { cookie: tech.cookie })).text()).includes(`href="${launchPath}"`), 'submitted');
    });

    test('the start page leads with the open screen pops and the recent executions, companies by name', async () => {
      const tech = await toolbox.signIn();
      const home = await (await toolbox.request('/', { cookie: tech.cookie })).text();
      const open = home.indexOf('Your open screen pops');
      const recent = home.indexOf('Your recent executions');
      const urls = home.indexOf('Screen-pop URLs');
      assert.ok(open > 0 && open < recent && recent < urls, 'open screen pops, then recent executions, then the URLs');
      // The execution of the first test, by form label and company name, not by form key and id.
      assert.match(home, /Password Reset · Megan Bowen \([^)]*\) · ticket #1001 · Contoso Dental/);
      assert.doesNotMatch(home, /company 250/);
      // The executions list names the company too (the API carries it as companyName).
      const list = await (await toolbox.request('/executions', { cookie: tech.cookie })).text();
      assert.match(list, /<span title="PSA company 250">Contoso Dental<\/span>/);
      const api = (await (await toolbox.request('/api/executions', { cookie: tech.cookie })).json()) as {
        items: { companyId: string; companyName: string | null }[];
      };
      assert.deepEqual(
        api.items.map((item) => [item.companyId, item.companyName]),
        [['250', 'Contoso Dental']],
      );
    });
  });

  describe(`screen pops that cannot become a form (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;

    before(async () => {
      store = await database.open();
      // Contoso (company 250) is not mapped to any directory.
      const demo = buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN });
      const directories = demo.directories.map((directory) => ({
        ...directory,
        psaCompanyIds: directory.id === 'contoso' ? [] : directory.psaCompanyIds,
      }));
      toolbox = await createTestToolbox({ store, config: { directories } });
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('a screen pop for an unmapped company (409) or with a failed PSA read is not listed as open', async () => {
      const tech = await toolbox.signIn();
      const unmapped = await toolbox.request(POP, { cookie: tech.cookie });
      const unmappedPath = unmapped.headers.get('location')!;
      const page = await toolbox.request(unmappedPath, { cookie: tech.cookie });
      assert.equal(page.status, 409);
      const failing = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=252&contact_id=99999&form_name=password_reset', {
        cookie: tech.cookie,
      });
      const failingPath = failing.headers.get('location')!;
      assert.equal((await toolbox.request(failingPath, { cookie: tech.cookie })).status, 502);

      const home = await (await toolbox.request('/', { cookie: tech.cookie })).text();
      assert.ok(!home.includes(`href="${unmappedPath}"`), 'the unmapped screen pop is not offered');
      assert.ok(!home.includes(`href="${failingPath}"`), 'the failed screen pop is not offered');
    });

    test('the unmapped-company page points to the console’s company mapping, not the configuration file', async () => {
      const tech = await toolbox.signIn();
      const admin = await toolbox.signIn(DEMO_ADMIN);
      const techPage = await toolbox.request((await toolbox.request(POP, { cookie: tech.cookie })).headers.get('location')!, {
        cookie: tech.cookie,
      });
      const techHtml = await techPage.text();
      assert.equal(techPage.status, 409);
      assert.match(techHtml, /Admin → Companies/);
      assert.doesNotMatch(techHtml, /psaCompanyIds|configuration/);
      const adminPage = await toolbox.request((await toolbox.request(POP, { cookie: admin.cookie })).headers.get('location')!, {
        cookie: admin.cookie,
      });
      assert.match(await adminPage.text(), /<a href="\/admin\/companies">Admin → Companies<\/a>/);
    });

    test('the sign-in page speaks of a waiting screen pop only when one is waiting', async () => {
      const plain = await (await toolbox.request('/login')).text();
      assert.doesNotMatch(plain, /screen pop you clicked is waiting/);
      const fromRoot = await toolbox.request('/');
      assert.equal(fromRoot.status, 303);
      const rootLogin = await (await toolbox.request(fromRoot.headers.get('location')!)).text();
      assert.doesNotMatch(rootLogin, /screen pop you clicked is waiting/);
      // A signed-out screen pop goes to its launch, which sends the technician to sign in and back.
      const pop = await toolbox.request(POP);
      const launch = await toolbox.request(pop.headers.get('location')!);
      assert.equal(launch.status, 303);
      assert.match(launch.headers.get('location')!, /^\/login\?next=%2Flaunches%2F/);
      assert.match(await (await toolbox.request(launch.headers.get('location')!)).text(), /screen pop you clicked is waiting/);
    });
  });
}
