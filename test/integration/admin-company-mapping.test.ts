import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildDemoConfig, DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { type DemoCompany, demoCompanies, demoMsp, demoTenants } from '../../src/demo/demo-data.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import {
  CW_ORIGIN,
  createTestToolbox,
  EMPTY_CONSOLE_CONFIG,
  GRAPH_ORIGIN,
  TEST_ORIGIN,
  type TestToolbox,
} from '../helpers/test-toolbox.js';

type Overview = {
  psaConfigured: boolean;
  revision: string | null;
  directories: { id: string; name: string; source: string }[];
  mappings: { companyId: string; companyName: string | null; directoryId: string; directoryName: string; source: string }[];
  unmapped: {
    companyId: string;
    companyName: string;
    suggestion: { directoryId: string; directoryName: string; reason: string } | null;
    noSuggestionReason: string | null;
  }[];
  problems: string[];
};
type ApiError = { error: { code: string; message: string; fields?: { path: string; message: string }[] } };

/** The demo directories from the file, none mapping a company except Adatum (252), which the file keeps. */
function directoriesConfig() {
  const demo = buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN });
  return demo.directories.map((directory) => ({ ...directory, psaCompanyIds: directory.id === 'adatum' ? directory.psaCompanyIds : [] }));
}

/**
 * The demo's companies served by a Microsoft 365 tenant: the AD-only demo customer (Tailspin Toys)
 * is served by a simulated domain that only the demo sandbox has, so it is left out here.
 */
const TENANT_COMPANIES = demoCompanies.filter((company) => company.tenantKey);

const SECRETS = [demoMsp.privateKey, ...demoTenants.map((tenant) => tenant.clientSecret)];
const assertNoSecret = (text: string, where: string) => {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret leaked into ${where}`);
};

for (const database of TEST_DATABASES) {
  describe(`company mapping in the admin console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    let tech: { cookie: string; csrf: string };
    const bodies: string[] = [];

    const overview = async () => {
      const response = await toolbox.api('GET', '/api/admin/company-mappings', { session: admin });
      assert.equal(response.status, 200);
      const text = await response.text();
      bodies.push(text);
      return JSON.parse(text) as Overview;
    };
    const page = async (path = '/admin/companies') => {
      const response = await toolbox.request(path, { cookie: admin.cookie });
      const html = await response.text();
      bodies.push(html);
      return { status: response.status, html };
    };
    /** Posts the console form; repeated fields (the ticked checkboxes) as pairs. */
    const postForm = async (pairs: [string, string][]) => {
      const response = await toolbox.app.request(`${TEST_ORIGIN}/admin/companies`, {
        method: 'POST',
        headers: { cookie: admin.cookie, origin: TEST_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([['_csrf', admin.csrf], ...pairs]).toString(),
      });
      bodies.push(await response.clone().text());
      return response;
    };
    const put = async (body: unknown, session = admin) => {
      const response = await toolbox.api('PUT', '/api/admin/company-mappings', { session, body });
      const text = await response.text();
      bodies.push(text);
      return { status: response.status, json: JSON.parse(text) as ApiError & { revision: string; saved: number } };
    };
    const popStatus = async (companyId: number, contactId: number) => {
      const pop = await toolbox.request(
        `/hooks/screenpop?ticket_id=1001&company_id=${companyId}&contact_id=${contactId}&form_name=password_reset`,
        {
          cookie: tech.cookie,
        },
      );
      assert.equal(pop.status, 303);
      const launch = await toolbox.request(pop.headers.get('location')!, { cookie: tech.cookie });
      return { status: launch.status, html: await launch.text() };
    };

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({
        store,
        config: { directories: directoriesConfig() },
        cw: { seed: { companies: TENANT_COMPANIES } },
      });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('a technician gets 403 on the page, the form and both API operations', async () => {
      assert.equal((await toolbox.request('/admin/companies', { cookie: tech.cookie })).status, 403);
      const form = await toolbox.request('/admin/companies', {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, action: 'map', companyId: '250', directoryId: 'contoso' },
      });
      assert.equal(form.status, 403);
      const get = await toolbox.api('GET', '/api/admin/company-mappings', { session: tech });
      assert.equal(get.status, 403);
      assert.equal(((await get.json()) as ApiError).error.code, 'TBX_ERR_FORBIDDEN');
      const { status, json } = await put({ mappings: { '250': 'contoso' } }, tech);
      assert.equal(status, 403);
      assert.equal(json.error.code, 'TBX_ERR_FORBIDDEN');
      assert.equal(toolbox.services.settings.current().companyMappings.length, 1, 'only the file mapping exists');
    });

    test('suggestions come from the contacts’ e-mail domains and the tenants’ verified domains', async () => {
      const view = await overview();
      assert.deepEqual(view.problems, []);
      assert.equal(view.revision, null);
      assert.deepEqual(
        view.mappings.map((m) => [m.companyId, m.companyName, m.directoryId, m.source]),
        [['252', 'Adatum Legal LLP', 'adatum', 'file']],
      );
      const byId = Object.fromEntries(view.unmapped.map((company) => [company.companyId, company]));
      assert.deepEqual(Object.keys(byId).sort(), ['250', '251']);
      assert.deepEqual(byId['250']?.suggestion, {
        directoryId: 'contoso',
        directoryName: 'Contoso Dental',
        reason: '3 of 3 contacts use contosodental.example, a verified domain of Contoso Dental.',
      });
      // Nestor Wilke writes from gmail.example: two of three still point at Fabrikam.
      assert.deepEqual(byId['251']?.suggestion, {
        directoryId: 'fabrikam',
        directoryName: 'Fabrikam Logistics',
        reason: '2 of 3 contacts use fabrikamlogistics.example, a verified domain of Fabrikam Logistics.',
      });

      const { status, html } = await page();
      assert.equal(status, 200);
      assert.match(html, /Unmapped companies \(2\)/);
      assert.match(html, /name="confirm" value="250" form="confirm-suggestions" checked/);
      assert.match(html, /3 of 3 contacts use contosodental\.example/);
      assert.match(html, /Confirm selected suggestions/);
    });

    test('before the mapping a screen pop finds no directory; bulk confirm maps them and screen pops find their users', async () => {
      const unmapped = await popStatus(250, 301);
      assert.equal(unmapped.status, 409);
      assert.match(unmapped.html, /is not connected to a directory/);

      const saved = await postForm([
        ['action', 'confirm'],
        ['revision', ''],
        ['confirm', '250'],
        ['confirm', '251'],
        ['suggestion.250', 'contoso'],
        ['suggestion.251', 'fabrikam'],
      ]);
      assert.equal(saved.status, 303);
      assert.equal(saved.headers.get('location'), '/admin/companies?notice=confirmed&count=2');
      assert.match((await page(saved.headers.get('location')!)).html, /Saved: 2 companies mapped as suggested\./);

      const view = await overview();
      assert.deepEqual(view.unmapped, []);
      assert.deepEqual(
        view.mappings.map((m) => [m.companyId, m.directoryId, m.source]),
        [
          ['252', 'adatum', 'file'],
          ['250', 'contoso', 'console'],
          ['251', 'fabrikam', 'console'],
        ],
      );
      assert.ok(view.revision);

      const contoso = await popStatus(250, 301);
      assert.equal(contoso.status, 200);
      assert.match(contoso.html, /Megan Bowen/);
      assert.match(contoso.html, /Matched from the contact by e-mail address/);
      const fabrikam = await popStatus(251, 311);
      assert.equal(fabrikam.status, 200);
      assert.match(fabrikam.html, /Lidia Holloway/);

      const audit = await store.audit.list({}, { limit: 5, offset: 0 });
      const entry = audit.items.find((item) => item.action === 'company-mappings.update');
      assert.ok(entry);
      assert.equal(entry.actorEmail, DEMO_ADMIN.email);
      // The audit says whose ids these are: a company id means something only in its PSA.
      assert.deepEqual(entry.before, { psaKind: 'connectwise', mappings: {} });
      assert.deepEqual(entry.after, { psaKind: 'connectwise', mappings: { '250': 'contoso', '251': 'fabrikam' } });
    });

    test('only the ticked suggestions are saved; none ticked is refused with a message', async () => {
      const revision = (await overview()).revision;
      // Unmap Fabrikam through the console's select, then confirm nothing.
      const unmapped = await postForm([
        ['action', 'map'],
        ['companyId', '251'],
        ['directoryId', '-'],
        ['revision', revision ?? ''],
      ]);
      assert.equal(unmapped.status, 303);
      assert.equal(unmapped.headers.get('location'), '/admin/companies?notice=unmapped');
      const view = await overview();
      assert.deepEqual(
        view.unmapped.map((company) => company.companyId),
        ['251'],
      );
      const none = await postForm([
        ['action', 'confirm'],
        ['revision', view.revision ?? ''],
        ['suggestion.251', 'fabrikam'],
      ]);
      assert.equal(none.status, 400);
      assert.match(await none.text(), /Tick at least one suggestion/);
      assert.equal(toolbox.services.directories.forCompany('251'), undefined);

      const mapped = await postForm([
        ['action', 'map'],
        ['companyId', '251'],
        ['directoryId', 'fabrikam'],
        ['revision', view.revision ?? ''],
      ]);
      assert.equal(mapped.status, 303);
      assert.equal(toolbox.services.directories.forCompany('251')?.config.id, 'fabrikam');
    });

    test('a file mapping is shown read-only and cannot be changed (409)', async () => {
      const { html } = await page();
      assert.match(html, /Adatum Legal LLP/);
      assert.match(html, /from the configuration file \(read-only\)/);
      assert.ok(!html.includes('id="change-252"'), 'no select for the file mapping');
      assert.match(html, /id="change-250"/);

      const { status, json } = await put({ mappings: { '252': 'contoso', '250': 'contoso' } });
      assert.equal(status, 409);
      assert.equal(json.error.code, 'TBX_ERR_SET_IN_FILE');
      assert.deepEqual(
        json.error.fields?.map((field) => field.path),
        ['mappings.252'],
      );
      assert.equal(toolbox.services.directories.forCompany('252')?.config.id, 'adatum');
      const form = await postForm([
        ['action', 'map'],
        ['companyId', '252'],
        ['directoryId', '-'],
      ]);
      assert.equal(form.status, 409);
      assert.match(await form.text(), /configuration file maps company 252/);
    });

    test('a stale revision is refused with 409 and changes nothing', async () => {
      const first = await overview();
      const saved = await put({ mappings: { '250': 'fabrikam' }, revision: first.revision });
      assert.equal(saved.status, 200);
      assert.equal(saved.json.saved, 1);
      const stale = await put({ mappings: { '250': 'contoso' }, revision: first.revision });
      assert.equal(stale.status, 409);
      assert.equal(stale.json.error.code, 'TBX_ERR_SETTINGS_CONFLICT');
      assert.equal(toolbox.services.directories.forCompany('250')?.config.id, 'fabrikam');
      const back = await put({ mappings: { '250': 'contoso' }, revision: saved.json.revision });
      assert.equal(back.status, 200);
    });

    test('bad input: unknown directory and bad company id are 400 naming the field; an empty body says what to do', async () => {
      const unknown = await put({ mappings: { '250': 'no-such-tenant', abc: 'contoso' } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json.error.code, 'TBX_ERR_VALIDATION');
      assert.deepEqual(unknown.json.error.fields?.map((field) => field.path).sort(), ['mappings.250', 'mappings.abc']);
      assert.match(unknown.json.error.message, /directory "no-such-tenant" does not exist/);
      const empty = await put({ mappings: {} });
      assert.equal(empty.status, 400);
      assert.deepEqual(
        empty.json.error.fields?.map((field) => field.path),
        ['mappings'],
      );
      const wrongType = await put({ mappings: { '250': 42 }, extra: true });
      assert.equal(wrongType.status, 400);
      assert.ok(wrongType.json.error.fields?.some((field) => field.path === 'body.mappings.250' || field.path === 'mappings.250'));
      assert.equal(toolbox.services.directories.forCompany('250')?.config.id, 'contoso');
    });

    test('a failed read is reported in words with the upstream code; the rest of the page still works', async () => {
      await put({ mappings: { '251': null } });
      toolbox.cw.state.forbidden.push({ method: 'GET', path: '/company/contacts' });
      toolbox.graph.failNext('GET /v1.0/domains', 400, 'Request_BadRequest');
      try {
        const view = await overview();
        assert.equal(view.problems.length, 2, view.problems.join('\n'));
        assert.ok(
          view.problems.some((problem) =>
            /contacts’? ?.*e-mail addresses from .* failed: .*\(connectwise 403 NotAuthorized\)/.test(problem),
          ),
        );
        assert.ok(view.problems.some((problem) => /verified domains of .* failed/.test(problem)));
        assert.equal(view.unmapped[0]?.suggestion, null);
        assert.match(view.unmapped[0]?.noSuggestionReason ?? '', /contacts could not be read/);
        const { status, html } = await page();
        assert.equal(status, 200);
        assert.match(html, /Some information could not be read/);
      } finally {
        toolbox.cw.state.forbidden.length = 0;
      }
      toolbox.cw.failNext('/company/companies', 401, 1);
      const view = await overview();
      assert.match(view.problems[0] ?? '', /Reading the companies from ConnectWise/);
      assert.deepEqual(view.unmapped, []);
      assert.ok(view.mappings.some((mapping) => mapping.companyId === '250' && mapping.companyName === null));
    });

    test('both operations are in the OpenAPI document, from the schemas that validate them', async () => {
      const response = await toolbox.api('GET', '/api/openapi.json', { session: admin });
      assert.equal(response.status, 200);
      const document = (await response.json()) as { paths: Record<string, Record<string, { operationId: string }>> };
      const path = document.paths['/api/admin/company-mappings'];
      assert.equal(path?.get?.operationId, 'getCompanyMappings');
      assert.equal(path?.put?.operationId, 'saveCompanyMappings');
    });

    test('no secret in any response body, log line or audit entry', async () => {
      for (const body of bodies) assertNoSecret(body, 'a response');
      assertNoSecret(toolbox.logText(), 'the log');
      const audit = await store.audit.list({}, { limit: 100, offset: 0 });
      assertNoSecret(JSON.stringify(audit.items), 'the audit log');
    });
  });

  describe(`company mapping with many companies and empty installs (${database.name})`, { skip: database.skip }, () => {
    test('more than one page of companies: every one is listed, the demo ones get suggestions', async () => {
      const store = await database.open();
      const extra: DemoCompany[] = Array.from({ length: 1205 }, (_, i) => ({
        id: 10_000 + i,
        identifier: `BULK${i}`,
        name: `Bulk customer ${String(i).padStart(4, '0')}`,
        tenantKey: 'none',
      }));
      const toolbox = await createTestToolbox({
        store,
        config: { directories: directoriesConfig() },
        cw: { seed: { companies: [...TENANT_COMPANIES, ...extra] } },
      });
      try {
        const admin = await toolbox.signIn(DEMO_ADMIN);
        const response = await toolbox.api('GET', '/api/admin/company-mappings', { session: admin });
        const view = (await response.json()) as Overview;
        assert.deepEqual(view.problems, []);
        assert.equal(view.unmapped.length, 1205 + 2);
        assert.ok(view.unmapped.some((company) => company.companyId === '11204'));
        assert.equal(view.unmapped.find((company) => company.companyId === '250')?.suggestion?.directoryId, 'contoso');
        assert.match(view.unmapped.find((company) => company.companyId === '10000')?.noSuggestionReason ?? '', /No active contact/);
        const pages = toolbox.cw.state.requests.filter((r) => r.path === '/company/companies');
        assert.deepEqual(
          pages.map((r) => r.query.page),
          [undefined, '2'],
        );
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });

    test('an empty install points to the PSA and directories pages', async () => {
      const store = await database.open();
      const toolbox = await createTestToolbox({ store, config: EMPTY_CONSOLE_CONFIG });
      try {
        const admin = await toolbox.signIn(DEMO_ADMIN);
        const response = await toolbox.request('/admin/companies', { cookie: admin.cookie });
        assert.equal(response.status, 200);
        const html = await response.text();
        assert.match(html, /No PSA connection yet/);
        assert.match(html, /<a href="\/admin\/psa">Connect the PSA<\/a>/);
        assert.match(html, /No directories yet/);
        assert.match(html, /<a href="\/admin\/directories">Add a customer’s Microsoft 365 tenant<\/a>/);
        assert.match(html, /No company is mapped yet/);
        assert.equal(toolbox.cw.state.requests.length, 0);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });
  });
}
