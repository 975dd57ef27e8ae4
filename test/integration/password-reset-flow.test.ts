import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_SIGN_IN } from '../../src/demo/demo-sandbox.js';
import { createManualClock } from '../../src/lib/clock.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const CONTOSO = '6f1b2c3d-0000-4000-8000-000000000250';

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

for (const database of TEST_DATABASES) {
  describe(`screen pop → password reset → note, on ${database.name}`, { skip: database.skip }, () => {
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

    async function openPop(query: string) {
      const pop = await toolbox.request(`/hooks/screenpop?${query}`, { cookie: session.cookie });
      assert.equal(pop.status, 303);
      const path = pop.headers.get('location')!;
      const page = await toolbox.request(path, { cookie: session.cookie });
      return { path, page, html: await page.text() };
    }

    test('the form arrives filled in, the reset runs once, the password is shown once, the note is written', async () => {
      const { path, page, html } = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      for (const expected of [
        '#1001',
        'Megan locked out after password expiry',
        'Help Desk · New',
        'Contoso Dental',
        'Megan Bowen',
        'megan.bowen@contosodental.example',
        '5550101001',
      ]) {
        assert.ok(html.includes(expected), `form page lacks ${expected}`);
      }
      assert.match(html, /Matched from the contact by e-mail address/);
      assert.match(html, /id="password_mode-generated" name="password_mode" value="generated" checked/);
      assert.match(html, /id="must_change" name="must_change" value="on" checked/);
      assert.match(html, /id="revoke_sessions" name="revoke_sessions" value="on" checked/);
      assert.equal(field(html, 'user_id'), MEGAN);

      const form = { _csrf: session.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' };
      const [first, second] = await Promise.all([
        toolbox.request(path, { form, cookie: session.cookie }),
        toolbox.request(path, { form, cookie: session.cookie }),
      ]);
      assert.equal(first.status, 303);
      assert.equal(second.status, 303);
      const [firstPath, secondPath] = [first.headers.get('location')!, second.headers.get('location')!];
      assert.equal(firstPath.split('?')[0], secondPath.split('?')[0], 'a double submit created two executions');
      // The submit that lost the race says so on the page (what it sent was not run again).
      assert.deepEqual([firstPath, secondPath].filter((p) => p.endsWith('?from=resubmit')).length, 1);
      const executionPath = [firstPath, secondPath].find((p) => !p.includes('?'))!;
      const executionId = executionPath.split('/').pop()!;

      const json = await toolbox.waitForExecution(executionId, session.cookie);
      assert.equal(json.status, 'succeeded');
      assert.deepEqual(
        (json.steps as { key: string; status: string }[]).map((s) => [s.key, s.status]),
        [
          ['check-account', 'ok'],
          ['reset-password', 'ok'],
          ['revoke-sessions', 'ok'],
          ['ticket-note', 'ok'],
        ],
      );
      assert.equal(json.ticketId, '1001');
      assert.equal(json.companyId, '250');
      assert.equal(json.contactId, '301');
      assert.deepEqual(json.technician, { id: (json.technician as { id: string }).id, email: DEMO_SIGN_IN.email });
      assert.equal(toolbox.graph.state.passwordChanges.filter((c) => c.userId === MEGAN).length, 1, 'the password was set more than once');
      assert.equal(toolbox.graph.state.revocations.filter((r) => r.userId === MEGAN).length, 1);

      const result = await toolbox.request(executionPath, { cookie: session.cookie });
      const resultHtml = await result.text();
      const password = /id="one-time-secret" class="secret-value" type="text" readonly="" value="([^"]+)"/.exec(resultHtml)?.[1];
      assert.ok(password, 'the new password is not shown');
      const decoded = password
        .replaceAll('&amp;', '&')
        .replaceAll('&quot;', '"')
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&#39;', "'");
      assert.equal(toolbox.graph.state.checkPassword(CONTOSO, MEGAN, decoded), true, 'the shown password is not the one set');
      assert.equal(toolbox.graph.state.passwordChanges.at(-1)?.forceChangePasswordNextSignIn, true);

      const again = await (await toolbox.request(executionPath, { cookie: session.cookie })).text();
      assert.ok(!again.includes(decoded), 'the password was shown twice');
      assert.match(again, /was shown at .* and cannot be shown again/);

      const notes = toolbox.cw.state.notes.get(1001) ?? [];
      assert.equal(notes.length, 1);
      const note = notes[0] as unknown as {
        text: string;
        internalAnalysisFlag: boolean;
        detailDescriptionFlag: boolean;
        processNotifications?: boolean;
      };
      assert.equal(note.internalAnalysisFlag, true);
      assert.equal(note.detailDescriptionFlag, false);
      assert.match(note.text, /Password reset for Megan Bowen \(megan.bowen@contosodental.example\) succeeded/);
      assert.match(note.text, /Set a new password: OK/);
      assert.match(note.text, /Sign the user out of all sessions: OK/);

      // The password exists nowhere but in that one page.
      const apiText = JSON.stringify(await (await toolbox.request(`/api/executions/${executionId}`, { cookie: session.cookie })).json());
      for (const [where, text] of [
        ['note', note.text],
        ['API', apiText],
        ['log', toolbox.logText()],
        ['stored execution', JSON.stringify(await toolbox.services.store.executions.get(executionId))],
      ] as const) {
        assert.ok(!text.includes(decoded), `the password appears in the ${where}`);
      }
    });

    test('no ticket: the reset runs and the note is reported as skipped', async () => {
      const { path } = await openPop('ticket_id=@ticketid&company_id=252&contact_id=321&form_name=password_reset');
      const response = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: 'a0000000-0000-4000-8000-000000000001', password_mode: 'passphrase', revoke_sessions: 'on' },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded');
      const note = (json.steps as { key: string; status: string; message: string }[]).find((s) => s.key === 'ticket-note');
      assert.equal(note?.status, 'skipped');
      assert.match(note?.message ?? '', /No ticket came with this screen pop/);
      assert.equal((json.note as { status: string }).status, 'skipped');
      assert.equal(toolbox.graph.state.passwordChanges.at(-1)?.forceChangePasswordNextSignIn, false);
    });

    test('a typed password that breaks the rules is refused next to the field; nothing runs', async () => {
      const { path } = await openPop('ticket_id=1022&company_id=252&contact_id=321&form_name=password_reset');
      const changes = toolbox.graph.state.passwordChanges.length;
      const response = await toolbox.request(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          user_id: 'a0000000-0000-4000-8000-000000000001',
          password_mode: 'typed',
          password: 'short',
          must_change: 'on',
        },
      });
      assert.equal(response.status, 422);
      const html = await response.text();
      assert.match(html, /id="password-error" role="alert"/);
      assert.match(html, /id="password_mode-typed" name="password_mode" value="typed" checked/);
      assert.ok(!html.includes('value="short"'), 'the typed password was echoed back');
      assert.equal(toolbox.graph.state.passwordChanges.length, changes);
    });

    test('a directory-synced user is refused before anything changes, and the note says why', async () => {
      const { path, html } = await openPop('ticket_id=1012&company_id=251&contact_id=312&form_name=password_reset');
      assert.match(html, /synchronised from on-premises Active Directory/);
      const response = await toolbox.request(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          user_id: field(html, 'user_id')!,
          password_mode: 'generated',
          must_change: 'on',
          revoke_sessions: 'on',
        },
      });
      const executionPath = response.headers.get('location')!;
      const json = await toolbox.waitForExecution(executionPath.split('/').pop()!, session.cookie);
      // Refused before any change: failed, not "partly done" (the note written is bookkeeping).
      assert.equal(json.status, 'failed');
      const steps = json.steps as { key: string; status: string; message: string }[];
      assert.equal(steps[0]?.status, 'failed');
      assert.match(steps[0]?.message ?? '', /reset the password in AD/);
      assert.deepEqual(
        steps.slice(1).map((s) => s.status),
        ['skipped', 'skipped', 'ok'],
      );
      assert.ok(!toolbox.graph.state.requests.some((r) => r.method === 'PATCH' && r.path.includes('f0000000-0000-4000-8000-000000000002')));
      assert.match(String((toolbox.cw.state.notes.get(1012) ?? [])[0]?.text), /FAILED/);
      const page = await (await toolbox.request(executionPath, { cookie: session.cookie })).text();
      assert.ok(!page.includes('id="one-time-secret"'), 'a password that was never set is shown');
    });

    test('an account with an admin role is protected', async () => {
      const { path, html } = await openPop('ticket_id=1003&company_id=250&contact_id=303&form_name=password_reset');
      const response = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: field(html, 'user_id')!, password_mode: 'generated', must_change: 'on' },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      const first = (json.steps as { status: string; message: string }[])[0];
      assert.equal(first?.status, 'failed');
      assert.match(first?.message ?? '', /Global Administrator.*Privileged accounts are protected/);
    });

    test('several candidate users: a choice, then the form for the chosen one; search finds others', async () => {
      const { path, html } = await openPop('ticket_id=1002&company_id=250&contact_id=302&form_name=password_reset');
      assert.match(html, /2 users match the contact&#39;s e-mail address|2 users match the contact's e-mail address/);
      assert.ok(!html.includes('name="user_id"'), 'a form is offered before a user is chosen');
      const chosen = await (await toolbox.request(`${path}?user=c0000000-0000-4000-8000-000000000002`, { cookie: session.cookie })).text();
      assert.equal(field(chosen, 'user_id'), 'c0000000-0000-4000-8000-000000000002');
      assert.match(chosen, /Chosen by you/);
      const search = await (await toolbox.request(`${path}?q=Reception`, { cookie: session.cookie })).text();
      assert.match(search, /reception@contosodental.example/);
    });

    test('a contact whose e-mail matches nobody is matched by name', async () => {
      const { html } = await openPop('ticket_id=1013&company_id=251&contact_id=313&form_name=password_reset');
      assert.match(html, /Matched from the contact by display name/);
      assert.match(html, /nestor.wilke@fabrikamlogistics.example/);
    });

    test('a PSA read that fails names the read and the reason', async () => {
      const { page, html } = await openPop('ticket_id=1001&company_id=250&contact_id=9999&form_name=password_reset');
      assert.equal(page.status, 502);
      assert.match(html, /contact 9999/);
      assert.match(html, /not found in ConnectWise/i);
    });

    test('a company with no directory says how to map it', async () => {
      const { page, html } = await openPop('company_id=19300&contact_id=301&form_name=password_reset');
      // The company does not exist in the simulator: the company read fails first.
      assert.equal(page.status, 502);
      assert.match(html, /company 19300/);
    });

    test('another technician cannot open or submit someone else’s launch', async () => {
      const { path } = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
      const other = await toolbox.signIn({ email: 'other.tech@northwind-it.example', password: 'another-tech-password' });
      const page = await toolbox.request(path, { cookie: other.cookie });
      assert.equal(page.status, 403);
      const submit = await toolbox.request(path, {
        cookie: other.cookie,
        form: { _csrf: other.csrf, user_id: MEGAN, password_mode: 'generated' },
      });
      assert.equal(submit.status, 403);
    });

    test('POSTs without the session token or from another origin are refused', async () => {
      const { path } = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
      const noToken = await toolbox.request(path, { cookie: session.cookie, form: { user_id: MEGAN, password_mode: 'generated' } });
      assert.equal(noToken.status, 403);
      const crossSite = await toolbox.request(path, {
        cookie: session.cookie,
        headers: { origin: 'https://evil.example' },
        form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'generated' },
      });
      assert.equal(crossSite.status, 403);
    });
  });
}

describe('launch expiry and sign-in', () => {
  const sqlite = TEST_DATABASES.find((d) => d.name === 'sqlite')!;
  test('a launch expires after its lifetime; unsigned visitors go to sign-in and back', async () => {
    const clock = createManualClock(Date.now());
    const store = await sqlite.open();
    const toolbox = await createTestToolbox({ store, clock });
    try {
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
      const path = pop.headers.get('location')!;
      const anonymous = await toolbox.request(path);
      assert.equal(anonymous.status, 303);
      assert.equal(anonymous.headers.get('location'), `/login?next=${encodeURIComponent(path)}`);
      const session = await toolbox.signIn();
      assert.equal((await toolbox.request(path, { cookie: session.cookie })).status, 200);
      clock.advance(31 * 60_000);
      const expired = await toolbox.request(path, { cookie: session.cookie });
      assert.equal(expired.status, 410);
      assert.match(await expired.text(), /has expired/);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });

  test('wrong passwords are refused without saying which part was wrong; next is kept on-site', async () => {
    const store = await sqlite.open();
    const toolbox = await createTestToolbox({ store });
    try {
      await assert.rejects(toolbox.signIn({ email: DEMO_SIGN_IN.email, password: 'not-the-password' }), /401/);
      await assert.rejects(toolbox.signIn({ email: 'nobody@example.test', password: 'not-the-password' }), /401/);
      const page = await toolbox.request('/login?next=//evil.example/x');
      assert.match(await page.text(), /name="next" value="\/"/);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});
