import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { demoTenants } from '../../src/demo/demo-data.js';
import { noteMarker } from '../../src/engine/compose-ticket-note.js';
import {
  assertAccessibleAtBothWidths,
  assertNoAxeViolations,
  EXECUTION_TIMEOUT_MS,
  oneStreamScreenPopPath,
  openScreenPopSignedOut,
  STEP_TIMEOUT_MS,
  textOf,
} from './browser-helpers.js';
import type { BrowserSandbox } from './browser-sandbox.js';

/**
 * The screen pop → succeeded run → internal note round trip, in Chromium, on the PSA a browser
 * sandbox simulates. Shared by the Autotask and HaloPSA browser tests; what differs per PSA (where
 * its simulator keeps notes, what "internal" means there) comes in as a `PsaNotes` reader.
 */

export const contoso = demoTenants.find((tenant) => tenant.key === 'contoso')!;
export const megan = contoso.users.find((user) => user.userPrincipalName === 'megan.bowen@contosodental.example')!;
/** The demo call: Megan Bowen of Contoso Dental on her ticket, the same ids in each simulated PSA. */
export const MEGAN_CALL = { ticket: 1001, company: 250, contact: 301 } as const;

/** A note as the PSA simulator stored it, reduced to what the tests check. */
export type StoredNote = {
  text: string;
  /** Whether the PSA keeps it from the end user (Autotask's publish picklist, Halo's hiddenfromuser). */
  internal: boolean;
  /** Why it counts as internal or not, in the PSA's own terms, for failure messages. */
  visibility: string;
};

/** Reads the notes of a ticket from the simulator's own state (not through the toolbox). */
export type PsaNotes = (ticketId: number) => StoredNote[];

type ExecutionJson = {
  status: string;
  steps: { key: string; status: string; message: string | null }[];
  note: { status: string; error?: string | null };
};

/** The execution as the JSON API has it, once its note is no longer pending (written, failed or skipped). */
export async function executionWithSettledNote(
  page: Page,
  baseUrl: string,
  executionId: string,
): Promise<{ json: ExecutionJson; body: string }> {
  let last: { json: ExecutionJson; body: string } | undefined;
  for (const deadline = Date.now() + EXECUTION_TIMEOUT_MS; Date.now() < deadline; ) {
    const response = await page.request.get(`${baseUrl}/api/executions/${executionId}`, { timeout: STEP_TIMEOUT_MS });
    assert.equal(response.status(), 200);
    const body = await response.text();
    last = { json: JSON.parse(body) as ExecutionJson, body };
    if (last.json.note.status !== 'pending') return last;
    await page.waitForTimeout(100);
  }
  assert.fail(`the note of execution ${executionId} was still pending after ${EXECUTION_TIMEOUT_MS} ms: ${last?.body}`);
}

/** Submits the form on the page and waits for the run to finish; returns the execution id. */
export async function submitAndFinish(page: Page): Promise<string> {
  await Promise.all([page.waitForURL(/\/executions\/[^/?]+$/), page.click('form.workflow-form button[type="submit"]')]);
  const executionId = new URL(page.url()).pathname.split('/').pop()!;
  await page.waitForSelector('#progress[data-done="true"]', { timeout: EXECUTION_TIMEOUT_MS });
  const status = await textOf(page.locator('#progress [role="status"]'));
  assert.equal(await page.locator('#progress .status-succeeded').count(), 1, `the execution did not succeed: ${status}`);
  return executionId;
}

/** The one note on the ticket that names this execution; it must be internal. */
export function theInternalNoteOf(notes: PsaNotes, ticketId: number, executionId: string): StoredNote {
  const all = notes(ticketId);
  const named = all.filter((note) => note.text.includes(noteMarker(executionId)));
  assert.equal(
    named.length,
    1,
    `one note on ticket ${ticketId} names execution ${executionId}; the ticket has:\n${all.map((n) => n.text).join('\n---\n')}`,
  );
  const note = named[0]!;
  assert.equal(note.internal, true, `the note is not internal: ${note.visibility}`);
  return note;
}

/**
 * Screen pop with the PSA's 1Stream variables (signed out, so through the sign-in page) → the
 * password-reset form filled from the PSA → a generated password → succeeded → one internal note
 * on the ticket in the PSA, naming the run and not carrying the password. axe runs on the sign-in
 * page, the form and the execution page, each at desktop and phone width.
 */
export async function passwordResetRoundTrip(
  sandbox: BrowserSandbox,
  page: Page,
  options: { notes: PsaNotes; screenshotName: string; expectOnForm: RegExp[] },
): Promise<{ executionId: string; note: StoredNote }> {
  const { url } = sandbox.toolbox;
  const path = oneStreamScreenPopPath(sandbox.psaKind, MEGAN_CALL, 'password_reset');
  await openScreenPopSignedOut(page, url, path, async (signIn) => {
    await assertNoAxeViolations(signIn, `sign-in page (${sandbox.psaKind})`);
  });

  // The form, filled from this PSA's ticket, company and contact, and the contact's Microsoft 365 user.
  const context = await textOf(page.locator('section.context'));
  assert.match(context, /Megan locked out after password expiry/);
  assert.match(context, /Contoso Dental/);
  assert.match(context, /Megan Bowen/);
  for (const expected of options.expectOnForm) assert.match(context, expected);
  assert.equal(await textOf(page.locator('dl.user code')), megan.userPrincipalName);
  assert.equal(await page.isChecked('#password_mode-generated'), true);
  await assertAccessibleAtBothWidths(page, `password-reset form (${sandbox.psaKind})`, `${options.screenshotName}-form`);

  const executionId = await submitAndFinish(page);
  const password = await page.inputValue('#one-time-secret');
  assert.ok(password.length >= 12, 'the page shows the generated password');
  await assertAccessibleAtBothWidths(page, `execution page (${sandbox.psaKind})`, `${options.screenshotName}-result`);

  // Graph holds exactly the password the page showed, once.
  const graph = sandbox.graph.state;
  assert.equal(graph.checkPassword(contoso.tenantId, megan.id, password), true);
  assert.equal(graph.passwordChanges.filter((change) => change.userId === megan.id).length, 1, 'exactly one password change reached Graph');

  const { json, body } = await executionWithSettledNote(page, url, executionId);
  assert.equal(json.status, 'succeeded');
  for (const step of json.steps) assert.equal(step.status, 'ok', `step ${step.key}: ${step.status} ${step.message ?? ''}`);
  assert.equal(json.note.status, 'written', `the note was not written: ${json.note.error ?? ''}`);
  assert.equal(body.includes(password), false, 'the execution JSON never carries the password');

  // In the PSA: one internal note naming this run, saying what was done, without the password.
  const note = theInternalNoteOf(options.notes, MEGAN_CALL.ticket, executionId);
  assert.match(note.text, /Password reset/i);
  assert.match(note.text, /Megan Bowen/);
  assert.match(note.text, /succeeded/);
  assert.equal(note.text.includes(password), false, 'the ticket note never carries the password');

  // The page, opened again, says the note is on the ticket and shows the password no more.
  await page.reload();
  assert.equal(await page.locator('#one-time-secret').count(), 0, 'the password is not shown a second time');
  assert.match(await textOf(page.locator('#execution-note-title')), new RegExp(`Internal note written on ticket #${MEGAN_CALL.ticket}`));
  await assertNoAxeViolations(page, `execution page with its written note (${sandbox.psaKind})`);
  return { executionId, note };
}
