import type { PasswordPolicy } from '../../connectors/directory/types.js';

/**
 * Checks a password against the directory's password policy (the connector's `passwordPolicy()`:
 * Entra's documented rules, or the domain's policy read from AD) before it is sent, so the
 * technician gets a clear reason on the form instead of the directory's refusal after the fact.
 * What cannot be checked here (banned-password lists, history) the directory still refuses, and
 * its own message is shown as is.
 *
 * The name rule is AD's complexity check: the password must not contain the account name or any
 * 3+ character part of the display name. A policy says whether the directory enforces it or the
 * toolbox adds it (Entra: mirroring AD's, so a password works on either side of a hybrid tenant).
 */

export type PasswordUser = {
  userPrincipalName?: string;
  displayName?: string;
};

export type PasswordCheck = { ok: true } | { ok: false; problems: string[] };

/** Shorter name parts are too common to forbid (AD uses the same threshold). */
const MIN_NAME_PART = 3;
/** The separators AD splits a display name on: commas, periods, hyphens, underscores, spaces, # and tabs. */
const DISPLAY_NAME_DELIMITERS = /[,.\-_\s#]+/;
const COUNT_WORDS = ['none', 'one', 'two', 'three', 'four', 'five'];

function isPrintableAscii(char: string): boolean {
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

/**
 * The character classes a policy counts. ASCII-only (Entra): Microsoft's four, with blank space
 * allowed but not a symbol. Otherwise AD's five: Unicode upper- and lowercase letters, digits 0–9,
 * symbols, and letters that have no case (as in Japanese or Arabic).
 */
function classesOf(policy: PasswordPolicy): [string, RegExp][] {
  if (policy.printableAsciiOnly) {
    return [
      ['uppercase letters', /[A-Z]/],
      ['lowercase letters', /[a-z]/],
      ['numbers', /[0-9]/],
      ['symbols', /[!-/:-@[-`{-~]/],
    ];
  }
  return [
    ['uppercase letters', /\p{Lu}/u],
    ['lowercase letters', /\p{Ll}/u],
    ['numbers', /[0-9]/],
    ['symbols', /[^\p{L}\p{N}\s]/u],
    ['other letters', /[\p{Lo}\p{Lt}\p{Lm}]/u],
  ];
}

const listOf = (items: string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** The rules in one sentence, for under a password field. */
export function describePasswordRules(policy: PasswordPolicy): string {
  const length = policy.minLength <= 1 ? `up to ${policy.maxLength}` : `${policy.minLength} to ${policy.maxLength}`;
  const parts = [`Use ${length} characters`];
  if (policy.minCharacterClasses > 0) {
    const names = classesOf(policy).map(([name]) => name);
    parts[0] += ` with at least ${COUNT_WORDS[policy.minCharacterClasses] ?? policy.minCharacterClasses} of ${listOf(names)}`;
  }
  if (policy.printableAsciiOnly) parts.push('no accented or other non-ASCII characters');
  if (policy.nameParts) parts.push("and nothing from the user's name or sign-in name");
  const history = policy.historyLength ? ` It must not be one of the user's last ${policy.historyLength} passwords.` : '';
  return `${parts.join(', ')}.${history}`;
}

export function checkPassword(policy: PasswordPolicy, password: string, user: PasswordUser = {}): PasswordCheck {
  const problems: string[] = [];
  // Count code points, not UTF-16 units, so an emoji is one character in the message.
  const chars = Array.from(password);

  if (chars.length < policy.minLength || chars.length > policy.maxLength) {
    problems.push(`The password has ${chars.length} characters; ${policy.source} needs ${policy.minLength} to ${policy.maxLength}.`);
  }

  if (policy.minCharacterClasses > 0) {
    const classes = classesOf(policy);
    const missing = classes.filter(([, pattern]) => !pattern.test(password)).map(([name]) => name);
    const count = classes.length - missing.length;
    if (count < policy.minCharacterClasses) {
      const needed = COUNT_WORDS[policy.minCharacterClasses - count] ?? String(policy.minCharacterClasses - count);
      problems.push(
        `The password needs at least ${COUNT_WORDS[policy.minCharacterClasses] ?? policy.minCharacterClasses} of ${listOf(classes.map(([name]) => name))}; add ${needed} of: ${missing.join(', ')}.`,
      );
    }
  }

  if (policy.printableAsciiOnly) {
    const notAllowed = [...new Set(chars.filter((char) => !isPrintableAscii(char)))];
    for (const char of notAllowed) {
      problems.push(
        `The character ${describeCharacter(char)} is not allowed by ${policy.source}; use only unaccented letters, digits, spaces and ASCII symbols.`,
      );
    }
  }

  if (policy.nameParts) {
    const whose =
      policy.nameParts === 'toolbox'
        ? "a toolbox rule mirroring Active Directory's complexity check"
        : `${policy.source}'s complexity rule`;
    const lowered = password.toLowerCase();
    const localPart = user.userPrincipalName?.split('@')[0]?.trim() ?? '';
    if (localPart.length >= MIN_NAME_PART && lowered.includes(localPart.toLowerCase())) {
      problems.push(`The password contains the user's sign-in name "${localPart}" (${whose}).`);
    }
    const nameParts = new Set(
      (user.displayName ?? '')
        .split(DISPLAY_NAME_DELIMITERS)
        .filter((part) => part.length >= MIN_NAME_PART)
        .map((part) => part.toLowerCase()),
    );
    for (const part of nameParts) {
      // Already reported when it is the same as the sign-in name.
      if (part === localPart.toLowerCase()) continue;
      if (lowered.includes(part)) problems.push(`The password contains "${part}" from the user's display name (${whose}).`);
    }
  }

  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}
