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
const megan = contoso.users.find((user) => user.userPrincipalName === 'megan.bowen@contosodental.example')!;
const clinical = contoso.groups.find((group) => group.displayName === 'Clinical Records Access')!;

describeInBrowser('group membership in the browser', {}, ({ sandbox: getSandbox, newPage }) => {
  test('search groups live, keep a pick across searches, switch modes without a reload, submit', { timeout: 30_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1001, 250, 301, 'group_membership'));
    const loaded = page.url();
    const current = await textOf(page.locator('[data-shown-when="mode=user"]'));
    assert.match(current, /All Staff/);
    assert.match(current, /Microsoft 365/);

    // Live search: results arrive in place, with type badges.
    await page.fill('#group-search', 'Clin');
    await page.waitForSelector(`#add-group-results input[name="add_group:${clinical.id}"]`);
    assert.match(await textOf(page.locator('#add-group-results')), /Security/);
    await page.check(`input[name="add_group:${clinical.id}"]`);
    // A second search must not lose the first pick.
    await page.fill('#group-search', 'Front');
    await page.waitForSelector('#add-group-results li');
    assert.equal(await page.isChecked(`input[name="add_group:${clinical.id}"]`), true, 'the first pick was lost by the second search');
    await assertNoAxeViolations(page, 'group membership form with results');
    await screenshotBothWidths(page, 'groups-form');

    // Switching mode shows the other fields in place.
    await page.check('#mode-group');
    assert.equal(await page.locator('#group-pick').isVisible(), true);
    assert.equal(await page.locator('#group-search').isHidden(), true);
    await page.check('#mode-user');
    assert.equal(page.url(), loaded, 'changing an answer reloaded the page');

    await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('form.workflow-form button[type="submit"]')]);
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    assert.equal(await page.locator('#progress .status-succeeded').count(), 1, await textOf(page.locator('#progress')));
    assert.match(await textOf(page.locator('ol.steps')), /Added: Megan Bowen to Clinical Records Access/);
    assert.ok(getSandbox().graph.state.groupMemberIds(contoso.tenantId, clinical.id).includes(megan.id));
    await assertNoAxeViolations(page, 'group membership result');
  });
});
