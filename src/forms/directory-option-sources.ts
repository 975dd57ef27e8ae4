import type { DirectoryClient, DirectoryGroup, DirectoryUser } from '../connectors/directory/types.js';
import { directoryUserFacts } from './directory-user-facts.js';
import type { OptionContext, OptionItem } from './types.js';

export function groupOption(group: DirectoryGroup): OptionItem {
  return {
    value: group.id,
    label: group.displayName,
    ...(group.mail ? { detail: group.mail } : {}),
    // The directory's own words for its kind of group, and why it is read-only when it is.
    badges: group.badges,
    ...(group.refusal !== undefined ? { disabledReason: group.refusal } : {}),
  };
}

/** A user in a picker, with what tells look-alikes apart (directory-user-facts.ts). */
export const userOption = (user: DirectoryUser): OptionItem => {
  const facts = directoryUserFacts(user);
  return {
    value: user.id,
    label: user.displayName,
    detail: [user.userPrincipalName, ...facts.role, ...(facts.lastSignIn ? [`last sign-in ${facts.lastSignIn}`] : [])].join(' · '),
    badges: [...(user.accountEnabled ? [] : ['Disabled']), ...(user.onPremisesSyncEnabled ? ['Synced'] : [])],
  };
};

/**
 * A group the user is already in: marked, and not offered to add (adding it would change nothing);
 * the form lists current memberships separately, where they can be ticked for removal.
 */
export function memberGroupOption(group: DirectoryGroup): OptionItem {
  const option = groupOption(group);
  return {
    ...option,
    badges: ['Member', ...option.badges],
    disabledReason: 'Already a member: tick it under the current groups to remove it.',
  };
}

/**
 * Groups by search. With a user, the groups they are already in are marked (read in parallel with
 * the search, so the list costs no extra round trip).
 */
async function searchGroupsFor(directory: DirectoryClient, query: string, context?: OptionContext): Promise<OptionItem[]> {
  const [groups, memberOf] = await Promise.all([
    directory.searchGroups(query, { limit: 20 }),
    context?.userId ? directory.listUserGroups(context.userId) : Promise.resolve([]),
  ]);
  const member = new Set(memberOf.map((group) => group.id));
  return groups.map((group) => (member.has(group.id) ? memberGroupOption(group) : groupOption(group)));
}

/** The live lists forms share: groups and users by search, a group's members by its id. */
export const directoryOptionSources = {
  groups: searchGroupsFor,
  users: async (directory: DirectoryClient, query: string) => (await directory.searchUsers(query, { limit: 20 })).map(userOption),
  members: async (directory: DirectoryClient, groupId: string) =>
    (await directory.listGroupMembers(groupId, { limit: 200 })).map(userOption),
};
