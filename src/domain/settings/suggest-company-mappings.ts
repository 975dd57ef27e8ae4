import type { PsaCompany, PsaCompanyEmailDomains } from '../../connectors/psa/types.js';

export type DirectoryDomains = { id: string; name: string; verifiedDomains: string[] };

export type CompanyMappingSuggestion = {
  companyId: string;
  /** The directory to map the company to, or null when there is no clear one. */
  directoryId: string | null;
  directoryName: string | null;
  /** Why, in an admin's words: the evidence for a suggestion, or why there is none. */
  reason: string;
};

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * For each company, the directory whose verified domains cover the most of its contacts' e-mail
 * addresses. A tie or no match gives no suggestion: guessing between two tenants could send a
 * technician's password reset to the wrong customer, so the admin decides those by hand.
 */
export function suggestCompanyMappings(input: {
  companies: PsaCompany[];
  emailDomains: Record<string, PsaCompanyEmailDomains>;
  directories: DirectoryDomains[];
}): CompanyMappingSuggestion[] {
  const owners = new Map<string, DirectoryDomains[]>();
  for (const directory of input.directories) {
    for (const raw of directory.verifiedDomains) {
      const domain = raw.trim().toLowerCase();
      const list = owners.get(domain) ?? [];
      if (!list.includes(directory)) list.push(directory);
      owners.set(domain, list);
    }
  }

  return input.companies.map((company): CompanyMappingSuggestion => {
    const none = (reason: string) => ({ companyId: company.id, directoryId: null, directoryName: null, reason });
    const seen = Object.hasOwn(input.emailDomains, company.id) ? input.emailDomains[company.id] : undefined;
    if (!seen || seen.contactsWithEmail === 0) return none('No active contact of this company has an e-mail address.');

    // Contacts covered per directory, and which of its domains they use.
    const score = new Map<DirectoryDomains, { contacts: number; domains: string[] }>();
    for (const [domain, contacts] of Object.entries(seen.domains)) {
      for (const directory of owners.get(domain) ?? []) {
        const entry = score.get(directory) ?? { contacts: 0, domains: [] };
        entry.contacts += contacts;
        entry.domains.push(domain);
        score.set(directory, entry);
      }
    }
    const contactWord = (count: number) => plural(count, 'contact', 'contacts');
    if (score.size === 0) {
      const used = Object.keys(seen.domains).sort();
      const who = seen.contactsWithEmail === 1 ? 'Its 1 contact uses' : `Its ${seen.contactsWithEmail} contacts use`;
      const which = used.length === 1 ? 'which is not' : 'none of which is';
      return none(`${who} ${listWords(used)}, ${which} a verified domain of any directory.`);
    }
    const ranked = [...score.entries()].sort((a, b) => b[1].contacts - a[1].contacts);
    const [best, second] = ranked;
    if (!best) return none('No directory matches.');
    if (second && second[1].contacts === best[1].contacts) {
      const tied = ranked.filter(([, entry]) => entry.contacts === best[1].contacts).map(([directory]) => directory.name);
      return none(
        `Tie: ${listWords(tied)} each have the domain of ${best[1].contacts} of ${contactWord(seen.contactsWithEmail)} verified; choose by hand.`,
      );
    }
    const [directory, evidence] = best;
    const verb = evidence.contacts === 1 ? 'uses' : 'use';
    const domains = listWords(evidence.domains.sort());
    const what = evidence.domains.length === 1 ? 'a verified domain' : 'verified domains';
    return {
      companyId: company.id,
      directoryId: directory.id,
      directoryName: directory.name,
      reason: `${evidence.contacts} of ${contactWord(seen.contactsWithEmail)} ${verb} ${domains}, ${what} of ${directory.name}.`,
    };
  });
}
