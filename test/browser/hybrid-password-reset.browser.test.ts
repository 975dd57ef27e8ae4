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

const fabrikam = demoTenants.find((tenant) => tenant.key === 'fabrikam')!;
const lee = fabrikam.users.find((user) => user.userPrincipalName === 'lee.gu@fabrikamlogistics.example')!;

/**
 * Issue 12 §2 in the browser: the demo's hybrid customer (Fabrikam Logistics, its tenant and the
 * simulated domain Lee Gu is synced from). The form shows both identities and where each change
 * will happen, at both widths and without accessibility violations; the run sets the password in
 * AD and revokes the sessions in Microsoft 365.
 */
describeInBrowser('a hybrid customer’s password reset in the browser', {}, ({ sandbox: getSandbox, newPage }) => {
  test('both identities and where each change happens, then the reset made in AD', { timeout: 30_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1012, 251, 312, 'password_reset'), async () => undefined);

    const user = await textOf(page.locator('dl.user'));
    assert.match(user, /lee\.gu@fabrikamlogistics\.example/);
    assert.match(user, /On-premises account/);
    assert.match(user, /matched by its source anchor \(objectGUID\)/);
    const places = await textOf(page.locator('.change-places'));
    assert.match(places, /on-premises Active Directory \(Fabrikam Logistics \(on-prem AD\)\): Set a new password, Unlock the account/);
    assert.match(places, /Microsoft 365 \(Fabrikam Logistics\): Sign the user out of all sessions/);
    await assertNoAxeViolations(page, 'hybrid password-reset form');
    await screenshotBothWidths(page, 'forms-hybrid-password-reset');

    await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('form.workflow-form button[type="submit"]')]);
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    assert.equal(await page.locator('#progress .status-succeeded').count(), 1, await textOf(page.locator('#progress')));
    const progress = await textOf(page.locator('#progress'));
    assert.match(progress, /In on-premises Active Directory/);
    assert.match(progress, /In Microsoft 365 \(Fabrikam Logistics\)/);
    await assertNoAxeViolations(page, 'hybrid execution page');

    const graph = getSandbox().graph.state;
    assert.equal(graph.passwordChanges.filter((change) => change.userId === lee.id).length, 0, 'Entra’s password was changed');
    assert.equal(graph.revocations.filter((revocation) => revocation.userId === lee.id).length, 1);
  });
});
