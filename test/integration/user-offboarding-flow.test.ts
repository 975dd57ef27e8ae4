import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createManualClock } from '../../src/lib/clock.js';
import { OFFBOARDING_DEFAULT_FIELDS } from '../helpers/offboarding-fields.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const ADATUM = '6f1b2c3d-0000-4000-8000-000000000252';
const ISAIAH = 'a0000000-0000-4000-8000-000000000001';
const GRADY = 'a0000000-0000-4000-8000-000000000002';
type Step = { key: string; status: string; message: string };
const stepOf = (json: Record<string, unknown>, key: string) => (json.steps as Step[]).find((s) => s.key === key)!;

const DEFAULT_STEPS = OFFBOARDING_DEFAULT_FIELDS;

async function openForm(toolbox: TestToolbox, cookie: string, query: string) {
  const pop = await toolbox.request(`/hooks/screenpop?${query}&form_name=user_offboarding`, { cookie });
  assert.equal(pop.status, 303);
  const path = pop.headers.get('location')!;
  return { path, html: await (await toolbox.request(path, { cookie })).text() };
}

async function withToolbox(
  run: (toolbox: TestToolbox, session: { cookie: string; csrf: string }) => Promise<void>,
  database = TEST_DATABASES[0]!,
) {
  const store = await database.open();
  const toolbox = await createTestToolbox({ store });
  try {
    await run(toolbox, await toolbox.signIn());
  } finally {
    await toolbox.close();
    await store.drop();
  }
}

for (const database of TEST_DATABASES) {
  describe(`user offboarding, screen pop to note, on ${database.name}`, { skip: database.skip }, () => {
    test('everything at once for a user with a manager: handed over, locked, cleaned up, in the safe order', async () => {
      await withToolbox(async (toolbox, session) => {
        const { path, html } = await openForm(toolbox, session.cookie, 'ticket_id=1021&company_id=252&contact_id=322');
        assert.match(html, /Isaiah Langer \(manager\)/);
        assert.match(html, /52 GB/);
        // The forwarding and access pickers search users live.
        const found = await (
          await toolbox.request(`${path}/options/users?q=Isa&field=forward_user&kind=radio`, { cookie: session.cookie })
        ).text();
        assert.match(found, new RegExp(`name="forward_user" value="${ISAIAH}"`));
        const response = await toolbox.submitReviewed(path, {
          cookie: session.cookie,
          form: {
            _csrf: session.csrf,
            user_id: GRADY,
            ...DEFAULT_STEPS,
            remove_manager: 'on',
            forward: 'on',
            forward_user: ISAIAH,
            keep_copy: 'on',
            ooo: 'on',
            ooo_internal: 'Grady has left; please contact Isaiah.',
            ooo_external: 'Grady has left Adatum Legal.',
            ooo_audience: 'all',
            access: 'on',
            access_user: ISAIAH,
            access_full: 'on',
            access_send_as: 'on',
          },
        });
        assert.equal(response.status, 303, await response.text());
        const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
        assert.notEqual(json.status, 'failed', JSON.stringify(json.steps, null, 1));
        for (const key of [
          'block-sign-in',
          'revoke-sessions',
          'reset-password',
          'forwarding',
          'out-of-office',
          'mailbox-access',
          'hide-from-address-lists',
          'remove-manager',
        ]) {
          assert.equal(stepOf(json, key).status, 'ok', `${key}: ${stepOf(json, key).message}`);
        }
        // 52 GB: converted, and the licence stays (a shared mailbox over 50 GB needs one).
        assert.equal(stepOf(json, 'convert-to-shared').status, 'warning');
        assert.match(stepOf(json, 'remove-licences').message, /Kept/);
        const graph = toolbox.graph.state;
        assert.equal(graph.accountEnabled(ADATUM, GRADY), false);
        assert.equal(graph.mailbox(ADATUM, GRADY)?.type, 'shared');
        assert.equal(graph.managerId(ADATUM, GRADY), null);
        assert.ok(graph.licenses(ADATUM, GRADY).length > 0);
        assert.equal(graph.mobileDevices(ADATUM, GRADY).length, 0);
        const note = String((toolbox.cw.state.notes.get(1021) ?? [])[0]?.text);
        assert.match(note, /User offboarding for Grady Archie/);
        assert.match(note, /Remove from groups/);
      }, database);
    });
  });
}

describe('user offboarding: order, refusals, scheduling', () => {
  test('the mailbox is converted before the licence goes, so it survives', async () => {
    await withToolbox(async (toolbox, session) => {
      const { path } = await openForm(toolbox, session.cookie, 'ticket_id=1022&company_id=252&contact_id=321');
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: ISAIAH, ...DEFAULT_STEPS },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(stepOf(json, 'convert-to-shared').status, 'ok', stepOf(json, 'convert-to-shared').message);
      assert.equal(stepOf(json, 'remove-licences').status, 'ok', stepOf(json, 'remove-licences').message);
      assert.equal(toolbox.graph.state.mailbox(ADATUM, ISAIAH)?.type, 'shared');
      assert.equal(toolbox.graph.state.licenses(ADATUM, ISAIAH).length, 0);
      assert.equal(stepOf(json, 'verify').status, 'ok', stepOf(json, 'verify').message);
      // Licences by product name, in the step and in the ticket note.
      assert.equal(stepOf(json, 'remove-licences').message, 'Removed: Microsoft 365 Business Premium.');
      assert.match(
        String((toolbox.cw.state.notes.get(1022) ?? [])[0]?.text),
        /Remove licences: [^\n]*Removed: Microsoft 365 Business Premium\./,
      );
    });
  });

  test('contradicting choices are refused before anything runs', async () => {
    await withToolbox(async (toolbox, session) => {
      const { path } = await openForm(toolbox, session.cookie, 'ticket_id=1022&company_id=252&contact_id=321');
      const contradiction = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          user_id: ISAIAH,
          ...DEFAULT_STEPS,
          convert_to_shared: '',
          forward: 'on',
          forward_address: 'someone@else.example',
        },
      });
      assert.equal(contradiction.status, 422);
      assert.match(await contradiction.text(), /Removing licences without converting to a shared mailbox deletes the mailbox/);
      const self = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: ISAIAH, ...DEFAULT_STEPS, access: 'on', access_user: ISAIAH, access_full: 'on' },
      });
      assert.equal(self.status, 422);
      assert.match(await self.text(), /cannot be given their own mailbox/);
      const past = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          user_id: ISAIAH,
          ...DEFAULT_STEPS,
          when: 'later',
          run_at: '2020-01-01T09:00',
          time_zone: 'Europe/London',
        },
      });
      assert.equal(past.status, 422);
      assert.match(await past.text(), /That time has passed/);
      // The same searchable time-zone picker as onboarding, checked the same way.
      const zoneless = await toolbox.request(path, {
        cookie: session.cookie,
        form: {
          _csrf: session.csrf,
          user_id: ISAIAH,
          ...DEFAULT_STEPS,
          when: 'later',
          run_at: '2099-01-01T09:00',
          time_zone: 'Europe/Atlantis',
        },
      });
      assert.equal(zoneless.status, 422);
      const zonelessHtml = await zoneless.text();
      assert.match(zonelessHtml, /&quot;Europe\/Atlantis&quot; is not a time zone: pick one from the list/);
      assert.match(zonelessHtml, /name="time_zone" list="time-zone-list" value="Europe\/Atlantis"/);
      assert.equal(toolbox.graph.state.accountEnabled(ADATUM, ISAIAH), true, 'something ran');
    });
  });

  test('a scheduled offboarding waits, survives a restart, and runs at its time', async () => {
    const store = await TEST_DATABASES[0]!.open();
    const clock = createManualClock(Date.now());
    const first = await createTestToolbox({ store, clock });
    let executionId = '';
    try {
      const session = await first.signIn();
      const { path } = await openForm(first, session.cookie, 'ticket_id=1022&company_id=252&contact_id=321');
      const later = new Date(Date.now() + 2 * 3_600_000);
      const local = later.toISOString().slice(0, 16);
      const response = await first.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: ISAIAH, block_sign_in: 'on', when: 'later', run_at: local, time_zone: 'UTC' },
      });
      executionId = response.headers.get('location')!.split('/').pop()!;
      const page = await (await first.request(`/executions/${executionId}`, { cookie: session.cookie })).text();
      assert.match(page, new RegExp(`Scheduled for ${local.replace('T', ' ')} UTC`));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await store.executions.get(executionId))?.status, 'queued');
      assert.equal(first.graph.state.accountEnabled(ADATUM, ISAIAH), true);
    } finally {
      await first.close();
    }
    // A new process on the same database, two hours later.
    clock.advance(2 * 3_600_000 + 60_000);
    const second = await createTestToolbox({ store, clock });
    try {
      const session = await second.signIn();
      const json = await second.waitForExecution(executionId, session.cookie);
      assert.equal(json.status, 'succeeded', JSON.stringify(json.steps));
      assert.equal(second.graph.state.accountEnabled(ADATUM, ISAIAH), false);
    } finally {
      await second.close();
      await store.drop();
    }
  });

  test('a synced user: the steps that belong in on-prem AD are named, the rest runs', async () => {
    await withToolbox(async (toolbox, session) => {
      const { path, html } = await openForm(toolbox, session.cookie, 'ticket_id=1012&company_id=251&contact_id=312');
      assert.match(
        html,
        /synchronised from on-premises AD: blocking sign-in, the password and hiding from the address book must be done there/,
      );
      const userId = /name="user_id" value="([^"]+)"/.exec(html)![1]!;
      const response = await toolbox.submitReviewed(path, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: userId, ...DEFAULT_STEPS },
      });
      const json = await toolbox.waitForExecution(response.headers.get('location')!.split('/').pop()!, session.cookie);
      assert.equal(stepOf(json, 'block-sign-in').status, 'warning');
      assert.match(stepOf(json, 'block-sign-in').message, /disable the account there/);
      assert.equal(stepOf(json, 'reset-password').status, 'warning');
      assert.equal(stepOf(json, 'revoke-sessions').status, 'ok');
    });
  });
});
