import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolboxOptions } from '../helpers/test-toolbox.js';

const sqlite = TEST_DATABASES.find((d) => d.name === 'sqlite')!;
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
type Step = { key: string; status: string; message: string };

async function resetMegan(
  options: Omit<TestToolboxOptions, 'store'>,
  check: (t: Awaited<ReturnType<typeof createTestToolbox>>, id: string, cookie: string) => Promise<void>,
) {
  const store = await sqlite.open();
  const toolbox = await createTestToolbox({ store, noteRetryDelaysMs: [30, 30, 30], ...options });
  try {
    const session = await toolbox.signIn();
    const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', {
      cookie: session.cookie,
    });
    const submit = await toolbox.request(pop.headers.get('location')!, {
      cookie: session.cookie,
      form: { _csrf: session.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on' },
    });
    await check(toolbox, submit.headers.get('location')!.split('/').pop()!, session.cookie);
  } finally {
    await toolbox.close();
    await store.drop();
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the ticket note when ConnectWise does not take it', () => {
  test('a 503 leaves the note pending, says when it retries, and the retry writes it once', async () => {
    await resetMegan({}, async (toolbox, id, cookie) => {
      toolbox.cw.failNext(/\/service\/tickets\/1001\/notes$/, 503, 1, { method: 'POST' });
      const first = await toolbox.waitForExecution(id, cookie);
      // The reset itself succeeded; the note is bookkeeping, not a change: the run succeeded, and
      // the note's own state (pending, then written) is reported apart.
      assert.equal(first.status, 'succeeded');
      const noteStep = (first.steps as Step[]).find((s) => s.key === 'ticket-note')!;
      assert.equal(noteStep.status, 'failed');
      assert.match(noteStep.message, /tries again at \d\d:\d\d UTC \(attempt 2 of 4\); the note will not be written twice/);
      assert.equal((first.note as { status: string }).status, 'pending');

      const after = await until(
        async () => (await (await toolbox.request(`/api/executions/${id}`, { cookie })).json()) as Record<string, unknown>,
        (json) => (json.note as { status: string }).status !== 'pending',
      );
      assert.equal(after.status, 'succeeded');
      assert.equal((after.note as { status: string }).status, 'written');
      assert.match((after.steps as Step[]).find((s) => s.key === 'ticket-note')!.message, /added to ticket #1001 \(attempt 2\)/);
      assert.equal(toolbox.cw.state.notes.get(1001)?.length, 1);
    });
  });

  test('an answer lost after the note landed: the retry finds it and does not write it again', async () => {
    let lost = 0;
    await resetMegan(
      {
        interceptFetch: async (url, init, send) => {
          const response = await send();
          if (init?.method === 'POST' && url.pathname.endsWith('/service/tickets/1001/notes') && lost === 0) {
            lost++;
            throw new TypeError('fetch failed: connection reset after the request was sent');
          }
          return response;
        },
      },
      async (toolbox, id, cookie) => {
        const json = await until(
          async () => (await (await toolbox.request(`/api/executions/${id}`, { cookie })).json()) as Record<string, unknown>,
          (value) => value.status !== 'queued' && value.status !== 'running' && (value.note as { status: string }).status !== 'pending',
        );
        assert.equal(lost, 1);
        assert.equal((json.note as { status: string }).status, 'written');
        assert.match(
          (json.steps as Step[]).find((s) => s.key === 'ticket-note')!.message,
          /an earlier attempt had reached ConnectWise after all/,
        );
        assert.equal(toolbox.cw.state.notes.get(1001)?.length, 1, 'the note was written twice');
        const searched = toolbox.cw.state.requests.filter((r) => r.method === 'GET' && r.path === '/service/tickets/1001/notes');
        assert.equal(searched.length, 1);
        assert.match(searched[0]?.query.conditions ?? '', /^text contains "; execution [A-Za-z0-9_-]+\."$/);
      },
    );
  });

  test('a refusal that will not pass (403) is final at once, with the text kept', async () => {
    await resetMegan({}, async (toolbox, id, cookie) => {
      toolbox.cw.failNext(/\/service\/tickets\/1001\/notes$/, 403, 1, { method: 'POST' });
      const json = await toolbox.waitForExecution(id, cookie);
      assert.equal((json.note as { status: string }).status, 'failed');
      const page = await (await toolbox.request(`/executions/${id}`, { cookie })).text();
      assert.match(page, /Note text to paste into the ticket/);
      assert.match(page, /Technician Toolbox: Password reset for Megan Bowen/);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(toolbox.cw.state.notes.get(1001)?.length ?? 0, 0);
    });
  });

  test('after the last retry it gives up and says so', async () => {
    await resetMegan({ noteRetryDelaysMs: [20, 20] }, async (toolbox, id, cookie) => {
      toolbox.cw.failNext(/\/service\/tickets\/1001\/notes$/, 503, 10, { method: 'POST' });
      const json = await until(
        async () => (await (await toolbox.request(`/api/executions/${id}`, { cookie })).json()) as Record<string, unknown>,
        (value) => (value.note as { status: string }).status === 'failed',
      );
      assert.equal(json.status, 'succeeded');
      assert.match((json.steps as Step[]).find((s) => s.key === 'ticket-note')!.message, /Gave up after 3 attempts/);
      const page = await (await toolbox.request(`/executions/${id}`, { cookie })).text();
      assert.match(page, /The ticket note could not be written: paste it from below/);
      assert.match(page, /Note text to paste into the ticket/);
      assert.equal(toolbox.cw.state.notes.get(1001)?.length ?? 0, 0);
    });
  });
});
