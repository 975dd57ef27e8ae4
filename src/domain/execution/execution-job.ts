import { newId } from '../../lib/ids.js';
import type { NewJob } from '../../store/types.js';

export const RUN_EXECUTION_JOB = 'execution.run';

/**
 * The job that runs an execution, handed to the store with the execution itself so both are
 * written in one transaction (see docs/architecture.md, "Recovery"). The unique key keeps it one
 * job per execution whatever retries the request.
 */
export function executionJob(executionId: string, runAt: number): NewJob {
  return {
    id: newId(),
    kind: RUN_EXECUTION_JOB,
    payload: { executionId },
    runAt: new Date(runAt).toISOString(),
    maxAttempts: 3,
    uniqueKey: `execution:${executionId}`,
  };
}
