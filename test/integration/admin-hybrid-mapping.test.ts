import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildDemoConfig, DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, GRAPH_ORIGIN, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Issue 12 §2 in the console: a hybrid customer is mapped to its Microsoft 365 directory and to the
 * AD it is synced from, as one mapping (`<cloud id>+<AD id>`), in the console and the API; the file
 * may say the same by listing the company under both. Nothing here reaches the domain controller:
 * mapping only names directories.
 */
type Overview = {
  revision: string | null;
  directories: { id: string; name: string; onPremises: boolean }[];
  mappings: { companyId: string; directoryId: string; directoryName: string; source: string }[];
};
type ApiError = { error: { code: string; message: string; fields?: { path: string; message: string }[] } };

function directoriesConfig() {
  const demo = buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN });
  const ad = (id: string, name: string, psaCompanyIds: string[]) => ({
    id,
    kind: 'active-directory',
    name,
    psaCompanyIds,
    connection: 'direct',
    baseDn: 'DC=example,DC=test',
    url: 'ldaps://dc1.example.test:636',
    username: 'svc-toolbox@example.test',
    password: 'not-used-here',
  });
  return [
    // Fabrikam (251) is left for the console; Adatum (252) is hybrid in the file.
    ...demo.directories.map((directory) => ({ ...directory, psaCompanyIds: directory.id === 'adatum' ? directory.psaCompanyIds : [] })),
    ad('fabrikam-ad', 'Fabrikam AD', []),
    ad('adatum-ad', 'Adatum AD', ['252']),
  ];
}

for (const database of TEST_DATABASES) {
  describe(`hybrid company mapping in the console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };

    const overview = async () => (await (await toolbox.api('GET', '/api/admin/company-mappings', { session: admin })).json()) as Overview;
    const put = async (body: unknown) => {
      const response = await toolbox.api('PUT', '/api/admin/company-mappings', { session: admin, body });
      return { status: response.status, json: (await response.json()) as ApiError & { revision: string } };
    };
    const postForm = (pairs: [string, string][]) =>
      toolbox.app.request(`${TEST_ORIGIN}/admin/companies`, {
        method: 'POST',
        headers: { cookie: admin.cookie, origin: TEST_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([['_csrf', admin.csrf], ...pairs]).toString(),
      });

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store, config: { directories: directoriesConfig() } });
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('the file’s hybrid company is one mapping of both directories, read-only', async () => {
      const view = await overview();
      assert.deepEqual(
        view.mappings.filter((mapping) => mapping.companyId === '252'),
        [{ ...view.mappings.find((mapping) => mapping.companyId === '252'), directoryId: 'adatum+adatum-ad', source: 'file' }],
      );
      assert.equal(view.mappings.find((mapping) => mapping.companyId === '252')?.directoryName, 'Adatum Legal LLP + Adatum AD');
      assert.equal(view.directories.find((directory) => directory.id === 'adatum-ad')?.onPremises, true);
      assert.equal(view.directories.find((directory) => directory.id === 'adatum')?.onPremises, false);
      assert.equal(toolbox.services.directories.forCompany('252')?.config.id, 'adatum+adatum-ad');
    });

    test('the console maps a company to its tenant and the AD it is synced from, and back to the tenant alone', async () => {
      const html = await (await toolbox.request('/admin/companies', { cookie: admin.cookie })).text();
      assert.match(html, /<label for="map-251-ad">Synced from on-premises AD \(hybrid\)<\/label>/);

      const mapped = await postForm([
        ['action', 'map'],
        ['companyId', '251'],
        ['directoryId', 'fabrikam'],
        ['onPremisesDirectoryId', 'fabrikam-ad'],
      ]);
      const mappedText = await mapped.clone().text();
      assert.equal(mapped.status, 303, mappedText.replace(/<[^>]*>/g, ' ').slice(0, 1500));
      const fabrikam = (await overview()).mappings.find((mapping) => mapping.companyId === '251');
      assert.equal(fabrikam?.directoryId, 'fabrikam+fabrikam-ad');
      assert.equal(fabrikam?.directoryName, 'Fabrikam Logistics + Fabrikam AD');
      assert.equal(fabrikam?.source, 'console');
      const entry = toolbox.services.directories.forCompany('251');
      assert.equal(entry?.config.id, 'fabrikam+fabrikam-ad');
      assert.ok(entry?.placeOf, 'the company is served as a hybrid pair');

      const page = await (await toolbox.request('/admin/companies', { cookie: admin.cookie })).text();
      assert.match(page, /<option value="fabrikam-ad" selected="">Fabrikam AD<\/option>/, 'the change form shows the pair');

      const back = await postForm([
        ['action', 'map'],
        ['revision', (await overview()).revision ?? ''],
        ['companyId', '251'],
        ['directoryId', 'fabrikam'],
        ['onPremisesDirectoryId', ''],
      ]);
      assert.equal(back.status, 303);
      assert.equal(toolbox.services.directories.forCompany('251')?.config.id, 'fabrikam');
    });

    test('a pair must be a Microsoft 365 directory then an AD one, both existing: 400 naming the company, nothing saved', async () => {
      const reversed = await put({ mappings: { '251': 'fabrikam-ad+fabrikam' } });
      assert.equal(reversed.status, 400);
      assert.deepEqual(
        reversed.json.error.fields?.map((field) => field.path),
        ['mappings.251'],
      );
      assert.match(reversed.json.error.message, /a hybrid mapping is a Microsoft 365 directory then an on-premises AD one/);
      const twoClouds = await put({ mappings: { '251': 'fabrikam+contoso' } });
      assert.equal(twoClouds.status, 400);
      const unknown = await put({ mappings: { '251': 'fabrikam+no-such-ad' } });
      assert.equal(unknown.status, 400);
      assert.match(unknown.json.error.message, /directory "no-such-ad" does not exist/);
      assert.equal(toolbox.services.directories.forCompany('251')?.config.id, 'fabrikam', 'a refused save changed the mapping');
    });
  });
}
