import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const sqlite = TEST_DATABASES.find((d) => d.name === 'sqlite')!;
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';
const SECRET = 'one-stream-client-api-key';

describe('GET /hooks/screenpop', () => {
  let toolbox: TestToolbox;
  let drop: () => Promise<void>;
  before(async () => {
    const store = await sqlite.open();
    drop = store.drop;
    toolbox = await createTestToolbox({ store, config: { screenpop: { secret: SECRET } }, signScreenPops: false });
  });
  after(async () => {
    await toolbox.close();
    await drop();
  });

  const apiCalls = () => toolbox.cw.state.requests.filter((r) => r.path.startsWith('/'));

  test('without the secret: 401 and no PSA call at all', async () => {
    const before = toolbox.cw.state.requests.length;
    const response = await toolbox.request(POP);
    assert.equal(response.status, 401);
    assert.match(await response.text(), /carries no secret/);
    assert.equal(toolbox.cw.state.requests.length, before);
  });

  test('with a wrong secret: 401, no PSA call', async () => {
    const before = toolbox.cw.state.requests.length;
    const response = await toolbox.request(`${POP}&secret=wrong-value`);
    assert.equal(response.status, 401);
    assert.match(await response.text(), /does not match/);
    const header = await toolbox.request(POP, { headers: { 'x-toolbox-secret': 'also-wrong' } });
    assert.equal(header.status, 401);
    assert.equal(toolbox.cw.state.requests.length, before);
  });

  test('the secret is accepted from the header or the query, and never logged', async () => {
    const viaHeader = await toolbox.request(POP, { headers: { 'x-toolbox-secret': SECRET } });
    assert.equal(viaHeader.status, 303);
    const viaQuery = await toolbox.request(`${POP}&secret=${SECRET}`);
    assert.equal(viaQuery.status, 303);
    const location = viaQuery.headers.get('location') ?? '';
    // The redirect carries only the unguessable launch id: no ids, names or secret.
    assert.match(location, /^\/launches\/[A-Za-z0-9_-]{22}$/);
    assert.ok(!toolbox.logText().includes(SECRET), 'the secret appears in the log');
    assert.match(toolbox.logText(), /secret=%5Bredacted%5D/);
  });

  test('answers 303 before the PSA reads finish, and starts all three at once', async () => {
    toolbox.cw.state.latencyMs = 300;
    try {
      const before = apiCalls().length;
      const response = await toolbox.request(POP, { headers: { 'x-toolbox-secret': SECRET } });
      assert.equal(response.status, 303);
      const launchId = response.headers.get('location')!.split('/').pop()!;
      const launch = await toolbox.services.store.launches.get(launchId);
      assert.equal(launch?.status, 'pending');
      assert.equal(launch?.context, null);
      const context = await toolbox.services.launchReads.inFlight(launchId)?.context;
      assert.equal(context?.company.ok, true);
      const reads = apiCalls()
        .slice(before)
        .map((r) => r.path)
        .filter((p) => /^\/(service\/tickets|company\/companies|company\/contacts)\/\d+$/.test(p));
      assert.deepEqual(reads.sort(), ['/company/companies/250', '/company/contacts/301', '/service/tickets/1001']);
      assert.equal((await toolbox.services.store.launches.get(launchId))?.status, 'ready');
    } finally {
      toolbox.cw.state.latencyMs = 0;
    }
  });

  const withSecret = { headers: { 'x-toolbox-secret': SECRET } };

  test('missing or placeholder company and contact: 400 naming the parameter, with the URL format', async () => {
    const missing = await toolbox.request('/hooks/screenpop?ticket_id=1&contact_id=301&form_name=password_reset', withSecret);
    assert.equal(missing.status, 400);
    const text = await missing.text();
    assert.match(text, /<code>company_id<\/code>: company_id is missing or empty/);
    assert.match(text, /ticket_id=@ticketid&amp;company_id=@companyid&amp;contact_id=@contactid&amp;form_name=password_reset/);

    const placeholder = await toolbox.request(
      '/hooks/screenpop?ticket_id=1&company_id=250&contact_id=@contactid&form_name=password_reset',
      withSecret,
    );
    assert.equal(placeholder.status, 400);
    assert.match(await placeholder.text(), /contact_id still holds the placeholder &quot;@contactid&quot;/);

    const empty = await toolbox.request('/hooks/screenpop?ticket_id=&company_id=&contact_id=301&form_name=password_reset', withSecret);
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /company_id is missing or empty/);
  });

  test('an empty or placeholder ticket means no ticket, not an error', async () => {
    for (const ticket of ['', '@ticketid', '%40ticketid']) {
      const response = await toolbox.request(
        `/hooks/screenpop?ticket_id=${ticket}&company_id=250&contact_id=301&form_name=password_reset`,
        withSecret,
      );
      assert.equal(response.status, 303, `ticket_id=${ticket}`);
      const launch = await toolbox.services.store.launches.get(response.headers.get('location')!.split('/').pop()!);
      assert.equal(launch?.ticketId, null);
    }
  });

  test('ids must be positive whole numbers', async () => {
    for (const [param, value] of [
      ['company_id', 'abc'],
      ['company_id', '-5'],
      ['contact_id', '0'],
      ['contact_id', '1.5'],
      ['ticket_id', '12x'],
      ['ticket_id', '99999999999'],
    ]) {
      const query = {
        ticket_id: '1001',
        company_id: '250',
        contact_id: '301',
        form_name: 'password_reset',
        [param as string]: value as string,
      };
      const response = await toolbox.request(`/hooks/screenpop?${new URLSearchParams(query)}`, withSecret);
      assert.equal(response.status, 400, `${param}=${value}`);
      assert.match(await response.text(), new RegExp(`${param} &quot;.*&quot; is not a valid id: expected a positive whole number`));
    }
  });

  test('missing form_name: 400', async () => {
    const response = await toolbox.request('/hooks/screenpop?company_id=250&contact_id=301', withSecret);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /form_name is missing/);
  });

  test('unknown form: 404 listing the forms and their screen-pop URLs', async () => {
    const response = await toolbox.request('/hooks/screenpop?company_id=250&contact_id=301&form_name=make_coffee', withSecret);
    assert.equal(response.status, 404);
    const text = await response.text();
    assert.match(text, /There is no form called &quot;make_coffee&quot;/);
    for (const form of ['password_reset', 'user_onboarding', 'user_offboarding', 'reset_mfa', 'group_membership']) {
      assert.match(
        text,
        new RegExp(
          `http://toolbox.test/hooks/screenpop\\?ticket_id=@ticketid&amp;company_id=@companyid&amp;contact_id=@contactid&amp;form_name=${form}`,
        ),
      );
    }
  });

  test('every form of the seed runs in this build: each screen pop is accepted', async () => {
    for (const form of ['password_reset', 'user_onboarding', 'user_offboarding', 'reset_mfa', 'group_membership']) {
      const response = await toolbox.request(`/hooks/screenpop?company_id=250&contact_id=301&form_name=${form}`, withSecret);
      assert.equal(response.status, 303, form);
    }
  });
});

describe('GET /hooks/screenpop with a form not enabled', () => {
  test('tells an admin how to enable it', async () => {
    const store = await sqlite.open();
    const toolbox = await createTestToolbox({ store, config: { forms: { enabled: [] } } });
    try {
      const response = await toolbox.request('/hooks/screenpop?company_id=250&contact_id=301&form_name=password_reset');
      assert.equal(response.status, 403);
      const text = await response.text();
      assert.match(text, /Password Reset is not enabled/);
      assert.match(text, /add <code>password_reset<\/code> to <code>forms.enabled<\/code>/);
      assert.equal(toolbox.cw.state.requests.length, 0);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});
