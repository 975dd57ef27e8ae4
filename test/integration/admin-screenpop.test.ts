import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoMsp } from '../../src/demo/demo-data.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

type Session = { cookie: string; csrf: string };
type ErrorBody = { error: { code: string; message: string; fields?: { path: string; message: string }[] } };
type ScreenpopView = {
  webhookUrl: string;
  psa: { kind: string; label: string; variables: { ticket: string; company: string; contact: string } } | null;
  secret: { set: boolean; source: string; header: string; queryParameter: string };
  forms: { name: string; state: string; url: string }[];
};

const json = async <T>(response: Response) => (await response.json()) as T;
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';
const SECRET = 'client-api-key-7f3a9c2e51d04b86';
const REPLACED = 'replaced-api-key-0c8e7d6b5a4f3e2d';

for (const database of TEST_DATABASES) {
  describe(`screen-pop URLs and the webhook secret (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: Session;
    let tech: Session;

    /** Nothing an admin or the API shows, logs or audits may hold a secret. */
    const assertNowhere = async (secret: string) => {
      const page = await (await toolbox.request('/admin/screenpop', { cookie: admin.cookie })).text();
      assert.ok(!page.includes(secret), 'not on the page');
      const api = await (await toolbox.api('GET', '/api/admin/screenpop', { session: admin })).text();
      assert.ok(!api.includes(secret), 'not in the API');
      const home = await (await toolbox.request('/', { cookie: admin.cookie })).text();
      assert.ok(!home.includes(secret), 'not on the start page');
      assert.ok(!toolbox.logText().includes(secret), 'not in the log');
      assert.ok(!JSON.stringify((await store.audit.list({}, { limit: 200, offset: 0 })).items).includes(secret), 'not in the audit log');
      assert.ok(!JSON.stringify(await store.settings.get('screenpop')).includes(secret), 'sealed at rest');
    };

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({
        store,
        // Set up in the console, the secret too (a file that sets up the PSA must set the secret, or
        // the toolbox does not start: see the last test).
        config: { forms: { enabled: ['password_reset', 'reset_mfa'] }, psa: undefined, screenpop: undefined },
        signScreenPops: false,
      });
      admin = await toolbox.signIn(DEMO_ADMIN);
      const psa = await toolbox.api('PUT', '/api/admin/psa', {
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
      assert.equal(psa.status, 200);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('a technician gets 403 on the page, the console actions and the API', async () => {
      assert.equal((await toolbox.request('/admin/screenpop', { cookie: tech.cookie })).status, 403);
      for (const path of ['/admin/screenpop/secret', '/admin/screenpop/secret/clear']) {
        assert.equal((await toolbox.request(path, { cookie: tech.cookie, form: { _csrf: tech.csrf, secret: SECRET } })).status, 403);
      }
      assert.equal((await toolbox.api('GET', '/api/admin/screenpop', { session: tech })).status, 403);
      const put = await toolbox.api('PUT', '/api/admin/screenpop/secret', { session: tech, body: { secret: SECRET } });
      assert.equal(put.status, 403);
      assert.equal((await json<ErrorBody>(put)).error.code, 'TBX_ERR_FORBIDDEN');
      assert.equal(toolbox.services.settings.current().screenpop.secret, undefined);
      // The start page's link to the console is for admins only.
      assert.ok(!(await (await toolbox.request('/', { cookie: tech.cookie })).text()).includes('href="/admin/screenpop"'));
    });

    test('the table: enabled forms first, each URL with this service’s address in a read-only input with a copy button', async () => {
      const view = await json<ScreenpopView>(await toolbox.api('GET', '/api/admin/screenpop', { session: admin }));
      assert.equal(view.webhookUrl, `${TEST_ORIGIN}/hooks/screenpop`);
      assert.deepEqual(
        view.forms.map((form) => [form.name, form.state]),
        [
          ['password_reset', 'enabled'],
          ['reset_mfa', 'enabled'],
          ['user_onboarding', 'not enabled'],
          ['user_offboarding', 'not enabled'],
          ['group_membership', 'not enabled'],
        ],
      );
      assert.equal(
        view.forms[0]!.url,
        `${TEST_ORIGIN}/hooks/screenpop?ticket_id=@ticketid&company_id=@companyid&contact_id=@contactid&form_name=password_reset`,
      );
      assert.deepEqual(view.secret, { set: false, source: 'none', header: 'x-toolbox-secret', queryParameter: 'secret' });
      // The 1Stream variables are the ConnectWise connector's, and the page says so.
      assert.deepEqual(view.psa, {
        kind: 'connectwise',
        label: 'ConnectWise PSA (Manage)',
        variables: { ticket: '@ticketid', company: '@companyid', contact: '@contactid' },
      });

      const html = await (await toolbox.request('/admin/screenpop', { cookie: admin.cookie })).text();
      assert.match(html, /id="url-password_reset"[^>]*readonly/);
      assert.match(html, /data-copy="url-password_reset"/);
      assert.match(html, /form_name=group_membership/);
      assert.match(html, /For ConnectWise PSA \(Manage\), 1Stream fills in <code>@ticketid<\/code>/);
      assert.match(html, /Client API Key/);
      assert.match(html, /x-toolbox-secret/);
      assert.ok(html.indexOf('url-password_reset') < html.indexOf('url-user_onboarding'), 'enabled forms first');
      const home = await (await toolbox.request('/', { cookie: admin.cookie })).text();
      assert.match(home, /href="\/admin\/screenpop"/);
    });

    test('CSRF and bad input: nothing changes, the field is named', async () => {
      const form = await toolbox.request('/admin/screenpop/secret', { cookie: admin.cookie, form: { _csrf: 'wrong', secret: SECRET } });
      assert.equal(form.status, 403);
      const put = await toolbox.api('PUT', '/api/admin/screenpop/secret', {
        session: { cookie: admin.cookie, csrf: 'wrong' },
        body: { secret: SECRET },
      });
      assert.equal(put.status, 403);
      assert.equal((await json<ErrorBody>(put)).error.code, 'TBX_ERR_CSRF');

      const short = await toolbox.api('PUT', '/api/admin/screenpop/secret', { session: admin, body: { secret: 'short' } });
      assert.equal(short.status, 400);
      assert.deepEqual(
        (await json<ErrorBody>(short)).error.fields!.map((field) => field.path),
        ['secret'],
      );
      const spaces = await toolbox.api('PUT', '/api/admin/screenpop/secret', {
        session: admin,
        body: { secret: 'has spaces in the middle of it' },
      });
      assert.equal(spaces.status, 400);
      const wrongType = await toolbox.api('PUT', '/api/admin/screenpop/secret', { session: admin, body: { secret: 42 } });
      assert.equal(wrongType.status, 400);
      assert.deepEqual(
        (await json<ErrorBody>(wrongType)).error.fields!.map((field) => field.path),
        ['body.secret'],
      );
      const page = await toolbox.request('/admin/screenpop/secret', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, secret: 'tiny-value' },
      });
      assert.equal(page.status, 400);
      const html = await page.text();
      assert.match(html, /id="screenpop-secret-error"/);
      assert.ok(!html.includes('tiny-value'));
      assert.equal(toolbox.services.settings.current().screenpop.secret, undefined);
      // No secret yet: every screen pop is refused, and the page says how to set one.
      const refused = await toolbox.request(POP, { cookie: tech.cookie });
      assert.equal(refused.status, 503, 'no screen pop without a secret');
      assert.match(await refused.text(), /Screen pops are off until a webhook secret is set/);
    });

    test('set in the console: an unsigned screen pop gets 401, a signed one (header or query) 303; never shown, logged or audited', async () => {
      const saved = await toolbox.request('/admin/screenpop/secret', { cookie: admin.cookie, form: { _csrf: admin.csrf, secret: SECRET } });
      assert.equal(saved.status, 303);
      assert.equal(saved.headers.get('location'), '/admin/screenpop?notice=secret-set');

      assert.equal((await toolbox.request(POP, { cookie: tech.cookie })).status, 401);
      assert.equal((await toolbox.request(`${POP}&secret=wrong-value`, { cookie: tech.cookie })).status, 401);
      assert.equal((await toolbox.request(POP, { cookie: tech.cookie, headers: { 'x-toolbox-secret': SECRET } })).status, 303);
      assert.equal((await toolbox.request(`${POP}&secret=${SECRET}`, { cookie: tech.cookie })).status, 303);

      const view = await json<ScreenpopView>(await toolbox.api('GET', '/api/admin/screenpop', { session: admin }));
      assert.equal(view.secret.set, true);
      assert.equal(view.secret.source, 'console');
      const html = await (await toolbox.request('/admin/screenpop?notice=secret-set', { cookie: admin.cookie })).text();
      assert.match(html, /Replace the secret/);
      assert.match(html, /Clear the secret/);
      const entry = (await store.audit.list({ target: 'screenpop' }, { limit: 5, offset: 0 })).items[0]!;
      assert.equal(entry.action, 'screenpop.secret.set');
      assert.deepEqual(entry.after, { secret: '(set)' });
      await assertNowhere(SECRET);
    });

    test('replaced through the API: the old value stops working; cleared: screen pops are refused again', async () => {
      const replaced = await toolbox.api('PUT', '/api/admin/screenpop/secret', { session: admin, body: { secret: REPLACED } });
      assert.equal(replaced.status, 200);
      assert.ok(!(await replaced.text()).includes(REPLACED));
      assert.equal((await toolbox.request(POP, { cookie: tech.cookie, headers: { 'x-toolbox-secret': SECRET } })).status, 401);
      assert.equal((await toolbox.request(POP, { cookie: tech.cookie, headers: { 'x-toolbox-secret': REPLACED } })).status, 303);
      await assertNowhere(REPLACED);

      const cleared = await toolbox.request('/admin/screenpop/secret/clear', { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      assert.equal(cleared.status, 303);
      assert.equal(toolbox.services.settings.current().screenpop.secret, undefined);
      assert.equal((await toolbox.request(POP, { cookie: tech.cookie })).status, 503);
      assert.equal((await toolbox.request(POP, { cookie: tech.cookie, headers: { 'x-toolbox-secret': REPLACED } })).status, 503);
      const actions = (await store.audit.list({ target: 'screenpop' }, { limit: 5, offset: 0 })).items.map((entry) => entry.action);
      assert.deepEqual(actions, ['screenpop.secret.clear', 'screenpop.secret.replace', 'screenpop.secret.set']);
    });

    test('with a secret set, the console copies each URL with the secret, and it works as pasted; the page hides it', async () => {
      assert.equal((await toolbox.api('PUT', '/api/admin/screenpop/secret', { session: admin, body: { secret: SECRET } })).status, 200);
      const page = await (await toolbox.request('/admin/screenpop', { cookie: admin.cookie })).text();
      assert.ok(!page.includes(SECRET), 'the page does not print the secret');
      assert.match(page, /value="[^"]*form_name=password_reset&amp;secret=••••••••"/, 'the shown URL masks it');
      assert.match(page, /<form method="post" action="\/admin\/screenpop\/reveal" data-copy-secret="password_reset">/);
      assert.match(page, /Copy with secret/);

      // Without JavaScript: the button shows the URLs with the secret, marked, on a page no cache keeps.
      const revealed = await toolbox.request('/admin/screenpop/reveal', { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      assert.equal(revealed.status, 200);
      assert.equal(revealed.headers.get('cache-control'), 'no-store');
      const revealedHtml = await revealed.text();
      assert.match(revealedHtml, /holds the secret/);
      const copied = /id="url-password_reset" class="url-copy secret-url"[^>]*value="([^"]+)"/
        .exec(revealedHtml)?.[1]
        ?.replaceAll('&amp;', '&');
      assert.ok(copied, 'the URL with the secret is on the page');
      // Pasted into 1Stream, which fills in the ids: it opens the form (no 401).
      const filled = copied.replace(TEST_ORIGIN, '').replace('@ticketid', '1001').replace('@companyid', '250').replace('@contactid', '301');
      assert.equal((await toolbox.request(filled, { cookie: tech.cookie })).status, 303);

      // With JavaScript the button calls the API instead; the value never stands in the page.
      const api = await toolbox.api('POST', '/api/admin/screenpop/urls-with-secret', { session: admin });
      assert.equal(api.status, 200);
      const { forms } = await json<{ forms: { name: string; url: string }[] }>(api);
      assert.equal(forms.find((form) => form.name === 'password_reset')?.url, copied);
      const reveals = (await store.audit.list({ target: 'screenpop' }, { limit: 5, offset: 0 })).items.filter(
        (entry) => entry.action === 'screenpop.secret.reveal',
      );
      assert.equal(reveals.length, 2, 'each reveal is audited');
      // Shown on demand only: not on the page, the API view, the log (the access log redacts the query) or the audit.
      await assertNowhere(SECRET);
    });
  });

  describe(`a webhook secret set in the configuration file (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store, config: { screenpop: { secret: SECRET } } });
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('is shown as set and read-only, never its value; the API refuses to change it', async () => {
      const admin = await toolbox.signIn(DEMO_ADMIN);
      const html = await (await toolbox.request('/admin/screenpop', { cookie: admin.cookie })).text();
      assert.match(html, /The configuration file sets the secret/);
      assert.ok(!html.includes('id="screenpop-secret"'), 'no form to change it');
      assert.ok(!html.includes(SECRET));
      const view = await json<ScreenpopView>(await toolbox.api('GET', '/api/admin/screenpop', { session: admin }));
      assert.deepEqual([view.secret.set, view.secret.source], [true, 'file']);
      const put = await toolbox.api('PUT', '/api/admin/screenpop/secret', { session: admin, body: { secret: null } });
      assert.equal(put.status, 409);
      assert.equal((await json<ErrorBody>(put)).error.code, 'TBX_ERR_SET_IN_FILE');
      assert.equal(toolbox.services.settings.current().screenpop.secret, SECRET);
    });
  });
}
