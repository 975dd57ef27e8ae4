import { checkEntraPassword, type EntraPasswordContext } from './check-entra-password.js';
import { generatePassphrase } from './generate-passphrase.js';
import { generatePassword } from './generate-password.js';

/**
 * A generated password or passphrase that also passes the checks against the user's own name, so
 * the directory does not refuse it after the technician has already read it out. A handful of
 * draws is plenty: a clash needs a name among the words.
 */
export function generateForUser(mode: 'generated' | 'passphrase', context: EntraPasswordContext): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = mode === 'passphrase' ? generatePassphrase() : generatePassword();
    if (checkEntraPassword(candidate, context).ok) return candidate;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = generatePassword({ length: 24 });
    if (checkEntraPassword(candidate, context).ok) return candidate;
  }
  return generatePassword({ length: 24 });
}
