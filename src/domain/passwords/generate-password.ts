import { randomInt } from 'node:crypto';

/**
 * Character classes without look-alikes (no I/l/1, O/0, J, Q, j, o, p, q, y and so on): the
 * technician often reads the password to the user over the phone. The same pool as CIPP's
 * "Classic" generator, with a few more symbols that every directory accepts.
 */
export const PASSWORD_CHARACTER_CLASSES = {
  upper: 'ABCDEFGHKLMNPRSTUVWXYZ',
  lower: 'abcdefghkmnrstuvwxyz',
  digits: '23456789',
  specials: '$%&*#-_=+!?',
} as const;

export const GENERATED_PASSWORD_DEFAULT_LENGTH = 16;
export const GENERATED_PASSWORD_MIN_LENGTH = 12;
export const GENERATED_PASSWORD_MAX_LENGTH = 256;

export type GeneratePasswordOptions = {
  /** Number of characters, 12 to 256. Defaults to 16. */
  length?: number;
};

const classes = Object.values(PASSWORD_CHARACTER_CLASSES);
const pool = classes.join('');

/** A uniformly random character of `chars`; randomInt avoids the modulo bias of `bytes % n`. */
function pick(chars: string): string {
  return chars.charAt(randomInt(chars.length));
}

/**
 * A random password from the look-alike-free pool with at least one character of every class,
 * so it passes Entra's and AD's "3 of 4 classes" rule whatever the tenant's settings.
 *
 * Every class is guaranteed by construction (one character from each, the rest from the whole
 * pool, then a shuffle) rather than by regenerating until valid, so the run time does not depend
 * on luck and no password is ever thrown away.
 */
export function generatePassword(options: GeneratePasswordOptions = {}): string {
  const length = options.length ?? GENERATED_PASSWORD_DEFAULT_LENGTH;
  if (!Number.isInteger(length) || length < GENERATED_PASSWORD_MIN_LENGTH || length > GENERATED_PASSWORD_MAX_LENGTH) {
    throw new RangeError(
      `Password length must be a whole number from ${GENERATED_PASSWORD_MIN_LENGTH} to ${GENERATED_PASSWORD_MAX_LENGTH}; got ${String(length)}.`,
    );
  }

  const chars = classes.map(pick);
  while (chars.length < length) chars.push(pick(pool));

  // Fisher–Yates, so the guaranteed characters are not always at the start.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const swap = chars[i]!;
    chars[i] = chars[j]!;
    chars[j] = swap;
  }
  return chars.join('');
}
