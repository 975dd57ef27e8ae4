import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoTenants } from '../../src/demo/demo-data.js';
import {
  assertNoAxeViolations,
  chromiumAvailability,
  EXECUTION_TIMEOUT_MS,
  launchChromium,
  NAVIGATION_TIMEOUT_MS,
  openScreenPopSignedOut,
  STEP_TIMEOUT_MS,
  screenPopPath,
  screenshotBothWidths,
  textOf,
} from './browser-helpers.js';
import { type BrowserSandbox, startBrowserSandbox } from './browser-sandbox.js';

const adatum = demoTenants.find((tenant) => tenant.key === 'adatum')!;
const grady = adatum.users.find((user) => user.userPrincipalName === 'grady.archie@adatumlegal.example')!;
const availability = chromiumAvailability();

if ('fail' in availability) {
  test('browser tests: Chromium is present', () => {
    assert.fail(availability.fail);
  });
} else {
  describe('user offboarding in the browser', { skip: 'skip' in availability ? availability.skip : false }, () => {
    let sandbox: BrowserSandbox;
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    before(async () => {
      sandbox = await startBrowserSandbox();
      browser = await launchChromium();
    });
    after(async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await browser?.close();
      await sandbox?.close();
    });

    async function newPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
      return context.newPage();
    }

    test('options open in place, the manager is offered, the run hands the mailbox over', { timeout: 40_000 }, async () => {
      const { url } = sandbox.toolbox;
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

      await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('form.workflow-form button[type="submit"]')]);
      await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
      const steps = await textOf(page.locator('ol.steps'));
      assert.match(steps, /Mail forwarded to isaiah\.langer@adatumlegal\.example/);
      assert.match(steps, /Sign-in blocked/);
      assert.equal(await page.locator('#progress .status-failed').count(), 0, await textOf(page.locator('#progress')));
      assert.equal(sandbox.graph.state.accountEnabled(adatum.tenantId, grady.id), false);
      await assertNoAxeViolations(page, 'offboarding result');
    });
  });
}
