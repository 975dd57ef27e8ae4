import type { PasswordResetInput } from '../../workflows/password-reset/password-reset-workflow.js';
import type { ChangeReview, ReviewContext } from '../types.js';

const MODE_WORDS = { generated: 'a generated password', passphrase: 'a generated passphrase', typed: 'the password typed' } as const;

/** The action and the person are the whole review: the submit button says it, so no separate step. */
export async function reviewPasswordReset({ input, target }: ReviewContext<PasswordResetInput>): Promise<ChangeReview> {
  const changes = [
    `Set ${MODE_WORDS[input.passwordMode]} on ${target.displayName} (${target.userPrincipalName}); ${input.mustChange ? 'they must change it at next sign-in' : 'no change required at next sign-in'}${input.passwordMode === 'typed' ? '' : ', shown to you once'}`,
  ];
  if (input.unlock) changes.push(`Unlock ${target.displayName} if locked out`);
  if (input.revokeSessions) changes.push(`Sign ${target.displayName} out of all sessions`);
  return { changes, action: `Reset the password of ${target.displayName}` };
}
