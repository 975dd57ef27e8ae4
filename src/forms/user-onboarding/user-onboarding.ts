import {
  type UserOnboardingInput,
  userOnboardingInput,
  userOnboardingWorkflow,
} from '../../workflows/user-onboarding/user-onboarding-workflow.js';
import type { ToolboxForm } from '../types.js';
import { userOnboardingForm } from './user-onboarding-form.js';

/** The User Onboarding form, defined once: its 1Stream name and label, its input, its fields, its workflow. */
export const userOnboarding: ToolboxForm<UserOnboardingInput> = {
  name: 'user_onboarding',
  label: 'User Onboarding',
  input: userOnboardingInput,
  form: userOnboardingForm,
  workflow: userOnboardingWorkflow,
};
