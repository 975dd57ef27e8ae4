import {
  type PasswordResetInput,
  passwordResetInput,
  passwordResetWorkflow,
} from '../../workflows/password-reset/password-reset-workflow.js';
import type { ToolboxForm } from '../types.js';
import { passwordResetForm } from './password-reset-form.js';

/** The Password Reset form, defined once: its 1Stream name and label, its input, its fields, its workflow. */
export const passwordReset: ToolboxForm<PasswordResetInput> = {
  name: 'password_reset',
  label: 'Password Reset',
  input: passwordResetInput,
  form: passwordResetForm,
  workflow: passwordResetWorkflow,
};
