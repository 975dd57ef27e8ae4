import type { DirectoryClient, DirectoryUser } from '../../connectors/directory/types.js';
import type { PsaContact } from '../../connectors/psa/types.js';

/**
 * Finds the directory account of a PSA contact: by e-mail address first (mail, aliases), then
 * the address as a UPN, then the display name. The first rule that finds anyone decides: one
 * match is used, several are offered as a choice, none leads to a search.
 */
export type DirectoryUserMatch =
  | { kind: 'one'; user: DirectoryUser; matchedBy: MatchRule }
  | { kind: 'several'; users: DirectoryUser[]; matchedBy: MatchRule }
  | { kind: 'none'; tried: MatchRule[] };

export type MatchRule = 'email' | 'upn' | 'name';

export async function resolveDirectoryUser(
  directory: DirectoryClient,
  contact: Pick<PsaContact, 'email' | 'name'>,
): Promise<DirectoryUserMatch> {
  const tried: MatchRule[] = [];
  const attempts: [MatchRule, string | undefined, (value: string) => Promise<DirectoryUser[]>][] = [
    ['email', contact.email, (v) => directory.findUsersByEmail(v)],
    ['upn', contact.email, (v) => directory.findUsersByUpn(v)],
    ['name', contact.name, (v) => directory.findUsersByDisplayName(v)],
  ];
  for (const [rule, value, find] of attempts) {
    if (!value?.trim()) continue;
    tried.push(rule);
    const found = await find(value.trim());
    const unique = [...new Map(found.map((user) => [user.id, user])).values()];
    if (unique.length === 1) return { kind: 'one', user: unique[0] as DirectoryUser, matchedBy: rule };
    if (unique.length > 1) return { kind: 'several', users: unique, matchedBy: rule };
  }
  return { kind: 'none', tried };
}
