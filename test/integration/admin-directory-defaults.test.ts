import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { demoTenants } from '../../src/demo/demo-data.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, EMPTY_CONSOLE_CONFIG, GRAPH_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

const contoso = demoTenants.find((tenant) => tenant.key === 'contoso')!;
const MICROSOFT_HOSTS = ['https://login.microsoftonline.com', 'https://graph.microsoft.com', 'https://outlook.office365.com'];
type CheckLine = { name: string; ok: boolean; message: string; hint?: string; upstreamCode?: string };

for (const database of TEST_DATABASES) {
  describe(`a Microsoft 365 tenant with the main fields only (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    /** What Microsoft's real hosts do on the test network: answer (through the simulator), or not resolve. */
    let network: 'microsoft' | 'no-dns' = 'microsoft';
    const reached: string[] = [];

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({
        store,
        config: EMPTY_CONSOLE_CONFIG,
        interceptFetch: (url, init, send) => {
          if (!MICROSOFT_HOSTS.includes(url.origin)) return send();
          reached.push(url.origin);
          if (network === 'no-dns') {
            // As Node's fetch fails when a name does not resolve.
            const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.host}`), { code: 'ENOTFOUND' });
            return Promise.reject(new TypeError('fetch failed', { cause }));
          }
          // Microsoft's hosts answered by the simulator, which plays one cloud at one address.
          return toolbox.graph.handler(new Request(`${GRAPH_ORIGIN}${url.pathname}${url.search}`, init));
        },
      });
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    const runCheck = async (id: string) => {
      const run = await toolbox.api('POST', `/api/admin/directories/${id}/check`, {
        session: admin,
        headers: { origin: 'http://toolbox.test' },
      });
      assert.equal(run.status, 200);
      return ((await run.json()) as { results: CheckLine[] }).results;
    };

    test('added with name, id, tenant, client id and secret: Microsoft’s hosts are the defaults and sign-in works', async () => {
      const created = await toolbox.request('/admin/directories', {
        cookie: admin.cookie,
        form: {
          _csrf: admin.csrf,
          kind: 'entra',
          id: 'contoso',
          name: 'Contoso Dental',
          'fields.tenantId': contoso.tenantId,
          'fields.clientId': contoso.clientId,
          'secrets.clientSecret': contoso.clientSecret,
        },
      });
      assert.equal(created.status, 303, await created.text());
      const results = await runCheck('contoso');
      assert.equal(results[0]?.name, 'Sign-in to the tenant');
      assert.equal(results[0]?.ok, true, results[0]?.message);
      assert.ok(reached.includes('https://login.microsoftonline.com'), 'signed in at Microsoft’s default authority host');
      assert.ok(reached.includes('https://graph.microsoft.com'), 'called Microsoft’s default Graph host');
    });

    test('a sign-in host that does not resolve is named as a DNS failure, with its code', async () => {
      network = 'no-dns';
      const created = await toolbox.api('POST', '/api/admin/directories', {
        session: admin,
        headers: { origin: 'http://toolbox.test' },
        body: {
          id: 'contoso-dns',
          kind: 'entra',
          name: 'Contoso (no DNS)',
          // Another app, so no token cached for the first one can answer for it.
          fields: { tenantId: contoso.tenantId, clientId: '0b7c6d5e-4f3a-4b2c-9d1e-0f9a8b7c6d5e' },
          secrets: { clientSecret: contoso.clientSecret },
        },
      });
      assert.equal(created.status, 201);
      const signIn = (await runCheck('contoso-dns'))[0]!;
      assert.equal(signIn.ok, false);
      assert.match(signIn.message, /login\.microsoftonline\.com does not resolve \(DNS\)/);
      assert.equal(signIn.upstreamCode, 'ENOTFOUND');
      const page = await (await toolbox.request('/admin/directories/contoso-dns', { cookie: admin.cookie })).text();
      assert.match(page, /does not resolve \(DNS\)/);
      assert.match(page, /ENOTFOUND/);
      network = 'microsoft';
    });
  });
}
