import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildDemoConfig, DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { demoCompanies } from '../../src/demo/demo-data.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, GRAPH_ORIGIN, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

/** The demo directories with only Contoso (250) mapped: Fabrikam (251) and Adatum (252) are not. */
function directoriesConfig() {
  const demo = buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN });
  return demo.directories.map((directory) => ({ ...directory, psaCompanyIds: directory.id === 'contoso' ? ['250'] : [] }));
}

for (const database of TEST_DATABASES) {
  describe(`the set-up overview says only what is true (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    let psaDown = false;

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({
        store,
        config: { directories: directoriesConfig() },
        // The companies the demo tenants serve: the AD-only demo customer's domain exists only in the demo sandbox.
        cw: { seed: { companies: demoCompanies.filter((company) => company.tenantKey) } },
        interceptFetch: (url, _init, send) => {
          if (psaDown && url.origin === CW_ORIGIN) return Promise.reject(new TypeError('fetch failed'));
          return send();
        },
      });
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    /** Each step's state word and detail, by its key. */
    const overview = async () => {
      const html = await (await toolbox.request('/admin', { cookie: admin.cookie })).text();
      const steps: Record<string, { state: string; detail: string }> = {};
      for (const match of html.matchAll(
        /<li class="[^"]*" data-step="([^"]+)"><span class="badge">([^<]+)<\/span>.*?<span class="muted">· ([^<]*)<\/span>/g,
      )) {
        steps[match[1]!] = { state: match[2]!, detail: match[3]! };
      }
      return steps;
    };

    test('1 of 3 companies mapped is not done; checks not run are not done; no screen pop yet is not done', async () => {
      const steps = await overview();
      assert.deepEqual(steps.companies, {
        state: 'to do',
        detail: '1 of 3 active companies mapped; 2 not mapped (their screen pops find no directory)',
      });
      assert.equal(steps['psa-check']?.state, 'to do');
      assert.equal(steps['psa-check']?.detail, 'not run yet');
      assert.equal(steps.directories?.state, 'to do');
      assert.match(steps.directories?.detail ?? '', /not checked yet: /);
      assert.equal(steps.screenpop?.state, 'to do');
      assert.match(steps.screenpop?.detail ?? '', /no screen pop has arrived yet/);
      // The demo maps no technician to a PSA member.
      assert.equal(steps.technicians?.state, 'to do');
    });

    test('once everything is mapped, checked and a screen pop arrived, those steps are done', async () => {
      const put = await toolbox.api('PUT', '/api/admin/company-mappings', {
        session: admin,
        headers: { origin: TEST_ORIGIN },
        body: { mappings: { '251': 'fabrikam', '252': 'adatum' } },
      });
      assert.equal(put.status, 200, await put.clone().text());
      assert.equal((await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} })).status, 200);
      for (const id of ['contoso', 'fabrikam', 'adatum']) {
        const run = await toolbox.api('POST', `/api/admin/directories/${id}/check`, { session: admin, headers: { origin: TEST_ORIGIN } });
        assert.equal(run.status, 200, id);
      }
      const tech = await toolbox.signIn();
      assert.equal(
        (
          await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', {
            cookie: tech.cookie,
          })
        ).status,
        303,
      );
      const steps = await overview();
      assert.deepEqual(steps.companies, { state: 'done', detail: '3 of 3 active companies mapped' });
      assert.equal(steps['psa-check']?.state, 'done');
      assert.equal(steps.directories?.state, 'done');
      assert.equal(steps.screenpop?.state, 'done');
    });

    test('when the PSA cannot be read, the companies step says it cannot tell, and why', async () => {
      psaDown = true;
      try {
        const steps = await overview();
        assert.equal(steps.companies?.state, 'cannot tell');
        assert.match(
          steps.companies?.detail ?? '',
          /3 companies mapped; cannot tell whether any is left, because ConnectWise could not be reached/,
        );
      } finally {
        psaDown = false;
      }
    });
  });
}
