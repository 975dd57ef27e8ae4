import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { demoTenants } from '../../src/demo/demo-data.js';
import {
  assertAccessibleAtBothWidths,
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
  /** Submits, reads the review shown in place (nothing runs yet), confirms it, waits for the run. */
  async function submitAndWait(page: Page, inspect?: (page: Page) => Promise<void>): Promise<string> {
    const before = page.url();
    await page.click('form.workflow-form button[type="submit"]');
    await page.waitForSelector('#review');
    assert.equal(page.url(), before, 'the review did not appear in place');
    const review = await textOf(page.locator('#review'));
    assert.equal(await page.evaluate('document.activeElement?.id'), 'review', 'the review does not take focus');
    await inspect?.(page);
    await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('#review button[type="submit"]')]);
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    return review;
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

    // "All of them" is still chosen: ticking a method switches to "only the ones ticked" (it once
    // removed every method). Tick the e-mail row, as a technician would, by what the row shows.
    assert.equal(await page.isChecked('#mode-all'), true);
    await page.locator('table.methods tr', { hasText: 'diego.siciliani@outlook.example' }).locator('input[type="checkbox"]').check();
    assert.equal(await page.isChecked('#mode-selected'), true, 'ticking a method left "All of them" chosen');
    await page.uncheck('#revoke_sessions');
    const review = await submitAndWait(page, (shown) => assertAccessibleAtBothWidths(shown, 'MFA review', 'forms-mfa-review'));
    assert.match(review, /Remove 1 sign-in method: .*diego\.siciliani@outlook\.example/);
    assert.doesNotMatch(review, /Sign .* out of all sessions/);
    assert.match(review, /Remove 1 sign-in method from Diego Siciliani/);
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
    const review = await submitAndWait(page);
    assert.match(review, /Remove all \d sign-in methods but the password/);
    assert.match(review, /Issue a Temporary Access Pass valid for 4 hours, usable once/);
    assert.equal(await page.locator('#progress .status-succeeded').count(), 1, await textOf(page.locator('#progress')));
    const pass = await page.inputValue('#one-time-secret');
    assert.equal(getSandbox().graph.state.checkTemporaryAccessPass(contoso.tenantId, megan.id, pass), true);
    await screenshotBothWidths(page, 'mfa-result');
    await page.reload();
    assert.equal(await page.locator('#one-time-secret').count(), 0);
  });
});
