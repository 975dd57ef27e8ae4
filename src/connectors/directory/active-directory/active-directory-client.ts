import { ToolboxError } from '../../../lib/toolbox-error.js';
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
import { type ActiveDirectoryLdap, type AdGroup, type AdPasswordPolicy, type AdUser, ouPath, parentDnOf } from './active-directory-ldap.js';
import { checkActiveDirectory } from './active-directory-systems-check.js';
import { AD_ERROR_CODES } from './ad-errors.js';
import { adGroupRefusal } from './ad-group-refusal.js';
import { immutableIdToGuidBytes } from './ad-values.js';

/** What an AD client has beyond the core: unlock, OU moves, the UPN suffixes, finding synced users' accounts. */
export type ActiveDirectoryClient = DirectoryClientWith<'unlock' | 'move' | 'domains' | 'syncSource'>;

/** AD's own limit for unicodePwd (MS-ADTS: 256 characters of a password). */
const AD_MAX_PASSWORD_LENGTH = 256;

function toDirectoryUser(user: AdUser, domainDn: string): DirectoryUser {
  const parent = parentDnOf(user.dn);
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
    container: { id: parent, name: ouPath(parent, domainDn).split(' / ').at(-1) ?? parent, path: ouPath(parent, domainDn) },
  };
}

/** AD's rules as the port's: complexity is three of the four kinds, and AD checks the name parts itself. */
function toPasswordPolicy(rules: AdPasswordPolicy, source: string): PasswordPolicy {
  return {
    source,
    minLength: rules.minLength,
    maxLength: AD_MAX_PASSWORD_LENGTH,
    minCharacterClasses: rules.complexity ? 3 : 0,
    printableAsciiOnly: false,
    ...(rules.complexity ? { nameParts: 'directory' as const } : {}),
    historyLength: rules.historyLength,
  };
}

const SCOPE_WORDS = { global: 'Global', domainLocal: 'Domain local', universal: 'Universal' } as const;

function toDirectoryGroup(group: AdGroup & { primary?: boolean }, refusal: string | undefined): DirectoryGroup {
  return {
    id: group.id,
    displayName: group.displayName,
    ...(group.mail ? { mail: group.mail } : {}),
    ...(group.description ? { description: group.description } : {}),
    badges: [group.kind === 'security' ? 'Security' : 'Distribution', SCOPE_WORDS[group.scope], ...(group.builtin ? ['Built-in'] : [])],
    ...(refusal ? { refusal } : {}),
    ...(group.primary ? { primary: true as const } : {}),
  };
}

/**
 * The directory port over one AD domain. The password policy is the user's fine-grained one (a
 * PSO, msDS-ResultantPSO) when one applies, else the domain's own (read from the domain object,
 * cached for a minute); AD's complexity rule checks the name parts itself.
 */
export function createActiveDirectoryClient(ad: ActiveDirectoryLdap, deps: { now: () => number }): ActiveDirectoryClient {
  let policy: { value: PasswordPolicy; at: number } | undefined;
  const toUser = (user: AdUser) => toDirectoryUser(user, ad.domainDn);
  // What the picker shows is what addGroupMember / removeGroupMember refuse (adGroupRefusal).
  const shown = (group: AdGroup & { primary?: boolean }, userName?: string) =>
    toDirectoryGroup(
      group,
      adGroupRefusal(group, { primaryOf: group.primary ? userName : undefined, outsideBase: !ad.isInBase(group.dn) }),
    );

  return {
    findUsersByEmail: async (email) => (await ad.findUsersByEmail(email)).map(toUser),
    findUsersByUpn: async (upn) => (await ad.findUsersByUpn(upn)).map(toUser),
    findUsersByDisplayName: async (name) => {
      const wanted = name.trim().toLowerCase();
      return (await ad.searchUsers(name, 50)).filter((user) => user.displayName.toLowerCase() === wanted).map(toUser);
    },
    searchUsers: async (query, options) => (await ad.searchUsers(query, options?.limit ?? 25)).map(toUser),
    getUser: async (id) => toUser(await ad.getUser(id)),
    listDirectoryRoles: async (userId) => {
      const reason = await ad.privilegedReason(userId);
      return reason ? [{ id: 'ad-protected', displayName: `Protected account: ${reason}` }] : [];
    },
    passwordPolicy: async (userId) => {
      // A user's fine-grained policy (PSO) wins over the domain's; read for each user, not cached:
      // it follows their group memberships.
      const pso = userId ? await ad.resultantPasswordPolicy(userId) : null;
      if (pso) return toPasswordPolicy(pso, `the ${pso.name} password policy of the ${ad.dnsDomainName} domain`);
      if (policy && deps.now() - policy.at < 60_000) return policy.value;
      const value = toPasswordPolicy(await ad.readPasswordPolicy(), `the ${ad.dnsDomainName} domain`);
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
    listGroupMembers: async (groupId, options) => (await ad.listGroupMembers(groupId, options?.limit ?? 100)).map(toUser),
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
      return toUser(created);
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
      moveUser: async (userId, containerId) => {
        // Moved out of the base DN, the account would vanish from the toolbox's view mid-run.
        if (!ad.isInBase(containerId))
          throw new ToolboxError({
            code: AD_ERROR_CODES.invalidInput,
            message: `${containerId} is outside the part of the domain the toolbox works in (its base DN): choose an OU inside it.`,
            httpStatus: 422,
          });
        return (await ad.moveUser(userId, containerId)) === 'moved' ? 'moved' : 'already-there';
      },
    },
    domains: {
      listVerifiedDomains: async () => (await ad.upnSuffixes()).map((name, index) => ({ name, isDefault: index === 0 })),
    },
    syncSource: { findSyncedAccount: (anchor) => findSyncedAccount(ad, anchor) },
  };
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
  const found = (user: AdUser, matchedBy: 'immutableId' | 'securityIdentifier' | 'samAccountName' | 'userPrincipalName') => {
    const account = toDirectoryUser(user, ad.domainDn);
    return { user: account, ...(account.container ? { path: account.container.path } : {}), matchedBy };
  };
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
