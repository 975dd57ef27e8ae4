import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const DIEGO = 'c0000000-0000-4000-8000-000000000002';
const DIEGO_ADMIN = 'c0000000-0000-4000-8000-000000000003';

/** The text of the page, tags removed, for assertions about what a technician reads. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

for (const database of TEST_DATABASES) {
  describe(`finding the right person, on ${database.name}`, { skip: database.skip }, () => {
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

    test('search finds people by last name and tells look-alikes apart', async () => {
      const { path } = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
      const siciliani = text(await (await toolbox.request(`${path}?q=siciliani`, { cookie: session.cookie })).text());
      assert.match(
        siciliani,
        /Diego Siciliani dsiciliani@contosodental\.example Dentist enabled cloud-only last sign-in 2026-12-01 16:47 UTC/,
      );
      assert.match(
        siciliani,
        /Diego Siciliani \(admin\) diego\.admin@contosodental\.example Dentist \(admin account\) enabled cloud-only last sign-in 2026-09-12 10:20 UTC/,
      );
      const searchHtml = await (await toolbox.request(`${path}?q=siciliani`, { cookie: session.cookie })).text();
      assert.ok(searchHtml.includes(`?user=${DIEGO}`) && searchHtml.includes(`?user=${DIEGO_ADMIN}`));

      for (const query of ['bowen', 'megan bowen', 'Bowen Megan']) {
        const found = text(await (await toolbox.request(`${path}?q=${encodeURIComponent(query)}`, { cookie: session.cookie })).text());
        assert.match(found, /Megan Bowen megan\.bowen@contosodental\.example Practice Manager · Front Office enabled cloud-only/, query);
      }
    });

    test('the selected user’s summary shows title and department', async () => {
      const { html } = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
      const page = text(html);
      assert.match(page, /Title Practice Manager/);
      assert.match(page, /Department Front Office/);
      assert.match(page, /Account enabled · cloud-only/);
    });

    test('a form’s user picker finds by last name and shows the same facts', async () => {
      const { path } = await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=user_offboarding');
      const response = await toolbox.request(`${path}/options/users?q=siciliani&field=forward_to&kind=radio`, { cookie: session.cookie });
      assert.equal(response.status, 200);
      const picker = text(await response.text());
      assert.match(picker, /Diego Siciliani dsiciliani@contosodental\.example · Dentist · last sign-in 2026-12-01 16:47 UTC/);
      assert.match(picker, /Diego Siciliani \(admin\)/);
    });

    test('a contact filed under another company is flagged', async () => {
      const same = text((await openPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset')).html);
      assert.doesNotMatch(same, /This contact belongs to/);
      // Lee Gu is a Fabrikam Logistics contact; the screen pop says Contoso Dental.
      const other = text((await openPop('company_id=250&contact_id=312&form_name=password_reset')).html);
      assert.match(
        other,
        /This contact belongs to Fabrikam Logistics in ConnectWise, not Contoso Dental: check you are helping the right customer\./,
      );
    });
  });
}
