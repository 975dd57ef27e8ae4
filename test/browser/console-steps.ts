import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { demoMsp } from '../../src/demo/demo-data.js';
import { NAVIGATION_TIMEOUT_MS } from './browser-helpers.js';
import type { BrowserSandbox } from './browser-sandbox.js';

/**
 * The admin console's set-up steps as an admin clicks them, shared by the browser tests that start
 * from an empty database (TOOLBOX_DEMO=console). Each asserts what the admin would see.
 */

/** Clicks a button by its name and waits for the page it leads to. */
export async function submitAndWait(page: Page, button: string | RegExp, urlPattern: RegExp): Promise<void> {
  await Promise.all([page.waitForURL(urlPattern, { timeout: NAVIGATION_TIMEOUT_MS }), page.getByRole('button', { name: button }).click()]);
}

/** Local sign-in (the break-glass admin, or a technician with a toolbox password). */
export async function signInLocally(
  page: Page,
  baseUrl: string,
  who: { email: string; password: string },
  landing: RegExp,
  start = '/login',
): Promise<void> {
  await page.goto(`${baseUrl}${start}`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL(landing), page.click('form[action="/login"] button[type="submit"]')]);
}

/** The demo's ConnectWise connection typed into the PSA page, saved; the private key is not sent back. */
export async function enterDemoPsaInConsole(page: Page, sandbox: BrowserSandbox): Promise<void> {
  const cwUrl = sandbox.toolbox.sandbox!.connectWiseUrl;
  await page.goto(`${sandbox.toolbox.url}/admin/psa`);
  await page.fill('#psa-connectwise-companyId', demoMsp.connectWiseCompanyId);
  await page.fill('#psa-connectwise-publicKey', demoMsp.publicKey);
  await page.fill('#psa-connectwise-privateKey', demoMsp.privateKey);
  await page.fill('#psa-connectwise-siteUrl', cwUrl);
  await page.fill('#psa-connectwise-apiUrl', cwUrl);
  await page.fill('#psa-connectwise-clientId', demoMsp.clientId);
}

/** Saves what enterDemoPsaInConsole typed. */
export async function saveDemoPsa(page: Page): Promise<void> {
  await submitAndWait(page, 'Save connection', /\/admin\/psa\?notice=saved$/);
  assert.equal(await page.inputValue('#psa-connectwise-privateKey'), '', 'the private key is not sent back');
}

/** Turns one form on under Forms. */
export async function enableFormInConsole(page: Page, baseUrl: string, form: string): Promise<void> {
  await page.goto(`${baseUrl}/admin/forms`);
  await page.check(`#enable-${form}`);
  await submitAndWait(page, 'Save the enabled forms', /\/admin\/forms\?notice=saved/);
  assert.ok(await page.isChecked(`#enable-${form}`), `${form} is enabled`);
}

/**
 * Sets the webhook secret (1Stream's Client API Key) and returns the form's screen-pop URL as the
 * page's "Copy with secret" button puts it on the clipboard (the page itself masks the secret).
 */
export async function setWebhookSecretInConsole(page: Page, baseUrl: string, secret: string, form: string): Promise<string> {
  await page.goto(`${baseUrl}/admin/screenpop`);
  await page.fill('#screenpop-secret', secret);
  await submitAndWait(page, 'Set the secret', /\/admin\/screenpop/);
  assert.equal(await page.inputValue('#screenpop-secret'), '', 'the secret is not sent back');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  assert.match(await page.inputValue(`#url-${form}`), /&secret=•+$/);
  await page.locator(`form[data-copy-secret="${form}"] button`).click();
  await page.locator(`form[data-copy-secret="${form}"] button`, { hasText: 'Copied' }).waitFor();
  const template = (await page.evaluate('navigator.clipboard.readText()')) as string;
  assert.ok(!(await page.content()).includes(secret), 'the copy did not put the secret into the page');
  return template;
}
