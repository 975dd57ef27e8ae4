import type { Clock } from '../../lib/clock.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { ExecutionRecord, Store } from '../../store/types.js';

export type SecretReveal =
  | { kind: 'shown'; value: string; label: string }
  | { kind: 'already-shown'; at: string; label: string }
  | { kind: 'expired'; label: string }
  | { kind: 'none' };

/**
 * The one-time secret of a finished execution (a new password, a Temporary Access Pass), for its
 * technician: handed out once (the store removes it in the same step), then only "already shown".
 */
export async function revealSecret(
  deps: { store: Pick<Store, 'executions'>; secretBox: SecretBox; clock: Clock },
  execution: ExecutionRecord,
): Promise<SecretReveal> {
  const label = (execution.inputs.reveal as { label?: string } | null | undefined)?.label;
  if (!label) return { kind: 'none' };
  const finished = execution.status === 'succeeded' || execution.status === 'partial' || execution.status === 'failed';
  if (!finished) return { kind: 'none' };
  if (execution.secretRevealedAt) return { kind: 'already-shown', at: execution.secretRevealedAt, label };
  if (!execution.hasSecret) return { kind: 'expired', label };
  const sealed = await deps.store.executions.takeSecret(execution.id, new Date(deps.clock.now()).toISOString());
  if (!sealed) {
    const again = await deps.store.executions.get(execution.id);
    return again?.secretRevealedAt ? { kind: 'already-shown', at: again.secretRevealedAt, label } : { kind: 'expired', label };
  }
  return { kind: 'shown', value: deps.secretBox.open(sealed, execution.id), label };
}
