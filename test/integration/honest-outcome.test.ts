import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Issue 9: before a run the form says what the run will refuse; after it, the page and the note
 * say what did change and nothing else.
 */
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const IT_ADMIN = 'c0000000-0000-4000-8000-000000000004';
const LEE_GU_SYNCED = 'f0000000-0000-4000-8000-000000000002';
const ISAIAH = 'a0000000-0000-4000-8000-000000000001';

type Step = { key: string; status: string; message: string };
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
/** Words that would tell the technician a password exists when none was set. */
const PASSWORD_CLAIMS = /was shown at|never took effect|not viewed in time|id="one-time-secret"/;

for (const database of TEST_DATABASES) {
  describe(`what the page and the note say after a run, on ${database.name}`, { skip: database.skip }, () => {
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

    const openPop = (query: string) => toolbox.openScreenPop(query, session.cookie);

    async function submit(path: string, form: Record<string, string>) {
      // Confirms the review where the form has one (offboarding, MFA reset), as the technician would.
      const response = await toolbox.submitReviewed(path, { cookie: session.cookie, form: { _csrf: session.csrf, ...form } });
      assert.equal(response.status, 303, 'the form was not accepted');
      const executionPath = response.headers.get('location')!;
      const json = await toolbox.waitForExecution(executionPath.split('/').pop()!, session.cookie);
      const page = await (await toolbox.request(executionPath, { cookie: session.cookie })).text();
      return { executionPath, json, page, steps: json.steps as Step[] };
    }

    test('a Global Administrator: warned on the form, refused, failed, no password mentioned, the note says failed', async () => {
      const { path, html } = await openPop('ticket_id=1003&company_id=250&contact_id=303&form_name=password_reset');
      assert.equal(field(html, 'user_id'), IT_ADMIN);
      const warning = /<p class="warning" role="status" data-account-notice="privileged">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
      assert.match(warning, /holds the admin role Global Administrator/);
      assert.match(warning, /refuse to reset this password, and nothing will be changed/);

      const changesBefore = toolbox.graph.state.passwordChanges.length;
      const { json, page, steps } = await submit(path, { user_id: IT_ADMIN, password_mode: 'generated', must_change: 'on' });
      assert.equal(json.status, 'failed');
      assert.deepEqual(
        steps.map((s) => [s.key, s.status]),
        [
          ['check-account', 'failed'],
          ['reset-password', 'skipped'],
          ['revoke-sessions', 'skipped'],
          ['ticket-note', 'ok'],
        ],
      );
      assert.equal(toolbox.graph.state.passwordChanges.length, changesBefore, 'a password was set');

      assert.doesNotMatch(page, PASSWORD_CLAIMS);
      assert.match(page, /No new password was set/);
      assert.match(page, /Nothing was changed/);
      assert.doesNotMatch(page, /partly done/);

      const note = String((toolbox.cw.state.notes.get(1003) ?? [])[0]?.text);
      assert.match(note, /^Technician Toolbox: Password reset for Contoso IT Admin .* failed\./);
      assert.match(note, /Check the account can be changed here: FAILED/);
      assert.doesNotMatch(note, /password was shown|shown once/i);
    });

    test('a synced user: warned on the form, refused, failed, no password mentioned', async () => {
      const { path, html } = await openPop('ticket_id=1012&company_id=251&contact_id=312&form_name=password_reset');
      assert.equal(field(html, 'user_id'), LEE_GU_SYNCED);
      assert.match(html, /data-account-notice="synced">[^<]*reset the password in AD[^<]*The toolbox will refuse this/);
      const { json, page } = await submit(path, { user_id: LEE_GU_SYNCED, password_mode: 'passphrase', must_change: 'on' });
      assert.equal(json.status, 'failed');
      assert.doesNotMatch(page, PASSWORD_CLAIMS);
      assert.match(page, /No new password was set/);
      const note = String((toolbox.cw.state.notes.get(1012) ?? [])[0]?.text);
      assert.match(note, /^Technician Toolbox: Password reset for .* failed\./);
      assert.doesNotMatch(note, /shown once/);
    });

    test('the first write fails: failed, not partial, and no password is offered', async () => {
      const { path } = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
      toolbox.graph.failNext(`PATCH /v1.0/users/${MEGAN}`, 400, 'Request_BadRequest');
      const { json, page, steps } = await submit(path, {
        user_id: MEGAN,
        password_mode: 'generated',
        must_change: 'on',
        revoke_sessions: 'on',
      });
      assert.equal(json.status, 'failed');
      assert.equal(steps.find((s) => s.key === 'check-account')?.status, 'ok');
      assert.equal(steps.find((s) => s.key === 'reset-password')?.status, 'failed');
      assert.doesNotMatch(page, PASSWORD_CLAIMS);
      assert.match(page, /No new password was set: “Set a new password” did not succeed/);
    });

    test('the technician and an admin see the note written on the ticket; it holds no password', async () => {
      const { path } = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
      const { executionPath, json, page } = await submit(path, { user_id: MEGAN, password_mode: 'generated', must_change: 'on' });
      assert.equal(json.status, 'succeeded');
      const written = String((toolbox.cw.state.notes.get(1001) ?? []).at(-1)?.text);
      // The connector joins the lines for ConnectWise; the page shows them one per line.
      const [firstLine, runBy] = written.split(/\n| \| /) as [string, string];
      assert.match(firstLine, /Password reset for Megan Bowen .* succeeded/);
      assert.match(page, /Internal note written on ticket #1001/);
      assert.ok(page.includes(`${firstLine}\n${runBy}`), 'the technician does not see the note');
      const password = /id="one-time-secret" class="secret-value" type="text" readonly="" value="([^"]+)"/.exec(page)?.[1];
      assert.ok(password);
      assert.ok(!written.includes(password), 'the password is in the note');

      const admin = await toolbox.signIn(DEMO_ADMIN);
      const adminPage = await (await toolbox.request(executionPath, { cookie: admin.cookie })).text();
      assert.ok(adminPage.includes(`${firstLine}\n${runBy}`), 'an admin does not see the note');
      assert.doesNotMatch(adminPage, /id="one-time-secret"/);
    });

    test('offboarding: one change made and one failed is partial; the same with nothing to change is failed', async () => {
      const offboard = async (ticket: string) => {
        const { path } = await openPop(`ticket_id=${ticket}&company_id=252&contact_id=321&form_name=user_offboarding`);
        toolbox.graph.failNext(`POST /v1.0/users/${ISAIAH}/revokeSignInSessions`, 403, 'Authorization_RequestDenied');
        return submit(path, { user_id: ISAIAH, block_sign_in: 'on', revoke_sessions: 'on', when: 'now', time_zone: 'UTC' });
      };
      const first = await offboard('1022');
      assert.deepEqual(
        first.steps.filter((s) => s.key === 'block-sign-in' || s.key === 'revoke-sessions').map((s) => [s.message, s.status]),
        [
          ['Sign-in blocked.', 'ok'],
          [first.steps.find((s) => s.key === 'revoke-sessions')!.message, 'failed'],
        ],
      );
      assert.equal(first.json.status, 'partial');
      assert.match(first.page, /Some changes were made and others failed/);
      assert.match(
        String((toolbox.cw.state.notes.get(1022) ?? []).at(-1)?.text),
        /User offboarding for Isaiah Langer .* partly succeeded\./,
      );

      // Sign-in is blocked already now: the block step changes nothing, so the run changed nothing.
      const second = await offboard('1022');
      assert.equal(second.steps.find((s) => s.key === 'block-sign-in')?.message, 'Sign-in was already blocked.');
      assert.equal(second.json.status, 'failed');
      assert.match(second.page, /Nothing was changed/);
    });

    test('MFA reset and group membership warn about a privileged account in their own words', async () => {
      const mfa = await openPop('ticket_id=1003&company_id=250&contact_id=303&form_name=reset_mfa');
      assert.match(mfa.html, /data-account-notice="privileged">[^<]*refuse to reset the sign-in methods of this account/);
      const groups = await openPop('ticket_id=1003&company_id=250&contact_id=303&form_name=group_membership');
      assert.match(groups.html, /data-account-notice="privileged">[^<]*refuse any group change that includes this account/);
      const megan = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=reset_mfa');
      assert.doesNotMatch(megan.html, /data-account-notice/);
    });

    test('roles that cannot be read leave the form working, and say so', async () => {
      toolbox.graph.failNext(/^GET .*\/transitiveMemberOf\/microsoft\.graph\.directoryRole$/, 403, 'Authorization_RequestDenied');
      // A user no earlier test opened: the page remembers roles it read for 30 s.
      const { status, html } = await openPop('ticket_id=1021&company_id=252&contact_id=322&form_name=password_reset');
      assert.equal(status, 200);
      assert.match(html, /data-account-notice="roles-unknown">Whether this account holds an admin role could not be checked/);
      assert.match(html, /name="password_mode"/);
    });

    test('a scheduled run shows its time in the zone it was entered in, UTC second', async () => {
      const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      const { path } = await openPop('ticket_id=1022&company_id=252&contact_id=321&form_name=user_offboarding');
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          user_id: ISAIAH,
          block_sign_in: 'on',
          when: 'later',
          run_at: `${day}T18:30`,
          time_zone: 'Europe/Paris',
        },
      });
      assert.equal(response.status, 303);
      const page = await (await toolbox.request(response.headers.get('location')!, { cookie: session.cookie })).text();
      const [year, month, date] = day.split('-').map(Number) as [number, number, number];
      const monthName = new Date(Date.UTC(year, month - 1, date)).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
      // Paris is UTC+1 in winter and UTC+2 in summer: 18:30 there is 17:30 or 16:30 UTC.
      assert.match(
        page,
        new RegExp(`Scheduled for \\w{3} ${date} ${monthName} ${year}, 18:30 Europe/Paris time \\(${day} 1[67]:30 UTC\\)`),
      );
    });
  });
}
