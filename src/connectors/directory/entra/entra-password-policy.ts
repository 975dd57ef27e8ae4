import type { PasswordPolicy } from '../types.js';

/**
 * Microsoft Entra ID's password rules for cloud users (Microsoft Learn, "Password policies and
 * account restrictions in Microsoft Entra ID"): 8 to 256 characters; at least three of uppercase,
 * lowercase, digits and symbols; only A–Z a–z 0–9, the symbols @ # $ % ^ & * - _ ! + = [ ] { } | \
 * : ' , . ? / ` ~ " ( ) ; < > and blank space, which is exactly printable ASCII (0x20 to 0x7E).
 * Entra does not let a tenant change these. The name rule is the toolbox's, mirroring AD's
 * complexity check. Entra's banned-password lists are applied server-side only, so Graph's own
 * refusal is still shown as is.
 */
export const ENTRA_PASSWORD_POLICY: PasswordPolicy = {
  source: 'Entra',
  minLength: 8,
  maxLength: 256,
  minCharacterClasses: 3,
  printableAsciiOnly: true,
  nameParts: 'toolbox',
};
