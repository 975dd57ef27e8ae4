import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeInBrowser } from './browser-helpers.js';
import { MEGAN_CALL, type PsaNotes, passwordResetRoundTrip } from './psa-round-trip.js';

/**
 * The demo on HaloPSA (`TOOLBOX_DEMO_PSA=halopsa`) in Chromium: a 1Stream screen pop with Halo's
 * ids opens the password reset filled from Halo's ticket, client and end user; the run succeeds
 * and its note lands on the Halo ticket as an action hidden from the end user.
 */
describeInBrowser(
  'HaloPSA: screen pop to an internal note, in the browser',
  { psa: 'halopsa', graphLatencyMs: 200 },
  ({ sandbox, newPage }) => {
    test('screen pop → sign-in → password reset → succeeded → an action hidden from the end user on the Halo ticket; axe clean', {
      timeout: 60_000,
    }, async () => {
      const halo = sandbox().haloPsa;
      const ticket = halo.state.tickets.get(MEGAN_CALL.ticket)!;
      const before = halo.state.actions.get(MEGAN_CALL.ticket)?.length ?? 0;
      const notes: PsaNotes = (ticketId) =>
        (halo.state.actions.get(ticketId) ?? []).map((action) => ({
          text: String(action.note ?? ''),
          internal: action.hiddenfromuser === true,
          visibility: `hiddenfromuser ${String(action.hiddenfromuser)}, outcome ${String(action.outcome)}`,
        }));

      const { note } = await passwordResetRoundTrip(sandbox(), await newPage(), {
        notes,
        screenshotName: 'halopsa',
        // Halo's words on the form: its team (the queue) and its status, read from the Halo ticket.
        expectOnForm: [new RegExp(String(ticket.team)), new RegExp(String(ticket.status_name))],
      });

      const actions = halo.state.actions.get(MEGAN_CALL.ticket) ?? [];
      assert.equal(actions.length, before + 1, 'exactly one action was added to the ticket');
      const action = actions.at(-1)!;
      assert.equal(action.note, note.text);
      assert.equal(action.sendemail, false, 'the note e-mails nobody');
      assert.equal(action.ticket_id, MEGAN_CALL.ticket);
    });
  },
);
