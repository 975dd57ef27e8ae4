import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
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
const diego = contoso.users.find((user) => user.userPrincipalName === 'dsiciliani@contosodental.example')!;
const megan = contoso.users.find((user) => user.userPrincipalName === 'megan.bowen@contosodental.example')!;

describeInBrowser('MFA reset in the browser', {}, ({ sandbox: getSandbox, newPage }) => {
  async function submitAndWait(page: Page): Promise<void> {
    await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('form.workflow-form button[type="submit"]')]);
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
  }

  test('pick the user, see the methods live, remove one, change answers without a reload', { timeout: 30_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1002, 250, 302, 'reset_mfa'));
    // Two accounts carry Diego's address: choose his own.
    await Promise.all([page.waitForURL(/\?user=/), page.click(`a.choice-link:has-text("${diego.userPrincipalName}")`)]);
    const table = await textOf(page.locator('table.methods'));
    assert.match(table, /\+1 5550101002/);
    assert.match(table, /default/);
    assert.match(table, /Password \(cannot be removed\)/);
    await assertNoAxeViolations(page, 'MFA reset form');
    await screenshotBothWidths(page, 'mfa-form');

    // Answers change in place: turning the pass off hides its options, no reload.
    const loadedUrl = page.url();
    assert.equal(await page.locator('#tap_lifetime').isVisible(), true);
    await page.uncheck('#tap');
    assert.equal(await page.locator('#tap_lifetime').isHidden(), true, 'the pass lifetime stays visible with the pass off');
    assert.equal(page.url(), loadedUrl);

    await page.check('#mode-selected');
    // Tick the e-mail row, as a technician would, by what the row shows.
    await page.locator('table.methods tr', { hasText: 'diego.siciliani@outlook.example' }).locator('input[type="checkbox"]').check();
    await page.uncheck('#revoke_sessions');
    await submitAndWait(page);
    assert.equal(await page.locator('#progress .status-succeeded').count(), 1, await textOf(page.locator('#progress')));
    const steps = await textOf(page.locator('ol.steps'));
    assert.match(steps, /Removed: .*outlook\.example/);
    assert.equal(await page.locator('#one-time-secret').count(), 0, 'no pass was asked for');
    await assertNoAxeViolations(page, 'MFA result page');
    const left = getSandbox().graph.state.listAuthMethods(contoso.tenantId, diego.id).length;
    // The simulator adds the password to the seeded methods; one of them is gone.
    assert.equal(left, diego.authMethods?.length, 'exactly one method should be gone');
  });

  test('remove all with a Temporary Access Pass: the pass is shown once', { timeout: 30_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1001, 250, 301, 'reset_mfa'));
    assert.equal(await page.isChecked('#mode-all'), true);
    assert.equal(await page.isChecked('#tap'), true);
    await page.selectOption('#tap_lifetime', '240');
    await submitAndWait(page);
    assert.equal(await page.locator('#progress .status-succeeded').count(), 1, await textOf(page.locator('#progress')));
    const pass = await page.inputValue('#one-time-secret');
    assert.equal(getSandbox().graph.state.checkTemporaryAccessPass(contoso.tenantId, megan.id, pass), true);
    await screenshotBothWidths(page, 'mfa-result');
    await page.reload();
    assert.equal(await page.locator('#one-time-secret').count(), 0);
  });
});
