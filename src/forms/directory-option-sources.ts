import type { DirectoryClient, DirectoryGroup, DirectoryUser } from '../connectors/directory/types.js';
import { directoryUserFacts } from './directory-user-facts.js';
import type { OptionItem } from './types.js';

const KIND_BADGE: Record<DirectoryGroup['kind'], string> = {
  microsoft365: 'Microsoft 365',
  security: 'Security',
  mailEnabledSecurity: 'Mail-enabled security',
  distribution: 'Distribution',
};

/** The badges a group shows: its kind, and why it is read-only when it is. */
export function groupBadges(group: DirectoryGroup): string[] {
  return [KIND_BADGE[group.kind], ...(group.dynamic ? ['Dynamic'] : []), ...(group.synced ? ['Synced'] : [])];
}

export function groupOption(group: DirectoryGroup): OptionItem {
  return {
    value: group.id,
    label: group.displayName,
    ...(group.mail ? { detail: group.mail } : {}),
    badges: groupBadges(group),
    ...(group.changeVia === null ? { disabledReason: group.refusal ?? 'Its membership cannot be changed here.' } : {}),
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

/** The live lists forms share: groups and users by search, a group's members by its id. */
export const directoryOptionSources = {
  groups: async (directory: DirectoryClient, query: string) => (await directory.searchGroups(query, { limit: 20 })).map(groupOption),
  users: async (directory: DirectoryClient, query: string) => (await directory.searchUsers(query, { limit: 20 })).map(userOption),
  members: async (directory: DirectoryClient, groupId: string) =>
    (await directory.listGroupMembers(groupId, { limit: 200 })).map(userOption),
};
