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
const downtown = contoso.groups.find((group) => group.displayName === 'Clinic - Downtown')!;

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

  test('a group appears once across search / untick / search; groups she is in are marked; the button names the mode', {
    timeout: 30_000,
  }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1001, 250, 301, 'group_membership'));
    // The button's accessible name: what is shown, not the other mode's hidden words.
    const buttonNamed = async (name: string) => (await page.getByRole('button', { name, exact: true }).count()) === 1;
    assert.ok(await buttonNamed('Change the groups of Megan Bowen'));
    const copies = () => page.locator(`input[name="add_group:${clinical.id}"]`).count();

    await page.fill('#group-search', 'Clin');
    await page.waitForSelector(`#add-group-results input[name="add_group:${clinical.id}"]`);
    // Megan is in Clinic - Downtown: marked, and not offered to add.
    const member = page.locator('#add-group-results li', { hasText: downtown.displayName });
    assert.match(await textOf(member), /Member/);
    assert.equal(await member.locator('input').isDisabled(), true);
    await page.check(`input[name="add_group:${clinical.id}"]`);

    // A second search that finds the ticked group again: it stays ticked, once.
    await page.fill('#group-search', 'Clinical');
    await page.locator('#add-group-results:not([aria-busy])', { hasText: 'Clinical' }).waitFor();
    await page.waitForTimeout(400);
    assert.equal(await copies(), 1, 'the ticked group is listed twice after a second search');
    assert.equal(await page.isChecked(`input[name="add_group:${clinical.id}"]`), true);

    // Untick it in the chosen list, search again: it is back in the results, once, unticked.
    await page.uncheck(`input[name="add_group:${clinical.id}"]`);
    await page.fill('#group-search', 'Clin');
    await page.waitForSelector(`#add-group-results input[name="add_group:${clinical.id}"]`);
    await page.waitForTimeout(400);
    assert.equal(await copies(), 1, 'the unticked group is listed twice after searching again');
    assert.equal(await page.isChecked(`input[name="add_group:${clinical.id}"]`), false);
    // Ticked again and searched again: still once.
    await page.check(`input[name="add_group:${clinical.id}"]`);
    await page.fill('#group-search', 'Clini');
    await page.waitForTimeout(700);
    assert.equal(await copies(), 1);
    assert.equal(await page.isChecked(`input[name="add_group:${clinical.id}"]`), true);
    await assertNoAxeViolations(page, 'group search after search / untick / search');
    await page.setViewportSize({ width: 390, height: 844 });
    await assertNoAxeViolations(page, 'group search at 390 px');
    await page.setViewportSize({ width: 1280, height: 900 });

    // The other mode: the button says so, and names the group once one is picked.
    await page.check('#mode-group');
    assert.ok(await buttonNamed('Change the members of the chosen group'));
    await page.fill('#group-pick', 'Clinical');
    await page.waitForSelector(`#group-pick-results input[value="${clinical.id}"]`);
    await page.check(`#group-pick-results input[value="${clinical.id}"]`);
    assert.ok(await buttonNamed('Change the members of Clinical Records Access'));
    await page.check('#mode-user');
    assert.ok(await buttonNamed('Change the groups of Megan Bowen'));
  });
});
