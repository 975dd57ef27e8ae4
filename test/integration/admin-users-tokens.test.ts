import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { addUser } from '../../src/domain/auth/add-user.js';
import { systemClock } from '../../src/lib/clock.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, EMPTY_CONSOLE_CONFIG, type TestToolbox } from '../helpers/test-toolbox.js';

type Session = { cookie: string; csrf: string };
type UserView = { id: string; email: string; role: string; disabled: boolean; source: string; readOnly: boolean };
type ErrorBody = { error: { code: string; message: string; fields?: { path: string; message: string }[] } };

const json = async <T>(response: Response) => (await response.json()) as T;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The value of the "shown once" input on a page, if any, as typed (generated passwords may hold `&`). */
const shownOnce = (html: string) =>
  /id="shown-once-value"[^>]*value="([^"]+)"/.exec(html)?.[1]?.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);

for (const database of TEST_DATABASES) {
  describe(`users and API tokens (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: Session;
    let tech: Session;

    const usersOf = async () => (await json<{ users: UserView[] }>(await toolbox.api('GET', '/api/admin/users', { session: admin }))).users;
    const userByEmail = async (email: string) => (await usersOf()).find((user) => user.email === email)!;
    const auditText = async () => JSON.stringify((await store.audit.list({}, { limit: 500, offset: 0 })).items);

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store, config: EMPTY_CONSOLE_CONFIG });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('a technician gets 403 on the page, every console action and every API operation', async () => {
      const techUser = await userByEmail(DEMO_SIGN_IN.email);
      assert.equal((await toolbox.request('/admin/users', { cookie: tech.cookie })).status, 403);
      for (const path of [
        '/admin/users',
        '/admin/users/tokens',
        `/admin/users/${techUser.id}/role`,
        `/admin/users/${techUser.id}/password`,
      ]) {
        const response = await toolbox.request(path, { cookie: tech.cookie, form: { _csrf: tech.csrf, role: 'admin', name: 'x' } });
        assert.equal(response.status, 403, path);
      }
      const calls: [string, string, unknown][] = [
        ['GET', '/api/admin/users', undefined],
        ['POST', '/api/admin/users', { email: 'x@msp.test', role: 'admin', generatePassword: true }],
        ['PATCH', `/api/admin/users/${techUser.id}`, { role: 'admin' }],
        ['POST', `/api/admin/users/${techUser.id}/password`, { generatePassword: true }],
        ['GET', '/api/admin/tokens', undefined],
        ['POST', '/api/admin/tokens', { name: 'mine' }],
        ['POST', '/api/admin/tokens/whatever/revoke', {}],
      ];
      for (const [method, path, body] of calls) {
        const response = await toolbox.api(method, path, { session: tech, body });
        assert.equal(response.status, 403, `${method} ${path}`);
        assert.equal((await json<ErrorBody>(response)).error.code, 'TBX_ERR_FORBIDDEN');
      }
      assert.equal((await userByEmail(DEMO_SIGN_IN.email)).role, 'technician');
      assert.equal(
        (await toolbox.api('GET', '/api/admin/tokens', { session: admin }).then((r) => json<{ tokens: unknown[] }>(r))).tokens.length,
        0,
      );
    });

    test('CSRF: a console POST and a session API write without the right token are refused and change nothing', async () => {
      const form = await toolbox.request('/admin/users', {
        cookie: admin.cookie,
        form: { _csrf: 'wrong', email: 'csrf@msp.test', role: 'admin', password: 'long-enough-password' },
      });
      assert.equal(form.status, 403);
      const api = await toolbox.api('POST', '/api/admin/users', {
        session: { cookie: admin.cookie, csrf: 'wrong' },
        body: { email: 'csrf@msp.test', role: 'admin', password: 'long-enough-password' },
      });
      assert.equal(api.status, 403);
      assert.equal((await json<ErrorBody>(api)).error.code, 'TBX_ERR_CSRF');
      const token = await toolbox.api('POST', '/api/admin/tokens', {
        session: { cookie: admin.cookie, csrf: 'wrong' },
        body: { name: 'x' },
      });
      assert.equal(token.status, 403);
      assert.equal(await store.users.findByEmail('csrf@msp.test'), undefined);
    });

    test('users from the configuration file are listed read-only with a badge, and the API refuses to change them', async () => {
      const users = await usersOf();
      const configured = users.find((user) => user.email === DEMO_SIGN_IN.email)!;
      assert.equal(configured.source, 'config');
      assert.equal(configured.readOnly, true);
      const page = await (await toolbox.request('/admin/users', { cookie: admin.cookie })).text();
      assert.match(page, /from the configuration file \(read-only\)/);
      assert.ok(!page.includes(`action="/admin/users/${configured.id}/disable"`), 'no disable button for a configured user');
      assert.ok(!/passwordHash|scrypt/.test(page));
      for (const [method, path, body] of [
        ['PATCH', `/api/admin/users/${configured.id}`, { disabled: true }],
        ['POST', `/api/admin/users/${configured.id}/password`, { password: 'a-new-long-password' }],
      ] as const) {
        const response = await toolbox.api(method, path, { session: admin, body });
        assert.equal(response.status, 409);
        const error = (await json<ErrorBody>(response)).error;
        assert.equal(error.code, 'TBX_ERR_SET_IN_FILE');
        assert.match(error.message, /configuration file/);
      }
      assert.equal((await userByEmail(DEMO_SIGN_IN.email)).disabled, false);
    });

    test('bad input names the field; a duplicate e-mail is a conflict', async () => {
      const response = await toolbox.api('POST', '/api/admin/users', {
        session: admin,
        body: { email: '', role: 'boss', password: 'short' },
      });
      assert.equal(response.status, 400);
      const error = (await json<ErrorBody>(response)).error;
      assert.equal(error.code, 'TBX_ERR_VALIDATION');
      assert.deepEqual(error.fields!.map((field) => field.path).sort(), ['body.email', 'body.password', 'body.role']);

      const neither = await toolbox.api('POST', '/api/admin/users', { session: admin, body: { email: 'a@msp.test', role: 'technician' } });
      assert.equal(neither.status, 400);
      assert.deepEqual(
        (await json<ErrorBody>(neither)).error.fields!.map((field) => field.path),
        ['body.password'],
      );

      const notEmail = await toolbox.api('POST', '/api/admin/users', {
        session: admin,
        body: { email: 'not-an-email', role: 'technician', password: 'long-enough-password' },
      });
      assert.equal(notEmail.status, 400);
      assert.equal((await json<ErrorBody>(notEmail)).error.fields![0]!.path, 'email');

      const duplicate = await toolbox.api('POST', '/api/admin/users', {
        session: admin,
        body: { email: DEMO_SIGN_IN.email.toUpperCase(), role: 'technician', password: 'long-enough-password' },
      });
      assert.equal(duplicate.status, 409);

      // The console form shows the problem beside the field, keeps what was typed, never the password.
      const page = await toolbox.request('/admin/users', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, email: 'typed@msp.test', name: 'Typed Name', role: 'admin', password: 'tiny-secret' },
      });
      assert.equal(page.status, 400);
      const html = await page.text();
      assert.match(html, /id="new-password-error"/);
      assert.match(html, /value="typed@msp\.test"/);
      assert.ok(!html.includes('tiny-secret'));
      assert.equal(await store.users.findByEmail('typed@msp.test'), undefined);
    });

    test('an admin adds a user with a generated password, shown once; it works, and is in no log or audit entry', async () => {
      const response = await toolbox.request('/admin/users', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, email: 'New.Tech@msp.test', name: 'New Tech', role: 'technician', generatePassword: 'on' },
      });
      assert.equal(response.status, 200);
      const password = shownOnce(await response.text());
      assert.ok(password && password.length >= 12, 'the generated password is on the page');
      const again = await (await toolbox.request('/admin/users', { cookie: admin.cookie })).text();
      assert.ok(!again.includes('shown-once-value') && !again.includes(password), 'shown once only');
      assert.match(again, /new\.tech@msp\.test/);
      assert.match(again, /added in the console/);
      const session = await toolbox.signIn({ email: 'new.tech@msp.test', password });
      assert.ok(session.cookie);
      assert.ok(!toolbox.logText().includes(password));
      const audit = await auditText();
      assert.ok(!audit.includes(password));
      assert.ok(!/scrypt|passwordHash/.test(audit));
      const entry = (await store.audit.list({ action: 'user.create' }, { limit: 5, offset: 0 })).items[0]!;
      assert.equal(entry.target, 'user:new.tech@msp.test');
      assert.equal(entry.actorEmail, DEMO_ADMIN.email);
      assert.equal((entry.after as { password: string }).password, '(generated)');

      const api = await toolbox.api('POST', '/api/admin/users', {
        session: admin,
        body: { email: 'typed.tech@msp.test', role: 'technician', password: 'typed-long-password' },
      });
      assert.equal(api.status, 201);
      const created = await json<{ user: UserView; generatedPassword: string | null }>(api);
      assert.equal(created.generatedPassword, null);
      assert.equal(created.user.source, 'console');
      assert.ok(!JSON.stringify(created).includes('typed-long-password'));
      await toolbox.signIn({ email: 'typed.tech@msp.test', password: 'typed-long-password' });
    });

    test('disable stops the user’s session at once and their API tokens; enable, role change and password reset work', async () => {
      await toolbox.api('POST', '/api/admin/users', {
        session: admin,
        body: { email: 'temp@msp.test', role: 'technician', password: 'temp-long-password' },
      });
      const temp = await userByEmail('temp@msp.test');
      const session = await toolbox.signIn({ email: 'temp@msp.test', password: 'temp-long-password' });
      assert.equal((await toolbox.request('/', { cookie: session.cookie })).status, 200);
      const created = await json<{ token: string }>(
        await toolbox.api('POST', '/api/admin/tokens', { session: admin, body: { name: 'temp', userId: temp.id } }),
      );
      assert.equal((await toolbox.api('GET', '/api/admin/users', { token: created.token })).status, 403, 'a technician’s token');

      const disabled = await toolbox.request(`/admin/users/${temp.id}/disable`, { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      assert.equal(disabled.status, 303);
      assert.equal(disabled.headers.get('location'), '/admin/users?notice=disabled');
      const home = await toolbox.request('/', { cookie: session.cookie });
      assert.equal(home.status, 303, 'the disabled user’s session stopped working at once');
      assert.equal((await toolbox.api('GET', '/api/admin/users', { token: created.token })).status, 401);
      await assert.rejects(toolbox.signIn({ email: 'temp@msp.test', password: 'temp-long-password' }));
      const tokenForDisabled = await toolbox.api('POST', '/api/admin/tokens', { session: admin, body: { name: 'nope', userId: temp.id } });
      assert.equal(tokenForDisabled.status, 400);
      assert.equal((await json<ErrorBody>(tokenForDisabled)).error.fields![0]!.path, 'userId');

      const enabled = await toolbox.api('PATCH', `/api/admin/users/${temp.id}`, { session: admin, body: { disabled: false } });
      assert.equal(enabled.status, 200);
      assert.equal((await toolbox.request('/', { cookie: session.cookie })).status, 303, 'enabling again does not bring old sessions back');
      const promoted = await toolbox.request(`/admin/users/${temp.id}/role`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, role: 'admin' },
      });
      assert.equal(promoted.status, 303);
      const asAdmin = await toolbox.signIn({ email: 'temp@msp.test', password: 'temp-long-password' });
      assert.equal((await toolbox.request('/admin/users', { cookie: asAdmin.cookie })).status, 200);
      // The role change applies to a session already open, at once.
      await toolbox.api('PATCH', `/api/admin/users/${temp.id}`, { session: admin, body: { role: 'technician' } });
      assert.equal((await toolbox.request('/admin/users', { cookie: asAdmin.cookie })).status, 403);

      const reset = await toolbox.request(`/admin/users/${temp.id}/password`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, generatePassword: 'on' },
      });
      assert.equal(reset.status, 200);
      const newPassword = shownOnce(await reset.text());
      assert.ok(newPassword);
      assert.equal((await toolbox.request('/', { cookie: asAdmin.cookie })).status, 303, 'a password reset signs the user out everywhere');
      await assert.rejects(toolbox.signIn({ email: 'temp@msp.test', password: 'temp-long-password' }));
      await toolbox.signIn({ email: 'temp@msp.test', password: newPassword });
      const typed = await toolbox.api('POST', `/api/admin/users/${temp.id}/password`, { session: admin, body: { password: 'short' } });
      assert.equal(typed.status, 400);
      assert.equal((await json<ErrorBody>(typed)).error.fields![0]!.path, 'body.password');
      const typedOk = await toolbox.api('POST', `/api/admin/users/${temp.id}/password`, {
        session: admin,
        body: { password: 'another-long-password' },
      });
      assert.deepEqual(await json(typedOk), { generatedPassword: null });
      await toolbox.signIn({ email: 'temp@msp.test', password: 'another-long-password' });

      const actions = (await store.audit.list({ target: 'user:temp@msp.test' }, { limit: 20, offset: 0 })).items.map(
        (entry) => entry.action,
      );
      for (const action of ['user.create', 'user.disable', 'user.enable', 'user.role', 'user.password-reset'])
        assert.ok(actions.includes(action), action);
      const audit = await auditText();
      for (const secret of ['temp-long-password', newPassword, 'another-long-password']) {
        assert.ok(!audit.includes(secret));
        assert.ok(!toolbox.logText().includes(secret));
      }
    });

    test('API tokens: shown once, hashed, act as their user with their role; revoked → 401; never logged or audited', async () => {
      const created = await toolbox.request('/admin/users/tokens', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, name: 'nightly export' },
      });
      assert.equal(created.status, 200);
      const token = shownOnce(await created.text()) ?? '';
      assert.ok(token.startsWith('tbx_'), 'the token is shown');
      const page = await (await toolbox.request('/admin/users', { cookie: admin.cookie })).text();
      assert.ok(!page.includes(token), 'shown once only');
      assert.match(page, new RegExp(`…${token.slice(-4).replace(/[-_]/g, '\\$&')}`));

      // It acts as the admin who created it (the default user).
      const psa = await toolbox.api('GET', '/api/admin/psa', { token });
      assert.equal(psa.status, 200);
      // A token needs no CSRF header: it is not a cookie.
      const viaToken = await toolbox.api('POST', '/api/admin/tokens', { token, body: { name: 'made by a token' } });
      assert.equal(viaToken.status, 201);

      const list = await json<{
        tokens: { id: string; name: string; hint: string; userEmail: string; lastUsedAt: string | null; revokedAt: string | null }[];
      }>(await toolbox.api('GET', '/api/admin/tokens', { session: admin }));
      const listed = list.tokens.find((item) => item.name === 'nightly export')!;
      assert.equal(listed.hint, token.slice(-4));
      assert.equal(listed.userEmail, DEMO_ADMIN.email);
      assert.ok(listed.lastUsedAt, 'last used is recorded');
      assert.ok(!JSON.stringify(list).includes(token));
      const stored = JSON.stringify(await store.apiTokens.list({}));
      assert.ok(!stored.includes(token), 'only a hash is stored');

      // A technician's token gets 403 on an admin operation.
      const techUser = await userByEmail(DEMO_SIGN_IN.email);
      const techToken = await json<{ token: string }>(
        await toolbox.api('POST', '/api/admin/tokens', { session: admin, body: { name: 'tech automation', userId: techUser.id } }),
      );
      const forbidden = await toolbox.api('GET', '/api/admin/psa', { token: techToken.token });
      assert.equal(forbidden.status, 403);

      const bad = await toolbox.api('POST', '/api/admin/tokens', { session: admin, body: { name: '  ' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(
        (await json<ErrorBody>(bad)).error.fields!.map((field) => field.path),
        ['body.name'],
      );

      const revoked = await toolbox.request(`/admin/users/tokens/${listed.id}/revoke`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf },
      });
      assert.equal(revoked.status, 303);
      const after = await toolbox.api('GET', '/api/admin/psa', { token });
      assert.equal(after.status, 401);
      assert.equal((await json<ErrorBody>(after)).error.code, 'TBX_ERR_UNAUTHENTICATED');
      assert.equal((await toolbox.api('POST', '/api/admin/tokens/no-such-token/revoke', { session: admin, body: {} })).status, 404);
      const revokedPage = await (await toolbox.request('/admin/users', { cookie: admin.cookie })).text();
      assert.match(revokedPage, /revoked \d{4}-/);

      const audit = await auditText();
      for (const secret of [token, techToken.token]) {
        assert.ok(!audit.includes(secret), 'not in the audit log');
        assert.ok(!toolbox.logText().includes(secret), 'not in any log line');
      }
      const actions = (await store.audit.list({}, { limit: 100, offset: 0 })).items.map((entry) => entry.action);
      assert.ok(actions.includes('token.create') && actions.includes('token.revoke'));
    });

    test('the operations are in the OpenAPI document', async () => {
      const document = await json<{ paths: Record<string, Record<string, { operationId: string }>> }>(
        await toolbox.request('/api/openapi.json'),
      );
      assert.equal(document.paths['/api/admin/users']?.post?.operationId, 'createUser');
      assert.equal(document.paths['/api/admin/users/{id}']?.patch?.operationId, 'changeUser');
      assert.equal(document.paths['/api/admin/tokens/{id}/revoke']?.post?.operationId, 'revokeApiToken');
    });
  });

  describe(`the last active administrator (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;

    before(async () => {
      store = await database.open();
      // Only a technician in the file; the one admin was added by the command line, so the console may change them.
      toolbox = await createTestToolbox({
        store,
        config: { ...EMPTY_CONSOLE_CONFIG, users: [{ email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password, role: 'technician' }] },
      });
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('cannot disable or demote themselves while they are the last; can once another admin exists', async () => {
      const added = await addUser(
        { store, clock: systemClock },
        { email: 'only.admin@msp.test', role: 'admin', password: 'only-admin-password', source: 'cli' },
      );
      assert.ok(added.ok);
      const admin = await toolbox.signIn({ email: 'only.admin@msp.test', password: 'only-admin-password' });
      const self = added.user.id;

      for (const body of [{ disabled: true }, { role: 'technician' }]) {
        const response = await toolbox.api('PATCH', `/api/admin/users/${self}`, { session: admin, body });
        assert.equal(response.status, 409);
        const error = (await json<ErrorBody>(response)).error;
        assert.equal(error.code, 'TBX_ERR_LAST_ADMIN');
        assert.match(error.message, /last active administrator/);
      }
      const page = await toolbox.request(`/admin/users/${self}/disable`, { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      assert.equal(page.status, 409);
      assert.match(await page.text(), /You cannot disable yourself: you are the last active administrator/);
      const still = await store.users.findById(self);
      assert.equal(still?.disabled, false);
      assert.equal(still?.role, 'admin');

      const second = await toolbox.api('POST', '/api/admin/users', {
        session: admin,
        body: { email: 'second.admin@msp.test', role: 'admin', password: 'second-admin-password' },
      });
      assert.equal(second.status, 201);
      const demoted = await toolbox.api('PATCH', `/api/admin/users/${self}`, { session: admin, body: { role: 'technician' } });
      assert.equal(demoted.status, 200);
      assert.equal((await toolbox.request('/admin/users', { cookie: admin.cookie })).status, 403, 'the demotion applies at once');
    });
  });
}
