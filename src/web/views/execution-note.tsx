import type { ExecutionRecord } from '../../store/types.js';

/**
 * The internal note of an execution, as composed for the ticket: written, waiting for a retry, or
 * given up on (then to paste by hand). The page is only for the technician who ran it and for
 * admins; the note never holds a secret (compose-ticket-note.ts).
 */
export function ExecutionNote({ execution }: { execution: ExecutionRecord }) {
  if (!execution.noteText) return null;
  const ticket = execution.ticketId ? `ticket #${execution.ticketId}` : 'the ticket';
  const title =
    execution.noteStatus === 'failed'
      ? 'Note text to paste into the ticket'
      : execution.noteStatus === 'pending'
        ? `Internal note waiting to be written on ${ticket}`
        : `Internal note written on ${ticket}`;
  return (
    <section class="card" aria-labelledby="execution-note-title">
      <h2 id="execution-note-title">{title}</h2>
      <pre class="note">{execution.noteText}</pre>
    </section>
  );
}
