import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoMsp } from '../../src/demo/demo-data.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, EMPTY_CONSOLE_CONFIG, type TestToolbox } from '../helpers/test-toolbox.js';

const CONNECTION = {
  kind: 'connectwise',
  fields: {
    companyId: demoMsp.connectWiseCompanyId,
    publicKey: demoMsp.publicKey,
    siteUrl: CW_ORIGIN,
    apiUrl: CW_ORIGIN,
    clientId: demoMsp.clientId,
  },
  secrets: { privateKey: demoMsp.privateKey },
};
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';

for (const database of TEST_DATABASES) {
  describe(`PSA connection in the admin console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    let tech: { cookie: string; csrf: string };

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store, config: { ...EMPTY_CONSOLE_CONFIG, forms: { enabled: ['password_reset'] } } });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('an empty install: the overview lists what to do, a screen pop says the secret and then the PSA are missing', async () => {
      const overview = await toolbox.request('/admin', { cookie: admin.cookie });
      assert.equal(overview.status, 200);
      const html = await overview.text();
      assert.match(html, /Connect the PSA/);
      assert.match(html, /not connected/);
      // A new install refuses every screen pop until an admin sets the webhook secret.
      const unsigned = await toolbox.request(POP, { cookie: tech.cookie });
      assert.equal(unsigned.status, 503);
      assert.match(await unsigned.text(), /Screen pops are off until a webhook secret is set/);
      const secret = await toolbox.request('/admin/screenpop/secret', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, secret: 'console-first-secret-5b1e0c' },
      });
      assert.equal(secret.status, 303);
      const pop = await toolbox.request(POP, { cookie: tech.cookie });
      assert.equal(pop.status, 503);
      assert.match(await pop.text(), /not connected to the PSA yet/);
      assert.equal(toolbox.cw.state.requests.length, 0);
    });

    test('a technician gets 403 on the page and the API; signed out, 401 and a sign-in redirect', async () => {
      assert.equal((await toolbox.request('/admin/psa', { cookie: tech.cookie })).status, 403);
      const api = await toolbox.api('PUT', '/api/admin/psa', { session: tech, body: CONNECTION });
      assert.equal(api.status, 403);
      assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'TBX_ERR_FORBIDDEN');
      assert.equal((await toolbox.api('GET', '/api/admin/psa')).status, 401);
      const page = await toolbox.request('/admin/psa');
      assert.equal(page.status, 303);
      assert.equal(page.headers.get('location'), '/login?next=%2Fadmin%2Fpsa');
    });

    test('a session write without the CSRF header is refused and changes nothing', async () => {
      const response = await toolbox.api('PUT', '/api/admin/psa', { session: { cookie: admin.cookie, csrf: 'wrong' }, body: CONNECTION });
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'TBX_ERR_CSRF');
      const form = await toolbox.request('/admin/psa', { cookie: admin.cookie, form: { _csrf: 'wrong', kind: 'connectwise' } });
      assert.equal(form.status, 403);
      assert.equal(toolbox.services.settings.current().psa, null);
    });

    test('bad input names each field; nothing is saved', async () => {
      const response = await toolbox.api('PUT', '/api/admin/psa', {
        session: admin,
        body: { ...CONNECTION, fields: { ...CONNECTION.fields, apiUrl: 'ftp://x', clientId: '' }, secrets: {} },
      });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string; fields: { path: string; message: string }[] } };
      assert.equal(body.error.code, 'TBX_ERR_VALIDATION');
      const paths = body.error.fields.map((field) => field.path).sort();
      assert.deepEqual(paths, ['fields.apiUrl', 'fields.clientId', 'secrets.privateKey']);
      // The console form shows the same problems beside the fields, and keeps what was typed.
      const page = await toolbox.request('/admin/psa', {
        cookie: admin.cookie,
        // Each kind's inputs are named after it: the page holds every registered PSA's fieldset.
        form: {
          _csrf: admin.csrf,
          kind: 'connectwise',
          revision: '',
          'connectwise.fields.companyId': 'northwind',
          'connectwise.fields.apiUrl': 'ftp://x',
        },
      });
      assert.equal(page.status, 400);
      const html = await page.text();
      assert.match(html, /id="psa-connectwise-apiUrl-error"/);
      assert.match(html, /value="northwind"/);
      assert.equal(toolbox.services.settings.current().psa, null);
    });

    test('saved through the console: secret write-only and sealed, audited without it, screen pops work', async () => {
      const saved = await toolbox.request('/admin/psa', {
        cookie: admin.cookie,
        form: {
          _csrf: admin.csrf,
          kind: 'connectwise',
          revision: '',
          ...Object.fromEntries(Object.entries(CONNECTION.fields).map(([name, value]) => [`connectwise.fields.${name}`, value])),
          'connectwise.secrets.privateKey': demoMsp.privateKey,
        },
      });
      assert.equal(saved.status, 303);
      assert.equal(saved.headers.get('location'), '/admin/psa?notice=saved');

      const view = await toolbox.api('GET', '/api/admin/psa', { session: admin });
      const text = await view.text();
      assert.ok(!text.includes(demoMsp.privateKey), 'the private key is never sent back');
      const json = JSON.parse(text) as { configured: boolean; source: string; secretsSet: string[]; fields: Record<string, string> };
      assert.equal(json.configured, true);
      assert.equal(json.source, 'console');
      assert.deepEqual(json.secretsSet, ['privateKey']);
      assert.equal(json.fields.companyId, 'northwind');
      const page = await (await toolbox.request('/admin/psa', { cookie: admin.cookie })).text();
      assert.ok(!page.includes(demoMsp.privateKey));
      assert.match(page, /Stored\. Leave empty to keep it\./);

      const row = await store.settings.get('psa');
      assert.ok(!JSON.stringify(row).includes(demoMsp.privateKey), 'sealed at rest');
      const audit = await store.audit.list({}, { limit: 10, offset: 0 });
      assert.equal(audit.items[0]?.action, 'psa.create');
      assert.equal(audit.items[0]?.actorEmail, DEMO_ADMIN.email);
      assert.equal((audit.items[0]!.after as Record<string, unknown>).privateKey, '(changed)');
      assert.ok(!JSON.stringify(audit.items).includes(demoMsp.privateKey));

      const pop = await toolbox.request(POP, { cookie: tech.cookie });
      assert.equal(pop.status, 303);
      assert.ok(!toolbox.logText().includes(demoMsp.privateKey));
    });

    test('saving again without the secret keeps it; a stale revision is refused with 409', async () => {
      const before = (await (await toolbox.api('GET', '/api/admin/psa', { session: admin })).json()) as { revision: string };
      const response = await toolbox.api('PUT', '/api/admin/psa', {
        token: undefined,
        session: admin,
        body: { ...CONNECTION, secrets: {}, fields: { ...CONNECTION.fields, apiVersion: '2025.1' }, revision: before.revision },
      });
      assert.equal(response.status, 200);
      // The kept private key still works: the PSA answers.
      assert.equal((await toolbox.services.settings.psa.getTicket('1001')).id, '1001');
      const stale = await toolbox.api('PUT', '/api/admin/psa', { session: admin, body: { ...CONNECTION, revision: before.revision } });
      assert.equal(stale.status, 409);
      assert.equal(((await stale.json()) as { error: { code: string } }).error.code, 'TBX_ERR_SETTINGS_CONFLICT');
    });
  });
}
