import type { z } from 'zod';
import { groupMembershipForm } from './group-membership/group-membership-form.js';
import { passwordResetForm } from './password-reset/password-reset-form.js';
import { resetMfaForm } from './reset-mfa/reset-mfa-form.js';
import type { FormDefinition } from './types.js';
import { userOffboardingForm } from './user-offboarding/user-offboarding-form.js';
import { userOnboardingForm } from './user-onboarding/user-onboarding-form.js';

/** Every form this build can run. Add a form: one folder and one line here (and its workflow). */
export const forms: Record<string, FormDefinition<unknown>> = {
  password_reset: passwordResetForm as FormDefinition<unknown>,
  reset_mfa: resetMfaForm as FormDefinition<unknown>,
  group_membership: groupMembershipForm as FormDefinition<unknown>,
  user_offboarding: userOffboardingForm as FormDefinition<unknown>,
  user_onboarding: userOnboardingForm as FormDefinition<unknown>,
};

/** Each form's schema for per-customer defaults, for the configuration loader. */
export const formDefaultsSchemas: Record<string, z.ZodType<unknown>> = Object.fromEntries(
  Object.values(forms).flatMap((form) => (form.defaultsSchema ? [[form.name, form.defaultsSchema]] : [])),
);
