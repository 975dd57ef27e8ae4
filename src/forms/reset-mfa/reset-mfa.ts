import { type ResetMfaInput, resetMfaInput, resetMfaWorkflow } from '../../workflows/reset-mfa/reset-mfa-workflow.js';
import type { ToolboxForm } from '../types.js';
import { resetMfaForm } from './reset-mfa-form.js';

/** The Reset MFA form, defined once: its 1Stream name and label, its input, its fields, its workflow. */
export const resetMfa: ToolboxForm<ResetMfaInput> = {
  name: 'reset_mfa',
  label: 'Reset MFA',
  input: resetMfaInput,
  form: resetMfaForm,
  workflow: resetMfaWorkflow,
};
