import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoTenants } from '../../src/demo/demo-data.js';
import {
  assertAccessibleAtBothWidths,
  describeInBrowser,
  EXECUTION_TIMEOUT_MS,
  openScreenPopSignedOut,
  screenPopPath,
  textOf,
} from './browser-helpers.js';

const contoso = demoTenants.find((tenant) => tenant.key === 'contoso')!;
const megan = contoso.users.find((user) => user.userPrincipalName === 'megan.bowen@contosodental.example')!;

// The toolbox's clock runs ahead on demand, so a screen pop can expire without waiting for it.
let ahead = 0;
const clock = { now: () => Date.now() + ahead };

describeInBrowser('a screen pop after its time, and a change that removes access', { clock }, ({ sandbox: getSandbox, newPage }) => {
  test('an expired screen pop opens again for the same ticket, keeping what was chosen', { timeout: 40_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    ahead = 0;
    await openScreenPopSignedOut(page, url, screenPopPath(1001, 250, 301, 'reset_mfa'));
    const first = page.url();
    // The technician chooses, then goes for coffee.
    await page.locator('table.methods tr', { hasText: 'Authenticator' }).locator('input[type="checkbox"]').check();
    await page.uncheck('#tap');
    ahead = 2 * 60 * 60_000; // past the screen pop's lifetime, within the sign-in's
    await page.click('form.workflow-form button[type="submit"]');
    await page.waitForSelector('h1:has-text("This screen pop has expired")');
    const expired = await textOf(page.locator('main'));
    assert.match(expired, /Nothing was run/);
    assert.match(expired, /what you chose is kept/);
    await assertAccessibleAtBothWidths(page, 'expired screen pop', 'forms-launch-expired');

    await Promise.all([page.waitForURL(/\/reopen$/), page.click('button:has-text("Open the form for ticket #1001 again")')]);
    assert.match(await textOf(page.locator('.notice')), /what you had chosen is kept/);
    const action = await page.getAttribute('form.workflow-form', 'action');
    assert.ok(action && !first.endsWith(action), 'the form still posts to the expired screen pop');
    assert.equal(await page.isChecked('#mode-selected'), true);
    assert.equal(await page.locator('table.methods tr', { hasText: 'Authenticator' }).locator('input[type="checkbox"]').isChecked(), true);
    assert.equal(await page.isChecked('#tap'), false);

    const before = getSandbox().graph.state.listAuthMethods(contoso.tenantId, megan.id).length;
    await page.click('form.workflow-form button[type="submit"]');
    await page.waitForSelector('#review');
    assert.match(await textOf(page.locator('#review ol')), /^Remove 1 sign-in method: Authenticator/);
    await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('#review button[type="submit"]')]);
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    assert.equal(getSandbox().graph.state.listAuthMethods(contoso.tenantId, megan.id).length, before - 1);

    // Back to the used form: it leads to the run, not to a live form.
    await page.goto(`${url}${action}`);
    await page.waitForURL(/\?from=launch$/);
    assert.match(await textOf(page.locator('.notice')), /already been used/);
  });

  test('group membership: removing a group is reviewed first, in place; without script the review is its own page', {
    timeout: 40_000,
  }, async () => {
    const { url } = getSandbox().toolbox;
    ahead = 0;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1001, 250, 301, 'group_membership'));
    await page.locator('[data-shown-when="mode=user"] label', { hasText: 'Front Desk DL' }).click();
    await page.click('form.workflow-form button[type="submit"]');
    await page.waitForSelector('#review');
    assert.match(await textOf(page.locator('#review ol')), /Remove Megan Bowen from 1 group: Front Desk DL/);
    assert.match(await textOf(page.locator('#review button[type="submit"]')), /Change the groups of Megan Bowen/);
    await assertAccessibleAtBothWidths(page, 'group membership review', 'forms-groups-review');
    // A double click on the confirm button runs it once.
    // The second click may abort the first navigation (ERR_ABORTED) before the page settles on the
    // execution; what counts is where it ends and that one run was started (asserted below).
    // When the second click's post wins, the toolbox answers it with the run the first one started
    // (`?from=resubmit`), which is as right as the plain execution page.
    const executionPage = /\/executions\/[^/?]+(\?from=resubmit)?$/;
    await page.dblclick('#review button[type="submit"]');
    await page.waitForURL(executionPage).catch(async (error: unknown) => {
      if (!/ERR_ABORTED/.test(String(error))) throw error;
      await page.waitForURL(executionPage);
    });
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    const list = await (await page.request.get(`${url}/api/executions?limit=5`)).json();
    assert.equal((list as { items: { form: string }[] }).items.filter((item) => item.form === 'group_membership').length, 1);

    // The same review without JavaScript: a page of its own that carries the choices.
    const bare = await (
      await page
        .context()
        .browser()!
        .newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } })
    ).newPage();
    await openScreenPopSignedOut(bare, url, screenPopPath(1002, 250, 301, 'group_membership'));
    await bare.locator('[data-shown-when="mode=user"] label', { hasText: 'All Staff' }).click();
    await Promise.all([bare.waitForLoadState('load'), bare.click('form.workflow-form button[type="submit"]')]);
    await bare.waitForSelector('#review');
    assert.match(await textOf(bare.locator('#review ol')), /Remove Megan Bowen from 1 group: All Staff/);
    assert.ok(getSandbox().graph.state.groupMemberIds(contoso.tenantId, 'c1000000-0000-4000-8000-000000000001').includes(megan.id));
    await Promise.all([bare.waitForURL(/\/executions\/[^/?]+$/), bare.click('#review button[type="submit"]')]);
    await bare.context().close();
  });
});
