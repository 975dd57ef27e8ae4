import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';

for (const database of TEST_DATABASES) {
  describe(`a technician's open screen pops (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store });
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('the start page lists a screen pop not submitted yet, only to its technician, until it is submitted', async () => {
      const tech = await toolbox.signIn();
      const other = await toolbox.signIn({ email: 'other.tech@northwind-it.example', password: 'another-tech-password' });
      const pop = await toolbox.request(POP, { cookie: tech.cookie });
      const launchPath = pop.headers.get('location')!;
      assert.equal((await toolbox.request(launchPath, { cookie: tech.cookie })).status, 200);

      const home = await (await toolbox.request('/', { cookie: tech.cookie })).text();
      assert.match(home, /Your open screen pops/);
      assert.ok(home.includes(`href="${launchPath}"`), 'the open launch is linked');
      assert.match(home, /Password Reset · ticket #1001 · Contoso Dental/);
      assert.doesNotMatch(await (await toolbox.request('/', { cookie: other.cookie })).text(), /Your open screen pops/);

      const submitted = await toolbox.request(launchPath, {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on' },
      });
      assert.equal(submitted.status, 303);
      assert.doesNotMatch(await (await toolbox.request('/', { cookie: tech.cookie })).text(), /Your open screen pops/);
    });
  });
}
