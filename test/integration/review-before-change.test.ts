import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import type { TestToolbox } from '../helpers/test-toolbox.js';
import { type TestSession, withTestToolbox } from '../helpers/with-test-toolbox.js';

const CONTOSO = '6f1b2c3d-0000-4000-8000-000000000250';
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const MEGAN_AUTHENTICATOR = 'c2000000-0000-4000-8000-000000000011';
const ALL_STAFF = 'c1000000-0000-4000-8000-000000000001';
const CLINICAL = 'c1000000-0000-4000-8000-000000000002';
const FRONT_DESK_DL = 'c1000000-0000-4000-8000-000000000003';

const decode = (value: string) =>
  value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");
const tokenOf = (html: string) => /name="_review" value="([^"]+)"/.exec(html)?.[1];

const openForm = (toolbox: TestToolbox, session: TestSession, form: string, query = 'ticket_id=1001&company_id=250&contact_id=301') =>
  toolbox.openScreenPop(`${query}&form_name=${form}`, session.cookie);

const methodsLeft = (toolbox: TestToolbox) => toolbox.graph.state.listAuthMethods(CONTOSO, MEGAN).length;

for (const database of TEST_DATABASES) {
  describe(`review before change, on ${database.name}`, { skip: database.skip }, () => {
    test('MFA reset: one method ticked while "All of them" is selected removes only that one, after a review naming it', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const { path, html } = await openForm(toolbox, session, 'reset_mfa');
        // The form says what the button does: it leads to the review, it does not remove yet.
        assert.match(html, />Review the MFA reset of Megan Bowen</);
        assert.match(html, /data-checks="mode-selected"/);
        const before = methodsLeft(toolbox);
        const form = {
          _csrf: session.csrf,
          user_id: MEGAN,
          mode: 'all',
          [`remove_method:${MEGAN_AUTHENTICATOR}`]: 'on',
          tap_lifetime: '60',
        };
        const review = await toolbox.request(path, { cookie: session.cookie, form });
        assert.equal(review.status, 200);
        const reviewHtml = decode(await review.text());
        assert.match(reviewHtml, /Check before it runs/);
        assert.match(reviewHtml, /<li>Remove 1 sign-in method: Authenticator: iPhone 15[^<]*<\/li>/);
        assert.ok(!reviewHtml.includes('Remove all'), 'the review offers to remove more than was ticked');
        assert.match(reviewHtml, />Remove 1 sign-in method from Megan Bowen</);
        assert.equal(methodsLeft(toolbox), before, 'the review removed something');

        const confirmed = await toolbox.request(path, { cookie: session.cookie, form: { ...form, _review: tokenOf(reviewHtml)! } });
        assert.equal(confirmed.status, 303);
        const json = await toolbox.waitForExecution(confirmed.headers.get('location')!.split('/').pop()!, session.cookie);
        assert.equal(json.status, 'succeeded');
        assert.deepEqual((json.inputs as { mode: string; methodIds: string[] }).methodIds, [MEGAN_AUTHENTICATOR]);
        assert.equal(methodsLeft(toolbox), before - 1, 'more than the ticked method was removed');
      });
    });

    test('the confirmation runs only what was reviewed: a changed field or a changed directory shows the review again', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const { path } = await openForm(toolbox, session, 'reset_mfa');
        const form = { _csrf: session.csrf, user_id: MEGAN, mode: 'all', tap_lifetime: '60', revoke_sessions: 'on' };
        const first = decode(await (await toolbox.request(path, { cookie: session.cookie, form })).text());
        assert.match(first, /<li>Remove all 2 sign-in methods but the password: [^<]*iPhone 15[^<]*Phone \(mobile\)/);
        assert.match(first, /<li>Sign Megan Bowen out of all sessions<\/li>/);
        const token = tokenOf(first)!;

        // A field changed after the review (here: a tampered hidden field) is not run.
        const tampered = await toolbox.request(path, { cookie: session.cookie, form: { ...form, revoke_sessions: '', _review: token } });
        assert.equal(tampered.status, 200);
        assert.match(decode(await tampered.text()), /not what you reviewed a moment ago/);

        // The directory changed meanwhile: one method went elsewhere. The review says so anew.
        const directory = toolbox.services.directories.get('contoso')!.client;
        await directory.authMethods!.removeAuthMethod(MEGAN, { id: MEGAN_AUTHENTICATOR, kind: 'microsoftAuthenticator' });
        const stale = await toolbox.request(path, { cookie: session.cookie, form: { ...form, _review: token } });
        assert.equal(stale.status, 200);
        const staleHtml = decode(await stale.text());
        assert.match(staleHtml, /not what you reviewed a moment ago/);
        assert.match(staleHtml, /<li>Remove all 1 sign-in method but the password: Phone \(mobile\)/);
        assert.equal((await toolbox.services.store.executions.findByLaunch(path.split('/').pop()!)) ?? null, null, 'a stale review ran');

        const confirmed = await toolbox.request(path, { cookie: session.cookie, form: { ...form, _review: tokenOf(staleHtml)! } });
        assert.equal(confirmed.status, 303);
      });
    });

    test('group membership: adding only runs at once; removing anything is reviewed first', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const adding = await openForm(toolbox, session, 'group_membership');
        const added = await toolbox.request(adding.path, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, user_id: MEGAN, mode: 'user', [`add_group:${CLINICAL}`]: 'on' },
        });
        assert.equal(added.status, 303, 'an add-only change asked for a review');

        const removing = await openForm(toolbox, session, 'group_membership', 'ticket_id=1002&company_id=250&contact_id=301');
        const form = {
          _csrf: session.csrf,
          user_id: MEGAN,
          mode: 'user',
          [`remove_group:${FRONT_DESK_DL}`]: 'on',
          [`remove_group:${ALL_STAFF}`]: 'on',
        };
        const review = await toolbox.request(removing.path, { cookie: session.cookie, form });
        assert.equal(review.status, 200);
        const html = decode(await review.text());
        assert.match(html, /<li>Remove Megan Bowen from 2 groups: (Front Desk DL, All Staff|All Staff, Front Desk DL)<\/li>/);
        assert.match(html, />Change the groups of Megan Bowen</);
        assert.ok(toolbox.graph.state.groupMemberIds(CONTOSO, ALL_STAFF).includes(MEGAN), 'the review removed the membership');
      });
    });

    test('offboarding: every step in plain words with live counts, and when a scheduled run happens in its own zone', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const { path } = await openForm(toolbox, session, 'user_offboarding', 'ticket_id=1021&company_id=252&contact_id=322');
        const at = new Date(Date.now() + 3 * 86_400_000);
        const local = `${at.toISOString().slice(0, 10)}T18:30`;
        const review = await toolbox.request(path, {
          cookie: session.cookie,
          form: {
            _csrf: session.csrf,
            user_id: 'a0000000-0000-4000-8000-000000000002',
            block_sign_in: 'on',
            convert_to_shared: 'on',
            remove_groups: 'on',
            remove_licences: 'on',
            when: 'later',
            run_at: local,
            time_zone: 'America/New_York',
          },
        });
        assert.equal(review.status, 200);
        const html = decode(await review.text());
        const changes = [...html.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]!);
        assert.equal(changes[0], 'Block sign-in');
        assert.equal(changes[1], 'Convert the mailbox to shared');
        // Grady's one group cannot be changed here: it stays, and the review says so rather than "0 groups".
        assert.equal(changes[2], 'Remove from no group: none can be changed here; 1 group stays (not changeable here)');
        assert.equal(changes[3], 'Remove 1 licence: Microsoft 365 Business Premium');
        assert.match(html, /It runs on \w{3} \d+ \w{3} \d{4}, 18:30 America\/New_York time \(\d{4}-\d\d-\d\d \d\d:30 UTC\), not before/);
        assert.match(html, />Schedule the offboarding of Grady Archie</);
      });
    });
  });
}
