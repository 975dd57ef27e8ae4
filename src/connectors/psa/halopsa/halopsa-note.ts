import type { HaloAction } from './halopsa-map.js';

/**
 * Notes for HaloPSA. An action's note is HTML (`note_html`, reference §4): the toolbox writes
 * each line as its own paragraph, which Halo's editor shows as one line each (its stylesheet
 * gives paragraphs no margin), so the step list reads as a list. Every line is escaped: step text
 * carries user and PSA data (names, group names), and `<`, `&` or a quote in it must stay text.
 * Control characters become spaces, empty lines are dropped, and the text is capped so a long
 * step log cannot produce an unwieldy note.
 */
export const NOTE_MAX_TEXT_LENGTH = 8000;

const withoutControlCharacters = (line: string) =>
  Array.from(line, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? ' ' : char;
  }).join('');

export const escapeHtml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The lines as they go into the note, cleaned and capped; empty when nothing is left. */
export function noteLines(lines: string[], maxLength = NOTE_MAX_TEXT_LENGTH): string[] {
  const cleaned = lines.map((line) => withoutControlCharacters(line).replace(/ {2,}/g, ' ').trim()).filter((line) => line.length > 0);
  const kept: string[] = [];
  let length = 0;
  for (const line of cleaned) {
    if (length + line.length > maxLength) {
      const room = maxLength - length;
      kept.push(`${line.slice(0, Math.max(0, room - 14)).trimEnd()} … (truncated)`);
      break;
    }
    kept.push(line);
    length += line.length;
  }
  return kept;
}

export function formatNoteHtml(lines: string[], maxLength = NOTE_MAX_TEXT_LENGTH): string {
  return noteLines(lines, maxLength)
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The text of an HTML note, for looking for a marker in it. */
export function htmlText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      const lower = name.toLowerCase();
      if (Object.hasOwn(ENTITIES, lower)) return ENTITIES[lower] as string;
      const code = lower.startsWith('#x')
        ? Number.parseInt(lower.slice(2), 16)
        : lower.startsWith('#')
          ? Number(lower.slice(1))
          : Number.NaN;
      return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
}

/**
 * Whether an action carries the marker. Halo keeps a note both as HTML and as plain text, and
 * which one a list returns (and whether `note` itself holds HTML) is unverified, so both are
 * read, as text and as HTML.
 */
export function actionHasMarker(action: HaloAction, marker: string): boolean {
  for (const value of [action.note, action.note_html]) {
    if (typeof value !== 'string' || value === '') continue;
    if (value.includes(marker) || htmlText(value).includes(marker)) return true;
  }
  return false;
}
