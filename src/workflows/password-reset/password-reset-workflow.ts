import { ToolboxError } from '../../lib/toolbox-error.js';
import { checkAccountStep } from '../shared/check-account-step.js';
import type { AccountRules, Workflow } from '../types.js';

export type PasswordResetInput = {
  passwordMode: 'generated' | 'passphrase' | 'typed';
  mustChange: boolean;
  revokeSessions: boolean;
};

const ACCOUNT_RULES: AccountRules = {
  privileged: 'The toolbox will refuse to reset this password, and nothing will be changed.',
  synced: (upn) =>
    `${upn} is synchronised from on-premises Active Directory: reset the password in AD (or wait for the AD connector); a cloud reset would be overwritten or refused.`,
};

/**
 * Password reset on Microsoft 365: check the account (synced and privileged accounts are refused
 * before anything is changed), set the new password, then sign the user out everywhere so the
 * old password's sessions end.
 */
export const passwordResetWorkflow: Workflow<PasswordResetInput> = {
  formName: 'password_reset',
  title: 'Password reset',
  secretStepKey: 'reset-password',
  accountRules: ACCOUNT_RULES,
  steps: (input) => [
    checkAccountStep<PasswordResetInput>(ACCOUNT_RULES),
    {
      key: 'reset-password',
      label: 'Set a new password',
      kind: 'change',
      // The password is this execution's sealed one: setting it again sets the same password.
      idempotency: 'repeatable',
      stopOnFailure: true,
      async run({ directory, targetUserId, secret, facts }) {
        if (!secret) {
          throw new ToolboxError({
            code: 'TBX_ERR_SECRET_GONE',
            message: 'The new password is no longer available (it expired before the run started). Submit the form again.',
          });
        }
        await directory.resetPassword(targetUserId, { password: secret, forceChangeNextSignIn: input.mustChange });
        facts.passwordReset = true;
        const kind =
          input.passwordMode === 'typed'
            ? 'typed by the technician'
            : input.passwordMode === 'passphrase'
              ? 'generated passphrase'
              : 'generated';
        return {
          status: 'ok',
          message: `Password set (${kind}); ${input.mustChange ? 'the user must change it at next sign-in' : 'no change required at next sign-in'}.`,
        };
      },
    },
    {
      key: 'revoke-sessions',
      label: 'Sign the user out of all sessions',
      kind: 'change',
      idempotency: 'repeatable',
      stopOnFailure: false,
      async run({ directory, targetUserId }) {
        if (!input.revokeSessions) return { status: 'skipped', message: 'Not requested.' };
        await directory.revokeSessions(targetUserId);
        return { status: 'ok', message: 'Refresh tokens and session cookies revoked; apps ask for the new password within minutes.' };
      },
    },
  ],
};
