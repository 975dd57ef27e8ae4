import type { PasswordPolicy } from '../../connectors/directory/types.js';
import { checkPassword, type PasswordUser } from './check-password.js';
import { generatePassphrase, PASSPHRASE_DEFAULT_WORDS, PASSPHRASE_MAX_WORDS } from './generate-passphrase.js';
import { GENERATED_PASSWORD_DEFAULT_LENGTH, GENERATED_PASSWORD_MAX_LENGTH, generatePassword } from './generate-password.js';

/**
 * A generated password or passphrase that also passes the directory's policy for this user (its
 * length, and the checks against the user's own name), so the directory does not refuse it after
 * the technician has already read it out. A handful of draws is plenty: a clash needs a name
 * among the words. A policy longer than the usual 16 characters (an AD fine-grained policy) gets
 * longer passwords and passphrases with more words.
 */
export function generateForUser(mode: 'generated' | 'passphrase', user: PasswordUser, policy: PasswordPolicy): string {
  const length = Math.min(GENERATED_PASSWORD_MAX_LENGTH, Math.max(GENERATED_PASSWORD_DEFAULT_LENGTH, policy.minLength));
  for (let attempt = 0; attempt < 20; attempt++) {
    // Each attempt at a passphrase too short for the policy takes one more word, up to the maximum.
    const words = Math.min(PASSPHRASE_MAX_WORDS, PASSPHRASE_DEFAULT_WORDS + attempt);
    const candidate = mode === 'passphrase' ? generatePassphrase({ words }) : generatePassword({ length });
    if (checkPassword(policy, candidate, user).ok) return candidate;
  }
  const longer = Math.min(GENERATED_PASSWORD_MAX_LENGTH, Math.max(24, policy.minLength));
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = generatePassword({ length: longer });
    if (checkPassword(policy, candidate, user).ok) return candidate;
  }
  return generatePassword({ length: longer });
}
