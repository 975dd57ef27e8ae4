import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoMsp } from '../../src/demo/demo-data.js';
import {
  assertNoAxeViolations,
  DOCS_IMAGES_DIR,
  describeInBrowser,
  EXECUTION_TIMEOUT_MS,
  NAVIGATION_TIMEOUT_MS,
  STEP_TIMEOUT_MS,
  textOf,
} from './browser-helpers.js';

/**
 * The ConnectWise pod in a real Chromium: the ConnectWise simulator's service ticket screen (its
 * own origin, https://127.0.0.1:…, standing in for ConnectWise) frames the toolbox's pod from
 * another site (http://localhost:…), as a Manage Hosted API entry would. The pod and the screen
 * exchange the Hosted API messages; the technician signs in through the toolbox's own window, the
 * pod keeps its partitioned cookie, and a form opens in a new tab, filled, and runs.
 */
type HostedApiLogEntry = { direction: 'in' | 'out' | 'ignored'; frameId: string; message?: Record<string, unknown> };

const docsShot = async (target: { screenshot(options: { path: string }): Promise<unknown> }, name: string) => {
  if (!process.env.TOOLBOX_DOCS_SCREENSHOTS) return;
  await mkdir(DOCS_IMAGES_DIR, { recursive: true });
  await target.screenshot({ path: `${DOCS_IMAGES_DIR}${name}.png` });
};

async function podFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('aside iframe', { timeout: NAVIGATION_TIMEOUT_MS });
  const frame = await handle.contentFrame();
  assert.ok(frame, 'the ticket screen has no pod frame');
  await frame.waitForLoadState('load');
  return frame;
}

const hostedApiLog = (page: Page) => page.evaluate('window.hostedApiLog') as Promise<HostedApiLogEntry[]>;

/** Signs the admin in on a page of its own and maps the demo technician to ConnectWise member bkim, through the JSON API. */
async function mapTechnicianToMember(page: Page, baseUrl: string, memberIdentifier: string) {
  await page.goto(`${baseUrl}/login?next=/admin`);
  await page.fill('#email', DEMO_ADMIN.email);
  await page.fill('#password', DEMO_ADMIN.password);
  await Promise.all([page.waitForURL(/\/admin$/), page.click('form[action="/login"] button[type="submit"]')]);
  const csrf = (await page.locator('input[name="_csrf"]').first().getAttribute('value')) ?? '';
  const check = await page.request.post(`${baseUrl}/api/admin/psa/check`, { headers: { 'x-csrf-token': csrf } });
  assert.equal(check.status(), 200, await check.text());
  const view = (await (await page.request.get(`${baseUrl}/api/admin/technicians`)).json()) as {
    members: { id: string; identifier: string }[];
    technicians: { userId: string; email: string }[];
  };
  const member = view.members.find((m) => m.identifier === memberIdentifier);
  const user = view.technicians.find((t) => t.email === DEMO_SIGN_IN.email);
  assert.ok(member && user);
  const saved = await page.request.put(`${baseUrl}/api/admin/technicians/${user.userId}`, {
    headers: { 'x-csrf-token': csrf },
    data: { memberId: member.id },
  });
  assert.equal(saved.status(), 200, await saved.text());
}

describeInBrowser('the ConnectWise pod in Chromium', {}, ({ sandbox, newPage }) => {
  test('framed by the ConnectWise ticket screen, the pod signs the technician in through its own window and opens a form filled', {
    timeout: 120_000,
  }, async () => {
    const { toolbox, connectWise } = sandbox();
    const cwUrl = toolbox.sandbox!.connectWiseUrl;
    const port = new URL(toolbox.url).port;
    // Another site than the ConnectWise simulator's (127.0.0.1): localhost, as the pod's own site.
    const toolboxSite = `http://localhost:${port}`;
    connectWise.addHostedSetup({
      description: 'Technician Toolbox',
      url: `${toolboxSite}/pod?ticket_id=[cw_id]&screen=[cw_screen]`,
      origin: toolboxSite,
    });
    const ticketScreen = (member: string) =>
      `${cwUrl}/${demoMsp.codebase}services/system_io/Service/fv_sr100_request.rails?service_recid=1001&companyName=${demoMsp.connectWiseCompanyId}&member=${member}`;

    // The admin's side: the console gives the values to paste into Manage Hosted API.
    const admin = await newPage();
    await mapTechnicianToMember(admin, toolboxSite, 'bkim');
    await admin.goto(`${toolboxSite}/admin/screenpop`);
    const setupCard = admin.locator('#launch-from-psa');
    assert.equal(
      await setupCard.locator('input[aria-label], input').nth(3).inputValue(),
      `${toolbox.url}/pod?ticket_id=[cw_id]&screen=[cw_screen]`,
    );
    assert.match(await textOf(setupCard), /Only https:\/\/127\.0\.0\.1:\d+ \(the site URL of the PSA connection\) may show the pod/);
    await assertNoAxeViolations(admin, 'screen-pop page with the pod set-up');
    await setupCard.scrollIntoViewIfNeeded();
    await docsShot(setupCard, 'pod-setup');

    // The technician opens ticket 1001 in ConnectWise: the pod is there, signed out.
    const page = await newPage({ ignoreHTTPSErrors: true });
    const context = page.context();
    await page.goto(ticketScreen('bkim'));
    let frame = await podFrame(page);
    assert.equal(new URL(frame.url()).origin, toolboxSite);
    await frame.waitForSelector('[data-pod-sign-in]');
    // The Hosted API handshake: ready → frame id; then who is signed in to ConnectWise, and the screen.
    await frame.waitForSelector('[data-pod-member]:not([hidden])', { timeout: STEP_TIMEOUT_MS });
    assert.equal(await textOf(frame.locator('[data-pod-member]')), 'ConnectWise says bailey.kim@northwind-it.example is signed in there.');
    const log = await hostedApiLog(page);
    const received = log.filter((entry) => entry.direction === 'in').map((entry) => entry.message);
    assert.deepEqual(received[0], { message: 'ready' });
    const frameId = log.find((entry) => entry.direction === 'out' && entry.message?.MessageFrameID)?.message?.MessageFrameID;
    assert.ok(frameId, 'ConnectWise gave no frame id');
    assert.ok(
      received.some((m) => m?.request === 'getMemberAuthentication' && m.frameID === frameId),
      'the pod did not ask who is signed in',
    );
    assert.ok(
      received.some((m) => m?.request === 'getScreenObject' && m.frameID === frameId),
      'the pod did not ask for the screen',
    );
    assert.ok(
      received.some((m) => m?.event === 'onLoad' && m.result === 'success'),
      'the pod did not acknowledge the onLoad event',
    );
    assert.equal(log.filter((entry) => entry.direction === 'ignored').length, 0, 'ConnectWise ignored a message of the pod');
    await assertNoAxeViolations(frame, 'pod, signed out');
    await docsShot(page.locator('aside .pod'), 'pod-signed-out');

    // Sign-in: a window of the toolbox's own, the ConnectWise member's e-mail filled in.
    const [popup] = await Promise.all([context.waitForEvent('page'), frame.click('[data-pod-sign-in]')]);
    await popup.waitForLoadState('load');
    assert.equal(new URL(popup.url()).pathname, '/login/pod');
    assert.equal(await popup.inputValue('#email'), 'bailey.kim@northwind-it.example');
    await assertNoAxeViolations(popup, 'pod sign-in window');
    await docsShot(popup, 'pod-sign-in');
    await popup.fill('#email', DEMO_SIGN_IN.email);
    await popup.fill('#password', DEMO_SIGN_IN.password);
    const closed = popup.waitForEvent('close', { timeout: NAVIGATION_TIMEOUT_MS });
    await popup.click('form[action="/login/pod"] button[type="submit"]');
    await closed;

    // The pod reloads signed in (its own cookie, partitioned under ConnectWise's site) and lists the forms.
    // The same frame, navigated: Playwright keeps one Frame per iframe across its reloads.
    await frame.waitForSelector('form[data-pod-launch]', { timeout: NAVIGATION_TIMEOUT_MS });
    assert.match(await textOf(frame.locator('h1')), /#1001 Megan locked out after password expiry/);
    const buttons = await frame.locator('form[data-pod-launch] button').allTextContents();
    assert.deepEqual(buttons, ['Password reset', 'User onboarding', 'User offboarding', 'MFA reset', 'Group membership']);
    const podCookies = (await context.cookies()).filter((cookie) => cookie.name === 'tbx_pod');
    assert.equal(podCookies.length, 1, 'the pod has no cookie of its own');
    assert.equal(podCookies[0]?.sameSite, 'None');
    assert.equal(podCookies[0]?.path, '/pod');
    // Kept in ConnectWise's partition (CHIPS): no other site that framed the pod would see it.
    assert.equal((podCookies[0] as { partitionKey?: string } | undefined)?.partitionKey, new URL(cwUrl).origin.replace(/:\d+$/, ''));
    assert.equal(await frame.locator('[data-pod-mismatch]').isHidden(), true, 'the mapped member was taken for someone else');
    await assertNoAxeViolations(frame, 'pod, signed in');
    await docsShot(page.locator('aside .pod'), 'pod');

    // One click: the form opens in a new tab, filled, and runs.
    const [tab] = await Promise.all([context.waitForEvent('page'), frame.click('form[data-pod-launch="Password reset"] button')]);
    await tab.waitForURL(/\/launches\/[^/?]+$/, { timeout: NAVIGATION_TIMEOUT_MS });
    assert.equal(new URL(tab.url()).origin, toolboxSite);
    assert.match(await textOf(tab.locator('section.context')), /Megan Bowen/);
    await assertNoAxeViolations(tab, 'form opened from the pod');
    await Promise.all([tab.waitForURL(/\/executions\/[^/?]+$/), tab.click('form.workflow-form button[type="submit"]')]);
    await tab.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    assert.match(await textOf(tab.locator('#progress')), /^succeeded All steps finished/);
    assert.match(await textOf(tab.locator('#progress')), /Internal note \d+ added to ticket #1001 as member bkim/);
    const note = connectWise.state.notes.get(1001)?.at(-1);
    assert.match(String(note?.text), /Run by Bailey Kim \(tech@northwind-it\.example\) from the toolbox pod of this ticket;/);
    assert.match(await textOf(frame.locator('[data-pod-status]')), /Password reset opened in a new tab/);

    // Another ConnectWise member at the same browser: the pod says whose forms these would be.
    await page.goto(ticketScreen('aowens'));
    frame = await podFrame(page);
    await frame.waitForSelector('[data-pod-mismatch]:not([hidden])', { timeout: STEP_TIMEOUT_MS });
    assert.match(
      await textOf(frame.locator('[data-pod-mismatch]')),
      /ConnectWise says alex\.owens@northwind-it\.example is signed in there/,
    );
  });
});
