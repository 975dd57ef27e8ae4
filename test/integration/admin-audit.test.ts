import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoMsp } from '../../src/demo/demo-data.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, EMPTY_CONSOLE_CONFIG, type TestToolbox } from '../helpers/test-toolbox.js';

type Session = { cookie: string; csrf: string };
type AuditJson = {
  items: { actorEmail: string; action: string; target: string; at: string; before: unknown; after: unknown }[];
  total: number;
  limit: number;
  offset: number;
};

const decode = (html: string) =>
  html.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");

for (const database of TEST_DATABASES) {
  describe(`audit log in the admin console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: Session;
    let tech: Session;

    const audit = async (query: string) => {
      const response = await toolbox.api('GET', `/api/admin/audit?${query}`, { session: admin });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as AuditJson;
    };

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store, config: { ...EMPTY_CONSOLE_CONFIG, forms: { enabled: ['password_reset'] } } });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
      // A real change through the API: its entry must not hold the private key.
      const saved = await toolbox.api('PUT', '/api/admin/psa', {
        session: admin,
        body: {
          kind: 'connectwise',
          fields: {
            companyId: demoMsp.connectWiseCompanyId,
            publicKey: demoMsp.publicKey,
            siteUrl: CW_ORIGIN,
            apiUrl: CW_ORIGIN,
            clientId: demoMsp.clientId,
          },
          secrets: { privateKey: demoMsp.privateKey },
        },
      });
      assert.equal(saved.status, 200, await saved.clone().text());
      // Twelve more, by two people, on three targets, one second apart.
      for (let index = 0; index < 12; index++) {
        await store.audit.append(
          {
            actorUserId: null,
            actorEmail: index % 3 === 0 ? 'cli' : 'someone@northwind-it.example',
            action: index % 2 === 0 ? 'user.disable' : 'forms.update',
            target: `user:person${index % 3}@northwind-it.example`,
            before: { enabled: ['password_reset'], note: `before ${index}` },
            after: { enabled: ['password_reset', 'reset_mfa'], note: `before ${index}` },
            requestId: null,
          },
          new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
        );
      }
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('every filter narrows the log; paging keeps the total', async () => {
      const all = await audit('');
      assert.equal(all.total, 13);
      assert.equal(all.limit, 50);
      const byAction = await audit('action=user.disable');
      assert.equal(byAction.total, 6);
      assert.ok(byAction.items.every((item) => item.action === 'user.disable'));
      const byActor = await audit('actor=cli');
      assert.equal(byActor.total, 4);
      assert.ok(byActor.items.every((item) => item.actorEmail === 'cli'));
      const byTarget = await audit(`target=${encodeURIComponent('user:person1@northwind-it.example')}`);
      assert.equal(byTarget.total, 4);
      const both = await audit('action=forms.update&actor=cli');
      assert.equal(both.total, 2);
      const psa = await audit('target=psa');
      assert.equal(psa.total, 1);
      assert.equal(psa.items[0]!.actorEmail, DEMO_ADMIN.email);

      const first = await audit('limit=5');
      const second = await audit('limit=5&offset=5');
      const third = await audit('limit=5&offset=10');
      assert.deepEqual([first.items.length, second.items.length, third.items.length], [5, 5, 3]);
      const times = [...first.items, ...second.items, ...third.items].map((item) => item.at);
      assert.deepEqual(times, [...times].sort().reverse(), 'not newest first');
      assert.equal(new Set(times).size, 13);
    });

    test('no secret in any entry, on the API or the page', async () => {
      const json = JSON.stringify(await audit('limit=200'));
      assert.ok(!json.includes(demoMsp.privateKey), 'the private key is in the audit log');
      const page = await (await toolbox.request('/admin/audit?limit=200', { cookie: admin.cookie })).text();
      assert.ok(!decode(page).includes(demoMsp.privateKey));
      assert.ok(!toolbox.logText().includes(demoMsp.privateKey));
    });

    test('the page shows who, what, when, target and what changed, with filters and paging links', async () => {
      const response = await toolbox.request('/admin/audit?action=forms.update&limit=4', { cookie: admin.cookie });
      assert.equal(response.status, 200);
      const html = decode(await response.text());
      assert.match(html, /Showing 1–4 of 6/);
      assert.ok(html.includes('someone@northwind-it.example'));
      assert.ok(html.includes('forms.update'));
      assert.ok(!html.includes('<code>user.disable</code>'), 'the action filter did not apply on the page');
      assert.ok(html.includes('2026-01-01 00:00 UTC'));
      assert.ok(html.includes('user:person2@northwind-it.example'));
      // Only what differs: the changed key with before → after; the unchanged key left out.
      assert.ok(html.includes('<code>enabled</code>: <code>["password_reset"]</code> → <code>["password_reset","reset_mfa"]</code>'));
      assert.ok(!html.includes('<code>note</code>'), 'an unchanged key is listed as a change');
      assert.ok(html.includes('href="/admin/audit?action=forms.update&limit=4&offset=4" rel="next"'), 'the next link lost the filter');
      assert.ok(html.includes('value="forms.update"'), 'the filter field lost its value');
    });

    test('bad paging is refused naming the field; an empty result says so', async () => {
      const response = await toolbox.api('GET', '/api/admin/audit?limit=0&offset=x', { session: admin });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string; fields: { path: string }[] } };
      assert.equal(body.error.code, 'TBX_ERR_VALIDATION');
      assert.deepEqual(body.error.fields.map((field) => field.path).sort(), ['query.limit', 'query.offset']);
      const page = await toolbox.request('/admin/audit?limit=900', { cookie: admin.cookie });
      assert.equal(page.status, 400);
      assert.match(await page.text(), /Limit: at most 200 rows/);
      const empty = await (await toolbox.request('/admin/audit?actor=nobody@nowhere.example', { cookie: admin.cookie })).text();
      assert.match(empty, /No entry matches these filters/);
    });

    test('technicians get 403 on the page and the API; signed out, 401 and a sign-in redirect', async () => {
      assert.equal((await toolbox.request('/admin/audit', { cookie: tech.cookie })).status, 403);
      const api = await toolbox.api('GET', '/api/admin/audit', { session: tech });
      assert.equal(api.status, 403);
      assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'TBX_ERR_FORBIDDEN');
      assert.equal((await toolbox.api('GET', '/api/admin/audit')).status, 401);
      const page = await toolbox.request('/admin/audit');
      assert.equal(page.status, 303);
      assert.equal(page.headers.get('location'), '/login?next=%2Fadmin%2Faudit');
    });
  });
}
