/**
 * Query-string helpers for ConnectWise: encoding, condition literals and `Link` headers.
 */

/**
 * Percent-encodes a query value. encodeURIComponent leaves `! ' ( ) *` alone, but the guide asks for
 * `'` and `*` (and `& " % + [ ]`) to be encoded in conditions (reference §6), so those are encoded
 * too. Spaces become %20, never "+", which some servers keep literally.
 */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function buildQueryString(query: Record<string, string | number | undefined> | undefined): string {
  if (!query) return '';
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeQueryValue(key)}=${encodeQueryValue(String(value))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/**
 * Quotes a string for a `conditions` expression, or returns undefined when it cannot be quoted
 * safely. The guide documents both quote styles but no escape sequence inside a string, so a value
 * containing a double quote is wrapped in single quotes, and one containing both is not sent at
 * all: the caller filters client-side instead. No value can ever break out of its literal.
 */
export function quoteConditionValue(value: string): string | undefined {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return undefined;
}

/** Parses an RFC 5988 `Link` header into rel → URL. */
export function parseLinkHeader(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const match of header.matchAll(/<([^>]*)>\s*;\s*rel="?([^";,]+)"?/g)) {
    const [, url, rel] = match;
    if (url !== undefined && rel !== undefined) links[rel.toLowerCase()] = url;
  }
  return links;
}
