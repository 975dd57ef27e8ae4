import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noteMarker } from '../../src/engine/compose-ticket-note.js';
import type { AutotaskSimulator } from '../../src/simulators/autotask/autotask-simulator.js';
import {
  assertAccessibleAtBothWidths,
  describeInBrowser,
  oneStreamScreenPopPath,
  openScreenPopSignedOut,
  textOf,
} from './browser-helpers.js';
import {
  contoso,
  executionWithSettledNote,
  MEGAN_CALL,
  megan,
  type PsaNotes,
  passwordResetRoundTrip,
  submitAndFinish,
  theInternalNoteOf,
} from './psa-round-trip.js';

const clinical = contoso.groups.find((group) => group.displayName === 'Clinical Records Access')!;

/** The label of a code in the simulated database's own picklist (codes differ per Autotask instance). */
const labelIn = (autotask: AutotaskSimulator, picklist: string, code: unknown) =>
  autotask.state.picklists[picklist]?.find((value) => Number(value.value) === Number(code))?.label;

/** Ticket notes as the Autotask simulator stored them; internal means the publish value "Internal Only". */
const autotaskNotes =
  (autotask: AutotaskSimulator): PsaNotes =>
  (ticketId) =>
    [...autotask.state.ticketNotes.values()]
      .filter((note) => Number(note.ticketID) === ticketId)
      .map((note) => {
        const publish = labelIn(autotask, 'TicketNotes.publish', note.publish);
        return {
          text: `${String(note.title ?? '')}\n${String(note.description ?? '')}`,
          internal: publish === 'Internal Only',
          visibility: `publish ${String(note.publish)} (${publish ?? 'not in the picklist'})`,
        };
      });

/**
 * The demo on Autotask (`TOOLBOX_DEMO_PSA=autotask`) in Chromium: a 1Stream screen pop with
 * Autotask's ids opens the forms filled from Autotask's ticket, company and contact; each run
 * succeeds and its note lands under the ticket, published "Internal Only" with this database's
 * own picklist codes.
 */
describeInBrowser(
  'Autotask: screen pop to an internal note, in the browser',
  { psa: 'autotask', graphLatencyMs: 200 },
  ({ sandbox, newPage }) => {
    test('screen pop → sign-in → password reset → succeeded → an "Internal Only" ticket note; axe clean', { timeout: 60_000 }, async () => {
      const autotask = sandbox().autotask;
      const ticket = autotask.state.tickets.get(MEGAN_CALL.ticket)!;
      const { executionId } = await passwordResetRoundTrip(sandbox(), await newPage(), {
        notes: autotaskNotes(autotask),
        screenshotName: 'autotask',
        // Autotask's words on the form: its ticket number and the queue's label from the picklist.
        expectOnForm: [
          new RegExp(String(ticket.ticketNumber).replace('.', '\\.')),
          new RegExp(labelIn(autotask, 'Tickets.queueID', ticket.queueID)!),
        ],
      });

      const stored = [...autotask.state.ticketNotes.values()].filter((note) => String(note.description).includes(noteMarker(executionId)));
      assert.equal(stored.length, 1);
      const note = stored[0]!;
      // A note type the database has and keeps active; the API user wrote it (no impersonation set up).
      const noteType = autotask.state.picklists['TicketNotes.noteType']?.find((value) => Number(value.value) === Number(note.noteType));
      assert.ok(noteType?.isActive, `note type ${String(note.noteType)} is not an active value of this database`);
      assert.ok(String(note.title).trim().length > 0, 'a title, which databases may require');
      assert.match(String(note.description), /^[^<>]*$/, 'plain text: Autotask notes are not HTML');
    });

    test('screen pop → group membership change → succeeded → the group is in Graph and in an internal note; axe clean', {
      timeout: 60_000,
    }, async () => {
      const autotask = sandbox().autotask;
      const { url } = sandbox().toolbox;
      const page = await newPage();
      await openScreenPopSignedOut(page, url, oneStreamScreenPopPath('autotask', MEGAN_CALL, 'group_membership'));
      assert.match(await textOf(page.locator('section.context')), /Megan Bowen/);

      await page.fill('#group-search', 'Clin');
      await page.waitForSelector(`#add-group-results input[name="add_group:${clinical.id}"]`);
      await page.check(`input[name="add_group:${clinical.id}"]`);
      await assertAccessibleAtBothWidths(page, 'group membership form (autotask)', 'autotask-groups-form');
      assert.equal(await page.isChecked(`input[name="add_group:${clinical.id}"]`), true, 'the pick survived the width changes');

      const executionId = await submitAndFinish(page);
      assert.match(await textOf(page.locator('ol.steps')), /Added: Megan Bowen to Clinical Records Access/);
      assert.ok(sandbox().graph.state.groupMemberIds(contoso.tenantId, clinical.id).includes(megan.id), 'Graph has her in the group');
      await assertAccessibleAtBothWidths(page, 'group membership result (autotask)', 'autotask-groups-result');

      const { json } = await executionWithSettledNote(page, url, executionId);
      assert.equal(json.note.status, 'written', `the note was not written: ${json.note.error ?? ''}`);
      const note = theInternalNoteOf(autotaskNotes(autotask), MEGAN_CALL.ticket, executionId);
      assert.match(note.text, /Clinical Records Access/);
      assert.match(note.text, /succeeded/);
    });
  },
);
