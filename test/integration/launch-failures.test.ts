import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoMsp } from '../../src/demo/demo-data.js';
import { createApp } from '../../src/web/create-app.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox } from '../helpers/test-toolbox.js';

const sqlite = TEST_DATABASES.find((d) => d.name === 'sqlite')!;
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';

async function withToolbox(
  config: Record<string, unknown>,
  run: (t: Awaited<ReturnType<typeof createTestToolbox>>) => Promise<void>,
  cw = {},
) {
  const store = await sqlite.open();
  const toolbox = await createTestToolbox({ store, config, cw });
  try {
    await run(toolbox);
  } finally {
    await toolbox.close();
    await store.drop();
  }
}

const psa = (overrides: Record<string, unknown>) => ({
  psa: {
    kind: 'connectwise',
    siteUrl: 'https://cw.toolbox.test',
    apiUrl: 'https://cw.toolbox.test',
    companyId: demoMsp.connectWiseCompanyId,
    publicKey: demoMsp.publicKey,
    privateKey: demoMsp.privateKey,
    clientId: demoMsp.clientId,
    ...overrides,
  },
});

describe('the launch page when ConnectWise fails', () => {
  test('slow ConnectWise: the page says which reads timed out', async () => {
    await withToolbox(
      psa({ timeoutMs: 100 }),
      async (toolbox) => {
        const session = await toolbox.signIn();
        const pop = await toolbox.request(POP, { cookie: session.cookie });
        const page = await toolbox.request(pop.headers.get('location')!, { cookie: session.cookie });
        assert.equal(page.status, 502);
        const html = await page.text();
        for (const read of ['ticket 1001', 'company 250', 'contact 301']) assert.ok(html.includes(read), `no line for ${read}`);
        assert.match(html, /did not answer within/);
      },
      { latencyMs: 400 },
    );
  });

  test('wrong API keys: the page says the keys were refused, and shows no key', async () => {
    await withToolbox(psa({ privateKey: 'not-the-private-key' }), async (toolbox) => {
      const session = await toolbox.signIn();
      const pop = await toolbox.request(POP, { cookie: session.cookie });
      const page = await toolbox.request(pop.headers.get('location')!, { cookie: session.cookie });
      assert.equal(page.status, 502);
      const html = await page.text();
      assert.match(html, /ConnectWise answered 401/);
      assert.match(html, /key/i);
      assert.ok(!html.includes('not-the-private-key'));
      assert.ok(!toolbox.logText().includes('not-the-private-key'), 'the key is in the log');
    });
  });

  test('cloud mode answers bad keys with 404: the page says the keys may be the cause', async () => {
    await withToolbox(
      psa({ privateKey: 'not-the-private-key' }),
      async (toolbox) => {
        const session = await toolbox.signIn();
        const pop = await toolbox.request(POP, { cookie: session.cookie });
        const html = await (await toolbox.request(pop.headers.get('location')!, { cookie: session.cookie })).text();
        assert.match(html, /404/);
        assert.match(html, /keys/i);
      },
      { cloudMode: true },
    );
  });
});

describe('/healthz', () => {
  test('503 until the service is ready, then 200', async () => {
    await withToolbox({}, async (toolbox) => {
      let ready = false;
      const app = createApp(toolbox.services, { isReady: () => ready });
      assert.equal((await app.request('/healthz')).status, 503);
      ready = true;
      assert.equal((await app.request('/healthz')).status, 200);
    });
  });
});
