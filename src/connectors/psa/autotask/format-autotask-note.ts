/**
 * Formats note lines for an Autotask ticket note (reference §4): a title and a plain-text
 * description. Autotask keeps newlines in a description (unlike ConnectWise), so the lines are
 * joined with "\n". The API cannot create Rich Text, so nothing is escaped or marked up: what is
 * sent is what the technician reads.
 *
 * - title: the first non-empty line (the note's summary), at most 250 characters;
 * - description: every line, trailing spaces and control characters other than the line break
 *   removed, empty lines at the start and end dropped, at most 32,000 characters.
 */
export const NOTE_TITLE_MAX = 250;
export const NOTE_DESCRIPTION_MAX = 32_000;

const TRUNCATED = ' … (truncated)';

/** Control characters (except tab) become spaces; \r is dropped so "\r\n" stays one break. */
const clean = (line: string) =>
  Array.from(line.replace(/\r/g, ''), (char) => {
    const code = char.charCodeAt(0);
    return (code < 0x20 && code !== 0x09) || code === 0x7f ? ' ' : char;
  })
    .join('')
    .trimEnd();

const cap = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - TRUNCATED.length).trimEnd()}${TRUNCATED}`);

export function formatAutotaskNote(lines: string[]): { title: string; description: string } {
  // A "line" holding a newline is several lines.
  const all = lines.flatMap((line) => line.split('\n')).map(clean);
  while (all.length > 0 && all[0]?.trim() === '') all.shift();
  while (all.length > 0 && all[all.length - 1]?.trim() === '') all.pop();
  const title = cap((all[0] ?? '').trim().replace(/\s+/g, ' '), NOTE_TITLE_MAX);
  return { title, description: cap(all.join('\n'), NOTE_DESCRIPTION_MAX) };
}
