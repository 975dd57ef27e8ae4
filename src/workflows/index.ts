import { groupMembershipWorkflow } from './group-membership/group-membership-workflow.js';
import { passwordResetWorkflow } from './password-reset/password-reset-workflow.js';
import { resetMfaWorkflow } from './reset-mfa/reset-mfa-workflow.js';
import type { Workflow } from './types.js';
import { userOffboardingWorkflow } from './user-offboarding/user-offboarding-workflow.js';
import { userOnboardingWorkflow } from './user-onboarding/user-onboarding-workflow.js';

/** Every workflow, by the form it serves. Add a workflow: one folder and one line here. */
export const workflows: Record<string, Workflow<never>> = {
  password_reset: passwordResetWorkflow as Workflow<never>,
  reset_mfa: resetMfaWorkflow as Workflow<never>,
  group_membership: groupMembershipWorkflow as Workflow<never>,
  user_offboarding: userOffboardingWorkflow as Workflow<never>,
  user_onboarding: userOnboardingWorkflow as Workflow<never>,
};
