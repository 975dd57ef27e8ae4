import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { psaConnectors } from '../../src/connectors/psa/index.js';
import { DEMO_SCREENPOP_SECRET, DEMO_SIGN_IN, type DemoPsaKind } from '../../src/demo/demo-config.js';
import { screenPopUrlWithSecret } from '../../src/domain/screenpop/reveal-screenpop-urls.js';
import { type BrowserSandbox, type BrowserSandboxOptions, startBrowserSandbox } from './browser-sandbox.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The launch flags from docs (stack.md §5): headless, no sandbox (containers), no background traffic. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const ARTIFACTS_DIR = new URL('../../test-artifacts/', import.meta.url).pathname;

/**
 * Whether the browser suite can run here. Same rule as the database tests: a missing Chromium is a
 * skip on a developer machine and a failure under CI, so CI can never go green by silently
 * skipping the browser checks.
 */
export function chromiumAvailability(): { ok: true } | { ok: false; skip: string } | { ok: false; fail: string } {
  if (existsSync(CHROMIUM_PATH)) return { ok: true };
  const reason = `Chromium is not installed at ${CHROMIUM_PATH}`;
  if (process.env.CI) return { ok: false, fail: `${reason}; CI requires it for the browser tests (apt-get install chromium).` };
  return { ok: false, skip: reason };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 15_000 });
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
let axeSource: Promise<string> | undefined;

type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
};

/**
 * Runs axe-core on the page and returns its WCAG 2.0/2.1 A+AA violations as readable lines. The
 * source goes in through page.evaluate: the app's CSP (script-src 'self') blocks addScriptTag.
 */
export async function axeViolations(page: Pick<Page, 'evaluate'>): Promise<string[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  await page.evaluate(source);
  // Passed as source text: the project is type-checked without the DOM library, and the expression
  // runs in the page, where axe, document and window exist.
  const options = JSON.stringify({ runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations'] });
  const violations = (await page.evaluate(`axe.run(document, ${options}).then((result) => result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
  })))`)) as AxeViolation[];
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} at ${JSON.stringify(n.target)}\n    ${n.failureSummary ?? ''}\n    ${v.helpUrl}`,
    ),
  );
}

/** Where docs/admin.md's pictures live; the admin set-up test refreshes them with TOOLBOX_DOCS_SCREENSHOTS=1. */
export const DOCS_IMAGES_DIR = new URL('../../docs/images/admin/', import.meta.url).pathname;
/** docs/forms.md's pictures: the form tests refresh them (whole pages) with TOOLBOX_DOCS_SCREENSHOTS=1. */
export const FORMS_DOCS_IMAGES_DIR = new URL('../../docs/images/forms/', import.meta.url).pathname;

/** Writes a full-page screenshot at the given width; returns the widths that tell whether the page scrolls sideways. */
export async function screenshotAt(page: Page, name: string, width: number): Promise<{ scrollWidth: number; innerWidth: number }> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
  await page.screenshot({ path: `${ARTIFACTS_DIR}${name}-${width}.png`, fullPage: true, timeout: 10_000 });
  if (process.env.TOOLBOX_DOCS_SCREENSHOTS && width === 1280 && name.startsWith('admin-')) {
    await mkdir(DOCS_IMAGES_DIR, { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${DOCS_IMAGES_DIR}${name.slice('admin-'.length)}.png`, fullPage: false, timeout: 10_000 });
  }
  if (process.env.TOOLBOX_DOCS_SCREENSHOTS && width === 1280 && name.startsWith('forms-')) {
    await mkdir(FORMS_DOCS_IMAGES_DIR, { recursive: true });
    await page.screenshot({ path: `${FORMS_DOCS_IMAGES_DIR}${name.slice('forms-'.length)}.png`, fullPage: true, timeout: 10_000 });
  }
  return (await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })')) as {
    scrollWidth: number;
    innerWidth: number;
  };
}

/** An element's text, trimmed; textContent, not innerText, so it does not depend on layout. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

/** Every wait is bounded: a hung page must fail the test, not the CI job's wall clock. */
export const STEP_TIMEOUT_MS = 5_000;
export const NAVIGATION_TIMEOUT_MS = 10_000;
export const EXECUTION_TIMEOUT_MS = 15_000;

/** A screen-pop link of the demo sandbox, with its webhook secret as the URLs printed at start carry it. */
export function screenPopPath(ticketId: number, companyId: number, contactId: number, formName: string): string {
  const query = new URLSearchParams({
    ticket_id: String(ticketId),
    company_id: String(companyId),
    contact_id: String(contactId),
    form_name: formName,
    secret: DEMO_SCREENPOP_SECRET,
  });
  return `/hooks/screenpop?${query}`;
}

/**
 * A screen-pop link as 1Stream opens it for a call in this PSA: the URL the screen-pop page gives
 * the admin for that PSA (its own 1Stream variables, the webhook secret in the query), with
 * 1Stream's substitution of each variable by the call's ids. The path only, from `/hooks/`.
 */
export function oneStreamScreenPopPath(
  psa: DemoPsaKind,
  ids: { ticket: number | string; company: number | string; contact: number | string },
  formName: string,
): string {
  const variables = psaConnectors[psa]?.screenPop;
  assert.ok(variables, `no PSA connector ${psa}`);
  const template = screenPopUrlWithSecret('', formName, variables, DEMO_SCREENPOP_SECRET);
  // Each variable is replaced where it stands, as 1Stream does; the ids go in URL-encoded.
  const url = template
    .replace(variables.ticket, encodeURIComponent(String(ids.ticket)))
    .replace(variables.company, encodeURIComponent(String(ids.company)))
    .replace(variables.contact, encodeURIComponent(String(ids.contact)));
  assert.ok(url.startsWith('/hooks/screenpop?'), url);
  return url;
}

export async function assertNoAxeViolations(page: Pick<Page, 'evaluate'>, what: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.equal(
    violations.length,
    0,
    `axe found ${violations.length} WCAG 2.1 AA violation(s) on the ${what}:\n  ${violations.join('\n  ')}`,
  );
}

/** Screenshots at desktop and phone width; at phone width nothing may scroll sideways. */
/** axe at 1280 px and at 390 px (a phone), with the screenshots of both. */
export async function assertAccessibleAtBothWidths(page: Page, what: string, name: string): Promise<void> {
  await assertNoAxeViolations(page, `${what} at 1280 px`);
  await screenshotAt(page, name, 390);
  await assertNoAxeViolations(page, `${what} at 390 px`);
  await screenshotBothWidths(page, name);
}

export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
  await screenshotAt(page, name, 1280);
  const narrow = await screenshotAt(page, name, 390);
  if (narrow.scrollWidth > narrow.innerWidth) {
    // Name the culprits: the innermost elements reaching past the right edge.
    const wide = (await page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((el) => ![...el.children].some((child) => child.getBoundingClientRect().right > window.innerWidth + 1))
      .slice(0, 5)
      .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).replace(/ /g, '.') : '') + ': ' + (el.textContent || '').trim().slice(0, 60))`)) as string[];
    assert.fail(
      `the ${name} page scrolls sideways at 390 px (scrollWidth ${narrow.scrollWidth} > ${narrow.innerWidth}):\n  ${wide.join('\n  ')}`,
    );
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Follows a screen-pop link as a technician without a session would: sign-in first, then the form. */
export async function openScreenPopSignedOut(page: Page, baseUrl: string, path: string, onSignInPage?: (page: Page) => Promise<void>) {
  await page.goto(`${baseUrl}${path}`);
  assert.equal(new URL(page.url()).pathname, '/login', 'an unsigned screen pop leads to the sign-in page');
  assert.match(new URL(page.url()).searchParams.get('next') ?? '', /^\/launches\//, 'sign-in leads back to the launch');
  await onSignInPage?.(page);
  await page.fill('#email', DEMO_SIGN_IN.email);
  await page.fill('#password', DEMO_SIGN_IN.password);
  await Promise.all([page.waitForURL(/\/launches\/[^/?]+$/), page.click('form[action="/login"] button[type="submit"]')]);
}

export type BrowserSuite = {
  /** The running toolbox and its simulators (after `before`). */
  sandbox(): BrowserSandbox;
  /**
   * A fresh browser profile: no session cookie carries over, so each page starts signed out.
   * `ignoreHTTPSErrors`: for pages of the simulators themselves (their certificate is made at start).
   */
  newPage(options?: { ignoreHTTPSErrors?: boolean }): Promise<Page>;
};

/**
 * One browser test suite: the toolbox as `npm start` runs it, one Chromium, a fresh context per
 * page, everything closed afterwards. Without Chromium the suite is skipped, or fails under CI.
 */
export function describeInBrowser(name: string, options: BrowserSandboxOptions, body: (suite: BrowserSuite) => void): void {
  const availability = chromiumAvailability();
  if ('fail' in availability) {
    test(`${name}: Chromium is present`, () => {
      assert.fail(availability.fail);
    });
    return;
  }
  describe(name, { skip: 'skip' in availability ? availability.skip : false }, () => {
    let sandbox: BrowserSandbox | undefined;
    let browser: Browser | undefined;
    const contexts: BrowserContext[] = [];
    before(async () => {
      sandbox = await startBrowserSandbox(options);
      browser = await launchChromium();
    });
    after(async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await browser?.close();
      await sandbox?.close();
    });
    body({
      sandbox: () => sandbox!,
      async newPage(options = {}) {
        const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, ...options });
        contexts.push(context);
        context.setDefaultTimeout(STEP_TIMEOUT_MS);
        context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
        return context.newPage();
      },
    });
  });
}
