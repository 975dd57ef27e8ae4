import {
  type UserOffboardingInput,
  userOffboardingInput,
  userOffboardingWorkflow,
} from '../../workflows/user-offboarding/user-offboarding-workflow.js';
import type { ToolboxForm } from '../types.js';
import { userOffboardingForm } from './user-offboarding-form.js';

/** The User Offboarding form, defined once: its 1Stream name and label, its input, its fields, its workflow. */
export const userOffboarding: ToolboxForm<UserOffboardingInput> = {
  name: 'user_offboarding',
  label: 'User Offboarding',
  input: userOffboardingInput,
  form: userOffboardingForm,
  workflow: userOffboardingWorkflow,
};
