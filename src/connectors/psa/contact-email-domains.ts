import type { PsaCompanyEmailDomains } from './types.js';

/** The lower-case domain of an e-mail address, without a trailing dot; undefined when it has none. */
export function domainOf(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return undefined;
  return email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
}

/**
 * Counts the contacts' e-mail domains per company asked for, the same way for every PSA: each
 * company asked for is in the result (possibly with no contacts), each contact counted once, by
 * its main address. Only companies asked for are counted.
 */
export function createContactEmailDomainTally(companyIds: string[]) {
  // A Map, not an object: an id is caller input and must not reach Object.prototype.
  const result = new Map<string, PsaCompanyEmailDomains>();
  for (const id of companyIds) result.set(id, { contactsWithEmail: 0, domains: {} });
  return {
    /** One active contact of `companyId` whose main address is `email`. */
    count(companyId: string | undefined, email: string | undefined): void {
      const entry = companyId === undefined ? undefined : result.get(companyId);
      const domain = email === undefined ? undefined : domainOf(email);
      if (!entry || domain === undefined) return;
      entry.contactsWithEmail++;
      entry.domains[domain] = (Object.hasOwn(entry.domains, domain) ? (entry.domains[domain] ?? 0) : 0) + 1;
    },
    result: (): Record<string, PsaCompanyEmailDomains> => Object.fromEntries(result),
  };
}
