import type { SecretReveal } from '../../domain/execution/reveal-secret.js';
import type { TicketLink } from '../../domain/execution/ticket-link.js';
import type { ExecutionRecord, StepRecord } from '../../store/types.js';
import { ExecutionNote } from './execution-note.js';
import { ScheduledFor } from './scheduled-for.js';

const STATUS_LABEL: Record<string, string> = {
  pending: 'waiting',
  running: 'running',
  ok: 'done',
  warning: 'warning',
  failed: 'failed',
  skipped: 'skipped',
  unknown: 'not known',
  queued: 'queued',
  succeeded: 'succeeded',
  partial: 'partly done',
};

export const isFinished = (execution: ExecutionRecord) =>
  execution.status === 'succeeded' || execution.status === 'partial' || execution.status === 'failed';

/**
 * The status in words. The status counts only what happened to the account (engine/overall-status.ts);
 * the ticket note is said apart, so a note still waiting does not read as a change that failed.
 */
function FinishedText({ execution }: { execution: ExecutionRecord }) {
  const note =
    execution.noteStatus === 'pending'
      ? ' The ticket note is not written yet: the toolbox tries again (below).'
      : execution.noteStatus === 'failed'
        ? ' The ticket note could not be written: paste it from below.'
        : '';
  if (execution.status === 'succeeded') return <>All steps finished.{note}</>;
  if (execution.status === 'partial') return <>Some changes were made and others failed: see the steps below.{note}</>;
  return <>Nothing was changed: see the steps below for why.{note}</>;
}

/**
 * The live part of the execution page: status, steps, the one-time password, the note. The page
 * polls it (app.js) until the execution is finished; `data-done` tells the script to stop.
 */
export function ExecutionProgress(props: {
  execution: ExecutionRecord;
  steps: StepRecord[];
  secret: SecretReveal;
  /** The ticket in its PSA (the link only while that PSA is the one connected). */
  ticket: TicketLink;
}) {
  const { execution, steps, secret } = props;
  const done = isFinished(execution);
  const scheduled = (execution.inputs.form as { scheduledFor?: { at: string; timeZone: string } | null } | undefined)?.scheduledFor;
  const waiting = execution.status === 'queued' && scheduled ? scheduled : null;
  return (
    <div id="progress" data-poll={done ? undefined : `/executions/${execution.id}/progress`} data-done={done ? 'true' : undefined}>
      <p class={`status status-${execution.status}`} role="status" aria-live="polite">
        <span class="badge">{STATUS_LABEL[execution.status] ?? execution.status}</span>{' '}
        {done ? (
          <FinishedText execution={execution} />
        ) : waiting ? (
          <ScheduledFor at={waiting.at} timeZone={waiting.timeZone} />
        ) : (
          'Working…'
        )}
      </p>
      {execution.errorMessage ? (
        <p class="error" role="alert">
          {execution.errorMessage}
        </p>
      ) : null}
      <ol class="steps">
        {steps.map((step) => (
          <li class={`step step-${step.status}`}>
            <span class="badge">{STATUS_LABEL[step.status] ?? step.status}</span> <strong>{step.label}</strong>
            {step.durationMs !== null ? <small class="muted"> {step.durationMs} ms</small> : null}
            {step.message ? <div class="step-message">{step.message}</div> : null}
            {step.upstreamCode ? <small class="muted code">code: {step.upstreamCode}</small> : null}
          </li>
        ))}
      </ol>
      {secret.kind === 'shown' ? (
        <section class="secret" aria-label={secret.label}>
          <h2>{secret.label}</h2>
          <p>
            Shown <strong>once</strong>: copy it now and give it to the user. It is not stored, logged or written to the ticket.
          </p>
          <div class="row">
            <input
              id="one-time-secret"
              class="secret-value"
              type="text"
              readonly
              value={secret.value}
              aria-label={secret.label}
              autocomplete="off"
              spellcheck={false}
            />
            <button type="button" data-copy="one-time-secret">
              Copy
            </button>
          </div>
        </section>
      ) : null}
      {secret.kind === 'already-shown' ? (
        <p class="muted">
          The {secret.label.toLowerCase()} was shown at {secret.at.slice(11, 19)} UTC and cannot be shown again. If it was lost, run the
          form again.
        </p>
      ) : null}
      {secret.kind === 'expired' ? (
        <p class="muted">
          The {secret.label.toLowerCase()} was not viewed in time and has been destroyed. If it is needed, run the form again.
        </p>
      ) : null}
      {secret.kind === 'not-set' ? (
        <p class="muted">
          No {secret.label.toLowerCase()} was set: “{secret.stepLabel}” did not succeed, so there is nothing to show.
        </p>
      ) : null}
      {done ? <ExecutionNote execution={execution} /> : null}
      {done && props.ticket.url ? (
        <p>
          <a href={props.ticket.url} target="_blank" rel="noopener noreferrer">
            Open {props.ticket.words.ticket.one} #{execution.ticketId} in {props.ticket.words.name}
          </a>
        </p>
      ) : null}
      {execution.ticketId && !props.ticket.inForce ? (
        <p class="muted">
          This {props.ticket.words.ticket.one} is in {props.ticket.words.name}, which is not the PSA the toolbox is connected to now.
        </p>
      ) : null}
    </div>
  );
}
