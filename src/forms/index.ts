import { createFormRegistry } from './form-registry.js';
import { groupMembership } from './group-membership/group-membership.js';
import { passwordReset } from './password-reset/password-reset.js';
import { resetMfa } from './reset-mfa/reset-mfa.js';
import { registerable } from './types.js';
import { userOffboarding } from './user-offboarding/user-offboarding.js';
import { userOnboarding } from './user-onboarding/user-onboarding.js';

/**
 * Every form this build can run, in the order lists show them (1Stream's toolbox order). Add a
 * form: one folder (its `ToolboxForm`, form and workflow) and one line here.
 */
export const builtInForms = createFormRegistry([
  registerable(passwordReset),
  registerable(userOnboarding),
  registerable(userOffboarding),
  registerable(resetMfa),
  registerable(groupMembership),
]);
