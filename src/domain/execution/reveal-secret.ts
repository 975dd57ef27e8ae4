import type { Clock } from '../../lib/clock.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { ExecutionRecord, StepRecord, Store } from '../../store/types.js';

export type SecretReveal =
  | { kind: 'shown'; value: string; label: string }
  | { kind: 'already-shown'; at: string; label: string }
  | { kind: 'expired'; label: string }
  /** The step that makes the secret real did not succeed: no password was set, no pass issued. */
  | { kind: 'not-set'; label: string; stepLabel: string }
  | { kind: 'none' };

/**
 * The one-time secret of a finished execution (a new password, a Temporary Access Pass), for its
 * technician: handed out once (the store removes it in the same step), then only "already shown".
 * A secret whose step did not succeed is never spoken of as shown or expired: it never existed
 * for the user, and the page says so.
 */
export async function revealSecret(
  deps: { store: Pick<Store, 'executions'>; secretBox: SecretBox; clock: Clock },
  execution: ExecutionRecord,
  run: { steps: StepRecord[]; secretStepKey: string | undefined },
): Promise<SecretReveal> {
  const label = (execution.inputs.reveal as { label?: string } | null | undefined)?.label;
  if (!label) return { kind: 'none' };
  const finished = execution.status === 'succeeded' || execution.status === 'partial' || execution.status === 'failed';
  if (!finished) return { kind: 'none' };
  const secretStep = run.steps.find((step) => step.key === run.secretStepKey);
  if (secretStep?.status !== 'ok') return { kind: 'not-set', label, stepLabel: secretStep?.label ?? 'the change' };
  if (execution.secretRevealedAt) return { kind: 'already-shown', at: execution.secretRevealedAt, label };
  if (!execution.hasSecret) return { kind: 'expired', label };
  const sealed = await deps.store.executions.takeSecret(execution.id, new Date(deps.clock.now()).toISOString());
  if (!sealed) {
    const again = await deps.store.executions.get(execution.id);
    return again?.secretRevealedAt ? { kind: 'already-shown', at: again.secretRevealedAt, label } : { kind: 'expired', label };
  }
  return { kind: 'shown', value: deps.secretBox.open(sealed, execution.id), label };
}
