/**
 * OData string literals for Graph `$filter` expressions. A value typed by a technician or copied
 * from a PSA contact (`o'brien@example.com`) goes into a filter string, so it must be escaped: in
 * OData a single quote inside a literal is written as two single quotes. Without this,
 * `x' or 1 eq 1` would change the query instead of being searched for.
 *
 * The result is still raw OData text; the caller percent-encodes the whole query parameter
 * (`encodeURIComponent`), which takes care of `&`, `#`, `+` and `%`.
 */
export function escapeODataString(value: string): string {
  return value.replaceAll("'", "''");
}

/** The quoted literal: `o'brien` → `'o''brien'`. */
export function odataString(value: string): string {
  return `'${escapeODataString(value)}'`;
}
