import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildDemoConfig, DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoTenants } from '../../src/demo/demo-data.js';
import { writeSettings } from '../../src/domain/settings/write-settings.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, GRAPH_ORIGIN, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

const contoso = demoTenants.find((tenant) => tenant.key === 'contoso')!;
const fabrikamFile = buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN }).directories.find((d) => d.id === 'fabrikam')!;
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const WRONG_SECRET = 'not-the-contoso-secret-value';

type ErrorBody = { error: { code: string; message: string; fields?: { path: string; message: string }[] } };
type DirectoryJson = {
  id: string;
  name: string;
  source: string;
  fields: Record<string, string>;
  secretsSet: string[];
  formDefaults: Record<string, unknown>;
  companyIds: string[];
  revision: string | null;
  lastCheck: { ok: boolean; failed: string[] } | null;
};
type CheckJson = {
  ok: boolean;
  ranBy: string;
  results: { name: string; ok: boolean; outcome?: string; message: string; hint?: string; upstreamCode?: string }[];
};

for (const database of TEST_DATABASES) {
  describe(`Directories in the admin console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    let tech: { cookie: string; csrf: string };
    /** Every body the toolbox answered with, scanned for the secrets at the end. */
    const bodies: string[] = [];
    const keep = async (response: Response) => {
      const text = await response.clone().text();
      bodies.push(text);
      return text;
    };
    const api = async (method: string, path: string, body?: unknown, session = admin) => {
      // As the console's own script would send it: a body-less POST/DELETE without an Origin is
      // refused by the app-wide Origin check (reported to the lead), whatever the caller.
      const headers: Record<string, string> = method === 'GET' ? {} : { origin: TEST_ORIGIN };
      const response = await toolbox.api(method, path, { session, headers, ...(body !== undefined ? { body } : {}) });
      const text = await keep(response);
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    };
    const page = async (path: string, form?: Record<string, string>, cookie = admin.cookie) => {
      const response = await toolbox.request(path, { cookie, ...(form ? { form: { _csrf: admin.csrf, ...form } } : {}) });
      return { status: response.status, location: response.headers.get('location'), html: await keep(response) };
    };

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({
        store,
        config: { directories: [fabrikamFile], forms: { enabled: ['password_reset'] } },
      });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('a technician gets 403 on every page and operation', async () => {
      for (const path of ['/admin/directories', '/admin/directories/fabrikam']) {
        assert.equal((await toolbox.request(path, { cookie: tech.cookie })).status, 403, path);
      }
      for (const path of [
        '/admin/directories',
        '/admin/directories/fabrikam',
        '/admin/directories/fabrikam/check',
        '/admin/directories/fabrikam/defaults',
        '/admin/directories/fabrikam/remove',
      ]) {
        const response = await toolbox.request(path, { cookie: tech.cookie, form: { _csrf: tech.csrf, name: 'x' } });
        assert.equal(response.status, 403, `POST ${path}`);
      }
      for (const [method, path, body] of [
        ['GET', '/api/admin/directories', undefined],
        ['POST', '/api/admin/directories', { id: 'x', kind: 'entra', name: 'X' }],
        ['GET', '/api/admin/directories/fabrikam', undefined],
        ['PUT', '/api/admin/directories/fabrikam', { revision: 'r' }],
        ['DELETE', '/api/admin/directories/fabrikam', undefined],
        ['POST', '/api/admin/directories/fabrikam/check', undefined],
        ['GET', '/api/admin/directories/fabrikam/check', undefined],
      ] as const) {
        const response = await api(method, path, body, tech);
        assert.equal(response.status, 403, `${method} ${path}`);
        assert.equal((response.json as ErrorBody).error.code, 'TBX_ERR_FORBIDDEN');
      }
      assert.equal((await store.settings.list()).length, 0, 'nothing was written');
    });

    test('a write without the session’s CSRF token is refused and changes nothing', async () => {
      const body = { id: 'csrf', kind: 'entra', name: 'CSRF', fields: { tenantId: contoso.tenantId, clientId: contoso.clientId } };
      const response = await toolbox.api('POST', '/api/admin/directories', { session: { cookie: admin.cookie, csrf: 'wrong' }, body });
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as ErrorBody).error.code, 'TBX_ERR_CSRF');
      const form = await toolbox.request('/admin/directories', {
        cookie: admin.cookie,
        form: { _csrf: 'wrong', kind: 'entra', id: 'csrf', name: 'CSRF' },
      });
      assert.equal(form.status, 403);
      assert.ok(!(await store.settings.get('directory:csrf')));
    });

    test('the list shows the file directory read-only and what an app registration needs', async () => {
      const { status, html } = await page('/admin/directories');
      assert.equal(status, 200);
      assert.match(html, /Fabrikam/);
      assert.match(html, /from the configuration file \(read-only\)/);
      assert.match(html, /Add a Microsoft 365 tenant/);
      assert.match(html, /UserAuthenticationMethod\.ReadWrite\.All/);
      assert.match(html, /not run yet/);
      const detail = await page('/admin/directories/fabrikam');
      assert.equal(detail.status, 200);
      assert.match(detail.html, /shown here read-only/);
      assert.doesNotMatch(detail.html, /Remove Fabrikam/);
      assert.doesNotMatch(detail.html, /name="secrets\.clientSecret"/);
      assert.match(detail.html, /set \(not shown\)/);
    });

    test('bad input: 400 naming each field; nothing is saved', async () => {
      const badId = await api('POST', '/api/admin/directories', { id: 'Contoso Dental', kind: 'entra', name: 'Contoso' });
      assert.equal(badId.status, 400);
      assert.deepEqual(
        (badId.json as ErrorBody).error.fields!.map((field) => field.path),
        ['id'],
      );
      const bad = await api('POST', '/api/admin/directories', {
        id: 'contoso',
        kind: 'entra',
        name: ' ',
        fields: { tenantId: 'not a tenant', clientId: contoso.clientId },
        secrets: { clientSecret: contoso.clientSecret },
        formDefaults: { password_reset: { passwordMode: 'shouted' }, no_such_form: {} },
      });
      assert.equal(bad.status, 400);
      const body = bad.json as ErrorBody;
      assert.equal(body.error.code, 'TBX_ERR_VALIDATION');
      assert.deepEqual(body.error.fields!.map((field) => field.path).sort(), [
        'fields.tenantId',
        'formDefaults.no_such_form',
        'formDefaults.password_reset.passwordMode',
        'name',
      ]);
      assert.match(body.error.message, /tenant ID \(a GUID\) or one of the tenant’s verified domains/);
      // The console form shows the problem beside the field and keeps what was typed, never the secret.
      const form = await page('/admin/directories', {
        kind: 'entra',
        id: 'contoso',
        name: 'Contoso Dental',
        'fields.tenantId': 'not a tenant',
        'fields.clientId': contoso.clientId,
        'secrets.clientSecret': contoso.clientSecret,
      });
      assert.equal(form.status, 400);
      assert.match(form.html, /id="new-tenantId-error"/);
      assert.match(form.html, /value="Contoso Dental"/);
      assert.ok(!(await store.settings.get('directory:contoso')));
    });

    test('a tenant added through the console form: sealed, write-only, audited without its secret; check all green', async () => {
      const created = await page('/admin/directories', {
        kind: 'entra',
        id: 'contoso',
        name: 'Contoso Dental',
        'fields.tenantId': contoso.tenantId,
        'fields.clientId': contoso.clientId,
        'secrets.clientSecret': contoso.clientSecret,
        'fields.authorityHost': GRAPH_ORIGIN,
        'fields.graphUrl': GRAPH_ORIGIN,
        'fields.exchangeUrl': '',
      });
      assert.equal(created.status, 303, created.html);
      assert.equal(created.location, '/admin/directories/contoso?notice=created');

      const listed = await api('GET', '/api/admin/directories');
      const mine = (listed.json as { directories: DirectoryJson[] }).directories.find((d) => d.id === 'contoso')!;
      assert.equal(mine.source, 'console');
      assert.equal(mine.name, 'Contoso Dental');
      assert.deepEqual(mine.secretsSet, ['clientSecret']);
      assert.equal(mine.fields.tenantId, contoso.tenantId);
      assert.equal(mine.lastCheck, null);
      const row = await store.settings.get('directory:contoso');
      assert.ok(row);
      assert.ok(!JSON.stringify(row).includes(contoso.clientSecret), 'sealed at rest');
      const audit = await store.audit.list({ action: 'directory.create' }, { limit: 5, offset: 0 });
      assert.equal(audit.items[0]?.actorEmail, DEMO_ADMIN.email);
      assert.equal((audit.items[0]!.after as Record<string, unknown>).clientSecret, '(changed)');

      const detail = await page('/admin/directories/contoso?notice=created');
      assert.match(detail.html, /Run the systems check/);
      assert.match(detail.html, /Stored\. Leave empty to keep it\./);

      const checked = await page('/admin/directories/contoso/check', {});
      assert.equal(checked.status, 303);
      assert.equal(checked.location, '/admin/directories/contoso?notice=checked');
      const last = await api('GET', '/api/admin/directories/contoso/check');
      const check = (last.json as { check: CheckJson }).check;
      assert.equal(check.ranBy, DEMO_ADMIN.email);
      assert.deepEqual(
        check.results.filter((line) => !line.ok && line.outcome !== 'unverified').map((line) => line.name),
        [],
      );
      // What only a real change would prove is said as such, not shown as a pass.
      assert.deepEqual(
        check.results.filter((line) => line.outcome === 'unverified').map((line) => line.name),
        ['Entra role for password resets', 'Entra role for MFA resets', 'Exchange Online commands'],
      );
      assert.equal(check.ok, true);
      assert.ok(check.results.some((line) => line.name === 'Sign-in to the tenant'));
      assert.ok(check.results.some((line) => /Exchange/.test(line.name)));
      const shown = await page('/admin/directories/contoso');
      assert.match(shown.html, /no failures<\/span> 13 passed, 0 failed, 3 not verifiable/);
      assert.match(
        shown.html,
        /<li class="status-unverified"><span class="badge">not verifiable<\/span> <strong>Entra role for password resets/,
      );
      assert.match(shown.html, /Sign-in to the tenant/);
      const list = await page('/admin/directories');
      assert.match(list.html, /<span class="badge">passed<\/span> <span class="muted">3 not verifiable/);
    });

    test('a wrong client secret fails the check with what to do', async () => {
      const created = await api('POST', '/api/admin/directories', {
        id: 'contoso-wrong',
        kind: 'entra',
        name: 'Contoso (wrong secret)',
        fields: { tenantId: contoso.tenantId, clientId: contoso.clientId, authorityHost: GRAPH_ORIGIN, graphUrl: GRAPH_ORIGIN },
        secrets: { clientSecret: WRONG_SECRET },
      });
      assert.equal(created.status, 201);
      assert.equal((created.json as { id: string }).id, 'contoso-wrong');
      const run = await api('POST', '/api/admin/directories/contoso-wrong/check');
      assert.equal(run.status, 200);
      const check = run.json as CheckJson;
      assert.equal(check.ok, false);
      const signIn = check.results[0]!;
      assert.equal(signIn.name, 'Sign-in to the tenant');
      assert.equal(signIn.ok, false);
      assert.equal(signIn.upstreamCode, 'AADSTS7000215');
      assert.match(signIn.message, /rejected the client secret/);
      assert.match(signIn.hint ?? '', /client secret/);
      const shown = await page('/admin/directories/contoso-wrong');
      assert.match(shown.html, /What to do: /);
      assert.match(shown.html, /AADSTS7000215/);
      const list = (await api('GET', '/api/admin/directories')).json as { directories: DirectoryJson[] };
      assert.deepEqual(list.directories.find((d) => d.id === 'contoso-wrong')!.lastCheck?.failed, ['Sign-in to the tenant']);
    });

    test('an update without the secret keeps it; a stale revision is refused with 409', async () => {
      const before = (await api('GET', '/api/admin/directories/contoso')).json as DirectoryJson;
      const saved = await page('/admin/directories/contoso', {
        revision: before.revision!,
        name: 'Contoso Dental Group',
        'fields.tenantId': contoso.tenantId,
        'fields.clientId': contoso.clientId,
        'secrets.clientSecret': '',
        'fields.authorityHost': GRAPH_ORIGIN,
        'fields.graphUrl': GRAPH_ORIGIN,
      });
      assert.equal(saved.status, 303, saved.html);
      const after = (await api('GET', '/api/admin/directories/contoso')).json as DirectoryJson;
      assert.equal(after.name, 'Contoso Dental Group');
      assert.deepEqual(after.secretsSet, ['clientSecret']);
      assert.notEqual(after.revision, before.revision);
      // The kept secret still signs in.
      assert.equal(((await api('POST', '/api/admin/directories/contoso/check')).json as CheckJson).ok, true);
      const audit = await store.audit.list({ action: 'directory.update' }, { limit: 5, offset: 0 });
      assert.equal((audit.items[0]!.after as Record<string, unknown>).clientSecret, '(set)');

      const stale = await api('PUT', '/api/admin/directories/contoso', { name: 'Someone else', revision: before.revision });
      assert.equal(stale.status, 409);
      assert.equal((stale.json as ErrorBody).error.code, 'TBX_ERR_SETTINGS_CONFLICT');
      const missing = await api('PUT', '/api/admin/directories/nobody', { name: 'X', revision: 'r' });
      assert.equal(missing.status, 404);
      const badTenant = await api('PUT', '/api/admin/directories/contoso', {
        fields: { tenantId: '-bad-', clientId: contoso.clientId },
        revision: after.revision,
      });
      assert.equal(badTenant.status, 400);
      assert.deepEqual(
        (badTenant.json as ErrorBody).error.fields!.map((f) => f.path),
        ['fields.tenantId'],
      );
    });

    test('form defaults: inputs per form from its schema, checked by it, used by the form', async () => {
      let view = (await api('GET', '/api/admin/directories/contoso')).json as DirectoryJson;
      const editor = await (await toolbox.request('/admin/directories/contoso', { cookie: admin.cookie })).text();
      // One input per setting of each form's defaults schema, each with a label.
      for (const id of [
        'defaults-password_reset-passwordMode',
        'defaults-reset_mfa-tapLifetimeMinutes',
        'defaults-user_onboarding-licenses',
      ]) {
        assert.match(editor, new RegExp(`<label for="${id}">`), id);
      }
      const invalid = await page('/admin/directories/contoso/defaults', {
        revision: view.revision!,
        'd.password_reset.passwordMode': 'passphrase',
        'd.reset_mfa.tapLifetimeMinutes': 'soon',
      });
      assert.equal(invalid.status, 400);
      assert.match(invalid.html, /id="defaults-reset_mfa-tapLifetimeMinutes-error"/);
      assert.match(invalid.html, /id="defaults-reset_mfa-tapLifetimeMinutes"[^>]*value="soon"/, 'what was typed is shown again');
      assert.match(invalid.html, /<option value="passphrase" selected/);
      const saved = await page('/admin/directories/contoso/defaults', {
        revision: view.revision!,
        'd.password_reset.passwordMode': 'passphrase',
        'd.password_reset.mustChange': 'false',
        'd.password_reset.revokeSessions': '',
        'd.user_onboarding.licenses': 'SPB\nO365_BUSINESS_ESSENTIALS',
      });
      assert.equal(saved.status, 303, saved.html);
      view = (await api('GET', '/api/admin/directories/contoso')).json as DirectoryJson;
      assert.deepEqual(view.formDefaults, {
        password_reset: { passwordMode: 'passphrase', mustChange: false },
        user_onboarding: { licenses: ['SPB', 'O365_BUSINESS_ESSENTIALS'] },
      });
      assert.deepEqual(view.secretsSet, ['clientSecret'], 'the defaults form leaves the connection alone');
      const shown = await (await toolbox.request('/admin/directories/contoso', { cookie: admin.cookie })).text();
      assert.match(shown, /id="defaults-password_reset-mustChange"[^>]*>[\s\S]*?<option value="false" selected/);
    });

    test('mapped to a PSA company, a screen pop opens the password reset with the matched user and the defaults', async () => {
      await writeSettings(toolbox.services, {
        key: 'company-mappings',
        value: { byPsa: { connectwise: { '250': 'contoso', '999': 'contoso-wrong' } } },
        action: 'company-mappings.update',
        before: null,
        after: { '250': 'contoso', '999': 'contoso-wrong' },
        actor: { userId: null, email: 'test@toolbox.test', requestId: null },
      });
      const view = (await api('GET', '/api/admin/directories/contoso')).json as DirectoryJson;
      assert.deepEqual(view.companyIds, ['250']);
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', {
        cookie: tech.cookie,
      });
      assert.equal(pop.status, 303);
      const form = await toolbox.request(pop.headers.get('location')!, { cookie: tech.cookie });
      assert.equal(form.status, 200);
      const html = await form.text();
      assert.match(html, /Megan Bowen/);
      assert.match(html, /Matched from the contact by e-mail address/);
      assert.match(html, new RegExp(`name="user_id" value="${MEGAN}"`));
      assert.match(html, /id="password_mode-passphrase" name="password_mode" value="passphrase" checked/);
      assert.doesNotMatch(html, /id="must_change" name="must_change" value="on" checked/);
    });

    test('a file directory cannot be changed or removed (409), nor an id it uses be added', async () => {
      const put = await api('PUT', '/api/admin/directories/fabrikam', { name: 'Mine now', revision: 'x' });
      assert.equal(put.status, 409);
      assert.equal((put.json as ErrorBody).error.code, 'TBX_ERR_SET_IN_FILE');
      const del = await api('DELETE', '/api/admin/directories/fabrikam');
      assert.equal(del.status, 409);
      assert.equal((del.json as ErrorBody).error.code, 'TBX_ERR_SET_IN_FILE');
      const create = await api('POST', '/api/admin/directories', {
        id: 'fabrikam',
        kind: 'entra',
        name: 'Fabrikam again',
        fields: { tenantId: contoso.tenantId, clientId: contoso.clientId },
        secrets: { clientSecret: contoso.clientSecret },
      });
      assert.equal(create.status, 409);
      const console = await page('/admin/directories/fabrikam/remove', {});
      assert.equal(console.status, 409);
      assert.match(console.html, /set in the configuration file/);
      assert.ok(!(await store.settings.get('directory:fabrikam')));
      // Its systems check still runs: the file's credentials are valid.
      assert.equal(((await api('POST', '/api/admin/directories/fabrikam/check')).json as CheckJson).ok, true);
    });

    test('removing a directory removes its console company mappings and last check, audited', async () => {
      const view = (await api('GET', '/api/admin/directories/contoso')).json as DirectoryJson;
      const stale = await api('DELETE', '/api/admin/directories/contoso?revision=stale');
      assert.equal(stale.status, 409);
      const removed = await page('/admin/directories/contoso/remove', { revision: view.revision! });
      assert.equal(removed.status, 303);
      assert.equal(removed.location, '/admin/directories?notice=removed');
      assert.equal((await api('GET', '/api/admin/directories/contoso')).status, 404);
      const mappings = await store.settings.get('company-mappings');
      assert.deepEqual(mappings?.value, { byPsa: { connectwise: { '999': 'contoso-wrong' } } });
      assert.ok(!(await store.settings.get('directory-check:contoso')));
      assert.equal(toolbox.services.settings.current().problems.length, 0);
      const actions = (await store.audit.list({}, { limit: 5, offset: 0 })).items.map((item) => item.action);
      assert.ok(actions.includes('directory.remove'));
      assert.ok(actions.includes('company-mappings.remove-directory'));
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', {
        cookie: tech.cookie,
      });
      const launch = await toolbox.request(pop.headers.get('location')!, { cookie: tech.cookie });
      assert.equal(launch.status, 409);
      assert.match(await launch.text(), /Contoso Dental is not connected to a directory/);
    });

    test('the OpenAPI document lists the operations; no secret anywhere', async () => {
      const openapi = (await (await toolbox.api('GET', '/api/openapi.json', { session: admin })).json()) as {
        paths: Record<string, Record<string, { operationId: string }>>;
      };
      assert.equal(openapi.paths['/api/admin/directories']?.post?.operationId, 'createDirectory');
      assert.equal(openapi.paths['/api/admin/directories/{id}/check']?.post?.operationId, 'runDirectoryCheck');
      for (const secret of [contoso.clientSecret, WRONG_SECRET]) {
        assert.ok(!bodies.some((body) => body.includes(secret)), 'a secret in a response body');
        assert.ok(!toolbox.logText().includes(secret), 'a secret in the log');
        const audit = await store.audit.list({}, { limit: 500, offset: 0 });
        assert.ok(!JSON.stringify(audit.items).includes(secret), 'a secret in the audit log');
        for (const entry of await store.settings.list()) assert.ok(!JSON.stringify(entry.value).includes(secret), entry.key);
      }
    });
  });
}
