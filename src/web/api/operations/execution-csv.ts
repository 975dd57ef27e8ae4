/**
 * One CSV cell per RFC 4180, safe to open in a spreadsheet: a value a spreadsheet would read as a
 * formula (it starts with =, +, -, @, or a tab or carriage return that some strip first) gets a
 * leading apostrophe, because names and messages in the log come from the PSA and the directory,
 * where anyone can type "=HYPERLINK(…)". Then quotes, commas and line breaks are quoted.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record with its CRLF line end. */
export function csvRow(values: (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
