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
    const preview = page.locator('#sign-in-preview');
    // The sign-in name as you type, and whether it is free, rendered by the server.
    await page.fill('#first_name', 'Megan');
    await page.fill('#last_name', 'Bowen');
    await page.locator('#sign-in-preview', { hasText: 'megan.bowen@contosodental.example' }).waitFor();
    await page.waitForSelector('#sign-in-preview .badge-taken');
    assert.match(await textOf(preview), /already taken by Megan Bowen/);
    await page.fill('#first_name', 'Ada');
    await page.fill('#last_name', 'Lovelace');
    await page.locator('#sign-in-preview', { hasText: 'ada.lovelace@contosodental.example' }).waitFor();
    await page.waitForSelector('#sign-in-preview .badge-free');
    assert.doesNotMatch(await textOf(preview), /taken/);
    // The button names the action and the person as the name is typed.
    assert.equal(await textOf(page.locator('form.workflow-form button[type="submit"]')), 'Create the account of Ada Lovelace');
    // A typed username wins over the pattern.
    await page.fill('#username', 'ada.king');
    await page.locator('#sign-in-preview', { hasText: 'ada.king@contosodental.example' }).waitFor();
    await page.fill('#username', '');
    await page.locator('#sign-in-preview', { hasText: 'ada.lovelace@contosodental.example' }).waitFor();
    // The time zone is a searchable list, defaulting to UTC without a customer default.
    assert.equal(await page.getAttribute('#time_zone', 'list'), 'time-zone-list');
    assert.equal(await page.inputValue('#time_zone'), 'UTC');
    assert.equal(await page.getAttribute('#mobile_phone', 'type'), 'tel');
    await page.fill('#usage_location', 'US');
    await page.check(`input[name="licence:${spb.skuId}"]`);
    await page.fill('#onboard-group-search', 'Clin');
    await page.waitForSelector('#onboard-group-results li');
    await page.locator('#onboard-group-results li', { hasText: 'Clinical Records Access' }).locator('input').check();
    assert.equal(await page.locator('#run_at').isHidden(), true);
    await assertNoAxeViolations(page, 'onboarding form');
    await screenshotBothWidths(page, 'onboarding-form');
    await page.check('#when-later');
    await page.setViewportSize({ width: 390, height: 844 });
    await assertNoAxeViolations(page, 'onboarding form at 390 px, start date shown');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.check('#when-now');

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
