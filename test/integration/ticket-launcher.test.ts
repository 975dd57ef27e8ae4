import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import type { TestToolbox } from '../helpers/test-toolbox.js';
import { withTestToolbox } from '../helpers/with-test-toolbox.js';

const decode = (value: string) =>
  value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");

/** Each launcher button's form: its hidden fields, by the form it opens. */
function launcherForms(html: string): Record<string, Record<string, string>> {
  const forms: Record<string, Record<string, string>> = {};
  for (const match of html.matchAll(/<form method="post" action="[^"]*"[^>]*>([\s\S]*?)<\/form>/g)) {
    const fields = Object.fromEntries(
      [...(match[1] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, decode(m[2]!)]),
    );
    if (fields.form_name) forms[fields.form_name] = fields;
  }
  return forms;
}

/** The PSA reads the simulator answered since `from`: method and path. */
const readsSince = (toolbox: TestToolbox, from: number) =>
  toolbox.cw.state.requests
    .slice(from)
    .filter((entry) => entry.method === 'GET' && /^\/(service|company|project)\//.test(entry.path))
    .map((entry) => entry.path);

for (const database of TEST_DATABASES) {
  describe(`the ticket launcher: a PSA's link opens the forms for its ticket (${database.name})`, { skip: database.skip }, () => {
    test('signed out, it asks for sign-in first and reads nothing from the PSA', async () => {
      await withTestToolbox(database, {}, async (toolbox) => {
        const before = toolbox.cw.state.requests.length;
        const response = await toolbox.request('/launcher?ticket_id=1001');
        assert.equal(response.status, 303);
        assert.equal(response.headers.get('location'), `/login?next=${encodeURIComponent('/launcher?ticket_id=1001')}`);
        assert.deepEqual(readsSince(toolbox, before), [], 'a signed-out visitor made the toolbox read the PSA');
      });
    });

    test('it lists the enabled forms for the ticket’s company and contact, and opens the chosen one filled, without reading again', async () => {
      // Two forms enabled: the launcher lists those, in the catalogue's order.
      await withTestToolbox(database, { config: { forms: { enabled: ['reset_mfa', 'password_reset'] } } }, async (toolbox, session) => {
        const before = toolbox.cw.state.requests.length;
        const page = await toolbox.request('/launcher?ticket_id=1001', { cookie: session.cookie });
        assert.equal(page.status, 200);
        const html = decode(await page.text());
        assert.match(html, /#1001<\/a> Megan locked out after password expiry/);
        assert.match(html, /Contoso Dental · Megan Bowen · megan\.bowen@contosodental\.example/);
        const forms = launcherForms(html);
        assert.deepEqual(Object.keys(forms), ['password_reset', 'reset_mfa']);
        // The company and contact came from the ticket: read after it.
        assert.deepEqual(forms.password_reset, {
          _csrf: session.csrf,
          ticket_id: '1001',
          company_id: '250',
          contact_id: '301',
          form_name: 'password_reset',
        });
        const reads = readsSince(toolbox, before);
        assert.equal(reads[0], '/service/tickets/1001');
        assert.deepEqual(reads.slice(1).sort(), ['/company/companies/250', '/company/contacts/301']);

        const afterList = toolbox.cw.state.requests.length;
        const opened = await toolbox.request('/launcher', { cookie: session.cookie, form: forms.password_reset! });
        assert.equal(opened.status, 303);
        const location = opened.headers.get('location')!;
        assert.match(location, /^\/launches\/[A-Za-z0-9_-]+$/);
        const form = await toolbox.request(location, { cookie: session.cookie });
        assert.equal(form.status, 200);
        const formHtml = decode(await form.text());
        assert.match(formHtml, /<h1>Password reset<\/h1>/);
        assert.match(formHtml, /Megan locked out after password expiry/);
        assert.match(formHtml, /Matched from the contact by e-mail address/);
        assert.deepEqual(readsSince(toolbox, afterList), [], 'the launch read the records the launcher had just read');

        const launch = await toolbox.services.store.launches.get(location.split('/').pop()!);
        assert.equal(launch?.technicianUserId !== null, true);
        assert.equal(launch?.psaKind, 'connectwise');
        assert.deepEqual(launch?.extraParams, { via: 'launcher' }, 'the CSRF token or other posted fields were recorded');
        assert.equal(launch?.ticketId, '1001');
      });
    });

    test('company and contact in the URL are read at once with the ticket; a form posted without the token opens nothing', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const before = toolbox.cw.state.requests.length;
        const page = await toolbox.request('/launcher?ticket_id=1002&company_id=250&contact_id=302', { cookie: session.cookie });
        assert.equal(page.status, 200);
        const forms = launcherForms(decode(await page.text()));
        assert.equal(forms.reset_mfa?.contact_id, '302');
        assert.deepEqual(readsSince(toolbox, before).sort(), ['/company/companies/250', '/company/contacts/302', '/service/tickets/1002']);

        const refused = await toolbox.request('/launcher', { cookie: session.cookie, form: { ...forms.reset_mfa!, _csrf: 'wrong' } });
        assert.equal(refused.status, 403);
        assert.match(decode(await refused.text()), /Nothing was changed/);
      });
    });

    test('a link the PSA did not fill in, or opened from another screen than a ticket, says so and reads nothing', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const before = toolbox.cw.state.requests.length;
        const unfilled = await toolbox.request(`/launcher?ticket_id=${encodeURIComponent('[cw_id]')}`, { cookie: session.cookie });
        assert.equal(unfilled.status, 400);
        assert.match(decode(await unfilled.text()), /ticket_id still holds the placeholder "\[cw_id\]": the PSA did not fill it in/);
        const company = await toolbox.request('/launcher?ticket_id=250&screen=company', { cookie: session.cookie });
        assert.equal(company.status, 400);
        assert.match(decode(await company.text()), /opened from the "company" screen; it works from a ticket screen only/);
        const bad = await toolbox.request('/launcher?ticket_id=12ab', { cookie: session.cookie });
        assert.equal(bad.status, 400);
        assert.match(decode(await bad.text()), /ticket_id "12ab" is not a valid id: expected a positive whole number/);
        assert.deepEqual(readsSince(toolbox, before), []);
      });
    });

    test('a ticket the PSA does not have is said in the PSA’s words, with its code', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        const page = await toolbox.request('/launcher?ticket_id=9999', { cookie: session.cookie });
        assert.equal(page.status, 502);
        const html = decode(await page.text());
        assert.match(html, /The ConnectWise data for this ticket could not be read/);
        assert.match(html, /ticket 9999/);
        assert.match(html, /TBX_ERR_PSA_NOT_FOUND/);
      });
    });
  });
}
