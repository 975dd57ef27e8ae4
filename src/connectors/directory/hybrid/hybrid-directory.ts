import { ToolboxError } from '../../../lib/toolbox-error.js';
import { requirePart } from '../directory-capabilities.js';
import type {
  DirectoryCapability,
  DirectoryClient,
  DirectoryClientWith,
  DirectoryGroup,
  DirectoryParts,
  DirectoryUser,
  OnPremisesAccount,
} from '../types.js';

/**
 * A hybrid company: its Microsoft 365 tenant (the cloud side) and the on-prem AD domain its users
 * are synchronised from (a directory with the `syncSource` part). Not a connector kind: the
 * directory registry composes one for a company that both serve, and every form and workflow
 * sees one directory. Each change goes to the side that owns it:
 *
 * - a synced user's password, sign-in (enable/disable), lockout and OU belong to AD: Entra
 *   refuses them (or the next sync would undo them), so they are made on the matched AD account;
 * - sessions, MFA methods, Temporary Access Passes, licences, mailbox and the other cloud parts
 *   stay in Microsoft 365;
 * - groups are offered from both: AD's groups (on-prem ones and those synced to the cloud, changed
 *   at their source) and the cloud-only ones; the cloud copies of synced groups are left out;
 * - new users are created in AD, where a hybrid customer's accounts are born; Microsoft 365 gets
 *   them with the next directory sync.
 *
 * Users are named by their cloud id. An AD account the cloud does not have (yet) is named
 * `ad:<id>`, as are AD groups (cloud ids are GUIDs, never starting so): ids stay unambiguous in
 * executions and pickers.
 */
export type HybridSide = { id: string; name: string; client: DirectoryClient; allowPrivilegedTargets: boolean };

export type HybridDirectory = {
  client: DirectoryClient;
  /** Where a step needing `capability` changes this user, in a technician's words; null when it is not one place. */
  placeOf(capability: DirectoryCapability, userId: string): Promise<string | null>;
};

const AD_PREFIX = 'ad:';
/** A Microsoft 365 operation on an account that is in AD only so far (see workflows/shared/until-synced.ts). */
export const NOT_SYNCED_YET_CODE = 'TBX_ERR_DIRECTORY_NOT_SYNCED_YET';
/** Operations that belong to the on-prem account of a synced user. */
const ON_PREMISES_OWNED = new Set<DirectoryCapability>(['resetPassword', 'enableDisable', 'unlock', 'move', 'createUsers']);
/** A matched account is looked up again after this long: its id never changes, but a wrong match could be fixed in AD. */
const MATCH_TTL_MS = 60_000;
const MAX_REMEMBERED = 1000;
/** Finds and lookups read the AD account of at most this many cloud users (a contact's match, not a list). */
const MAX_MATCHED_IN_LIST = 5;

const isAdId = (id: string) => id.startsWith(AD_PREFIX);
const adId = (id: string) => id.slice(AD_PREFIX.length);

export function createHybridDirectory(cloudSide: HybridSide, onPremisesSide: HybridSide, deps: { now: () => number }): HybridDirectory {
  const cloud = cloudSide.client;
  const onPremises = onPremisesSide.client;
  const syncSource = requirePart(onPremises, 'syncSource');
  const adWhere = `on-premises Active Directory (${onPremisesSide.name})`;
  const cloudWhere = `Microsoft 365 (${cloudSide.name})`;
  /** Cloud user id → its AD account's id, or null for a cloud-only user: where its changes go. */
  const matched = new Map<string, { accountId: string | null; at: number }>();

  const asAdUser = (user: DirectoryUser, account?: Omit<OnPremisesAccount, 'directoryName'>): DirectoryUser => ({
    ...user,
    id: `${AD_PREFIX}${user.id}`,
    onPremisesSyncEnabled: false,
    onPremisesAccount: {
      directoryName: onPremisesSide.name,
      id: user.id,
      userPrincipalName: user.userPrincipalName,
      accountEnabled: user.accountEnabled,
      matchedBy: 'userPrincipalName',
      ...account,
    },
  });
  const asAdGroup = (group: DirectoryGroup): DirectoryGroup => ({
    ...group,
    id: `${AD_PREFIX}${group.id}`,
    badges: [...group.badges, 'On-premises AD'],
  });

  /** The cloud user with the AD account behind it, when it is synced and one account matches. */
  async function withAccount(user: DirectoryUser): Promise<DirectoryUser> {
    if (!user.onPremisesSyncEnabled) {
      remember(user.id, null);
      return user;
    }
    if (!user.onPremisesAnchor) return user;
    const found = await syncSource.findSyncedAccount(user.onPremisesAnchor);
    if (!found) return user;
    remember(user.id, found.user.id);
    return {
      ...user,
      // AD decides whether the account may sign in, and where it lives; the cloud copy follows at the next sync.
      accountEnabled: found.user.accountEnabled,
      ...(found.user.container ? { container: found.user.container } : {}),
      onPremisesAccount: {
        directoryName: onPremisesSide.name,
        id: found.user.id,
        userPrincipalName: found.user.userPrincipalName,
        ...(found.path ? { path: found.path } : {}),
        accountEnabled: found.user.accountEnabled,
        matchedBy: found.matchedBy,
      },
    };
  }

  function remember(cloudId: string, accountId: string | null) {
    if (matched.size >= MAX_REMEMBERED) matched.delete(matched.keys().next().value as string);
    matched.set(cloudId, { accountId, at: deps.now() });
  }

  const notMatched = (user: DirectoryUser) =>
    new ToolboxError({
      code: 'TBX_ERR_DIRECTORY_SYNCED_USER',
      httpStatus: 409,
      message: `${user.userPrincipalName} is synchronised from on-premises AD, but no account in ${onPremisesSide.name} matches it (by its objectGUID, SID, sAMAccountName or UPN). Check that ${onPremisesSide.name}'s baseDn covers the OU it is in, or make the change in AD.`,
    });
  const notInCloud = (id: string) =>
    new ToolboxError({
      code: NOT_SYNCED_YET_CODE,
      httpStatus: 409,
      message: `This account (${adId(id)}) is in ${onPremisesSide.name} only: Microsoft 365 gets it with the next directory sync (Entra Connect runs every 30 minutes). Do this in Microsoft 365 after the sync.`,
    });

  /**
   * Who owns the password and sign-in of this user: its AD account, or the cloud user; `unmatched`
   * for a synced user whose account this directory does not reach (owned by an AD it cannot change).
   */
  async function route(userId: string): Promise<{ side: 'onPremises' | 'cloud'; id: string } | { side: 'unmatched'; user: DirectoryUser }> {
    if (isAdId(userId)) return { side: 'onPremises', id: adId(userId) };
    const known = matched.get(userId);
    if (known && deps.now() - known.at < MATCH_TTL_MS)
      return known.accountId === null ? { side: 'cloud', id: userId } : { side: 'onPremises', id: known.accountId };
    const user = await withAccount(await cloud.getUser(userId));
    if (user.onPremisesAccount) return { side: 'onPremises', id: user.onPremisesAccount.id };
    if (user.onPremisesSyncEnabled) return { side: 'unmatched', user };
    return { side: 'cloud', id: userId };
  }
  /** The side that changes this user's password and sign-in; refuses a synced user without a reachable account. */
  async function owner(userId: string): Promise<{ side: 'onPremises' | 'cloud'; id: string }> {
    const found = await route(userId);
    if (found.side === 'unmatched') throw notMatched(found.user);
    return found;
  }
  const cloudId = (userId: string) => {
    if (isAdId(userId)) throw notInCloud(userId);
    return userId;
  };
  /** A cloud part, called with the cloud user's id. */
  function cloudPart<P extends keyof DirectoryParts>(part: P): DirectoryParts[P] | undefined {
    const inner = cloud[part];
    if (!inner) return undefined;
    // Every member of a cloud part takes the user's id first.
    return Object.fromEntries(
      Object.entries(inner as Record<string, (...args: unknown[]) => unknown>).map(([name, method]) => [
        name,
        async (userId: unknown, ...rest: unknown[]) =>
          typeof userId === 'string' ? method(cloudId(userId), ...rest) : method(userId, ...rest),
      ]),
    ) as DirectoryParts[P];
  }

  async function findInBoth(find: (client: DirectoryClient) => Promise<DirectoryUser[]>): Promise<DirectoryUser[]> {
    const inCloud = await find(cloud);
    if (inCloud.length > 0) return inCloud.length <= MAX_MATCHED_IN_LIST ? Promise.all(inCloud.map((user) => withAccount(user))) : inCloud;
    // Not in the cloud: an AD account not synced (yet), such as one created an hour ago.
    return (await find(onPremises)).map((user) => asAdUser(user));
  }

  const client: DirectoryClientWith<'unlock' | 'move' | 'domains'> = {
    findUsersByEmail: (email) => findInBoth((side) => side.findUsersByEmail(email)),
    findUsersByUpn: (upn) => findInBoth((side) => side.findUsersByUpn(upn)),
    findUsersByDisplayName: (name) => findInBoth((side) => side.findUsersByDisplayName(name)),
    searchUsers: async (query, options) => {
      const inCloud = await cloud.searchUsers(query, options);
      if (inCloud.length > 0) return inCloud;
      return (await onPremises.searchUsers(query, options)).map((user) => asAdUser(user));
    },
    getUser: async (id) => (isAdId(id) ? asAdUser(await onPremises.getUser(adId(id))) : withAccount(await cloud.getUser(id))),
    listDirectoryRoles: async (userId) => {
      // Both sides' rules apply: an Entra admin role or an AD protected group makes the account privileged.
      const side = await route(userId);
      const [cloudRoles, adRoles] = await Promise.all([
        isAdId(userId) || cloudSide.allowPrivilegedTargets ? [] : cloud.listDirectoryRoles(userId),
        side.side === 'onPremises' && !onPremisesSide.allowPrivilegedTargets ? onPremises.listDirectoryRoles(side.id) : [],
      ]);
      return [...cloudRoles, ...adRoles];
    },
    passwordPolicy: async (userId) => {
      const side = userId ? await route(userId) : undefined;
      // New users are created in AD; an unmatched synced user's password is AD's too (the form refuses it anyway).
      if (!side || side.side === 'unmatched') return onPremises.passwordPolicy();
      return side.side === 'onPremises' ? onPremises.passwordPolicy(side.id) : cloud.passwordPolicy(side.id);
    },
    resetPassword: async (userId, input) => {
      const side = await owner(userId);
      return side.side === 'onPremises' ? onPremises.resetPassword(side.id, input) : cloud.resetPassword(side.id, input);
    },
    setAccountEnabled: async (userId, enabled) => {
      const side = await owner(userId);
      return side.side === 'onPremises' ? onPremises.setAccountEnabled(side.id, enabled) : cloud.setAccountEnabled(side.id, enabled);
    },
    searchGroups: async (query, options) => {
      const [inCloud, inAd] = await Promise.all([cloud.searchGroups(query, options), onPremises.searchGroups(query, options)]);
      const all = [...inAd.map(asAdGroup), ...inCloud.filter((group) => !group.syncedFromOnPremises)];
      all.sort((a, b) => a.displayName.localeCompare(b.displayName, 'en', { sensitivity: 'base' }));
      return all.slice(0, options?.limit ?? all.length);
    },
    getGroup: async (groupId) => (isAdId(groupId) ? asAdGroup(await onPremises.getGroup(adId(groupId))) : cloud.getGroup(groupId)),
    listUserGroups: async (userId) => {
      const side = await owner(userId);
      const [inCloud, inAd] = await Promise.all([
        isAdId(userId) ? [] : cloud.listUserGroups(userId),
        side.side === 'onPremises' ? onPremises.listUserGroups(side.id) : [],
      ]);
      return [...inAd.map(asAdGroup), ...inCloud.filter((group) => !group.syncedFromOnPremises)];
    },
    listGroupMembers: async (groupId, options) =>
      isAdId(groupId)
        ? (await onPremises.listGroupMembers(adId(groupId), options)).map((user) => asAdUser(user))
        : cloud.listGroupMembers(groupId, options),
    addGroupMember: async (groupId, userId) => {
      if (!isAdId(groupId)) return cloud.addGroupMember(groupId, cloudId(userId));
      return onPremises.addGroupMember(adId(groupId), await adAccountFor(userId));
    },
    removeGroupMember: async (groupId, userId) => {
      if (!isAdId(groupId)) return cloud.removeGroupMember(groupId, cloudId(userId));
      return onPremises.removeGroupMember(adId(groupId), await adAccountFor(userId));
    },
    createUser: async (user) => {
      const created = await onPremises.createUser(user);
      return asAdUser(created);
    },
    systemsCheck: async () => {
      const [cloudLines, adLines] = await Promise.all([cloud.systemsCheck(), onPremises.systemsCheck()]);
      return [
        ...cloudLines.map((line) => ({ ...line, name: `${cloudSide.name}: ${line.name}` })),
        ...adLines.map((line) => ({ ...line, name: `${onPremisesSide.name}: ${line.name}` })),
      ];
    },
    unlock: {
      unlockAccount: async (userId) => {
        const side = await owner(userId);
        // A cloud-only account has no lockout the toolbox can lift (Entra's smart lockout ends by itself).
        if (side.side === 'cloud') return 'not-locked';
        return requirePart(onPremises, 'unlock').unlockAccount(side.id);
      },
    },
    move: {
      searchContainers: (query, options) => requirePart(onPremises, 'move').searchContainers(query, options),
      moveUser: async (userId, containerId) => requirePart(onPremises, 'move').moveUser(await adAccountFor(userId), containerId),
    },
    // New users are created in AD: their sign-in names end with its UPN suffixes.
    domains: { listVerifiedDomains: () => requirePart(onPremises, 'domains').listVerifiedDomains() },
  };

  async function adAccountFor(userId: string): Promise<string> {
    const side = await owner(userId);
    if (side.side === 'onPremises') return side.id;
    throw new ToolboxError({
      code: 'TBX_ERR_DIRECTORY_CLOUD_ONLY_USER',
      httpStatus: 409,
      message: `This user is cloud-only (not synchronised from ${onPremisesSide.name}): on-premises groups and OUs do not apply to them. Choose a Microsoft 365 group instead.`,
    });
  }

  for (const part of [
    'sessions',
    'authMethods',
    'temporaryAccessPass',
    'licences',
    'mailbox',
    'automaticReplies',
    'mobileDevices',
    'manager',
    'profile',
  ] as const) {
    const wrapped = cloudPart(part);
    if (wrapped) Object.assign(client, { [part]: wrapped });
  }

  return {
    client,
    async placeOf(capability, userId) {
      if (capability === 'groups' || capability === 'accountCheck') return null;
      if (!ON_PREMISES_OWNED.has(capability)) return cloudWhere;
      if (capability === 'createUsers') return adWhere;
      const side = await route(userId).catch(() => null);
      return side?.side === 'onPremises' ? adWhere : side?.side === 'cloud' ? cloudWhere : null;
    },
  };
}
