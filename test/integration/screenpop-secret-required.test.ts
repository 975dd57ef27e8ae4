import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/load-config.js';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox } from '../helpers/test-toolbox.js';

const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';
const SECRET = 'console-secret-9d2f41a7c3e8';

for (const database of TEST_DATABASES) {
  describe(`the screen-pop secret is required (${database.name})`, { skip: database.skip }, () => {
    test('a configuration file that sets up the PSA without a secret: the start refuses and says how to set one', async () => {
      const store = await database.open();
      try {
        await assert.rejects(
          createTestToolbox({ store, config: { screenpop: undefined } }),
          (error: unknown) =>
            error instanceof ConfigError &&
            /screenpop\.secret/.test(error.message) &&
            /env:SCREENPOP_SECRET/.test(error.message) &&
            /admin console/.test(error.message),
        );
      } finally {
        await store.drop();
      }
    });

    test('console first: it starts, refuses every screen pop until the secret is set; then a file PSA starts with that secret', async () => {
      const store = await database.open();
      try {
        const first = await createTestToolbox({ store, config: { psa: undefined, screenpop: undefined } });
        try {
          const tech = await first.signIn(DEMO_SIGN_IN);
          const refused = await first.request(POP, { cookie: tech.cookie, headers: { 'x-toolbox-secret': SECRET } });
          assert.equal(refused.status, 503);
          const html = await refused.text();
          assert.match(html, /Screen pops are off until a webhook secret is set/);
          assert.match(html, /href="\/admin\/screenpop"/);
          assert.equal(first.cw.state.requests.length, 0, 'no PSA call');
          const admin = await first.signIn(DEMO_ADMIN);
          const saved = await first.api('PUT', '/api/admin/screenpop/secret', { session: admin, body: { secret: SECRET } });
          assert.equal(saved.status, 200);
        } finally {
          await first.close();
        }
        // The secret saved in the console counts: the same store with the PSA in the file starts.
        const second = await createTestToolbox({ store, config: { screenpop: undefined }, signScreenPops: false });
        try {
          const tech = await second.signIn(DEMO_SIGN_IN);
          assert.equal((await second.request(POP, { cookie: tech.cookie })).status, 401);
          assert.equal((await second.request(POP, { cookie: tech.cookie, headers: { 'x-toolbox-secret': SECRET } })).status, 303);
        } finally {
          await second.close();
        }
      } finally {
        await store.drop();
      }
    });
  });
}
