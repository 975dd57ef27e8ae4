import type {
  DirectoryClientWith,
  DirectoryContainer,
  DirectoryGroup,
  DirectoryParts,
  DirectoryUser,
  NewUser,
  OnPremisesAnchor,
  PasswordPolicy,
} from '../types.js';
import type { ActiveDirectoryLdap, AdGroup, AdUser } from './active-directory-ldap.js';
import { checkActiveDirectory } from './active-directory-systems-check.js';
import { adGroupRefusal } from './ad-group-refusal.js';
import { immutableIdToGuidBytes } from './ad-values.js';

/** What an AD client has beyond the core: unlock, OU moves, the UPN suffixes, finding synced users' accounts. */
export type ActiveDirectoryClient = DirectoryClientWith<'unlock' | 'move' | 'domains' | 'syncSource'>;

/** AD's own limit for unicodePwd (MS-ADTS: 256 characters of a password). */
const AD_MAX_PASSWORD_LENGTH = 256;

function toDirectoryUser(user: AdUser): DirectoryUser {
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName || user.sAMAccountName,
    displayName: user.displayName,
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.givenName ? { givenName: user.givenName } : {}),
    ...(user.surname ? { surname: user.surname } : {}),
    ...(user.jobTitle ? { jobTitle: user.jobTitle } : {}),
    ...(user.department ? { department: user.department } : {}),
    accountEnabled: user.accountEnabled,
    // The account is the on-prem one itself: its password lives here.
    onPremisesSyncEnabled: false,
    lastSignIn: user.lastLogon,
  };
}

const SCOPE_WORDS = { global: 'Global', domainLocal: 'Domain local', universal: 'Universal' } as const;

function toDirectoryGroup(group: AdGroup, refusal: string | undefined): DirectoryGroup {
  return {
    id: group.id,
    displayName: group.displayName,
    ...(group.mail ? { mail: group.mail } : {}),
    ...(group.description ? { description: group.description } : {}),
    badges: [group.kind === 'security' ? 'Security' : 'Distribution', SCOPE_WORDS[group.scope], ...(group.builtin ? ['Built-in'] : [])],
    ...(refusal ? { refusal } : {}),
  };
}

/**
 * The directory port over one AD domain. The password policy is the domain's own (read from the
 * domain object, cached for a minute); AD's complexity rule checks the name parts itself.
 */
export function createActiveDirectoryClient(ad: ActiveDirectoryLdap, deps: { now: () => number }): ActiveDirectoryClient {
  let policy: { value: PasswordPolicy; at: number } | undefined;
  // What the picker shows is what addGroupMember / removeGroupMember refuse (adGroupRefusal).
  const shown = (group: AdGroup & { primary?: boolean }, userName?: string) =>
    toDirectoryGroup(
      group,
      adGroupRefusal(group, { primaryOf: group.primary ? userName : undefined, outsideBase: !ad.isInBase(group.dn) }),
    );

  return {
    findUsersByEmail: async (email) => (await ad.findUsersByEmail(email)).map(toDirectoryUser),
    findUsersByUpn: async (upn) => (await ad.findUsersByUpn(upn)).map(toDirectoryUser),
    findUsersByDisplayName: async (name) => {
      const wanted = name.trim().toLowerCase();
      return (await ad.searchUsers(name, 50)).filter((user) => user.displayName.toLowerCase() === wanted).map(toDirectoryUser);
    },
    searchUsers: async (query, options) => (await ad.searchUsers(query, options?.limit ?? 25)).map(toDirectoryUser),
    getUser: async (id) => toDirectoryUser(await ad.getUser(id)),
    listDirectoryRoles: async (userId) => {
      const reason = await ad.privilegedReason(userId);
      return reason ? [{ id: 'ad-protected', displayName: `Protected account: ${reason}` }] : [];
    },
    passwordPolicy: async () => {
      if (policy && deps.now() - policy.at < 60_000) return policy.value;
      const domainPolicy = await ad.readPasswordPolicy();
      const value: PasswordPolicy = {
        source: `the ${ad.dnsDomainName} domain`,
        minLength: domainPolicy.minLength,
        maxLength: AD_MAX_PASSWORD_LENGTH,
        minCharacterClasses: domainPolicy.complexity ? 3 : 0,
        printableAsciiOnly: false,
        ...(domainPolicy.complexity ? { nameParts: 'directory' as const } : {}),
        historyLength: domainPolicy.historyLength,
      };
      policy = { value, at: deps.now() };
      return value;
    },
    resetPassword: (userId, input) =>
      ad.resetPassword(userId, { password: input.password, mustChange: input.forceChangeNextSignIn, unlock: false }),
    setAccountEnabled: async (userId, enabled) => {
      await ad.setAccountEnabled(userId, enabled);
    },
    searchGroups: async (query, options) => (await ad.searchGroups(query, options?.limit ?? 25)).map((group) => shown(group)),
    getGroup: async (groupId) => shown(await ad.getGroup(groupId)),
    listUserGroups: async (userId) => {
      const { user, groups } = await ad.listUserGroups(userId);
      return groups.map((group) => shown(group, user.displayName));
    },
    listGroupMembers: async (groupId, options) => (await ad.listGroupMembers(groupId, options?.limit ?? 100)).map(toDirectoryUser),
    addGroupMember: (groupId, userId) => ad.addGroupMember(groupId, userId),
    removeGroupMember: (groupId, userId) => ad.removeGroupMember(groupId, userId),
    createUser: async (user: NewUser) => {
      const [localPart = ''] = user.userPrincipalName.split('@');
      const created = await ad.createUser({
        parentDn: user.containerId ?? ad.defaultUserContainer,
        givenName: user.givenName,
        surname: user.surname,
        displayName: user.displayName,
        // sAMAccountName ("pre-Windows 2000" name) holds at most 20 characters.
        sAMAccountName: localPart.slice(0, 20),
        userPrincipalName: user.userPrincipalName,
        ...(user.jobTitle ? { jobTitle: user.jobTitle } : {}),
        ...(user.department ? { department: user.department } : {}),
        password: user.password,
        mustChangePassword: user.forceChangeNextSignIn,
      });
      return toDirectoryUser(created);
    },
    systemsCheck: () => checkActiveDirectory(ad),
    unlock: { unlockAccount: (userId) => ad.unlock(userId) },
    move: {
      searchContainers: async (query, options) => {
        const wanted = query.trim().toLowerCase();
        const containers: DirectoryContainer[] = (await ad.listOrganizationalUnits())
          .filter((ou) => !wanted || ou.path.toLowerCase().includes(wanted))
          .map((ou) => ({ id: ou.dn, name: ou.name, path: ou.path }));
        return containers.slice(0, options?.limit ?? 50);
      },
      moveUser: async (userId, containerId) => ((await ad.moveUser(userId, containerId)) === 'moved' ? 'moved' : 'already-there'),
    },
    domains: {
      listVerifiedDomains: async () => (await ad.upnSuffixes()).map((name, index) => ({ name, isDefault: index === 0 })),
    },
    syncSource: { findSyncedAccount: (anchor) => findSyncedAccount(ad, anchor) },
  };
}

/** "contoso.example/Staff/Sales" for CN=…,OU=Sales,OU=Staff,DC=contoso,DC=example: where a technician finds it. */
function accountPath(dn: string, dnsDomainName: string): string {
  const parents = dn
    .split(/,(?=(?:OU|CN|DC)=)/i)
    .slice(1)
    .filter((part) => !/^DC=/i.test(part))
    .map((part) => part.replace(/^(?:OU|CN)=/i, '').replace(/\\(.)/g, '$1'))
    .reverse();
  return [dnsDomainName, ...parents].join('/');
}

/**
 * The account behind a synced Entra user, in Entra Connect's own order: the source anchor
 * (objectGUID, or mS-DS-ConsistencyGuid holding the same bytes), the SID, then the names, which
 * count only when exactly one account has them.
 */
async function findSyncedAccount(
  ad: ActiveDirectoryLdap,
  anchor: OnPremisesAnchor,
): ReturnType<DirectoryParts['syncSource']['findSyncedAccount']> {
  const found = (user: AdUser, matchedBy: 'immutableId' | 'securityIdentifier' | 'samAccountName' | 'userPrincipalName') => ({
    user: toDirectoryUser(user),
    path: accountPath(user.dn, ad.dnsDomainName),
    matchedBy,
  });
  // Not 16 bytes: a custom source anchor (an employee number, …) this toolbox cannot read; the SID and names still can.
  const guid = anchor.immutableId ? immutableIdToGuidBytes(anchor.immutableId) : null;
  if (guid) {
    const user = await ad.findUserByGuidBytes(guid);
    if (user) return found(user, 'immutableId');
  }
  if (anchor.securityIdentifier) {
    const user = await ad.findUserBySid(anchor.securityIdentifier);
    if (user) return found(user, 'securityIdentifier');
  }
  if (anchor.samAccountName) {
    const users = await ad.findUsersBySamAccountName(anchor.samAccountName);
    if (users.length === 1 && users[0]) return found(users[0], 'samAccountName');
  }
  if (anchor.userPrincipalName) {
    const users = await ad.findUsersByUpn(anchor.userPrincipalName);
    if (users.length === 1 && users[0]) return found(users[0], 'userPrincipalName');
  }
  return null;
}
