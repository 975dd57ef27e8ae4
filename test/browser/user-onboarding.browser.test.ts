import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoTenants } from '../../src/demo/demo-data.js';
import {
  assertNoAxeViolations,
  describeInBrowser,
  EXECUTION_TIMEOUT_MS,
  openScreenPopSignedOut,
  screenPopPath,
  screenshotBothWidths,
  textOf,
} from './browser-helpers.js';

const contoso = demoTenants.find((tenant) => tenant.key === 'contoso')!;
const spb = contoso.skus.find((sku) => sku.skuPartNumber === 'SPB')!;

describeInBrowser('user onboarding in the browser', {}, ({ sandbox: getSandbox, newPage }) => {
  test('fill in a new starter, pick a licence and a group live, see the password once', { timeout: 40_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1001, 250, 301, 'user_onboarding'));
    await page.fill('#first_name', 'Ada');
    await page.fill('#last_name', 'Lovelace');
    await page.fill('#usage_location', 'US');
    await page.check(`input[name="licence:${spb.skuId}"]`);
    await page.fill('#onboard-group-search', 'Clin');
    await page.waitForSelector('#onboard-group-results li');
    await page.locator('#onboard-group-results li', { hasText: 'Clinical Records Access' }).locator('input').check();
    assert.equal(await page.locator('#run_at').isHidden(), true);
    await assertNoAxeViolations(page, 'onboarding form');
    await screenshotBothWidths(page, 'onboarding-form');

    await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('form.workflow-form button[type="submit"]')]);
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    assert.equal(await page.locator('#progress .status-succeeded').count(), 1, await textOf(page.locator('#progress')));
    const password = await page.inputValue('#one-time-secret');
    const created = getSandbox()
      .graph.state.createdUsers(contoso.tenantId)
      .find((u) => u.userPrincipalName === 'ada.lovelace@contosodental.example');
    assert.ok(created);
    assert.equal(getSandbox().graph.state.checkPassword(contoso.tenantId, created.id, password), true);
    await assertNoAxeViolations(page, 'onboarding result');
  });
});
