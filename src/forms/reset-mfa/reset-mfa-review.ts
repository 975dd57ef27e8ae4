import type { AuthMethod } from '../../connectors/directory/types.js';
import { plural } from '../../lib/plural.js';
import type { ResetMfaInput } from '../../workflows/reset-mfa/reset-mfa-workflow.js';
import type { ChangeReview, ReviewContext } from '../types.js';

const LIFETIME_WORDS: Record<number, string> = { 60: '1 hour', 240: '4 hours', 480: '8 hours', 1440: '1 day' };

/**
 * The methods that will go, by name, from the list read live: the ticked ones, or every removable
 * one but the password for "all". When the list could not be read, "all" still says what it means.
 */
export async function reviewResetMfa({ input, target, data, directory }: ReviewContext<ResetMfaInput>): Promise<ChangeReview> {
  const methods: AuthMethod[] | null = data?.ok
    ? (data.value as AuthMethod[])
    : ((await directory.authMethods?.listAuthMethods(target.id).catch(() => null)) ?? null);
  const changes: string[] = [];
  let action: string;
  if (input.mode === 'selected') {
    const chosen = input.methodIds.map((id) => methods?.find((method) => method.id === id)?.label ?? `method ${id}`);
    changes.push(`Remove ${plural(chosen.length, 'sign-in method', 'sign-in methods')}: ${chosen.join('; ')}`);
    action = `Remove ${plural(chosen.length, 'sign-in method', 'sign-in methods')} from ${target.displayName}`;
  } else if (methods) {
    const removable = methods.filter((method) => method.removable && method.kind !== 'password');
    changes.push(
      removable.length === 0
        ? 'Remove no sign-in method: none but the password is registered'
        : `Remove all ${plural(removable.length, 'sign-in method', 'sign-in methods')} but the password: ${removable.map((method) => method.label).join('; ')}`,
    );
    action = `Remove all sign-in methods of ${target.displayName}`;
  } else {
    changes.push('Remove every sign-in method but the password (the list could not be read, so it is not shown)');
    action = `Remove all sign-in methods of ${target.displayName}`;
  }
  if (input.temporaryAccessPass) {
    const pass = input.temporaryAccessPass;
    changes.push(
      `Issue a Temporary Access Pass valid for ${LIFETIME_WORDS[pass.lifetimeInMinutes] ?? `${pass.lifetimeInMinutes} minutes`}, ${pass.isUsableOnce ? 'usable once' : 'usable more than once'}; shown to you once`,
    );
  }
  if (input.revokeSessions) changes.push(`Sign ${target.displayName} out of all sessions`);
  return { changes, action };
}
