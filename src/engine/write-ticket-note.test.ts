import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AutotaskSetup, startAutotask } from '../../test/helpers/autotask-sim.js';
import { psaConnectors } from '../connectors/psa/index.js';
import type { PsaAuthor } from '../connectors/psa/types.js';
import type { JobQueue } from '../jobs/types.js';
import { createSilentLogger } from '../lib/logger.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { composeTicketNote, noteMarker } from './compose-ticket-note.js';
import { attemptTicketNote, type WriteTicketNoteDeps } from './write-ticket-note.js';

const T0 = '2026-01-01T00:00:00.000Z';
const BAILEY: PsaAuthor = { id: '151', display: 'bkim' };
type Step = { status: string; message: string | null };

/**
 * The ticket note step against Autotask over HTTP: Autotask refuses an impersonated resource with
 * HTTP 500 and its validation errors, not the 400 other PSAs use, so this proves the engine keys on
 * the connector's neutral author refusal rather than on a status.
 */
describe('the ticket note on Autotask, written as the technician’s resource', () => {
  let store: Store;
  let autotask: AutotaskSetup;
  const enqueued: { kind: string; payload: unknown }[] = [];
  const jobQueue = {
    enqueue: async (kind: string, payload: unknown) => {
      enqueued.push({ kind, payload });
      return { id: `job-${enqueued.length}`, created: true };
    },
  } as unknown as JobQueue;

  before(async () => {
    store = openStore({ kind: 'sqlite', path: ':memory:' });
    await store.migrate();
  });
  after(async () => {
    await store.close();
  });

  function createExecution(executionId: string, inputs: Record<string, unknown> = {}) {
    return store.executions.createOnce(
      {
        id: executionId,
        launchId: null,
        psaKind: 'autotask',
        formName: 'password_reset',
        technicianUserId: 'u1',
        technicianEmail: 'bailey@northwind-it.example',
        ticketId: '1001',
        companyId: '250',
        contactId: '301',
        directoryId: 'contoso',
        targetUserId: 'user-1',
        targetDisplay: 'Megan Bowen',
        inputs,
        secretSealed: null,
        secretExpiresAt: null,
        steps: [{ key: 'ticket-note', label: 'Add an internal note to the ticket' }],
      },
      T0,
    );
  }

  /** A fresh simulator, an execution on ticket 1001, and the note step's dependencies. */
  async function run(executionId: string, author: PsaAuthor | undefined) {
    autotask = await startAutotask();
    try {
      await createExecution(executionId);
      const deps: WriteTicketNoteDeps = {
        store,
        psa: autotask.client,
        psaKind: () => 'autotask',
        psaConnectors,
        jobQueue,
        clock: autotask.clock,
        logger: createSilentLogger(),
        noteRetryDelaysMs: [30_000],
        authorFor: () => author,
      };
      return {
        deps,
        lines: [
          'Technician Toolbox: Password reset for Megan Bowen succeeded.',
          `Run by Bailey Kim from a screen pop${noteMarker(executionId)}`,
        ],
      };
    } catch (error) {
      await autotask.close();
      throw error;
    }
  }

  const noteStep = async (executionId: string) => (await store.executions.steps(executionId))[0] as Step;
  const notePosts = () => autotask.requests('POST', 'Tickets/1001/Notes');

  test('a resource Autotask refuses (500, inactive): the note is written once, as the API user, and the step says why', async () => {
    const { deps, lines } = await run('ex-refused', BAILEY);
    try {
      const bailey = autotask.sim.state.resources.get(151);
      if (bailey) bailey.isActive = false;
      await attemptTicketNote(deps, 'ex-refused', 1, lines, 1);

      const step = await noteStep('ex-refused');
      assert.equal(step.status, 'ok');
      assert.match(
        step.message ?? '',
        /^Internal note \d+ added to ticket #1001 by the API resource: Autotask refused resource bkim \(500\)/,
      );
      assert.equal((await store.executions.get('ex-refused'))?.noteStatus, 'written');
      assert.deepEqual(
        notePosts().map((post) => [post.status, post.headers.impersonationresourceid ?? null]),
        [
          [500, '151'],
          [200, null],
        ],
      );
      const notes = [...autotask.sim.state.ticketNotes.values()];
      assert.equal(notes.length, 1, 'the note was lost or written twice');
      assert.equal(notes[0]?.impersonatorCreatorResourceID, null, 'the note is the API user’s own');
      assert.deepEqual(enqueued, []);
    } finally {
      await autotask.close();
    }
  });

  test('a security level that does not allow impersonation: the same, once', async () => {
    const { deps, lines } = await run('ex-no-impersonation', BAILEY);
    try {
      autotask.sim.state.apiUser.impersonationAllowed = false;
      await attemptTicketNote(deps, 'ex-no-impersonation', 1, lines, 1);
      assert.equal((await noteStep('ex-no-impersonation')).status, 'ok');
      assert.equal(notePosts().length, 2);
      assert.equal(autotask.sim.state.ticketNotes.size, 1);
    } finally {
      await autotask.close();
    }
  });

  test('a server fault while impersonating is no refusal: nothing is written again at once, the retry is scheduled', async () => {
    const { deps, lines } = await run('ex-fault', BAILEY);
    try {
      autotask.sim.failNext('Tickets/1001/Notes', 503, 1, { method: 'POST', body: {} });
      await attemptTicketNote(deps, 'ex-fault', 1, lines, 1);
      const step = await noteStep('ex-fault');
      assert.equal(step.status, 'failed');
      assert.match(step.message ?? '', /tries again at/);
      assert.equal(notePosts().length, 1, 'a note that may have landed was sent again');
      assert.equal((await store.executions.get('ex-fault'))?.noteStatus, 'pending');
      assert.equal(enqueued.length, 1);
    } finally {
      await autotask.close();
    }
  });

  test('a re-run’s note names the run it repeats, and is still not taken for that run’s note', async () => {
    const { deps } = await run('ex-original', undefined);
    try {
      // The re-run's note is on the ticket; the original's first attempt never reached Autotask.
      await createExecution('ex-rerun', { rerunOf: 'ex-original' });
      const noteOf = async (id: string) =>
        composeTicketNote({
          execution: (await store.executions.get(id))!,
          steps: await store.executions.steps(id),
          title: 'Password reset',
          status: 'succeeded',
          secretSet: false,
          technicianName: 'Bailey Kim',
          executionUrl: `https://toolbox.example/executions/${id}`,
        });
      const rerunLines = await noteOf('ex-rerun');
      assert.match(rerunLines.join('\n'), /a re-run of execution ex-original; execution ex-rerun\./);
      await attemptTicketNote(deps, 'ex-rerun', 1, rerunLines, 1);
      assert.equal(autotask.sim.state.ticketNotes.size, 1);

      // The original's retry looks before writing, and must not find the re-run's note.
      await attemptTicketNote(deps, 'ex-original', 1, await noteOf('ex-original'), 2);
      const step = await noteStep('ex-original');
      assert.match(step.message ?? '', /^Internal note \d+ added to ticket #1001 \(attempt 2\)\.$/);
      assert.equal(autotask.sim.state.ticketNotes.size, 2, 'the original’s note was never written');
      // And its own note is found by a later look, exactly once.
      assert.notEqual(await autotask.client.findTicketNote('1001', noteMarker('ex-original')), null);
      assert.deepEqual(
        [...autotask.sim.state.ticketNotes.values()].map((note) => (String(note.description).match(/; execution [\w-]+\./g) ?? []).length),
        [1, 1],
      );
    } finally {
      await autotask.close();
    }
  });
});
