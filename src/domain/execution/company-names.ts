import type { ExecutionRecord, LaunchRepo } from '../../store/types.js';

/**
 * The PSA company name of each execution, by company id, from what its screen pop read (one
 * store query for the whole page, no PSA call). A re-run has no screen pop of its own: it takes
 * the name another row of the same company brought. A company no row can name stays unnamed.
 */
export async function companyNamesOf(
  launches: Pick<LaunchRepo, 'companyNames'>,
  executions: Pick<ExecutionRecord, 'launchId' | 'companyId'>[],
): Promise<Map<string, string>> {
  const launchIds = executions.map((execution) => execution.launchId).filter((id): id is string => id !== null);
  return launches.companyNames(launchIds);
}
