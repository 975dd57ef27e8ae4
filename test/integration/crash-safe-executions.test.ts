import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { withTestToolbox } from '../helpers/with-test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const POP = '/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset';

/** A process that dies right after the request's first write: every separate enqueue is lost. */
const dieOnEnqueue = () => {
  throw new Error('the process died before this write');
};

for (const database of TEST_DATABASES) {
  describe(`crash-safe executions on ${database.name}`, { skip: database.skip }, () => {
    test('an execution is stored with its job: a submit that dies after its first write still runs', async () => {
      await withTestToolbox(database, {}, async (toolbox, session) => {
        // Nothing may depend on a second write after the execution: it would be lost with the process.
        toolbox.services.jobQueue.enqueue = dieOnEnqueue;
        const pop = await toolbox.request(POP, { cookie: session.cookie });
        const submit = await toolbox.request(pop.headers.get('location')!, {
          cookie: session.cookie,
          form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on' },
        });
        assert.equal(submit.status, 303);
        const id = submit.headers.get('location')!.split('/').pop()!;
        const json = await toolbox.waitForExecution(id, session.cookie);
        assert.equal(json.status, 'succeeded');

        // A re-run is created the same way.
        const rerun = await toolbox.api('POST', `/api/executions/${id}/rerun`, { session, body: {} });
        assert.equal(rerun.status, 201);
        const again = (await rerun.json()) as { executionId: string };
        assert.equal((await toolbox.waitForExecution(again.executionId, session.cookie)).status, 'succeeded');
      });
    });
  });
}
