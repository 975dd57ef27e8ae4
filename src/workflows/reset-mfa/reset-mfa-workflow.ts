import type { AuthMethod, DirectoryClient } from '../../connectors/directory/types.js';
import { isToolboxError, ToolboxError } from '../../lib/toolbox-error.js';
import { checkAccountStep } from '../shared/check-account-step.js';
import type { Workflow } from '../types.js';

export type ResetMfaInput = {
  /** `all`: every method but the password; `selected`: the ids in `methodIds`. */
  mode: 'all' | 'selected';
  methodIds: string[];
  temporaryAccessPass: { lifetimeInMinutes: number; isUsableOnce: boolean } | null;
  revokeSessions: boolean;
};

/** Some tenants remove only part of the methods per call (reference §6): re-list and go again, bounded. */
const MAX_PASSES = 5;

/**
 * The order that works: everything but phones first, then office and alternate phones, the mobile
 * phone last. A default phone method cannot go while anything else is registered, and an alternate
 * mobile cannot stay without the mobile.
 */
export function removalOrder(methods: AuthMethod[]): AuthMethod[] {
  const rank = (m: AuthMethod) => (m.kind !== 'phone' ? 0 : m.phoneType === 'mobile' ? 3 : m.phoneType === 'alternateMobile' ? 2 : 1);
  return [...methods].sort((a, b) => rank(a) - rank(b) || Number(a.isDefault) - Number(b.isDefault));
}

async function removeMethods(directory: DirectoryClient, userId: string, wanted: (methods: AuthMethod[]) => AuthMethod[]) {
  const removed: AuthMethod[] = [];
  const problems = new Map<string, { method: AuthMethod; message: string }>();
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const targets = removalOrder(wanted(await directory.listAuthMethods(userId)));
    if (targets.length === 0) break;
    const deferred: AuthMethod[] = [];
    for (const method of targets) {
      try {
        await directory.removeAuthMethod(userId, method);
        if (!removed.some((m) => m.id === method.id)) removed.push(method);
        problems.delete(method.id);
      } catch (error) {
        if (!isToolboxError(error)) throw error;
        // The default method goes only when it is the last one: try it again after the others.
        if (error.code === 'TBX_ERR_DIRECTORY_DEFAULT_METHOD') deferred.push(method);
        problems.set(method.id, { method, message: error.message });
      }
    }
    for (const method of deferred) {
      try {
        await directory.removeAuthMethod(userId, method);
        if (!removed.some((m) => m.id === method.id)) removed.push(method);
        problems.delete(method.id);
      } catch (error) {
        if (!isToolboxError(error)) throw error;
        problems.set(method.id, { method, message: error.message });
      }
    }
  }
  const remaining = wanted(await directory.listAuthMethods(userId));
  return { removed: removed.filter((m) => !remaining.some((r) => r.id === m.id)), remaining, problems: [...problems.values()] };
}

/**
 * MFA reset on Microsoft 365: remove the chosen sign-in methods (never the password) so the user
 * registers again, optionally issue a Temporary Access Pass to do it with, sign the user out, and
 * read the methods once more to report what is really left.
 */
export const resetMfaWorkflow: Workflow<ResetMfaInput> = {
  formName: 'reset_mfa',
  title: 'MFA reset',
  secretStepKey: 'temporary-access-pass',
  steps: (input) => [
    checkAccountStep<ResetMfaInput>({}),
    {
      key: 'remove-methods',
      label: input.mode === 'all' ? 'Remove every sign-in method except the password' : 'Remove the chosen sign-in methods',
      stopOnFailure: false,
      async run({ directory, targetUserId, facts }) {
        const wanted = (methods: AuthMethod[]) =>
          methods.filter((m) => m.removable && m.kind !== 'password' && (input.mode === 'all' || input.methodIds.includes(m.id)));
        const result = await removeMethods(directory, targetUserId, wanted);
        facts.removedMethods = result.removed.map((m) => m.label);
        const removedText =
          result.removed.length > 0 ? `Removed: ${result.removed.map((m) => m.label).join('; ')}.` : 'Nothing was removed.';
        if (result.remaining.length > 0) {
          const reasons = result.problems.map((p) => `${p.method.label}: ${p.message}`).join(' ');
          throw new ToolboxError({
            code: 'TBX_ERR_MFA_METHODS_LEFT',
            message: `${removedText} Still registered after ${MAX_PASSES} attempts: ${result.remaining.map((m) => m.label).join('; ')}.${reasons ? ` ${reasons}` : ''}`,
          });
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
      stopOnFailure: false,
      async run({ directory, targetUserId, keepSecret }) {
        if (!input.temporaryAccessPass) return { status: 'skipped', message: 'Not requested.' };
        const pass = await directory.createTemporaryAccessPass(targetUserId, input.temporaryAccessPass);
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
      stopOnFailure: false,
      async run({ directory, targetUserId }) {
        if (!input.revokeSessions) return { status: 'skipped', message: 'Not requested.' };
        await directory.revokeSessions(targetUserId);
        return { status: 'ok', message: 'Refresh tokens and session cookies revoked: the user signs in again and is asked to register.' };
      },
    },
    {
      key: 'verify',
      label: 'Check what is registered now',
      stopOnFailure: false,
      async run({ directory, targetUserId }) {
        const methods = await directory.listAuthMethods(targetUserId);
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
