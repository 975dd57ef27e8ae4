import { z } from 'zod';
import { requirePart } from '../../connectors/directory/directory-capabilities.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import { checkAccountStep } from '../shared/check-account-step.js';
import type { AccountRules, Workflow } from '../types.js';

/** What the password reset runs with (its form's `parse` makes it; stored with the execution). */
export const passwordResetInput = z.object({
  passwordMode: z.enum(['generated', 'passphrase', 'typed']),
  mustChange: z.boolean(),
  revokeSessions: z.boolean(),
  /** Lift a lockout as well; set only where the directory has lockouts (AD), so elsewhere the input is as before. */
  unlock: z.boolean().optional(),
});
export type PasswordResetInput = z.infer<typeof passwordResetInput>;

const ACCOUNT_RULES: AccountRules = {
  privileged: 'The toolbox will refuse to reset this password, and nothing will be changed.',
  synced: (upn) =>
    `${upn} is synchronised from on-premises Active Directory, and no AD directory of this company reaches its account: reset the password in AD, or connect the customer's AD to the toolbox and map it to this company too (docs/active-directory.md). A cloud reset would be refused or overwritten.`,
};

/**
 * Password reset: check the account (synced and privileged accounts are refused before anything
 * is changed), set the new password, lift a lockout where the directory has them, then sign the
 * user out everywhere where it can, so the old password's sessions end.
 */
export const passwordResetWorkflow: Workflow<PasswordResetInput> = {
  title: 'Password reset',
  secretStepKey: 'reset-password',
  accountRules: ACCOUNT_RULES,
  steps: [
    checkAccountStep<PasswordResetInput>(ACCOUNT_RULES),
    {
      key: 'reset-password',
      label: 'Set a new password',
      kind: 'change',
      needs: ['resetPassword'],
      // The password is this execution's sealed one: setting it again sets the same password.
      idempotency: 'repeatable',
      stopOnFailure: true,
      async run({ input, directory, targetUserId, secret, facts }) {
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
      key: 'unlock',
      label: 'Unlock the account',
      kind: 'change',
      needs: ['unlock'],
      optional: 'unlocking the account',
      // Unlocking an unlocked account changes nothing.
      idempotency: 'repeatable',
      stopOnFailure: false,
      async run({ input, directory, targetUserId, interrupted }) {
        if (!input.unlock) return { status: 'skipped', message: 'Not requested.' };
        const result = await requirePart(directory, 'unlock').unlockAccount(targetUserId);
        if (result === 'unlocked' || interrupted) return { status: 'ok', message: 'Unlocked: the user can sign in again at once.' };
        return { status: 'ok', message: 'The account was not locked.', changed: false };
      },
    },
    {
      key: 'revoke-sessions',
      label: 'Sign the user out of all sessions',
      kind: 'change',
      needs: ['sessions'],
      optional: 'signing the user out of all sessions',
      idempotency: 'repeatable',
      stopOnFailure: false,
      async run({ input, directory, targetUserId }) {
        if (!input.revokeSessions) return { status: 'skipped', message: 'Not requested.' };
        await requirePart(directory, 'sessions').revokeSessions(targetUserId);
        return { status: 'ok', message: 'Refresh tokens and session cookies revoked; apps ask for the new password within minutes.' };
      },
    },
  ],
};
