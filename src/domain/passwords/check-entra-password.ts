/**
 * Checks a password against Microsoft Entra ID's documented password rules before it is sent to
 * Graph, so the technician gets a clear reason on the form instead of a Graph 400.
 *
 * Entra (Microsoft Learn, "Password policies and account restrictions in Microsoft Entra ID"):
 * - 8 to 256 characters;
 * - at least three of: uppercase, lowercase, digits, symbols;
 * - allowed characters: A–Z a–z 0–9 @ # $ % ^ & * - _ ! + = [ ] { } | \ : ' , . ? / ` ~ " ( ) ; < >
 *   and blank space, which is exactly printable ASCII (0x20 to 0x7E); Unicode characters are not.
 *
 * The name checks are a toolbox rule mirroring Active Directory's complexity check (the password
 * must not contain the account name or any 3+ character part of the display name). Entra itself
 * also applies banned-password lists server-side; those cannot be checked here, so Graph's own
 * error message is still shown as is.
 */

export type EntraPasswordContext = {
  userPrincipalName?: string;
  displayName?: string;
};

export type EntraPasswordCheck = { ok: true } | { ok: false; problems: string[] };

/** One sentence for under the password field. */
export const ENTRA_PASSWORD_RULES =
  "Use 8 to 256 characters with at least three of uppercase letters, lowercase letters, numbers and symbols, no accented or other non-ASCII characters, and nothing from the user's name or sign-in name.";

const MIN_LENGTH = 8;
const MAX_LENGTH = 256;
/** Shorter name parts are too common to forbid (AD uses the same threshold). */
const MIN_NAME_PART = 3;
/** The separators AD splits a display name on: commas, periods, hyphens, underscores, spaces, # and tabs. */
const DISPLAY_NAME_DELIMITERS = /[,.\-_\s#]+/;

function isAllowedCharacter(char: string): boolean {
  const code = char.codePointAt(0)!;
  return code >= 0x20 && code <= 0x7e;
}

/** How to name a character in a message: itself and its code point, or only the code point when it would be invisible. */
function describeCharacter(char: string): string {
  const code = char.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code < 0x20 || (code >= 0x7f && code <= 0xa0) || /\s/u.test(char)) return hex;
  return `"${char}" (${hex})`;
}

function countClasses(password: string): { count: number; missing: string[] } {
  const classes: [string, RegExp][] = [
    ['uppercase letters', /[A-Z]/],
    ['lowercase letters', /[a-z]/],
    ['numbers', /[0-9]/],
    // Blank space is allowed but is not in Microsoft's list of symbols, so it does not count here.
    ['symbols', /[!-/:-@[-`{-~]/],
  ];
  const missing = classes.filter(([, pattern]) => !pattern.test(password)).map(([name]) => name);
  return { count: classes.length - missing.length, missing };
}

export function checkEntraPassword(password: string, context: EntraPasswordContext = {}): EntraPasswordCheck {
  const problems: string[] = [];
  // Count code points, not UTF-16 units, so an emoji is one character in the message.
  const chars = Array.from(password);

  if (chars.length < MIN_LENGTH || chars.length > MAX_LENGTH) {
    problems.push(`The password has ${chars.length} characters; Entra needs ${MIN_LENGTH} to ${MAX_LENGTH}.`);
  }

  const { count, missing } = countClasses(password);
  if (count < 3) {
    const needed = ['one', 'two', 'three'][3 - count - 1];
    problems.push(
      `The password needs at least three of uppercase letters, lowercase letters, numbers and symbols; add ${needed} of: ${missing.join(', ')}.`,
    );
  }

  const notAllowed = [...new Set(chars.filter((char) => !isAllowedCharacter(char)))];
  for (const char of notAllowed) {
    problems.push(
      `The character ${describeCharacter(char)} is not allowed by Entra; use only unaccented letters, digits, spaces and ASCII symbols.`,
    );
  }

  const lowered = password.toLowerCase();
  const localPart = context.userPrincipalName?.split('@')[0]?.trim() ?? '';
  if (localPart.length >= MIN_NAME_PART && lowered.includes(localPart.toLowerCase())) {
    problems.push(
      `The password contains the user's sign-in name "${localPart}" (a toolbox rule mirroring Active Directory's complexity check).`,
    );
  }

  const nameParts = new Set(
    (context.displayName ?? '')
      .split(DISPLAY_NAME_DELIMITERS)
      .filter((part) => part.length >= MIN_NAME_PART)
      .map((part) => part.toLowerCase()),
  );
  for (const part of nameParts) {
    // Already reported when it is the same as the sign-in name.
    if (part === localPart.toLowerCase()) continue;
    if (lowered.includes(part)) {
      problems.push(
        `The password contains "${part}" from the user's display name (a toolbox rule mirroring Active Directory's complexity check).`,
      );
    }
  }

  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}
