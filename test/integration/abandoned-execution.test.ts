import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../../src/store/types.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox } from '../helpers/test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
type Step = { key: string; status: string; message: string };

/**
 * An execution whose job fails on every attempt (the database refuses one write: not a step's
 * failure, which a step records itself) must not stay `running` forever once no attempt is left.
 */
for (const database of TEST_DATABASES) {
  describe(`an execution whose job fails for good, on ${database.name}`, { skip: database.skip }, () => {
    test('ends partial, not running: the password set and shown, the sessions step failed, and the note says so', async () => {
      const store = await database.open();
      const revoke = { seq: 0 };
      // Starting the sessions step fails, every time, after the password was set.
      const failing: Store = {
        ...store,
        executions: {
          ...store.executions,
          async updateStep(id, seq, changes, fence) {
            if (seq === revoke.seq && changes.status === 'running') throw new Error('the database refused the write');
            return store.executions.updateStep(id, seq, changes, fence);
          },
        },
      };
      const toolbox = await createTestToolbox({ store: failing });
      try {
        const session = await toolbox.signIn();
        const { path, status } = await toolbox.openScreenPop(
          'ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset',
          session.cookie,
        );
        assert.equal(status, 200);
        // The password workflow's steps in order: check-account, reset-password, revoke-sessions.
        revoke.seq = 3;
        const response = await toolbox.submitReviewed(path, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' },
        });
        assert.equal(response.status, 303);
        const id = response.headers.get('location')!.split('/').pop()!;
        // Three attempts with the store queue's backoff (2 s, 4 s) in between.
        const json = await toolbox.waitForExecution(id, session.cookie, 30_000);
        const steps = json.steps as Step[];
        assert.equal(json.status, 'partial', 'the password was changed; the sessions were not revoked');
        assert.equal(steps.find((s) => s.key === 'reset-password')!.status, 'ok');
        assert.equal(steps.find((s) => s.key === 'revoke-sessions')!.status, 'failed');
        assert.match(steps.find((s) => s.key === 'revoke-sessions')!.message, /stopped before this step after an internal error/);
        assert.match(String(json.error ?? ''), /stopped after an internal error/);

        const page = await (await toolbox.request(`/executions/${id}`, { cookie: session.cookie })).text();
        assert.match(page, /id="one-time-secret"/, 'the password that was set is shown once');
        const notes = (toolbox.cw.state.notes.get(1001) ?? []).map((note) => String((note as { text?: unknown }).text ?? ''));
        const ours = notes.filter((text) => text.includes(id));
        assert.equal(ours.length, 1, 'one note');
        assert.match(ours[0]!, /stopped before this step after an internal error/);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });
  });
}
