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
        // Licences by product name, with the part number beside it.
        assert.match(html, /Microsoft 365 Business Premium<span class="badge">\d+ of \d+ free<\/span><small class="hint">SPB<\/small>/);
        assert.match(html, /Exchange Online \(Plan 1\)<span class="badge">/);
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
        assert.equal(stepOf(json, 'assign-licences').message, 'Assigned: Microsoft 365 Business Premium.');
        assert.match(note, /Assign licences: [^\n]*Assigned: Microsoft 365 Business Premium\./);
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
      assert.match(html, /No free seats for Exchange Online \(Plan 1\)/);
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

  test('a customer’s default licence may be named by product name', async () => {
    await withToolbox(async (toolbox, session) => {
      toolbox.services.directories.get('contoso')!.config.formDefaults = {
        user_onboarding: { licenses: ['microsoft 365 business premium'] },
      };
      const { html } = await openForm(toolbox, session.cookie);
      assert.match(html, new RegExp(`name="licence:${SPB}" value="on" checked`));
    });
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

  test('the sign-in name preview is built like the submitted name and says whether it is free', async () => {
    await withToolbox(async (toolbox, session) => {
      const { path, html } = await openForm(toolbox, session.cookie);
      // On the page: the container app.js refreshes, with the fields it depends on.
      assert.match(
        html,
        /id="sign-in-preview" aria-live="polite" data-preview="username" data-preview-fields="first_name last_name username username_pattern domain"/,
      );
      assert.match(html, /Type the first and last name \(or a username\) to see the sign-in name/);
      const preview = async (fields: Record<string, string>) => {
        const response = await toolbox.request(`${path}/previews/username?${new URLSearchParams(fields)}`, { cookie: session.cookie });
        assert.equal(response.headers.get('cache-control'), 'no-store');
        return { status: response.status, text: decodeHtml(await response.text()) };
      };
      const domain = 'contosodental.example';
      const taken = await preview({ first_name: 'Megan', last_name: 'Bowen', username_pattern: '{first}.{last}', domain });
      assert.equal(taken.status, 200);
      assert.match(taken.text, /<code>megan\.bowen@contosodental\.example<\/code>/);
      assert.match(taken.text, /taken<\/span>.*already taken by Megan Bowen/s);
      const free = await preview({ first_name: 'Zoë', last_name: "O'Brien", username_pattern: '{f}{last}', domain });
      assert.match(free.text, /<code>zobrien@contosodental\.example<\/code> <span class="badge badge-free">free<\/span>/);
      // A typed username wins over the pattern, as on submit.
      assert.match(
        (await preview({ first_name: 'Ada', last_name: 'L', username: 'Ada.King', domain })).text,
        /ada\.king@contosodental\.example/,
      );
      assert.match((await preview({ username: 'no spaces', domain })).text, /Use letters, digits, dots/);
      assert.match((await preview({ first_name: 'Ada', domain })).text, /Type the first and last name/);
      assert.equal((await preview({})).status, 200);
      // A preview the form does not have is a wrong address: 400 (issue 10), as is an inherited name.
      const unknown = await toolbox.request(`${path}/previews/nothing`, { cookie: session.cookie });
      assert.equal(unknown.status, 400);
      assert.equal((await toolbox.request(`${path}/previews/constructor`, { cookie: session.cookie })).status, 400);
      const signedOut = await toolbox.request(`${path}/previews/username?username=a&domain=${domain}`);
      assert.equal(signedOut.status, 401);

      // What was previewed free is what is created.
      const response = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, ...BASE, first_name: 'Zoë', last_name: "O'Brien", username_pattern: '{f}{last}' },
      });
      assert.equal(response.status, 303, await response.text());
      await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.ok(toolbox.graph.state.createdUsers(CONTOSO).some((u) => u.userPrincipalName === 'zobrien@contosodental.example'));
      assert.match(
        (await preview({ first_name: 'Zoë', last_name: "O'Brien", username_pattern: '{f}{last}', domain })).text,
        /already taken by Zoë O'Brien/,
      );
    });
  });

  test('the time zone: a searchable list, the customer default, checked on the server', async () => {
    await withToolbox(async (toolbox, session) => {
      const plain = await openForm(toolbox, session.cookie);
      assert.match(plain.html, /<input type="text" id="time_zone" name="time_zone" list="time-zone-list" value="UTC"/);
      assert.match(plain.html, /<datalist id="time-zone-list">.*<option value="Europe\/London"><\/option>.*<\/datalist>/s);
      toolbox.services.directories.get('contoso')!.config.formDefaults = { user_onboarding: { timeZone: 'America/Chicago' } };
      const { path, html } = await openForm(toolbox, session.cookie);
      assert.match(html, /name="time_zone" list="time-zone-list" value="America\/Chicago"/);

      const later = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 16);
      const submit = (timeZone: string) =>
        toolbox.request(path, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, ...BASE, when: 'later', run_at: later, time_zone: timeZone },
        });
      const mars = await submit('Mars/Olympus_Mons');
      assert.equal(mars.status, 422);
      assert.match(decodeHtml(await mars.text()), /"Mars\/Olympus_Mons" is not a time zone: pick one from the list/);
      const offset = await submit('+01:00');
      assert.equal(offset.status, 422, 'an offset is not a zone with daylight saving');
      assert.equal((await submit('')).status, 422);
      // Typed in lower case, it is stored by its IANA name.
      const ok = await submit('europe/london');
      assert.equal(ok.status, 303, await ok.text());
      const page = await (await toolbox.request(ok.headers.get('location')!, { cookie: session.cookie })).text();
      assert.match(page, /Europe\/London time \(/);
    });
  });

  test('phones are telephone inputs checked on the server; the manager has its own section', async () => {
    await withToolbox(async (toolbox, session) => {
      const { path, html } = await openForm(toolbox, session.cookie);
      assert.match(html, /<input type="tel" id="mobile_phone" name="mobile_phone" value="" inputmode="tel" autocomplete="off"/);
      assert.match(html, /<input type="tel" id="business_phone" name="business_phone" value="" inputmode="tel" autocomplete="off"/);
      assert.match(html, /<input type="datetime-local" id="run_at"/);
      const manager = /<fieldset[^>]*>\s*<legend>Manager<\/legend>(?:(?!<\/fieldset>).)*<\/fieldset>/s.exec(html)?.[0] ?? '';
      assert.match(manager, /name="manager"/, 'the manager is not in a section of its own');
      assert.match(manager, /Megan Bowen \(the contact on the ticket\)/);
      assert.doesNotMatch(manager, /onboard-group-search|copy_from|name="group:/, 'the manager section holds other fields');
      const bad = await toolbox.request(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, ...BASE, mobile_phone: 'call me maybe', business_phone: '+1 (425) 555-0100' },
      });
      assert.equal(bad.status, 422);
      const text = await bad.text();
      assert.match(text, /id="mobile_phone-error"/);
      assert.doesNotMatch(text, /id="business_phone-error"/);
    });
  });
});
