/**
 * Escaping for values put into LDAP filters (RFC 4515) and distinguished names (RFC 4514). Every
 * value that reaches a filter or a DN from outside (a contact's e-mail, a name typed on a form, a
 * GUID from Microsoft 365) goes through one of these: an unescaped `*` or `)` would change what a
 * search matches, and `,` or `=` what a DN names.
 */

const FILTER_SPECIALS = new Set(['*', '(', ')', '\\', String.fromCharCode(0)]);
const DN_SPECIALS = new Set([',', '+', '"', '\\', '<', '>', ';', '=']);
const hexEscape = (ch: string) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** A string value for an LDAP filter: `*`, `(`, `)`, `\` and NUL escaped as `\xx` (RFC 4515 §3). */
export function escapeFilterValue(value: string): string {
  let escaped = '';
  for (const ch of value) escaped += FILTER_SPECIALS.has(ch) ? hexEscape(ch) : ch;
  return escaped;
}

/**
 * An attribute value for a DN's relative name (RFC 4514 §2.4): `,` `+` `"` `\` `<` `>` `;` `=`
 * escaped with a backslash, a leading space or `#` and a trailing space too, control characters
 * as `\xx`.
 */
export function escapeDnValue(value: string): string {
  let escaped = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    escaped += DN_SPECIALS.has(ch) ? `\\${ch}` : code < 0x20 || code === 0x7f ? hexEscape(ch) : ch;
  }
  if (escaped.startsWith(' ') || escaped.startsWith('#')) escaped = `\\${escaped}`;
  if (escaped.endsWith(' ') && !escaped.endsWith('\\ ')) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}
