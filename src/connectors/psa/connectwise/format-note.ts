/**
 * Formats note lines for ConnectWise.
 *
 * ConnectWise collapses newline and CR in a note body to a space, and does not support the `\b`
 * and `\f` escapes (reference §4), so "\n"-separated lines would run together into one sentence.
 * We therefore write the note as ONE line on purpose: lines joined by " | ", a separator that is
 * plain ASCII (safe in CW's e-mail notifications and every code page) and rarely appears in step
 * text. Control characters inside a line become spaces, runs of spaces shrink to one, empty lines
 * are dropped, and the total is capped so a long step log cannot produce an unwieldy note.
 *
 * Example: ["Password reset for Megan Bowen", "Step 1: user found", "Step 2: password set"]
 * becomes "Password reset for Megan Bowen | Step 1: user found | Step 2: password set".
 */
export const NOTE_LINE_SEPARATOR = ' | ';
export const NOTE_MAX_LENGTH = 4000;

/** Control characters (including \n, \r, \b, \f, \t) become spaces; ConnectWise cannot keep them anyway. */
const withoutControlCharacters = (line: string) =>
  Array.from(line, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? ' ' : char;
  }).join('');

export function formatNoteText(lines: string[], maxLength = NOTE_MAX_LENGTH): string {
  const cleaned = lines.map((line) => withoutControlCharacters(line).replace(/ {2,}/g, ' ').trim()).filter((line) => line.length > 0);
  const text = cleaned.join(NOTE_LINE_SEPARATOR);
  if (text.length <= maxLength) return text;
  const marker = ' … (truncated)';
  return `${text.slice(0, maxLength - marker.length).trimEnd()}${marker}`;
}
