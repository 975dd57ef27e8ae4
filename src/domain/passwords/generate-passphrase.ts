import { randomInt } from 'node:crypto';
import { WORDLIST } from './wordlist.js';

export const PASSPHRASE_DEFAULT_WORDS = 4;
export const PASSPHRASE_MIN_WORDS = 3;
export const PASSPHRASE_MAX_WORDS = 10;
const MAX_SEPARATOR_LENGTH = 3;

export type GeneratePassphraseOptions = {
  /** Number of words, 3 to 10. Defaults to 4. */
  words?: number;
  /** Put between the words. Defaults to '-'; up to 3 printable ASCII characters, or '' for none. */
  separator?: string;
};

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * A passphrase such as `Harbor-Tulip47-Quiet-Lantern`: easier to read out over the phone and to
 * type than a random string of the same strength (4 words from 2,000+ plus the number is about
 * 52 bits).
 *
 * Capitalised words give uppercase and lowercase and the two-digit number gives a digit, so the
 * result meets Entra's and AD's "3 of 4 classes" rule even with a letter or empty separator; a
 * symbol separator makes it 4 of 4. The default is at least 21 characters long (4 × 4 letters,
 * 3 separators, 2 digits).
 */
export function generatePassphrase(options: GeneratePassphraseOptions = {}): string {
  const count = options.words ?? PASSPHRASE_DEFAULT_WORDS;
  const separator = options.separator ?? '-';
  if (!Number.isInteger(count) || count < PASSPHRASE_MIN_WORDS || count > PASSPHRASE_MAX_WORDS) {
    throw new RangeError(
      `Passphrase word count must be a whole number from ${PASSPHRASE_MIN_WORDS} to ${PASSPHRASE_MAX_WORDS}; got ${String(count)}.`,
    );
  }
  // Anything outside printable ASCII would make Entra reject the password.
  if (separator.length > MAX_SEPARATOR_LENGTH || !/^[\x20-\x7e]*$/.test(separator)) {
    throw new RangeError(`Passphrase separator must be at most ${MAX_SEPARATOR_LENGTH} printable ASCII characters.`);
  }

  const words = Array.from({ length: count }, () => capitalise(WORDLIST[randomInt(WORDLIST.length)]!));
  const withNumber = randomInt(count);
  words[withNumber] = `${words[withNumber]}${randomInt(10, 100)}`;
  return words.join(separator);
}
