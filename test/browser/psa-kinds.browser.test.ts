import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { fakeDeskConnector } from '../fake-psa/fake-desk-connector.js';
import { assertNoAxeViolations, describeInBrowser } from './browser-helpers.js';

/**
 * The console's PSA page with two PSAs registered (ConnectWise and the tests' FakeDesk): the kind
 * select shows the chosen PSA's fields only, and a conditional field appears only while its
 * condition holds. What is hidden is disabled too, so it is not sent.
 */
describeInBrowser(
  'the PSA page offers every registered PSA, with its own fields',
  { demo: 'console', psaConnectors: { fakedesk: fakeDeskConnector } },
  ({ sandbox, newPage }) => {
    test('choosing a PSA shows its fields; a conditional field follows its condition; axe finds nothing', { timeout: 60_000 }, async () => {
      const { url } = sandbox().toolbox;
      const page = await newPage();
      await page.goto(`${url}/login`);
      await page.fill('#email', DEMO_ADMIN.email);
      await page.fill('#password', DEMO_ADMIN.password);
      await Promise.all([page.waitForURL(/\/$|\/admin$/), page.click('form[action="/login"] button[type="submit"]')]);
      await page.goto(`${url}/admin/psa`);

      const connectwise = page.locator('fieldset[data-psa-kind="connectwise"]');
      const fakedesk = page.locator('fieldset[data-psa-kind="fakedesk"]');
      assert.equal(await connectwise.isVisible(), true);
      assert.equal(await fakedesk.isVisible(), false);
      assert.equal(await page.locator('#psa-fakedesk-url').isDisabled(), true, 'a hidden kind’s fields are not sent');
      await assertNoAxeViolations(page, 'PSA page (ConnectWise chosen)');

      await page.selectOption('#psa-kind', 'fakedesk');
      assert.equal(await connectwise.isVisible(), false);
      assert.equal(await fakedesk.isVisible(), true);
      assert.equal(await page.locator('#psa-connectwise-companyId').isDisabled(), true);
      assert.equal(await page.locator('#psa-fakedesk-url').isDisabled(), false);
      // The tenant is asked for a cloud instance only.
      const tenant = page.locator('#psa-fakedesk-tenant');
      assert.equal(await tenant.isVisible(), false);
      await page.selectOption('#psa-fakedesk-hosting', 'cloud');
      assert.equal(await tenant.isVisible(), true);
      assert.equal(await tenant.isDisabled(), false);
      await page.selectOption('#psa-fakedesk-hosting', 'own');
      assert.equal(await tenant.isVisible(), false);
      assert.equal(await tenant.isDisabled(), true);
      await assertNoAxeViolations(page, 'PSA page (FakeDesk chosen)');
    });
  },
);
