import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { type DirectoryCheckDocument, directoryCheckKey } from '../../src/domain/settings/directory-check-document.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

type Session = { cookie: string; csrf: string };
type ErrorBody = { error: { code: string; message: string; fields?: { path: string; message: string }[] } };
type Catalogue = {
  source: string;
  revision: string | null;
  forms: {
    name: string;
    enabled: boolean;
    available: boolean;
    ready: boolean;
    needs: {
      psa: { ok: boolean };
      directories: { ok: boolean };
      companyMappings: { ok: boolean };
      permissions: { directoryId: string; checkedAt: string | null; items: { checkName: string; state: string }[] }[];
    };
  }[];
};

const json = async <T>(response: Response) => (await response.json()) as T;
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';

for (const database of TEST_DATABASES) {
  describe(`forms catalogue (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: Session;
    let tech: Session;
    const catalogue = async () => json<Catalogue>(await toolbox.api('GET', '/api/admin/forms', { session: admin }));

    before(async () => {
      store = await database.open();
      // The demo's PSA and directories from the file, but the forms left to the console (none enabled).
      toolbox = await createTestToolbox({ store, config: { forms: undefined } });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('a technician gets 403 on the page, the console action and the API', async () => {
      assert.equal((await toolbox.request('/admin/forms', { cookie: tech.cookie })).status, 403);
      const form = await toolbox.request('/admin/forms/password_reset', {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, enabled: 'true' },
      });
      assert.equal(form.status, 403);
      assert.equal((await toolbox.api('GET', '/api/admin/forms', { session: tech })).status, 403);
      const put = await toolbox.api('PUT', '/api/admin/forms/password_reset', { session: tech, body: { enabled: true } });
      assert.equal(put.status, 403);
      assert.equal((await json<ErrorBody>(put)).error.code, 'TBX_ERR_FORBIDDEN');
      assert.deepEqual(toolbox.services.settings.current().forms.enabled, []);
    });

    test('CSRF: a console POST and a session API write without the right token change nothing', async () => {
      const form = await toolbox.request('/admin/forms/password_reset', {
        cookie: admin.cookie,
        form: { _csrf: 'wrong', enabled: 'true' },
      });
      assert.equal(form.status, 403);
      const put = await toolbox.api('PUT', '/api/admin/forms/password_reset', {
        session: { cookie: admin.cookie, csrf: 'wrong' },
        body: { enabled: true },
      });
      assert.equal(put.status, 403);
      assert.equal((await json<ErrorBody>(put)).error.code, 'TBX_ERR_CSRF');
      assert.deepEqual(toolbox.services.settings.current().forms.enabled, []);
    });

    test('none enabled by default: the list says so, each form has its anchor and needs; no check yet links to the directories', async () => {
      const view = await catalogue();
      assert.equal(view.source, 'default');
      assert.deepEqual(
        view.forms.map((form) => form.name),
        ['password_reset', 'user_onboarding', 'user_offboarding', 'reset_mfa', 'group_membership'],
      );
      const reset = view.forms.find((form) => form.name === 'password_reset')!;
      assert.equal(reset.enabled, false);
      assert.equal(reset.needs.psa.ok, true);
      assert.equal(reset.needs.directories.ok, true);
      assert.equal(reset.needs.companyMappings.ok, true);
      assert.ok(reset.needs.permissions.length > 0);
      assert.ok(reset.needs.permissions.every((directory) => directory.checkedAt === null));
      assert.ok(reset.needs.permissions[0]!.items.every((item) => item.state === 'not-checked'));
      assert.equal(reset.ready, false, 'not ready while the tenants were never checked');

      const html = await (await toolbox.request('/admin/forms', { cookie: admin.cookie })).text();
      assert.match(html, /No form is enabled yet/);
      for (const form of view.forms) assert.match(html, new RegExp(`id="form-${form.name}"`));
      assert.match(html, /Not checked yet: [^.]+\. Run the systems check on the <a href="\/admin\/directories">directories page<\/a>/);
      assert.match(html, /Microsoft Graph User\.ReadWrite\.All/);
    });

    test('a directory’s last systems check shows pass or fail per permission the form needs', async () => {
      const directoryId = toolbox.services.settings.current().directories[0]!.id;
      const check: DirectoryCheckDocument = {
        directoryId,
        ranAt: '2026-03-01T09:30:00.000Z',
        ranBy: DEMO_ADMIN.email,
        ok: false,
        results: [
          { name: 'Sign-in to the tenant', ok: true, message: 'Signed in.' },
          { name: 'Permission User.ReadWrite.All', ok: true, message: 'Granted (needed for password resets and creating users).' },
          {
            name: 'Permission User.RevokeSessions.All',
            ok: false,
            message: 'Not granted.',
            hint: 'Add the Microsoft Graph application permission User.RevokeSessions.All and grant admin consent.',
          },
          { name: 'Read directory roles', ok: true, message: 'The app can see which users hold admin roles.' },
        ],
      };
      await store.settings.write(directoryCheckKey(directoryId), check, {
        now: new Date().toISOString(),
        audit: {
          actorUserId: null,
          actorEmail: DEMO_ADMIN.email,
          action: 'directory.check',
          target: `directory:${directoryId}`,
          before: null,
          after: null,
          requestId: null,
        },
      });
      const reset = (await catalogue()).forms.find((form) => form.name === 'password_reset')!;
      const checked = reset.needs.permissions.find((directory) => directory.directoryId === directoryId)!;
      assert.equal(checked.checkedAt, check.ranAt);
      const state = (name: string) => checked.items.find((item) => item.checkName === name)?.state;
      assert.equal(state('Permission User.ReadWrite.All'), 'pass');
      assert.equal(state('Permission User.RevokeSessions.All'), 'fail');
      assert.equal(state('Entra role for password resets'), 'not-reported');
      assert.equal(reset.ready, false);

      const html = await (await toolbox.request('/admin/forms', { cookie: admin.cookie })).text();
      assert.match(html, /last systems check 2026-03-01 09:30 UTC/i);
      assert.match(html, /Add the Microsoft Graph application permission User\.RevokeSessions\.All/);
    });

    test('a disabled form’s screen pop links here; enabling it makes the screen pop work; disabling it again, audited', async () => {
      const refused = await toolbox.request(POP, { cookie: tech.cookie });
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /href="\/admin\/forms#form-password_reset"/);

      const enabled = await toolbox.request('/admin/forms/password_reset', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, enabled: 'true' },
      });
      assert.equal(enabled.status, 303);
      assert.equal(enabled.headers.get('location'), '/admin/forms?notice=enabled&form=password_reset#form-password_reset');
      const page = await (await toolbox.request('/admin/forms?notice=enabled&form=password_reset', { cookie: admin.cookie })).text();
      assert.match(page, /Password Reset enabled\./);
      assert.match(page, /<input type="checkbox" id="enable-password_reset" name="enabled" value="password_reset" checked=""\/>/);
      assert.equal((await toolbox.request(POP, { cookie: tech.cookie })).status, 303);

      const api = await toolbox.api('PUT', '/api/admin/forms/reset_mfa', { session: admin, body: { enabled: true } });
      assert.equal(api.status, 200);
      assert.deepEqual((await json<{ enabled: string[] }>(api)).enabled, ['password_reset', 'reset_mfa']);
      const view = await catalogue();
      assert.equal(view.source, 'console');
      assert.deepEqual(
        view.forms.filter((form) => form.enabled).map((form) => form.name),
        ['password_reset', 'reset_mfa'],
      );

      const disabled = await toolbox.api('PUT', '/api/admin/forms/password_reset', { session: admin, body: { enabled: false } });
      assert.equal(disabled.status, 200);
      assert.equal((await toolbox.request(POP, { cookie: tech.cookie })).status, 403);

      const audit = (await store.audit.list({ target: 'form:password_reset' }, { limit: 10, offset: 0 })).items;
      assert.deepEqual(
        audit.map((entry) => entry.action),
        ['forms.disable', 'forms.enable'],
      );
      assert.deepEqual(audit[1]!.before, { enabled: [] });
      assert.deepEqual(audit[1]!.after, { enabled: ['password_reset'] });
      assert.equal(audit[1]!.actorEmail, DEMO_ADMIN.email);
    });

    test('one table, one save: several forms enabled (and others disabled) at once; a stale save is refused', async () => {
      const post = (pairs: [string, string][]) =>
        toolbox.app.request(`${TEST_ORIGIN}/admin/forms`, {
          method: 'POST',
          headers: { cookie: admin.cookie, origin: TEST_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams([['_csrf', admin.csrf], ...pairs]).toString(),
        });
      const page = await (await toolbox.request('/admin/forms', { cookie: admin.cookie })).text();
      assert.equal((page.match(/<table/g) ?? []).length, 1, 'one table');
      assert.equal((page.match(/<button type="submit"[^>]*>Save the enabled forms/g) ?? []).length, 1, 'one save');
      const revision = /name="revision" value="([^"]*)"/.exec(page)![1]!;

      const saved = await post([
        ['revision', revision],
        ['enabled', 'password_reset'],
        ['enabled', 'user_offboarding'],
        ['enabled', 'group_membership'],
      ]);
      assert.equal(saved.status, 303);
      assert.deepEqual(toolbox.services.settings.current().forms.enabled, ['password_reset', 'user_offboarding', 'group_membership']);
      const after = await (await toolbox.request(saved.headers.get('location')!, { cookie: admin.cookie })).text();
      assert.match(after, /Saved\. Enabled: Password Reset, User Offboarding, Group Membership\./);
      const audit = (await store.audit.list({ action: 'forms.set' }, { limit: 5, offset: 0 })).items[0]!;
      assert.deepEqual((audit.after as { turnedOn: string[] }).turnedOn, ['password_reset', 'user_offboarding', 'group_membership']);
      assert.deepEqual((audit.after as { turnedOff: string[] }).turnedOff, ['reset_mfa']);

      // The page read before that save is stale now: refused, nothing changed.
      const stale = await post([
        ['revision', revision],
        ['enabled', 'reset_mfa'],
      ]);
      assert.equal(stale.status, 409);
      assert.deepEqual(toolbox.services.settings.current().forms.enabled, ['password_reset', 'user_offboarding', 'group_membership']);

      // The same through the API.
      const current = (await catalogue()).revision;
      const api = await toolbox.api('PUT', '/api/admin/forms', { session: admin, body: { enabled: ['reset_mfa'], revision: current } });
      assert.equal(api.status, 200);
      assert.deepEqual((await json<{ enabled: string[] }>(api)).enabled, ['reset_mfa']);
      const unknown = await toolbox.api('PUT', '/api/admin/forms', {
        session: admin,
        body: { enabled: ['payroll'], revision: (await catalogue()).revision },
      });
      assert.equal(unknown.status, 400);
    });

    test('bad input: a non-boolean names the field, an unknown form is 404', async () => {
      const bad = await toolbox.api('PUT', '/api/admin/forms/password_reset', { session: admin, body: { enabled: 'yes' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(
        (await json<ErrorBody>(bad)).error.fields!.map((field) => field.path),
        ['body.enabled'],
      );
      const unknown = await toolbox.api('PUT', '/api/admin/forms/payroll', { session: admin, body: { enabled: true } });
      assert.equal(unknown.status, 404);
      assert.match((await json<ErrorBody>(unknown)).error.message, /no form called "payroll"/);
    });
  });

  describe(`forms enabled by the configuration file (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store, config: { forms: { enabled: ['password_reset'] } } });
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('the list is read-only with the reason; the API refuses a change', async () => {
      const admin = await toolbox.signIn(DEMO_ADMIN);
      const html = await (await toolbox.request('/admin/forms', { cookie: admin.cookie })).text();
      assert.match(html, /The configuration file lists the enabled forms, so they are read-only here/);
      assert.ok(!html.includes('action="/admin/forms/password_reset"'), 'no enable/disable buttons');
      const put = await toolbox.api('PUT', '/api/admin/forms/reset_mfa', { session: admin, body: { enabled: true } });
      assert.equal(put.status, 409);
      assert.equal((await json<ErrorBody>(put)).error.code, 'TBX_ERR_SET_IN_FILE');
      assert.deepEqual(toolbox.services.settings.current().forms.enabled, ['password_reset']);
    });
  });
}
