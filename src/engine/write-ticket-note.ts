import { PSA_AUTHOR_REFUSED } from '../connectors/psa/author-refused.js';
import { psaWordsOf } from '../connectors/psa/psa-words.js';
import type { PsaAuthor, PsaClient, PsaConnectorRegistry, PsaWords } from '../connectors/psa/types.js';
import type { JobLease, JobQueue } from '../jobs/types.js';
import type { Clock } from '../lib/clock.js';
import { crashPoint } from '../lib/crash-point.js';
import type { Logger } from '../lib/logger.js';
import { isToolboxError } from '../lib/toolbox-error.js';
import { LeaseLostError, type Store } from '../store/types.js';
import { noteMarker } from './compose-ticket-note.js';

export const RETRY_TICKET_NOTE_JOB = 'ticket-note.retry';

/** Waits before each retry of a note that the PSA did not take: about 3 hours in all. */
export const DEFAULT_NOTE_RETRY_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 30 * 60_000, 2 * 3_600_000];

export type WriteTicketNoteDeps = {
  store: Store;
  /** The PSA client in force. */
  psa: PsaClient;
  /**
   * The kind of the PSA connected now (null: none), read at each attempt. A note is sent only to
   * the PSA its execution's screen pop came from: after a switch of PSA its ticket id would name
   * another ticket, so the note goes nowhere and the execution says why.
   */
  psaKind: () => string | null;
  /** Every PSA connector, for the PSAs' own words in the messages. */
  psaConnectors: PsaConnectorRegistry;
  jobQueue: JobQueue;
  clock: Clock;
  logger: Logger;
  noteRetryDelaysMs?: number[];
  /**
   * The PSA technician a toolbox user's notes are attributed to (the technician mapping), if any.
   * Read at each attempt, so a mapping changed while a note waits for its retry is used.
   */
  authorFor?: (userId: string) => PsaAuthor | undefined;
};

const iso = (clock: Clock) => new Date(clock.now()).toISOString();
const upstreamCode = (error: unknown) =>
  isToolboxError(error) && error.upstream ? [error.upstream.status, error.upstream.code].filter(Boolean).join(' ') || null : null;

/**
 * One attempt at the ticket note of an execution. A PSA note has no idempotency key, so a note is
 * never re-sent blindly: when an attempt fails in a way that may pass (timeout, 429, 5xx, network),
 * a later job first looks on the ticket for a note carrying this execution's id, and writes again
 * only if there is none. Until then the note is `pending` and the step says when the next try is;
 * after the last try it is `failed`, with the text kept on the page for pasting by hand.
 */
export async function attemptTicketNote(
  deps: WriteTicketNoteDeps,
  executionId: string,
  noteSeq: number,
  lines: string[],
  attempt: number,
  lease?: JobLease,
  /** Whether the note step was already started by an earlier run; read from the store when not given. */
  startedBefore?: boolean,
): Promise<void> {
  const { store, clock } = deps;
  const execution = await store.executions.get(executionId);
  if (!execution?.ticketId) return;
  const ticketId = execution.ticketId;
  const started = clock.now();
  const text = lines.join('\n');
  const words = psaWordsOf(deps.psaConnectors, execution.psaKind);
  const inForce = deps.psaKind();
  if (execution.psaKind !== inForce) {
    // Nothing is sent: this ticket id means another ticket (or nothing) in the PSA connected now.
    const now = inForce
      ? `the toolbox is now connected to ${psaWordsOf(deps.psaConnectors, inForce).name}`
      : 'the toolbox is no longer connected to a PSA';
    const message =
      `Not written: ${words.ticket.one} #${ticketId} is in ${words.name}, and ${now}, so the note has nowhere to go ` +
      `(it was not sent, to avoid writing it on another ${words.ticket.one}). Paste it into the ${words.ticket.one} in ${words.name} yourself.`;
    deps.logger.warn({ executionId, ticketPsa: execution.psaKind, psaInForce: inForce }, 'ticket note not sent: the PSA was switched');
    await store.executions.updateStep(
      executionId,
      noteSeq,
      { status: 'skipped', message, upstreamCode: null, startedAt: iso(clock), finishedAt: iso(clock), durationMs: 0 },
      lease,
    );
    await store.executions.setNote(executionId, { status: 'failed', text, error: message });
    return;
  }
  // A note step that already started was attempted by a run that stopped (killed, taken over)
  // before it recorded the outcome: the PSA may have the note, so the ticket is read first.
  const attemptedBefore =
    attempt > 1 ||
    (startedBefore ?? (await store.executions.steps(executionId)).find((step) => step.seq === noteSeq)?.status !== 'pending');
  // Recorded before anything is sent (and fenced): "attempting" is what a recovered run sees.
  await store.executions.updateStep(executionId, noteSeq, { status: 'running', startedAt: new Date(started).toISOString() }, lease);
  try {
    // Only a note that may have been sent before can be on the ticket; a first attempt looks for
    // nothing. Every note names its execution (`noteMarker`): the retry looks for exactly that.
    const existing = attemptedBefore ? await deps.psa.findTicketNote(ticketId, noteMarker(executionId)) : null;
    const written = existing
      ? { note: existing, attribution: '' }
      : await addNoteAsTechnician(deps, executionId, ticketId, lines, deps.authorFor?.(execution.technicianUserId), words);
    if (!existing) crashPoint('note:after-send');
    const note = written.note;
    await store.executions.setNote(executionId, { status: 'written', text, error: null });
    await store.executions.updateStep(executionId, noteSeq, {
      status: 'ok',
      message: existing
        ? `Internal note ${note.id} is on ${words.ticket.one} #${ticketId}: an earlier attempt had reached ${words.name} after all.`
        : `Internal note ${note.id} added to ${words.ticket.one} #${ticketId}${attempt > 1 ? ` (attempt ${attempt})` : ''}${written.attribution}.`,
      upstreamCode: null,
      finishedAt: iso(clock),
      durationMs: clock.now() - started,
    });
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    const message = isToolboxError(error) ? error.message : 'The note could not be written; the details are in the service log.';
    const delays = deps.noteRetryDelaysMs ?? DEFAULT_NOTE_RETRY_DELAYS_MS;
    const delay = delays[attempt - 1];
    const retry = isToolboxError(error) && error.retryable && delay !== undefined;
    if (!isToolboxError(error)) deps.logger.error({ err: error, executionId }, 'ticket note failed unexpectedly');
    if (retry) {
      const runAt = clock.now() + delay;
      await store.executions.setNote(executionId, { status: 'pending', text, error: message });
      await store.executions.updateStep(executionId, noteSeq, {
        status: 'failed',
        message: `${message} The toolbox checks the ticket and tries again at ${new Date(runAt).toISOString().slice(11, 16)} UTC (attempt ${attempt + 1} of ${delays.length + 1}); the note will not be written twice.`,
        upstreamCode: upstreamCode(error),
        finishedAt: iso(clock),
        durationMs: clock.now() - started,
      });
      await deps.jobQueue.enqueue(
        RETRY_TICKET_NOTE_JOB,
        { executionId, noteSeq, attempt: attempt + 1 },
        { runAt, uniqueKey: `note:${executionId}:${attempt + 1}`, maxAttempts: 1 },
      );
      return;
    }
    await store.executions.setNote(executionId, { status: 'failed', text, error: message });
    await store.executions.updateStep(executionId, noteSeq, {
      status: 'failed',
      message: `${message}${attempt > 1 ? ` Gave up after ${attempt} attempts.` : ''} The note text is kept on this page so you can paste it into the ticket.`,
      upstreamCode: upstreamCode(error),
      finishedAt: iso(clock),
      durationMs: clock.now() - started,
    });
  }
}

/**
 * The connector's word that the PSA refused the note's author and saved nothing (whatever status
 * the PSA answered with): only then is writing it again without the author safe. Timeouts and
 * failures that may have landed go through the usual look-before-retry path instead.
 */
const refusedAuthor = (error: unknown) => isToolboxError(error) && error.code === PSA_AUTHOR_REFUSED;

/**
 * Adds the note as the technician's PSA member when they are mapped to one. If the PSA refuses
 * that member (unknown, inactive, not allowed), the note is written once more without it: the
 * note matters more than who it shows as, and the first answer proves nothing was saved.
 */
async function addNoteAsTechnician(
  deps: WriteTicketNoteDeps,
  executionId: string,
  ticketId: string,
  lines: string[],
  author: PsaAuthor | undefined,
  /** The PSA's words: its name, and its word for a technician ("member", "resource", "agent"). */
  words: PsaWords,
): Promise<{ note: { id: string }; attribution: string }> {
  const memberWord = words.member.one;
  if (!author) return { note: await deps.psa.addTicketNote(ticketId, { lines, visibility: 'internal' }), attribution: '' };
  try {
    const note = await deps.psa.addTicketNote(ticketId, { lines, visibility: 'internal', author });
    return { note, attribution: ` as ${memberWord} ${author.display}` };
  } catch (error) {
    if (!refusedAuthor(error)) throw error;
    deps.logger.warn(
      { executionId, ticketId, author: author.display, err: isToolboxError(error) ? error.toLog() : undefined },
      'the PSA refused to attribute the ticket note to the technician’s member; writing it once more without the member',
    );
    const note = await deps.psa.addTicketNote(ticketId, { lines, visibility: 'internal' });
    return {
      note,
      attribution: ` by the API ${memberWord}: ${words.name} refused ${memberWord} ${author.display} (${upstreamCode(error) ?? (error as { code: string }).code}), so check the technician mapping`,
    };
  }
}

/**
 * The job behind a scheduled retry: the same attempt. The execution's status stays as it is: the
 * note is bookkeeping, so writing it late changes nothing about what happened to the account.
 */
export async function retryTicketNote(
  deps: WriteTicketNoteDeps,
  payload: { executionId: string; noteSeq: number; attempt: number },
  lease?: JobLease,
): Promise<void> {
  const execution = await deps.store.executions.get(payload.executionId);
  if (execution?.noteStatus !== 'pending' || !execution.noteText) return;
  await attemptTicketNote(deps, payload.executionId, payload.noteSeq, execution.noteText.split('\n'), payload.attempt, lease);
}
