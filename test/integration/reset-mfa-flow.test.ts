import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox, type TestToolboxOptions } from '../helpers/test-toolbox.js';

const CONTOSO = '6f1b2c3d-0000-4000-8000-000000000250';
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const DIEGO = 'c0000000-0000-4000-8000-000000000002';
const MEGAN_AUTHENTICATOR = 'c2000000-0000-4000-8000-000000000011';
type Step = { key: string; status: string; message: string };

const decodeHtml = (value: string) =>
  value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");
const stepOf = (json: Record<string, unknown>, key: string) => (json.steps as Step[]).find((s) => s.key === key)!;

async function withToolbox(
  options: Omit<TestToolboxOptions, 'store'>,
  run: (toolbox: TestToolbox, session: { cookie: string; csrf: string }) => Promise<void>,
  db = TEST_DATABASES[0]!,
) {
  const store = await db.open();
  const toolbox = await createTestToolbox({ store, ...options });
  try {
    await run(toolbox, await toolbox.signIn());
  } finally {
    await toolbox.close();
    await store.drop();
  }
}

async function openForm(toolbox: TestToolbox, cookie: string, query: string, userId?: string) {
  const pop = await toolbox.request(`/hooks/screenpop?${query}&form_name=reset_mfa`, { cookie });
  assert.equal(pop.status, 303);
  const path = pop.headers.get('location')!;
  const page = await toolbox.request(userId ? `${path}?user=${userId}` : path, { cookie });
  return { path, page, html: await page.text() };
}

for (const database of TEST_DATABASES) {
  describe(`MFA reset, screen pop to note, on ${database.name}`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let drop: () => Promise<void>;
    let session: { cookie: string; csrf: string };
    before(async () => {
      const store = await database.open();
      drop = store.drop;
      toolbox = await createTestToolbox({ store });
      session = await toolbox.signIn();
    });
    after(async () => {
      await toolbox.close();
      await drop();
    });

    test('all methods go, the default phone last; the pass is shown once and is real; the note lists what went', async () => {
      const { path, page, html } = await openForm(toolbox, session.cookie, 'ticket_id=1002&company_id=250&contact_id=302', DIEGO);
      assert.equal(page.status, 200);
      // Listed live, with the default marked and the password not removable.
      assert.match(html, /Registered now \(read live from the directory\)/);
      assert.match(html, /Phone<\/label><span class="badge">default<\/span>/);
      assert.match(html, /\+1 5550109002/);
      assert.match(html, /Password \(cannot be removed\)/);
      assert.match(html, /id="mode-all" name="mode" value="all" checked/);

      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: DIEGO, mode: 'all', tap: 'on', tap_lifetime: '60', tap_once: 'on', revoke_sessions: 'on' },
      });
      assert.equal(response.status, 303);
      const executionPath = response.headers.get('location')!;
      const json = await toolbox.waitForExecution(executionPath.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
      assert.deepEqual(
        (json.steps as Step[]).map((s) => [s.key, s.status]),
        [
          ['check-account', 'ok'],
          ['remove-methods', 'ok'],
          ['temporary-access-pass', 'ok'],
          ['revoke-sessions', 'ok'],
          ['verify', 'ok'],
          ['ticket-note', 'ok'],
        ],
      );
      const left = toolbox.graph.state
        .listAuthMethods(CONTOSO, DIEGO)
        .map((m) => (m as { type?: string; '@odata.type'?: string }).type ?? m['@odata.type']);
      assert.equal(left.length, 2, `left: ${JSON.stringify(left)}`);
      // The mobile (default) phone went last: every other DELETE came before it.
      const deletes = toolbox.graph.state.requests.filter((r) => r.method === 'DELETE' && r.path.includes(DIEGO)).map((r) => r.path);
      assert.match(deletes.at(-1) ?? '', /phoneMethods\/3179e48a-750b-4051-897c-87b9720928f7$/);

      const result = await (await toolbox.request(executionPath, { cookie: session.cookie })).text();
      const pass = /id="one-time-secret" class="secret-value" type="text" readonly="" value="([^"]+)"/.exec(result)?.[1];
      assert.ok(pass, 'the Temporary Access Pass is not shown');
      assert.match(result, /<h2>Temporary Access Pass<\/h2>/);
      assert.equal(toolbox.graph.state.checkTemporaryAccessPass(CONTOSO, DIEGO, decodeHtml(pass)), true);
      const again = await (await toolbox.request(executionPath, { cookie: session.cookie })).text();
      assert.ok(!again.includes(pass));
      assert.match(again, /temporary access pass was shown at/);

      const note = String((toolbox.cw.state.notes.get(1002) ?? [])[0]?.text);
      assert.match(note, /MFA reset for Diego Siciliani/);
      assert.match(note, /Removed: .*Phone \(mobile\)/);
      assert.match(note, /temporary access pass was shown once/);
      for (const [where, text] of [
        ['note', note],
        ['log', toolbox.logText()],
        ['API', JSON.stringify(json)],
      ] as const) {
        assert.ok(!text.includes(decodeHtml(pass)), `the pass appears in the ${where}`);
      }
    });

    test('only the ticked method goes; the rest stay; no pass when not asked', async () => {
      const { path, html } = await openForm(toolbox, session.cookie, 'ticket_id=1001&company_id=250&contact_id=301');
      assert.match(html, new RegExp(`name="remove_method:${MEGAN_AUTHENTICATOR}"`));
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'selected', [`remove_method:${MEGAN_AUTHENTICATOR}`]: 'on', tap_lifetime: '60' },
      });
      const executionPath = response.headers.get('location')!;
      const json = await toolbox.waitForExecution(executionPath.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded');
      assert.match(stepOf(json, 'remove-methods').message, /Removed: .*iPhone 15/);
      assert.equal(stepOf(json, 'temporary-access-pass').status, 'skipped');
      assert.equal(stepOf(json, 'revoke-sessions').status, 'skipped');
      const left = toolbox.graph.state.listAuthMethods(CONTOSO, MEGAN).map((m) => JSON.stringify(m));
      assert.equal(left.length, 2, 'the password and the mobile phone should remain');
      assert.ok(left.some((m) => m.includes('+1 5550101001')));
      const page = await (await toolbox.request(executionPath, { cookie: session.cookie })).text();
      assert.ok(!page.includes('id="one-time-secret"'));
    });

    test('a ticked method that is gone, or none ticked, is refused next to the field', async () => {
      const { path } = await openForm(toolbox, session.cookie, 'ticket_id=1001&company_id=250&contact_id=301');
      const none = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'selected', tap_lifetime: '60' },
      });
      assert.equal(none.status, 422);
      assert.match(await none.text(), /role="alert" id="mode-error">Tick at least one method/);
      const stale = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'selected', 'remove_method:no-such-method': 'on', tap_lifetime: '60' },
      });
      assert.equal(stale.status, 422);
      assert.match(await stale.text(), /no longer registered or cannot be removed/);
    });
  });
}

describe('MFA reset failure modes', () => {
  test('the tenant does not allow Temporary Access Passes: the methods still go, the step says why, nothing is shown', async () => {
    await withToolbox({ graph: { temporaryAccessPassDisabledTenants: ['contoso'] } }, async (toolbox, session) => {
      const { path } = await openForm(toolbox, session.cookie, 'ticket_id=1001&company_id=250&contact_id=301');
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'all', tap: 'on', tap_lifetime: '240', tap_once: 'on' },
      });
      const executionPath = response.headers.get('location')!;
      const json = await toolbox.waitForExecution(executionPath.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'partial');
      assert.equal(stepOf(json, 'remove-methods').status, 'ok');
      assert.equal(stepOf(json, 'temporary-access-pass').status, 'failed');
      assert.match(stepOf(json, 'temporary-access-pass').message, /not enabled in this tenant/);
      assert.equal(stepOf(json, 'verify').status, 'warning');
      const page = await (await toolbox.request(executionPath, { cookie: session.cookie })).text();
      assert.ok(!page.includes('id="one-time-secret"'));
      // The pass was never issued: the page says so, not that one expired unseen.
      assert.match(page, /No temporary access pass was set: “Issue a Temporary Access Pass” did not succeed/);
      assert.doesNotMatch(page, /not viewed in time|was shown at/);
    });
  });

  test('a tenant that removes only part per call: the workflow goes round again until all are gone', async () => {
    await withToolbox({ graph: { legacyMfaTenants: ['contoso'] } }, async (toolbox, session) => {
      const { path } = await openForm(toolbox, session.cookie, 'ticket_id=1002&company_id=250&contact_id=302', DIEGO);
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: DIEGO, mode: 'all', tap_lifetime: '60' },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      const deletes = toolbox.graph.state.requests.filter((r) => r.method === 'DELETE' && r.path.includes(DIEGO)).length;
      assert.ok(deletes > 4, `only ${deletes} DELETEs: no second round`);
      assert.equal(toolbox.graph.state.listAuthMethods(CONTOSO, DIEGO).length, 1, 'only the password should remain');
      assert.equal(stepOf(json, 'remove-methods').status, 'ok');
      assert.equal(stepOf(json, 'verify').status, 'ok');
    });
  });

  test('the methods cannot be listed: the field says so and "all" still works', async () => {
    await withToolbox({}, async (toolbox, session) => {
      toolbox.graph.failNext(/\/authentication\/methods$/, 503, 'serviceNotAvailable', 3);
      const { path, html } = await openForm(toolbox, session.cookie, 'ticket_id=1001&company_id=250&contact_id=301');
      assert.match(html, /id="methods-error">The methods could not be listed:/);
      assert.match(html, /id="mode-selected" name="mode" value="selected" disabled/);
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'all', tap_lifetime: '60' },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
      assert.equal(toolbox.graph.state.listAuthMethods(CONTOSO, MEGAN).length, 1);
    });
  });

  test('a synced user is allowed (methods live in Entra); an admin is protected', async () => {
    await withToolbox({}, async (toolbox, session) => {
      const lee = await openForm(toolbox, session.cookie, 'ticket_id=1012&company_id=251&contact_id=312');
      const leeId = /name="user_id" value="([^"]+)"/.exec(lee.html)![1]!;
      const leeRun = await toolbox.submitReviewed(lee.path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: leeId, mode: 'all', tap_lifetime: '60' },
      });
      const leeJson = await toolbox.waitForExecution(leeRun.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(stepOf(leeJson, 'check-account').status, 'ok');
      assert.match(stepOf(leeJson, 'check-account').message, /synchronised from on-premises AD/);

      const admin = await openForm(toolbox, session.cookie, 'ticket_id=1003&company_id=250&contact_id=303');
      const adminId = /name="user_id" value="([^"]+)"/.exec(admin.html)![1]!;
      const adminRun = await toolbox.submitReviewed(admin.path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: adminId, mode: 'all', tap_lifetime: '60' },
      });
      const adminJson = await toolbox.waitForExecution(adminRun.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(stepOf(adminJson, 'check-account').status, 'failed');
      assert.equal(stepOf(adminJson, 'remove-methods').status, 'skipped');
      assert.ok(!toolbox.graph.state.requests.some((r) => r.method === 'DELETE' && r.path.includes(adminId)));
    });
  });
});

describe('per-customer defaults', () => {
  test('a directory’s form defaults pre-set both forms; the technician can still change them', async () => {
    const store = await TEST_DATABASES[0]!.open();
    // Only the contoso directory gets defaults; the others keep the built-in ones.
    const toolbox = await createTestToolbox({ store });
    const contosoDefaults = {
      password_reset: { passwordMode: 'passphrase', mustChange: false },
      reset_mfa: { temporaryAccessPass: false, tapLifetimeMinutes: 480, revokeSessions: false },
    };
    const contoso = toolbox.services.directories.get('contoso')!;
    contoso.config.formDefaults = contosoDefaults;
    try {
      const session = await toolbox.signIn();
      const mfa = await openForm(toolbox, session.cookie, 'ticket_id=1001&company_id=250&contact_id=301');
      assert.match(mfa.html, /id="tap" name="tap" value="on"\/>/, 'the pass should be off for this customer');
      assert.match(mfa.html, /<option value="480" selected="">/);
      assert.match(mfa.html, /id="revoke_sessions" name="revoke_sessions" value="on"\/>/);
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', {
        cookie: session.cookie,
      });
      const password = await (await toolbox.request(pop.headers.get('location')!, { cookie: session.cookie })).text();
      assert.match(password, /id="password_mode-passphrase" name="password_mode" value="passphrase" checked/);
      assert.match(password, /id="must_change" name="must_change" value="on"\/>/);
      // Another customer: the built-in defaults.
      const other = await toolbox.request('/hooks/screenpop?ticket_id=1022&company_id=252&contact_id=321&form_name=password_reset', {
        cookie: session.cookie,
      });
      const otherHtml = await (await toolbox.request(other.headers.get('location')!, { cookie: session.cookie })).text();
      assert.match(otherHtml, /id="password_mode-generated" name="password_mode" value="generated" checked/);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});
