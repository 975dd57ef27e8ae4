import { NOT_SYNCED_YET_CODE } from '../../connectors/directory/hybrid/hybrid-directory.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { StepOutcome } from '../types.js';

/**
 * Runs a Microsoft 365 step for an account that may exist in on-prem AD only so far: a hybrid
 * company's new user is created in AD and reaches Microsoft 365 with the next directory sync. Until
 * then its licences, manager or profile cannot be set there; the step then says so and what to do,
 * as a warning that changed nothing, instead of failing the onboarding that did create the account.
 */
export async function untilSynced(run: () => Promise<StepOutcome>): Promise<StepOutcome> {
  try {
    return await run();
  } catch (error) {
    if (isToolboxError(error) && error.code === NOT_SYNCED_YET_CODE)
      return { status: 'warning', message: `Not done: ${error.message}`, changed: false };
    throw error;
  }
}
