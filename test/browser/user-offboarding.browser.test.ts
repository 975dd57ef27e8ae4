import assert from 'node:assert/strict';
import { test } from 'node:test';
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

const adatum = demoTenants.find((tenant) => tenant.key === 'adatum')!;
const grady = adatum.users.find((user) => user.userPrincipalName === 'grady.archie@adatumlegal.example')!;

describeInBrowser('user offboarding in the browser', {}, ({ sandbox: getSandbox, newPage }) => {
  test('options open in place, the manager is offered, the run hands the mailbox over', { timeout: 40_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1021, 252, 322, 'user_offboarding'));
    const loaded = page.url();
    assert.equal(await page.isChecked('#convert_to_shared'), true);
    assert.equal(await page.locator('#ooo_internal').isHidden(), true, 'reply fields show before the reply is ticked');
    await page.check('#forward');
    await page.check('#ooo');
    await page.check('#when-later');
    assert.equal(await page.locator('#run_at').isVisible(), true);
    await page.check('#when-now');
    assert.equal(page.url(), loaded, 'changing an answer reloaded the page');
    await page.locator('[data-shown-when="forward=on"] label', { hasText: '(manager)' }).click();
    await page.fill('#ooo_internal', 'Grady has left; please contact Isaiah Langer.');
    await assertNoAxeViolations(page, 'offboarding form');
    await screenshotBothWidths(page, 'offboarding-form');

    // The review comes first, in place: every step in plain words, and nothing has run yet.
    assert.match(await textOf(page.locator('form.workflow-form button[type="submit"]')), /Review the offboarding of Grady Archie/);
    await page.click('form.workflow-form button[type="submit"]');
    await page.waitForSelector('#review');
    assert.equal(page.url(), loaded, 'the review is not in place');
    const review = await textOf(page.locator('#review ol'));
    assert.match(review, /^Block sign-in/);
    assert.match(review, /Forward mail to Isaiah Langer, keeping a copy/);
    assert.match(review, /Turn on an automatic reply/);
    assert.match(review, /Convert the mailbox to shared/);
    assert.match(review, /Remove \d+ licences?/);
    assert.equal(getSandbox().graph.state.accountEnabled(adatum.tenantId, grady.id), true, 'the review changed the account');
    await assertAccessibleAtBothWidths(page, 'offboarding review', 'forms-offboarding-review');
    // Changing an option withdraws the review: what is confirmed is always what is on screen.
    await page.uncheck('#hide_from_gal');
    assert.equal(await page.locator('#review').count(), 0, 'an out-of-date review stayed on the page');
    await page.check('#hide_from_gal');
    await page.click('form.workflow-form button[type="submit"]');
    await page.waitForSelector('#review');
    await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('#review button[type="submit"]')]);
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    const steps = await textOf(page.locator('ol.steps'));
    assert.match(steps, /Mail forwarded to isaiah\.langer@adatumlegal\.example/);
    assert.match(steps, /Sign-in blocked/);
    assert.equal(await page.locator('#progress .status-failed').count(), 0, await textOf(page.locator('#progress')));
    assert.equal(getSandbox().graph.state.accountEnabled(adatum.tenantId, grady.id), false);
    await assertNoAxeViolations(page, 'offboarding result');
  });
});
