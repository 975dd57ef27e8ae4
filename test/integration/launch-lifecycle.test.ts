import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createManualClock } from '../../src/lib/clock.js';
import { TEST_DATABASES, type TestDatabase } from '../helpers/test-databases.js';
import type { TestToolbox } from '../helpers/test-toolbox.js';
import { type TestSession, withTestToolbox } from '../helpers/with-test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const MEGAN_AUTHENTICATOR = 'c2000000-0000-4000-8000-000000000011';
const POP = 'ticket_id=1001&company_id=250&contact_id=301&form_name=';

const decode = (value: string) =>
  value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");
const hidden = (html: string) =>
  Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, decode(m[2]!)]));

/** A toolbox whose clock the test moves, with a screen-pop lifetime of `ttlMinutes`. */
function withClockedToolbox(
  database: TestDatabase,
  options: { ttlMinutes?: number },
  run: (toolbox: TestToolbox, session: TestSession, clock: ReturnType<typeof createManualClock>) => Promise<void>,
) {
  const clock = createManualClock(Date.now());
  const config = options.ttlMinutes ? { config: { launch: { ttlMinutes: options.ttlMinutes, psaTimeoutMs: 3000 } } } : {};
  return withTestToolbox(database, { clock, ...config }, (toolbox, session) => run(toolbox, session, clock));
}

async function pop(toolbox: TestToolbox, session: TestSession, form: string) {
  const { path, status } = await toolbox.openScreenPop(`${POP}${form}`, session.cookie);
  assert.equal(status, 200);
  return path;
}

for (const database of TEST_DATABASES) {
  describe(`a launch's life: used, expired, refused (${database.name})`, { skip: database.skip }, () => {
    test('a used launch leads to its execution (Back, reload, the link again); a second submit runs nothing and says so', async () => {
      await withClockedToolbox(database, {}, async (toolbox, session) => {
        const path = await pop(toolbox, session, 'password_reset');
        const submitted = await toolbox.request(path, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on' },
        });
        assert.equal(submitted.status, 303);
        const executionPath = submitted.headers.get('location')!;
        const executionId = executionPath.split('/').pop()!;
        await toolbox.waitForExecution(executionId, session.cookie);
        const resets = toolbox.graph.state.passwordChanges.length;

        // Back or reload: no live form, but the run it started.
        const again = await toolbox.request(path, { cookie: session.cookie });
        assert.equal(again.status, 303);
        assert.equal(again.headers.get('location'), `${executionPath}?from=launch`);
        const page = decode(await (await toolbox.request(again.headers.get('location')!, { cookie: session.cookie })).text());
        assert.match(page, /This screen pop has already been used/);
        assert.match(page, />Open the form for ticket #1001 again</);

        // Changed options sent from a stale tab: nothing runs, and the page says the changes were not run.
        const resent = await toolbox.request(path, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'passphrase', must_change: '' },
        });
        assert.equal(resent.status, 303);
        assert.equal(resent.headers.get('location'), `${executionPath}?from=resubmit`);
        const resentPage = decode(await (await toolbox.request(resent.headers.get('location')!, { cookie: session.cookie })).text());
        assert.match(resentPage, /Options you changed before sending again were not run/);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(toolbox.graph.state.passwordChanges.length, resets, 'a used launch reset the password again');
        const list = (await (await toolbox.api('GET', '/api/executions?limit=50', { session })).json()) as { total: number };
        assert.equal(list.total, 1);
      });
    });

    test('an expired launch offers to open the form again: a new launch for the same ids, what was typed kept but not a password', async () => {
      await withClockedToolbox(database, { ttlMinutes: 1 }, async (toolbox, session, clock) => {
        const path = await pop(toolbox, session, 'reset_mfa');
        clock.advance(61_000);
        const expired = await toolbox.request(path, { cookie: session.cookie });
        assert.equal(expired.status, 410);
        const expiredHtml = decode(await expired.text());
        assert.match(expiredHtml, /valid for 1 minute,/);
        assert.match(expiredHtml, />Open the form for ticket #1001 again</);

        // Submitted after expiry: nothing runs, and the choices ride along (a typed password never does).
        const late = await toolbox.request(path, {
          cookie: session.cookie,
          form: {
            _csrf: session.csrf,
            user_id: MEGAN,
            mode: 'selected',
            [`remove_method:${MEGAN_AUTHENTICATOR}`]: 'on',
            password: 'Typed-Secret-123',
          },
        });
        assert.equal(late.status, 410);
        const lateHtml = await late.text();
        assert.ok(!lateHtml.includes('Typed-Secret-123'), 'a typed password was carried');
        const carried = hidden(lateHtml.slice(lateHtml.indexOf('/reopen')));
        assert.equal(carried[`remove_method:${MEGAN_AUTHENTICATOR}`], 'on');
        assert.equal(carried.mode, 'selected');

        // Another technician cannot take this launch over.
        const other = await toolbox.signIn({ email: 'other.tech@northwind-it.example', password: 'another-tech-password' });
        const stolen = await toolbox.request(`${path}/reopen`, { cookie: other.cookie, form: { _csrf: other.csrf } });
        assert.equal(stolen.status, 403);

        const reopened = await toolbox.request(`${path}/reopen`, { cookie: session.cookie, form: carried });
        assert.equal(reopened.status, 200);
        const form = decode(await reopened.text());
        const action = /<form method="post" action="(\/launches\/[\w-]+)" class="workflow-form"/.exec(form)?.[1];
        assert.ok(action && action !== path, 'the form does not post to a new launch');
        assert.match(form, /what you had chosen is kept/);
        assert.match(form, new RegExp(`name="remove_method:${MEGAN_AUTHENTICATOR}" value="on" checked`));
        assert.match(form, /id="mode-selected" name="mode" value="selected" checked/);
        const launch = await toolbox.services.store.launches.get(action!.split('/').pop()!);
        assert.deepEqual(
          [launch?.formName, launch?.ticketId, launch?.companyId, launch?.contactId, launch?.technicianUserId !== null],
          ['reset_mfa', '1001', '250', '301', true],
        );

        // Nothing typed to keep: a plain redirect to the new launch.
        const plain = await toolbox.request(`${path}/reopen`, { cookie: session.cookie, form: { _csrf: session.csrf } });
        assert.equal(plain.status, 303);
        assert.match(plain.headers.get('location')!, /^\/launches\/[\w-]+$/);
      });
    });

    test('a refused submit lists every problem at the top, linked to its field, and takes focus there', async () => {
      await withClockedToolbox(database, {}, async (toolbox, session) => {
        const path = await pop(toolbox, session, 'password_reset');
        const refused = await toolbox.request(path, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'typed', password: '' },
        });
        assert.equal(refused.status, 422);
        const html = decode(await refused.text());
        const summary = /<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(html);
        assert.ok(summary, 'no error summary');
        assert.match(summary[0], /id="error-summary" autofocus/);
        assert.match(summary[1]!, /Nothing was run: 1 thing needs fixing/);
        assert.match(summary[1]!, /<a href="#password-error" data-error-link="password">Type the new password/);
        assert.ok(html.indexOf('error-summary') < html.indexOf('class="workflow-form"'), 'the summary is not above the form');
        assert.match(html, /id="password-error"/);
      });
    });
  });
}
