import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const CONTOSO = '6f1b2c3d-0000-4000-8000-000000000250';
const SPB = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';
const EXCHANGE_STANDARD = '4b9405b0-7788-4568-add1-99614e613b69';
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const CLINICAL = 'c1000000-0000-4000-8000-000000000002';
const FRONT_DESK_DL = 'c1000000-0000-4000-8000-000000000003';
type Step = { key: string; status: string; message: string };
const stepOf = (json: Record<string, unknown>, key: string) => (json.steps as Step[]).find((s) => s.key === key)!;
const decodeHtml = (value: string) =>
  value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");

async function withToolbox(
  run: (toolbox: TestToolbox, session: { cookie: string; csrf: string }) => Promise<void>,
  database = TEST_DATABASES[0]!,
) {
  const store = await database.open();
  const toolbox = await createTestToolbox({ store });
  try {
    await run(toolbox, await toolbox.signIn());
  } finally {
    await toolbox.close();
    await store.drop();
  }
}

async function openForm(toolbox: TestToolbox, cookie: string) {
  // The requester is Megan, the contact on ticket 1001: the new user is someone else.
  const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=user_onboarding', { cookie });
  assert.equal(pop.status, 303);
  const path = pop.headers.get('location')!;
  return { path, html: await (await toolbox.request(path, { cookie })).text() };
}

const BASE = {
  first_name: 'Jane',
  last_name: 'Doe',
  domain: 'contosodental.example',
  usage_location: 'US',
  password_mode: 'generated',
  must_change: 'on',
  when: 'now',
};

for (const database of TEST_DATABASES) {
  describe(`user onboarding, screen pop to note, on ${database.name}`, { skip: database.skip }, () => {
    test('a new user with a licence, groups (Graph and Exchange), a manager and attributes copied; the password shown once', async () => {
      await withToolbox(async (toolbox, session) => {
        const { path, html } = await openForm(toolbox, session.cookie);
        assert.match(html, /<option value="contosodental.example" selected="">/);
        assert.match(html, /SPB<span class="badge">\d+ of \d+ free<\/span>/);
        assert.match(
          html,
          new RegExp(`name="licence:${EXCHANGE_STANDARD}" value="on" disabled`),
          'a licence with no free seat must be shown and refused before submit',
        );
        assert.match(html, /Megan Bowen \(the contact on the ticket\)/);
        const response = await toolbox.request(path, {
          cookie: session.cookie,
          form: {
            _csrf: session.csrf,
            user_id: MEGAN,
            ...BASE,
            job_title: 'Hygienist',
            [`licence:${SPB}`]: 'on',
            [`group:${CLINICAL}`]: 'on',
            [`group:${FRONT_DESK_DL}`]: 'on',
            manager: MEGAN,
            copy_from: MEGAN,
            copy_attributes: 'on',
          },
        });
        assert.equal(response.status, 303, await response.text());
        const executionPath = response.headers.get('location')!;
        const json = await toolbox.waitForExecution(executionPath.split('/').pop()!, session.cookie);
        assert.equal(json.status, 'succeeded', JSON.stringify(json.steps, null, 1));
        const created = toolbox.graph.state.createdUsers(CONTOSO).find((u) => u.userPrincipalName === 'jane.doe@contosodental.example');
        assert.ok(created, 'the user was not created');
        assert.equal(created.usageLocation, 'US');
        assert.equal(created.jobTitle, 'Hygienist', 'typed job title must win over the copied one');
        assert.deepEqual(
          toolbox.graph.state.licenses(CONTOSO, created.id).map((l) => l.skuId),
          [SPB],
        );
        assert.equal(toolbox.graph.state.managerId(CONTOSO, created.id), MEGAN);
        assert.ok(toolbox.graph.state.groupMemberIds(CONTOSO, CLINICAL).includes(created.id));
        assert.ok(toolbox.graph.state.groupMemberIds(CONTOSO, FRONT_DESK_DL).includes(created.id));
        assert.match(stepOf(json, 'copy-attributes').message, /Copied: department Front Office/);
        assert.equal(created.department, 'Front Office');
        const page = await (await toolbox.request(executionPath, { cookie: session.cookie })).text();
        const password = /id="one-time-secret" class="secret-value" type="text" readonly="" value="([^"]+)"/.exec(page)?.[1];
        assert.ok(password);
        assert.equal(toolbox.graph.state.checkPassword(CONTOSO, created.id, decodeHtml(password)), true);
        const note = String((toolbox.cw.state.notes.get(1001) ?? [])[0]?.text);
        assert.match(note, /User onboarding for Jane Doe \(jane.doe@contosodental.example\) succeeded/);
        assert.ok(!note.includes(decodeHtml(password)));
      }, database);
    });
  });
}

describe('user onboarding: refusals and patterns', () => {
  test('a taken username, a missing name, a bad country code and a full licence are refused before anything runs', async () => {
    await withToolbox(async (toolbox, session) => {
      const { path } = await openForm(toolbox, session.cookie);
      const bad = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, ...BASE, first_name: '', usage_location: 'USA', [`licence:${EXCHANGE_STANDARD}`]: 'on' },
      });
      assert.equal(bad.status, 422);
      const html = await bad.text();
      assert.match(html, /Enter the first name/);
      assert.match(html, /two-letter country code/);
      assert.match(html, /No free seats for EXCHANGESTANDARD/);
      // A taken name is refused on submit, next to the field, before any execution exists (this used
      // to become a failed execution: without JavaScript there is no live check to warn first).
      const taken = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, ...BASE, username: 'megan.bowen' },
      });
      assert.equal(taken.status, 422);
      const refusal = await taken.text();
      assert.match(refusal, /megan\.bowen@contosodental\.example is already taken by Megan Bowen: type another username/);
      assert.match(refusal, /id="username-error"/);
      // The same from the pattern, with nothing typed in the username field.
      const fromPattern = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, ...BASE, first_name: 'Megan', last_name: 'Bowen' },
      });
      assert.equal(fromPattern.status, 422);
      assert.match(await fromPattern.text(), /already taken by Megan Bowen/);
      assert.equal(toolbox.graph.state.createdUsers(CONTOSO).length, 0);
    });
  });

  test('a name taken between submit and run is still refused by the workflow, before anything is created', async () => {
    const store = await TEST_DATABASES[0]!.open();
    let armed = false;
    let upnReads = 0;
    // (Opening the form reads the contact's own address as a UPN too: only reads after it count.)
    // The submit-time read answers "free", as if the account were made a moment after the submit;
    // the workflow's own read, later, sees it.
    const toolbox = await createTestToolbox({
      store,
      interceptFetch: async (url, _init, send) => {
        if (
          armed &&
          decodeURIComponent(url.search).includes("userPrincipalName eq 'megan.bowen@contosodental.example'") &&
          upnReads++ === 0
        )
          return Response.json({ value: [] });
        return send();
      },
    });
    try {
      const session = await toolbox.signIn();
      const { path } = await openForm(toolbox, session.cookie);
      armed = true;
      const taken = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, ...BASE, username: 'megan.bowen' },
      });
      assert.equal(taken.status, 303, await taken.text());
      const json = await toolbox.waitForExecution(taken.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(stepOf(json, 'check-name-and-seats').status, 'failed');
      assert.match(stepOf(json, 'check-name-and-seats').message, /already taken by Megan Bowen/);
      assert.equal(stepOf(json, 'create-user').status, 'skipped');
      assert.equal(toolbox.graph.state.createdUsers(CONTOSO).length, 0);
      assert.equal(upnReads, 2, 'the submit and the workflow each read the name once');
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });

  test('the username comes from the customer pattern when left empty', async () => {
    await withToolbox(async (toolbox, session) => {
      toolbox.services.directories.get('contoso')!.config.formDefaults = {
        user_onboarding: { usernamePattern: '{f}{last}', usageLocation: 'GB', licenses: ['SPB'], groups: [CLINICAL] },
      };
      const { path, html } = await openForm(toolbox, session.cookie);
      assert.match(html, /name="usage_location" value="GB"/);
      // The customer's default licence and group arrive ticked.
      assert.match(html, new RegExp(`name="licence:${SPB}" value="on" checked`));
      assert.match(html, new RegExp(`name="group:${CLINICAL}" value="on" checked`));
      const response = await toolbox.request(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          ...BASE,
          first_name: 'Zoë',
          last_name: "O'Brien",
          usage_location: 'GB',
          username_pattern: '{f}{last}',
        },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
      assert.ok(toolbox.graph.state.createdUsers(CONTOSO).some((u) => u.userPrincipalName === 'zobrien@contosodental.example'));
    });
  });
});
