import type { ExecutionStatus, StepRecord } from '../store/types.js';

/** Ok, warning and skipped count as done; a failed step makes the run partial or failed. */
export function overallStatus(steps: Pick<StepRecord, 'status'>[]): ExecutionStatus {
  const failed = steps.filter((s) => s.status === 'failed').length;
  const succeeded = steps.filter((s) => s.status === 'ok' || s.status === 'warning').length;
  if (failed === 0) return 'succeeded';
  return succeeded > 0 ? 'partial' : 'failed';
}
