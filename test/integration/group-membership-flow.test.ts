import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const CONTOSO = '6f1b2c3d-0000-4000-8000-000000000250';
const FABRIKAM = '6f1b2c3d-0000-4000-8000-000000000251';
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const DIEGO = 'c0000000-0000-4000-8000-000000000002';
const ALL_STAFF = 'c1000000-0000-4000-8000-000000000001';
const CLINICAL = 'c1000000-0000-4000-8000-000000000002';
const FRONT_DESK_DL = 'c1000000-0000-4000-8000-000000000003';
const DYNAMIC_DRIVERS = 'f1000000-0000-4000-8000-000000000002';
type Step = { key: string; status: string; message: string };
const stepOf = (json: Record<string, unknown>, key: string) => (json.steps as Step[]).find((s) => s.key === key)!;

for (const database of TEST_DATABASES) {
  describe(`group membership, screen pop to note, on ${database.name}`, { skip: database.skip }, () => {
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

    async function open(query: string) {
      const pop = await toolbox.request(`/hooks/screenpop?${query}&form_name=group_membership`, { cookie: session.cookie });
      assert.equal(pop.status, 303);
      const path = pop.headers.get('location')!;
      return { path, html: await (await toolbox.request(path, { cookie: session.cookie })).text() };
    }

    test("a user's groups: current ones listed live with badges; remove a distribution list (Exchange), add a security group (Graph)", async () => {
      const { path, html } = await open('ticket_id=1001&company_id=250&contact_id=301');
      assert.match(html, /All Staff<span class="badge">Microsoft 365<\/span>/);
      assert.match(html, /Front Desk DL<span class="badge">Distribution<\/span>/);
      assert.match(html, new RegExp(`name="remove_group:${FRONT_DESK_DL}"`));

      // The search box's fragment: groups with their type.
      const found = await toolbox.request(`${path}/options/groups?q=Clin&field=add_group&kind=checkbox`, { cookie: session.cookie });
      assert.equal(found.status, 200);
      const fragment = await found.text();
      assert.match(fragment, new RegExp(`name="add_group:${CLINICAL}"`));
      assert.match(fragment, /Clinical Records Access<span class="badge">Security<\/span>/);
      const short = await (await toolbox.request(`${path}/options/groups?q=C&field=add_group`, { cookie: session.cookie })).text();
      assert.match(short, /at least two characters/);

      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          user_id: MEGAN,
          mode: 'user',
          [`remove_group:${FRONT_DESK_DL}`]: 'on',
          [`add_group:${CLINICAL}`]: 'on',
        },
      });
      assert.equal(response.status, 303);
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
      assert.match(stepOf(json, 'remove-memberships').message, /Removed: Megan Bowen from Front Desk DL/);
      assert.match(stepOf(json, 'add-memberships').message, /Added: Megan Bowen to Clinical Records Access/);
      assert.equal(stepOf(json, 'verify').status, 'ok');
      assert.ok(toolbox.graph.state.groupMemberIds(CONTOSO, CLINICAL).includes(MEGAN));
      assert.ok(!toolbox.graph.state.groupMemberIds(CONTOSO, FRONT_DESK_DL).includes(MEGAN));
      assert.ok(
        toolbox.graph.state.requests.some((r) => r.path.includes('/InvokeCommand')),
        'the distribution list was not changed through Exchange',
      );
      // The note keeps the removed groups, for a rehire.
      assert.match(String((toolbox.cw.state.notes.get(1001) ?? [])[0]?.text), /Removed: Megan Bowen from Front Desk DL/);
    });

    test('several users at once: the same group for both', async () => {
      const { path } = await open('ticket_id=1001&company_id=250&contact_id=301');
      const users = await (
        await toolbox.request(`${path}/options/users?q=Diego&field=also_user&kind=checkbox`, { cookie: session.cookie })
      ).text();
      assert.match(users, new RegExp(`name="also_user:${DIEGO}"`));
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'user', [`also_user:${DIEGO}`]: 'on', [`add_group:${FRONT_DESK_DL}`]: 'on' },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
      const members = toolbox.graph.state.groupMemberIds(CONTOSO, FRONT_DESK_DL);
      assert.ok(members.includes(MEGAN) && members.includes(DIEGO));
    });

    test("a group's members: remove one, add another", async () => {
      const { path } = await open('ticket_id=1001&company_id=250&contact_id=301');
      const members = await (
        await toolbox.request(`${path}/options/members?q=${CLINICAL}&field=remove_user&kind=checkbox`, { cookie: session.cookie })
      ).text();
      assert.match(members, new RegExp(`name="remove_user:${DIEGO}"`));
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'group', group_id: ALL_STAFF, [`remove_user:${DIEGO}`]: 'on' },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
      assert.ok(!toolbox.graph.state.groupMemberIds(CONTOSO, ALL_STAFF).includes(DIEGO));
    });

    test('nothing ticked, or no group chosen, is refused next to the field', async () => {
      const { path } = await open('ticket_id=1001&company_id=250&contact_id=301');
      const none = await toolbox.request(path, { cookie: session.cookie, form: { _csrf: session.csrf, user_id: MEGAN, mode: 'user' } });
      assert.equal(none.status, 422);
      assert.match(await none.text(), /Tick a group to remove, or search for one to add/);
      const noGroup = await toolbox.request(path, { cookie: session.cookie, form: { _csrf: session.csrf, user_id: MEGAN, mode: 'group' } });
      assert.equal(noGroup.status, 422);
      assert.match(await noGroup.text(), /Search for the group and choose it/);
    });
  });
}

describe('group membership refusals', () => {
  test('dynamic groups are shown but cannot be ticked, and a forged request is refused with the reason', async () => {
    const store = await TEST_DATABASES[0]!.open();
    const toolbox = await createTestToolbox({ store });
    try {
      const session = await toolbox.signIn();
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1011&company_id=251&contact_id=311&form_name=group_membership', {
        cookie: session.cookie,
      });
      const path = pop.headers.get('location')!;
      await toolbox.request(path, { cookie: session.cookie });
      const fragment = await (
        await toolbox.request(`${path}/options/groups?q=All&field=add_group&kind=checkbox`, { cookie: session.cookie })
      ).text();
      assert.match(fragment, new RegExp(`name="add_group:${DYNAMIC_DRIVERS}" value="on" disabled`));
      assert.match(fragment, /Dynamic<\/span>/);
      const before = toolbox.graph.state.groupMemberIds(FABRIKAM, DYNAMIC_DRIVERS).length;
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          user_id: 'f0000000-0000-4000-8000-000000000001',
          mode: 'user',
          [`add_group:${DYNAMIC_DRIVERS}`]: 'on',
        },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(stepOf(json, 'add-memberships').status, 'failed');
      assert.match(stepOf(json, 'add-memberships').message, /rule/i);
      assert.equal(toolbox.graph.state.groupMemberIds(FABRIKAM, DYNAMIC_DRIVERS).length, before);

      const other = await toolbox.signIn({ email: 'other.tech@northwind-it.example', password: 'another-tech-password' });
      const forbidden = await toolbox.request(`${path}/options/groups?q=Dis`, { cookie: other.cookie });
      assert.equal(forbidden.status, 403);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});

describe('group membership: already a member, throttling', () => {
  // Since the form refuses adding the user to a group they are in, "already a member" is reached
  // through another user alongside (Diego is already in Clinical Records Access).
  test('adding a member who already is one is reported, not an error; a 429 is waited out', async () => {
    const store = await TEST_DATABASES[0]!.open();
    const toolbox = await createTestToolbox({ store });
    try {
      const session = await toolbox.signIn();
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=group_membership', {
        cookie: session.cookie,
      });
      const path = pop.headers.get('location')!;
      await toolbox.request(path, { cookie: session.cookie });
      // Graph throttles the first membership write once; the connector waits Retry-After and goes on.
      toolbox.graph.failNext(/\/groups\/[^/]+\/members\/\$ref$/, 429, 'TooManyRequests', 1, { retryAfterSeconds: 1 });
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'user', [`also_user:${DIEGO}`]: 'on', [`add_group:${CLINICAL}`]: 'on' },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
      const added = stepOf(json, 'add-memberships').message;
      assert.match(added, /Already members: Diego Siciliani to Clinical Records Access/);
      assert.match(added, /Added: Megan Bowen to Clinical Records Access/);
      assert.ok(
        toolbox.graph.state.requests.some((r) => r.status === 429),
        'the throttling was not exercised',
      );
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});

describe('group membership: groups the user is already in', () => {
  test('the group search marks them and does not offer them to add; an add of one is refused; the button names the mode', async () => {
    const store = await TEST_DATABASES[0]!.open();
    const toolbox = await createTestToolbox({ store });
    try {
      const session = await toolbox.signIn();
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=group_membership', {
        cookie: session.cookie,
      });
      const path = pop.headers.get('location')!;
      const html = await (await toolbox.request(path, { cookie: session.cookie })).text();
      // The search box sends whose memberships to mark; the button says what each mode does.
      assert.match(html, new RegExp(`id="group-search"[^>]*data-options-params="user=${MEGAN}"`));
      assert.match(html, /<button type="submit" class="primary">.*Change the groups of Megan Bowen/s);
      assert.match(html, /Change the members of <span data-label-from="group_id">the chosen group<\/span>/);

      // "Clinic" finds Downtown (Megan is in it) and Riverside and Uptown (she is not).
      const marked = await (
        await toolbox.request(`${path}/options/groups?q=Clinic&field=add_group&kind=checkbox&user=${MEGAN}`, { cookie: session.cookie })
      ).text();
      const item = (name: string) => new RegExp(`<li>(?:(?!</li>).)*${name}(?:(?!</li>).)*</li>`, 's').exec(marked)?.[0] ?? '';
      assert.match(item('Clinic - Downtown'), /<span class="badge">Member<\/span>/);
      assert.match(item('Clinic - Downtown'), / disabled=""/, 'a group she is in must not be offered to add');
      assert.match(item('Clinic - Downtown'), /Already a member/);
      assert.doesNotMatch(item('Clinic - Riverside'), /Member|disabled/);
      // Without a user the same search marks nothing (the onboarding form's new user is in no group).
      const plain = await (
        await toolbox.request(`${path}/options/groups?q=Clinic&field=add_group&kind=checkbox`, { cookie: session.cookie })
      ).text();
      assert.doesNotMatch(plain, /Member/);

      // A crafted or stale "add" of a group she is already in is refused by name, nothing runs.
      const refused = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, mode: 'user', [`add_group:${ALL_STAFF}`]: 'on' },
      });
      assert.equal(refused.status, 422);
      assert.match(await refused.text(), /Megan Bowen is already a member of All Staff: nothing to add there/);
      assert.equal(toolbox.graph.state.requests.filter((r) => r.method === 'POST' && r.path.includes('/members/')).length, 0);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});
