import type { ExecutionStatus, StepStatus } from '../store/types.js';

/**
 * One step as the status rule sees it. `bookkeeping` is the engine's own work (the ticket note):
 * it says what happened, it is not something that happened to the account.
 */
export type StatusStep = {
  status: StepStatus;
  kind: 'check' | 'change' | 'bookkeeping';
  /**
   * Whether this step changed the account. Unset, an ok or warning change step counts as one (a
   * step that found nothing to do says `changed: false`); a failed or skipped one does not.
   */
  changed?: boolean | undefined;
};

// An unknown outcome may be a change: it counts as one, and as a failure (nobody knows it worked).
const changedSomething = (step: StatusStep) =>
  step.kind === 'change' && (step.status === 'unknown' || (step.changed ?? (step.status === 'ok' || step.status === 'warning')));

/**
 * The status of a finished run, from what happened to the account:
 * - `succeeded`: no check and no change failed (the note does not count either way);
 * - `partial`: something failed (or its outcome is unknown), and at least one change was made
 *   (an unknown outcome counts as possibly one);
 * - `failed`: something failed and nothing was changed (refused by the account check, or the
 *   first write failed).
 */
export function overallStatus(steps: StatusStep[]): ExecutionStatus {
  const counted = steps.filter((step) => step.kind !== 'bookkeeping');
  if (!counted.some((step) => step.status === 'failed' || step.status === 'unknown')) return 'succeeded';
  return counted.some(changedSomething) ? 'partial' : 'failed';
}
