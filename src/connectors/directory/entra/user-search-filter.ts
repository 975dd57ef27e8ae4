import { odataString } from './odata-escape.js';

/** Properties a single word is matched against, all `startsWith`-filterable on users without advanced queries. */
const WORD_PROPERTIES = ['displayName', 'givenName', 'surname', 'mail', 'userPrincipalName'] as const;
/** Words beyond this are ignored when pairing first and last names, to keep the filter short. */
const MAX_NAME_WORDS = 4;

/**
 * The `$filter` for the user picker: what a technician types, matched against first name, last
 * name, display name, sign-in name and mail.
 *
 * `startswith` rather than `$search`: on users it is a default query for all five properties
 * (user resource: "Supports $filter (… startsWith …)"), so it needs no `ConsistencyLevel`, sees a
 * user created a moment ago, and uses the plain OData escaping. One word ("bowen") is matched
 * at the start of each property. Several words ("megan bowen") match the display name as typed,
 * or any split of the words into first and last name, in either order ("bowen megan").
 */
export function userSearchFilter(query: string): string | null {
  const text = query.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  const whole = odataString(text);
  const words = text.split(' ');
  if (words.length === 1) return WORD_PROPERTIES.map((p) => `startswith(${p},${whole})`).join(' or ');
  const clauses = [`startswith(displayName,${whole})`, `startswith(mail,${whole})`, `startswith(userPrincipalName,${whole})`];
  const named = words.slice(0, MAX_NAME_WORDS);
  for (let split = 1; split < named.length; split++) {
    const first = odataString(named.slice(0, split).join(' '));
    const last = odataString(named.slice(split).join(' '));
    clauses.push(`(startswith(givenName,${first}) and startswith(surname,${last}))`);
    // "Bowen Megan", as names are often said on the phone or listed in a PSA.
    clauses.push(`(startswith(surname,${first}) and startswith(givenName,${last}))`);
  }
  return clauses.join(' or ');
}
