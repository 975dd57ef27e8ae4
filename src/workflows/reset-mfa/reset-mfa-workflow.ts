import { z } from 'zod';
import { requirePart } from '../../connectors/directory/directory-capabilities.js';
import type { AuthMethod } from '../../connectors/directory/types.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import { checkAccountStep } from '../shared/check-account-step.js';
import { MAX_PASSES, removeMethods } from '../shared/remove-auth-methods.js';
import type { AccountRules, Workflow } from '../types.js';

/** What the MFA reset runs with (its form's `parse` makes it; stored with the execution). */
export const resetMfaInput = z.object({
  /** `all`: every method but the password; `selected`: the ids in `methodIds`. */
  mode: z.enum(['all', 'selected']),
  methodIds: z.array(z.string()),
  temporaryAccessPass: z.object({ lifetimeInMinutes: z.number().int(), isUsableOnce: z.boolean() }).nullable(),
  revokeSessions: z.boolean(),
});
export type ResetMfaInput = z.infer<typeof resetMfaInput>;

const ACCOUNT_RULES: AccountRules = {
  privileged: 'The toolbox will refuse to reset the sign-in methods of this account, and nothing will be changed.',
};

/**
 * MFA reset (a directory with sign-in methods: Microsoft 365): remove the chosen sign-in methods (never the password) so the user
 * registers again, optionally issue a Temporary Access Pass to do it with, sign the user out, and
 * read the methods once more to report what is really left.
 */
export const resetMfaWorkflow: Workflow<ResetMfaInput> = {
  title: 'MFA reset',
  secretStepKey: 'temporary-access-pass',
  accountRules: ACCOUNT_RULES,
  steps: [
    checkAccountStep<ResetMfaInput>(ACCOUNT_RULES),
    {
      key: 'remove-methods',
      label: 'Remove every sign-in method except the password',
      labelFor: (input) => (input.mode === 'all' ? 'Remove every sign-in method except the password' : 'Remove the chosen sign-in methods'),
      kind: 'change',
      needs: ['authMethods'],
      // Lists what is registered and removes what is still there.
      idempotency: 'check-then-act',
      stopOnFailure: false,
      async run({ input, directory, targetUserId, facts, markChanged, interrupted }) {
        const wanted = (methods: AuthMethod[]) =>
          methods.filter((m) => m.removable && m.kind !== 'password' && (input.mode === 'all' || input.methodIds.includes(m.id)));
        const result = await removeMethods(requirePart(directory, 'authMethods'), targetUserId, wanted);
        facts.removedMethods = result.removed.map((m) => m.label);
        const removedText =
          result.removed.length > 0 ? `Removed: ${result.removed.map((m) => m.label).join('; ')}.` : 'Nothing was removed.';
        if (result.remaining.length > 0) {
          if (result.removed.length > 0) markChanged();
          const reasons = result.problems.map((p) => `${p.method.label}: ${p.message}`).join(' ');
          throw new ToolboxError({
            code: 'TBX_ERR_MFA_METHODS_LEFT',
            message: `${removedText} Still registered after ${MAX_PASSES} attempts: ${result.remaining.map((m) => m.label).join('; ')}.${reasons ? ` ${reasons}` : ''}`,
          });
        }
        if (result.removed.length === 0 && interrupted) {
          // Never "there was nothing": the earlier, interrupted attempt removed what was there.
          return { status: 'ok', message: 'Removed before the toolbox was interrupted: none of the chosen methods is left.' };
        }
        if (result.removed.length === 0) {
          return {
            status: 'skipped',
            message:
              input.mode === 'all' ? 'The user had no sign-in methods besides the password.' : 'The chosen methods were already gone.',
          };
        }
        return { status: 'ok', message: removedText };
      },
    },
    {
      key: 'temporary-access-pass',
      label: 'Issue a Temporary Access Pass',
      kind: 'change',
      needs: ['temporaryAccessPass', 'authMethods'],
      optional: 'a Temporary Access Pass to register again with',
      // A second pass is refused while one exists, and the first one's value is only ever in the
      // answer to its creation: after an interruption, look, never issue blindly.
      idempotency: 'unrepeatable',
      async verifyInterrupted({ input, directory, targetUserId, secret }) {
        if (!input.temporaryAccessPass) return 'not-done';
        const methods = await requirePart(directory, 'authMethods').listAuthMethods(targetUserId);
        if (!methods.some((m) => m.kind === 'temporaryAccessPass')) return 'not-done';
        if (secret) return { status: 'ok', message: 'Issued before the toolbox was interrupted; shown once to the technician.' };
        return {
          status: 'warning',
          message:
            'A Temporary Access Pass was issued, but the toolbox was interrupted before it could keep it, so it cannot be shown. Delete it in the Microsoft Entra admin centre (the user → Authentication methods) and run this form again to issue a new one.',
        };
      },
      unknownAdvice: 'Look in the Microsoft Entra admin centre (the user → Authentication methods) for a Temporary Access Pass.',
      stopOnFailure: false,
      async run({ input, directory, targetUserId, keepSecret }) {
        if (!input.temporaryAccessPass) return { status: 'skipped', message: 'Not requested.' };
        const pass = await requirePart(directory, 'temporaryAccessPass').createTemporaryAccessPass(targetUserId, input.temporaryAccessPass);
        await keepSecret(pass.pass);
        const hours =
          pass.lifetimeInMinutes >= 60 ? `${Math.round((pass.lifetimeInMinutes / 60) * 10) / 10} h` : `${pass.lifetimeInMinutes} min`;
        return {
          status: 'ok',
          message: `Issued, valid ${hours}, ${pass.isUsableOnce ? 'usable once' : 'usable several times'}; shown once to the technician.`,
        };
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
        return { status: 'ok', message: 'Refresh tokens and session cookies revoked: the user signs in again and is asked to register.' };
      },
    },
    {
      key: 'verify',
      label: 'Check what is registered now',
      kind: 'check',
      needs: ['authMethods'],
      stopOnFailure: false,
      async run({ input, directory, targetUserId }) {
        const methods = await requirePart(directory, 'authMethods').listAuthMethods(targetUserId);
        const left = methods.filter((m) => m.kind !== 'password' && m.kind !== 'temporaryAccessPass');
        const chosenLeft = left.filter((m) => input.mode === 'all' || input.methodIds.includes(m.id));
        const tap = methods.some((m) => m.kind === 'temporaryAccessPass');
        const listing = methods.map((m) => m.label).join('; ') || 'nothing';
        if (chosenLeft.length > 0)
          return {
            status: 'warning',
            message: `Still registered: ${chosenLeft.map((m) => m.label).join('; ')}. Registered now: ${listing}.`,
          };
        if (input.temporaryAccessPass && !tap)
          return { status: 'warning', message: `No Temporary Access Pass is registered. Registered now: ${listing}.` };
        return { status: 'ok', message: `Registered now: ${listing}.` };
      },
    },
  ],
};
