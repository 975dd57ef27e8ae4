import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';
type General = Record<'launchTtlMinutes' | 'psaTimeoutMs' | 'sessionTtlHours', { value: number; source: string }> & {
  revision: string | null;
};

for (const database of TEST_DATABASES) {
  describe(`general settings in the admin console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };

    before(async () => {
      store = await database.open();
      // The file sets the PSA wait; the console may set the other two.
      toolbox = await createTestToolbox({ store, config: { launch: { psaTimeoutMs: 4000 } } });
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    const general = async () => (await (await toolbox.api('GET', '/api/admin/general', { session: admin })).json()) as General;

    test('each value says where it comes from; the file’s is read-only', async () => {
      const view = await general();
      assert.deepEqual(view.launchTtlMinutes, { value: 30, source: 'default' });
      assert.deepEqual(view.psaTimeoutMs, { value: 4000, source: 'file' });
      const page = await (await toolbox.request('/admin/general', { cookie: admin.cookie })).text();
      assert.match(page, /id="general-psaTimeoutMs"[^>]*readonly/);
      assert.match(page, /launch\.psaTimeoutMs/);
      const refused = await toolbox.api('PUT', '/api/admin/general', { session: admin, body: { psaTimeoutMs: 2000 } });
      assert.equal(refused.status, 409);
      assert.match(
        ((await refused.json()) as { error: { message: string } }).error.message,
        /launch\.psaTimeoutMs is set in the configuration file/,
      );
    });

    test('out-of-range values are refused naming the field; nothing is saved', async () => {
      const response = await toolbox.api('PUT', '/api/admin/general', {
        session: admin,
        body: { launchTtlMinutes: 0, sessionTtlHours: 1000 },
      });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { fields: { path: string; message: string }[] } };
      assert.deepEqual(body.error.fields.map((field) => field.path).sort(), ['body.launchTtlMinutes', 'body.sessionTtlHours']);
      const page = await toolbox.request('/admin/general', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, revision: '', launchTtlMinutes: '0', sessionTtlHours: '12' },
      });
      assert.equal(page.status, 400);
      const html = await page.text();
      assert.match(html, /id="general-launchTtlMinutes-error"[^>]*>At least 1 minute\./);
      // The summary at the top names the field by its label, never by its key.
      assert.match(html, /role="alert"[^>]*>[^<]*Screen-pop lifetime: at least 1 minute\./);
      assert.doesNotMatch(html, /launchTtlMinutes At least/);
      assert.equal((await general()).launchTtlMinutes.source, 'default');
    });

    test('saved in the console, a new lifetime applies to the next screen pop and sign-in at once, audited', async () => {
      const saved = await toolbox.request('/admin/general', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, revision: '', launchTtlMinutes: '5', sessionTtlHours: '2', psaTimeoutMs: '1' },
      });
      assert.equal(saved.status, 303, 'a read-only field in the form is ignored, not refused');
      const view = await general();
      assert.deepEqual(view.launchTtlMinutes, { value: 5, source: 'console' });
      assert.deepEqual(view.sessionTtlHours, { value: 2, source: 'console' });
      assert.deepEqual(view.psaTimeoutMs, { value: 4000, source: 'file' });

      const tech = await toolbox.signIn(DEMO_SIGN_IN);
      const pop = await toolbox.request(POP, { cookie: tech.cookie });
      assert.equal(pop.status, 303);
      const launch = await store.launches.get(pop.headers.get('location')!.split('/').pop()!);
      assert.equal(Date.parse(launch!.expiresAt) - Date.parse(launch!.createdAt), 5 * 60_000);

      const login = await toolbox.request('/login');
      const loginCookie = login.headers
        .getSetCookie()
        .find((value) => value.startsWith('tbx_login='))!
        .split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
      const signedIn = await toolbox.request('/login', {
        cookie: loginCookie,
        form: { _csrf: csrf, email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password, next: '/' },
      });
      assert.match(signedIn.headers.getSetCookie().find((value) => value.startsWith('tbx_session='))!, /Max-Age=7200/);

      const audit = await store.audit.list({ action: 'general.update' }, { limit: 5, offset: 0 });
      assert.equal(audit.total, 1);
      // The retention settings (unchanged here) are part of the general settings since issue 10.
      assert.deepEqual(audit.items[0]!.after, {
        launchTtlMinutes: 5,
        psaTimeoutMs: 4000,
        sessionTtlHours: 2,
        launchRetentionDays: 30,
        jobRetentionDays: 7,
        executionRetentionDays: 0,
      });

      // null goes back to the default.
      const reset = await toolbox.api('PUT', '/api/admin/general', {
        session: admin,
        body: { launchTtlMinutes: null, revision: view.revision },
      });
      assert.equal(reset.status, 200);
      assert.deepEqual((await general()).launchTtlMinutes, { value: 30, source: 'default' });
    });
  });
}
