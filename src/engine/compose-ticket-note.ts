import type { ExecutionRecord, StepRecord } from '../store/types.js';

const STATUS_WORD: Record<string, string> = {
  ok: 'OK',
  warning: 'WARNING',
  failed: 'FAILED',
  skipped: 'SKIPPED',
  pending: 'NOT RUN',
  running: 'INTERRUPTED',
  unknown: 'OUTCOME NOT KNOWN',
};

const OUTCOME: Record<string, string> = {
  succeeded: 'succeeded',
  partial: 'partly succeeded',
  failed: 'failed',
  running: 'was interrupted',
  queued: 'did not start',
};

/**
 * The text that names a note's own execution, and nothing else: it ends the note's "Run by" line.
 * A re-run's note names the run it repeats too ("…as a re-run of execution W; execution X."), so
 * "execution W" alone would take that note for W's and W's own note would never be written; the
 * separator before and the full stop after make the match exact, since ids (base64url) hold
 * neither. Notes written before this form existed end the line the same way.
 */
export const noteMarker = (executionId: string) => `; execution ${executionId}.`;

/**
 * The internal note written on the ticket: a summary line, then each step with its result. It
 * is built only from step messages and record fields, which never hold a password or token.
 */
/** How the note says where a run was started when it was not a screen pop. */
const LAUNCHED_FROM: Record<string, string> = { pod: 'from the toolbox pod of this ticket', launcher: 'from this ticket' };

export function composeTicketNote(options: {
  execution: ExecutionRecord;
  steps: StepRecord[];
  title: string;
  /** The run's status, the same the execution page shows. */
  status: string;
  /** Whether the step that makes the one-time secret real succeeded (the password was set). */
  secretSet: boolean;
  technicianName: string;
  executionUrl: string;
}): string[] {
  const { execution, steps } = options;
  const lines = [
    `Technician Toolbox: ${options.title} for ${execution.targetDisplay} ${OUTCOME[options.status] ?? options.status}.`,
    `Run by ${options.technicianName} (${execution.technicianEmail}) ${
      typeof execution.inputs.rerunOf === 'string'
        ? `again, as a re-run of execution ${execution.inputs.rerunOf}`
        : (LAUNCHED_FROM[String(execution.inputs.via)] ?? 'from a screen pop')
    }${noteMarker(execution.id)}`,
  ];
  steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${step.label}: ${STATUS_WORD[step.status] ?? step.status}${step.message ? ` - ${step.message}` : ''}`);
  });
  const reveal = execution.inputs.reveal as { label?: string } | null | undefined;
  // Only a secret that took effect is mentioned: a refused reset set no password to show.
  if (reveal?.label && options.secretSet) {
    lines.push(`The ${reveal.label.toLowerCase()} was shown once to the technician and is not recorded anywhere.`);
  }
  lines.push(`Details: ${options.executionUrl}`);
  return lines;
}
