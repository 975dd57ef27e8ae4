import type { PasswordPolicy } from '../../connectors/directory/types.js';
import { generateForUser } from './generate-for-user.js';

/**
 * A form's password made anew for a re-run: generated and passphrase modes generate a new one
 * (to the directory's policy, checked against the user's names, as the form does); a typed
 * password was never stored, so it cannot be repeated, and the technician is told to open the form
 * again.
 */
export function renewPassword(
  mode: 'generated' | 'passphrase' | 'typed',
  user: { userPrincipalName: string; displayName: string },
  policy: PasswordPolicy,
): { ok: true; secret: string } | { ok: false; message: string } {
  if (mode === 'typed') {
    return {
      ok: false,
      message:
        'This execution used a password the technician typed. Typed passwords are never stored, so it cannot be run again with it: open the form again from the ticket and type (or generate) the password there.',
    };
  }
  return { ok: true, secret: generateForUser(mode, user, policy) };
}
