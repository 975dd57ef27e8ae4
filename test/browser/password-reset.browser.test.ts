import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTRA_PASSWORD_POLICY } from '../../src/connectors/directory/entra/entra-password-policy.js';
import { demoTenants } from '../../src/demo/demo-data.js';
import { checkPassword } from '../../src/domain/passwords/check-password.js';
import {
  assertNoAxeViolations,
  describeInBrowser,
  EXECUTION_TIMEOUT_MS,
  openScreenPopSignedOut,
  STEP_TIMEOUT_MS,
  screenPopPath,
  screenshotBothWidths,
  textOf,
} from './browser-helpers.js';

const contoso = demoTenants.find((tenant) => tenant.key === 'contoso')!;
const megan = contoso.users.find((user) => user.userPrincipalName === 'megan.bowen@contosodental.example')!;
const diego = contoso.users.find((user) => user.userPrincipalName === 'dsiciliani@contosodental.example')!;

describeInBrowser('password reset in the browser', { graphLatencyMs: 200 }, ({ sandbox: getSandbox, newPage }) => {
  test('screen pop → sign-in → form → reset shows the password once', { timeout: 30_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();

    await openScreenPopSignedOut(page, url, screenPopPath(1001, 250, 301, 'password_reset'), async (signIn) => {
      assert.equal(await textOf(signIn.locator('h1')), 'Sign in');
      await assertNoAxeViolations(signIn, 'sign-in page');
    });

    // The form, pre-filled from the ticket, company and contact.
    const context = await textOf(page.locator('section.context'));
    assert.match(context, /Megan locked out after password expiry/);
    assert.match(context, /Contoso Dental/);
    assert.match(context, /Megan Bowen/);
    assert.equal(await textOf(page.locator('dl.user code')), megan.userPrincipalName);
    assert.equal(await page.isChecked('#password_mode-generated'), true, 'generated password is the default');
    assert.equal(await page.isChecked('#must_change'), true, 'must-change is on by default');
    assert.equal(await page.isChecked('#revoke_sessions'), true, 'revoke sessions is on by default');
    assert.equal(await page.locator('#typed-password').isHidden(), true, 'app.js hides the typed-password field');
    await assertNoAxeViolations(page, 'password-reset form');
    await screenshotBothWidths(page, 'form');

    await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('form.workflow-form button[type="submit"]')]);
    const executionId = new URL(page.url()).pathname.split('/').pop()!;

    // The Graph latency keeps the run going for a second, so the page first shows it unfinished.
    assert.equal(await page.locator('#progress[data-poll]').count(), 1, 'the page opens on a running execution and polls');
    const liveRegion = await page.$('#progress > [role="status"]');
    assert.ok(liveRegion, 'the progress has a role=status live region');

    // app.js polls the progress fragment; data-done marks the last one, whatever the outcome.
    await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
    const status = await textOf(page.locator('#progress [role="status"]'));
    assert.equal(await page.locator('#progress .status-succeeded').count(), 1, `the execution did not succeed: ${status}`);
    // Screen readers announce changes inside a live region already on the page, not a new one.
    const kept = await liveRegion.evaluate((node) => ({ connected: node.isConnected, text: node.textContent ?? '' }));
    assert.equal(kept.connected, true, 'the live region was replaced instead of updated in place');
    assert.match(kept.text, /succeeded/);

    const password = await page.inputValue('#one-time-secret');
    assert.ok(password.length >= 12, `the generated password has ${password.length} characters, fewer than 12`);
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
    assert.ok(classes >= 3, `the generated password uses ${classes} character classes, Entra needs 3`);
    assert.deepEqual(
      checkPassword(ENTRA_PASSWORD_POLICY, password, { userPrincipalName: megan.userPrincipalName, displayName: megan.displayName }),
      {
        ok: true,
      },
    );

    // Graph got exactly the password the page showed, with must-change, and the sessions were revoked.
    const graph = getSandbox().graph.state;
    assert.equal(graph.checkPassword(contoso.tenantId, megan.id, password), true, 'Graph holds the password the page showed');
    const changes = graph.passwordChanges.filter((change) => change.userId === megan.id);
    assert.equal(changes.length, 1, 'exactly one password change reached Graph');
    assert.equal(changes[0]!.forceChangePasswordNextSignIn, true);
    assert.equal(graph.revocations.filter((revocation) => revocation.userId === megan.id).length, 1);

    // The JSON API agrees, and neither it nor the ticket note carries the password.
    const response = await page.request.get(`${url}/api/executions/${executionId}`, { timeout: STEP_TIMEOUT_MS });
    assert.equal(response.status(), 200);
    const body = await response.text();
    const execution = JSON.parse(body) as { status: string; steps: { key: string; status: string; message: string | null }[] };
    assert.equal(execution.status, 'succeeded');
    assert.ok(execution.steps.length > 0);
    for (const step of execution.steps) assert.equal(step.status, 'ok', `step ${step.key}: ${step.status} ${step.message ?? ''}`);
    assert.equal(body.includes(password), false, 'the execution JSON never carries the password');
    const notes = getSandbox().connectWise.state.notes.get(1001) ?? [];
    assert.equal(notes.length, 1, 'one note was written to ticket 1001');
    assert.equal(JSON.stringify(notes).includes(password), false, 'the ticket note never carries the password');

    await assertNoAxeViolations(page, 'execution result page');
    await screenshotBothWidths(page, 'result');

    // Shown once: a reload (or anyone re-opening the link) gets the "already shown" text instead.
    await page.reload();
    assert.equal(await page.locator('#one-time-secret').count(), 0, 'the password is not shown a second time');
    assert.match(await textOf(page.locator('#progress')), /cannot be shown again/);
    assert.equal((await page.content()).includes(password), false);
  });

  test('two candidate users → picker → form; a rule-breaking typed password is refused inline', { timeout: 30_000 }, async () => {
    const { url } = getSandbox().toolbox;
    const page = await newPage();
    await openScreenPopSignedOut(page, url, screenPopPath(1002, 250, 302, 'password_reset'));

    // The contact's address matches two accounts: the page asks instead of guessing.
    const choices = page.locator('ul.choices a.choice-link');
    assert.equal(await choices.count(), 2);
    assert.equal(await page.locator('form.workflow-form').count(), 0, 'no form before a user is chosen');
    await assertNoAxeViolations(page, 'user picker');
    await screenshotBothWidths(page, 'picker');

    const diegoChoice = choices.filter({ hasText: diego.userPrincipalName });
    assert.equal(await textOf(diegoChoice.locator('strong')), 'Diego Siciliani');
    await Promise.all([page.waitForURL(/[?&]user=/), diegoChoice.click()]);
    assert.equal(await textOf(page.locator('dl.user code')), diego.userPrincipalName);
    assert.match(await textOf(page.locator('section[aria-labelledby="user-title"]')), /Chosen by you\./);
    assert.equal(await page.locator('form.workflow-form').count(), 1);

    // Typed mode reveals the field; a too-short password and must-change switched off.
    await page.check('#password_mode-typed');
    assert.equal(await page.locator('#typed-password').isVisible(), true, 'choosing "Type a password" shows the field');
    await page.fill('#password', 'short');
    await page.uncheck('#must_change');
    await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST' && response.url().includes('/launches/')),
      page.click('form.workflow-form button[type="submit"]'),
    ]);
    await page.waitForLoadState('load');

    const error = page.locator('#typed-password #password-error');
    await error.waitFor({ state: 'visible' });
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.match(await textOf(error), /characters/);
    assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
    assert.match((await page.getAttribute('#password', 'aria-describedby')) ?? '', /\bpassword-error\b/);
    // Nothing else the technician chose is lost.
    assert.equal(await textOf(page.locator('dl.user code')), diego.userPrincipalName);
    assert.equal(await page.isChecked('#password_mode-typed'), true);
    assert.equal(await page.locator('#typed-password').isVisible(), true);
    assert.equal(await page.isChecked('#must_change'), false);
    assert.equal(await page.isChecked('#revoke_sessions'), true);
    assert.equal(
      getSandbox().graph.state.passwordChanges.filter((change) => change.userId === diego.id).length,
      0,
      'nothing reached Graph',
    );
    await assertNoAxeViolations(page, 'form with a password error');
    await screenshotBothWidths(page, 'form-error');
  });
});
