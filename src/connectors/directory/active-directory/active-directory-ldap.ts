import { AndFilter, Attribute, Change, type Client, type Entry, EqualityFilter, type Filter, FilterParser, OrFilter } from 'ldapts';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { AD_ERROR_CODES } from './ad-errors.js';
import { adGroupRefusal } from './ad-group-refusal.js';
import { type AdConnectionDeps, type AdConnectionSettings, AdLdapConnection } from './ad-ldap-connection.js';
import {
  encodeUnicodePwd,
  fileTimeToIso,
  guidFromBytes,
  guidToBytes,
  intervalToMinutes,
  ridOf,
  sidFromBytes,
  sidToBytes,
  UAC,
} from './ad-values.js';
import { escapeDnValue, escapeFilterValue } from './ldap-escape.js';

/**
 * The operations on an on-prem Active Directory domain, over one LDAPS connection, in AD's terms
 * (../shared/reference/active-directory-ldap.md). Users and groups are named by their objectGUID
 * (stable across renames and OU moves, unlike the DN). The directory connector maps these onto the
 * toolbox's directory port; the on-prem agent runs the same class next to the domain controller.
 */
export type AdUser = {
  /** objectGUID as a GUID string. */
  id: string;
  dn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  department?: string;
  accountEnabled: boolean;
  /** lockoutTime set: the domain locked the account after wrong passwords. */
  lockedOut: boolean;
  /** pwdLastSet = 0: the user must choose a new password at the next sign-in. */
  mustChangePassword: boolean;
  objectSid: string;
  /** base64 of objectGUID: Entra Connect's default onPremisesImmutableId for this account. */
  immutableId: string;
  proxyAddresses: string[];
  /** adminCount = 1: AD's own mark of an account that is or was in a protected group. */
  adminCount: boolean;
  primaryGroupRid: number;
  lastLogon: string | null;
  userAccountControl: number;
};

export type AdGroupKind = 'security' | 'distribution';
export type AdGroupScope = 'global' | 'domainLocal' | 'universal';

export type AdGroup = {
  id: string;
  dn: string;
  displayName: string;
  description?: string;
  mail?: string;
  objectSid: string;
  kind: AdGroupKind;
  scope: AdGroupScope;
  /** A built-in group (BUILTIN\…), created by the domain itself. */
  builtin: boolean;
  /**
   * One of AdminSDHolder's protected groups (Domain Admins, Administrators, Backup Operators, …):
   * adding someone to it makes them an administrator.
   */
  protected: boolean;
};

export type AdOrganizationalUnit = { dn: string; name: string; path: string };

export type AdPasswordPolicy = {
  minLength: number;
  /** pwdProperties bit 1: three of the four character kinds, and not the account's name. */
  complexity: boolean;
  historyLength: number;
  maxAgeDays: number | null;
  lockoutThreshold: number;
};

export type NewAdUser = {
  /** The OU (or container) to create the account in. */
  parentDn: string;
  givenName: string;
  surname: string;
  displayName: string;
  sAMAccountName: string;
  userPrincipalName: string;
  mail?: string;
  jobTitle?: string;
  department?: string;
  password: string;
  mustChangePassword: boolean;
};

const USER_ATTRIBUTES = [
  'objectGUID',
  'objectSid',
  'sAMAccountName',
  'userPrincipalName',
  'displayName',
  'cn',
  'mail',
  'givenName',
  'sn',
  'title',
  'department',
  'userAccountControl',
  'lockoutTime',
  'pwdLastSet',
  'proxyAddresses',
  'adminCount',
  'primaryGroupID',
  'lastLogonTimestamp',
];
const GROUP_ATTRIBUTES = ['objectGUID', 'objectSid', 'cn', 'displayName', 'description', 'mail', 'groupType', 'isCriticalSystemObject'];
const BINARY = ['objectGUID', 'objectSid'];
/** A Password Settings Object's settings (MS-ADTS 3.1.1.5.1.3 / msDS-PasswordSettings). */
const PSO_ATTRIBUTES = [
  'cn',
  'msDS-MinimumPasswordLength',
  'msDS-PasswordComplexityEnabled',
  'msDS-PasswordHistoryLength',
  'msDS-MaximumPasswordAge',
  'msDS-LockoutThreshold',
];
const USER_CLASS = '(objectCategory=person)(objectClass=user)';
const GROUP_CLASS = '(objectClass=group)';
/** LDAP_MATCHING_RULE_IN_CHAIN: membership through nested groups, resolved by the DC. */
const IN_CHAIN = '1.2.840.113556.1.4.1941';

/**
 * AdminSDHolder's protected groups (MS-ADTS 3.1.1.6.1.1, "Protected Objects"): their members get
 * adminCount = 1. Built-in ones by well-known SID, the domain's by RID.
 */
const PROTECTED_BUILTIN_SIDS = ['S-1-5-32-544', 'S-1-5-32-548', 'S-1-5-32-549', 'S-1-5-32-550', 'S-1-5-32-551', 'S-1-5-32-552'];
const PROTECTED_DOMAIN_RIDS = [512, 516, 518, 519, 521, 526, 527];
/** Domain Users: every account's primary group unless changed; it cannot be removed from it. */
const DOMAIN_USERS_RID = 513;

/**
 * A filter on a binary attribute (objectGUID, objectSid), built as an object: ldapts's filter
 * parser turns `\xx` escapes into characters and sends them as UTF-8, which breaks every byte
 * above 0x7f.
 */
const binaryEquals = (attribute: string, value: Buffer): Filter => new EqualityFilter({ attribute, value });
const all = (...filters: (string | Filter)[]): Filter =>
  new AndFilter({ filters: filters.map((filter) => (typeof filter === 'string' ? FilterParser.parseString(filter) : filter)) });

const one = (entry: Entry, name: string): string | undefined => {
  const value = entry[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : String(first);
};
const many = (entry: Entry, name: string): string[] => {
  const value = entry[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
};
const bytes = (entry: Entry, name: string): Buffer => {
  const value = entry[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (!Buffer.isBuffer(first)) throw new Error(`${name} missing on ${entry.dn}`);
  return first;
};

function toUser(entry: Entry): AdUser {
  const guid = bytes(entry, 'objectGUID');
  const uac = Number(one(entry, 'userAccountControl') ?? UAC.normalAccount);
  const lockoutTime = one(entry, 'lockoutTime');
  return {
    id: guidFromBytes(guid),
    dn: entry.dn,
    sAMAccountName: one(entry, 'sAMAccountName') ?? '',
    userPrincipalName: one(entry, 'userPrincipalName') ?? '',
    displayName: one(entry, 'displayName') ?? one(entry, 'cn') ?? '',
    mail: one(entry, 'mail'),
    givenName: one(entry, 'givenName'),
    surname: one(entry, 'sn'),
    jobTitle: one(entry, 'title'),
    department: one(entry, 'department'),
    accountEnabled: (uac & UAC.accountDisable) === 0,
    lockedOut: lockoutTime !== undefined && lockoutTime !== '0',
    mustChangePassword: one(entry, 'pwdLastSet') === '0',
    objectSid: sidFromBytes(bytes(entry, 'objectSid')),
    immutableId: guid.toString('base64'),
    proxyAddresses: many(entry, 'proxyAddresses'),
    adminCount: one(entry, 'adminCount') === '1',
    primaryGroupRid: Number(one(entry, 'primaryGroupID') ?? DOMAIN_USERS_RID),
    lastLogon: fileTimeToIso(one(entry, 'lastLogonTimestamp')),
    userAccountControl: uac,
  };
}

/** True for AdminSDHolder's protected groups, by SID. */
function isProtectedGroupSid(sid: string): boolean {
  if (PROTECTED_BUILTIN_SIDS.includes(sid)) return true;
  return /^S-1-5-21-\d+-\d+-\d+-\d+$/.test(sid) && PROTECTED_DOMAIN_RIDS.includes(ridOf(sid));
}

function toGroup(entry: Entry): AdGroup {
  // groupType (MS-ADTS 2.2.12): 0x80000000 security; 0x2 global, 0x4 domain local, 0x8 universal; 0x1 built-in.
  const groupType = Number(one(entry, 'groupType') ?? 0) >>> 0;
  const objectSid = sidFromBytes(bytes(entry, 'objectSid'));
  return {
    id: guidFromBytes(bytes(entry, 'objectGUID')),
    dn: entry.dn,
    displayName: one(entry, 'displayName') ?? one(entry, 'cn') ?? '',
    description: one(entry, 'description'),
    mail: one(entry, 'mail'),
    objectSid,
    protected: isProtectedGroupSid(objectSid),
    kind: groupType & 0x80000000 ? 'security' : 'distribution',
    scope: groupType & 0x8 ? 'universal' : groupType & 0x4 ? 'domainLocal' : 'global',
    builtin: (groupType & 0x1) !== 0,
  };
}

/** The group is the user's primary group (same domain, RID = primaryGroupID). */
function isPrimaryGroupOf(group: AdGroup, user: AdUser): boolean {
  return (
    ridOf(group.objectSid) === user.primaryGroupRid && group.objectSid.startsWith(user.objectSid.slice(0, user.objectSid.lastIndexOf('-')))
  );
}

/** Step 1 of {@link ActiveDirectoryLdap.createUser}'s order: added, disabled, no password yet, never used. */
function isHalfCreated(user: AdUser): boolean {
  const flags = UAC.accountDisable | UAC.passwordNotRequired;
  return (user.userAccountControl & flags) === flags && user.mustChangePassword && user.lastLogon === null;
}

/** The DN of the OU or container an object is in: its DN without the first RDN. */
export function parentDnOf(dn: string): string {
  const rdn = dn.split(/(?<!\\),/)[0] as string;
  return dn.slice(rdn.length + 1);
}

/** A readable path of an OU for pickers: `Staff / Sales` for OU=Sales,OU=Staff,DC=… (from the domain's root). */
export function ouPath(dn: string, domainDn: string): string {
  const inner = dn.slice(0, Math.max(0, dn.length - domainDn.length - 1));
  return inner
    .split(/,(?=(?:OU|CN)=)/i)
    .map((part) => part.replace(/^(OU|CN)=/i, '').replace(/\\(.)/g, '$1'))
    .reverse()
    .join(' / ');
}

export class ActiveDirectoryLdap {
  readonly #connection: AdLdapConnection;

  constructor(
    private readonly settings: AdConnectionSettings & { baseDn: string },
    deps: AdConnectionDeps,
  ) {
    this.#connection = new AdLdapConnection(settings, deps);
  }

  get host(): string {
    return this.#connection.host;
  }

  /**
   * The domain object's DN (the DC= part of the base DN): the password policy, the built-in and
   * protected groups and the primary groups live there, also when the toolbox is limited to an OU.
   */
  get domainDn(): string {
    return this.settings.baseDn
      .split(/(?<!\\),/)
      .map((part) => part.trim())
      .filter((part) => /^DC=/i.test(part))
      .join(',');
  }

  /** The domain's DNS name, from its DN (DC=contoso,DC=example → contoso.example). */
  get dnsDomainName(): string {
    return this.domainDn
      .split(',')
      .map((part) => part.replace(/^DC=/i, ''))
      .join('.')
      .toLowerCase();
  }

  /** Where new accounts go by default: the base when it is an OU, else the domain's Users container. */
  get defaultUserContainer(): string {
    return /^\s*DC=/i.test(this.settings.baseDn) ? `CN=Users,${this.domainDn}` : this.settings.baseDn;
  }

  close(): Promise<void> {
    return this.#connection.close();
  }

  async #search(
    client: Client,
    filter: string | Filter,
    attributes: string[],
    options: { base?: string; scope?: 'base' | 'one' | 'sub'; limit?: number } = {},
  ) {
    const { searchEntries } = await client.search(options.base ?? this.settings.baseDn, {
      scope: options.scope ?? 'sub',
      filter,
      attributes,
      explicitBufferAttributes: BINARY,
      ...(options.limit ? { sizeLimit: options.limit } : { paged: { pageSize: 500 } }),
    });
    return searchEntries;
  }

  #users(operation: string, filter: string | Filter, limit?: number): Promise<AdUser[]> {
    return this.#connection.run(operation, async (client) =>
      (await this.#search(client, all(`(&${USER_CLASS})`, filter), USER_ATTRIBUTES, { limit })).map(toUser),
    );
  }

  /**
   * The accounts for a contact's e-mail address, in the order: `mail`, else
   * `userPrincipalName`, else a `proxyAddresses` entry (`smtp:` of any case). The first kind
   * that matches decides, so a shared alias does not hide the account whose own address it is.
   */
  async findUsersByEmail(email: string): Promise<AdUser[]> {
    const value = escapeFilterValue(email.trim());
    for (const filter of [`(mail=${value})`, `(userPrincipalName=${value})`, `(proxyAddresses=smtp:${value})`]) {
      const found = await this.#users('search users by e-mail', filter, 50);
      if (found.length > 0) return found;
    }
    return [];
  }

  findUsersByUpn(upn: string): Promise<AdUser[]> {
    return this.#users('search users by UPN', `(userPrincipalName=${escapeFilterValue(upn.trim())})`, 50);
  }

  findUsersBySamAccountName(name: string): Promise<AdUser[]> {
    return this.#users('search users by sAMAccountName', `(sAMAccountName=${escapeFilterValue(name.trim())})`, 50);
  }

  /** By Entra's onPremisesImmutableId bytes (objectGUID) or onPremisesSecurityIdentifier (objectSid). */
  async findUserByGuidBytes(guid: Uint8Array): Promise<AdUser | null> {
    return (await this.#users('search user by objectGUID', binaryEquals('objectGUID', Buffer.from(guid)), 2))[0] ?? null;
  }

  async findUserBySid(sid: string): Promise<AdUser | null> {
    const sidBytes = sidToBytes(sid);
    if (!sidBytes) return null;
    return (await this.#users('search user by objectSid', binaryEquals('objectSid', sidBytes), 2))[0] ?? null;
  }

  /** Users whose name, sign-in name or address starts with the text (the technician's search box). */
  searchUsers(query: string, limit = 25): Promise<AdUser[]> {
    const value = escapeFilterValue(query.trim());
    if (!value) return Promise.resolve([]);
    const filter = `(|(displayName=${value}*)(givenName=${value}*)(sn=${value}*)(sAMAccountName=${value}*)(userPrincipalName=${value}*)(mail=${value}*))`;
    return this.#users('search users', filter, limit);
  }

  async getUser(id: string): Promise<AdUser> {
    const guid = guidToBytes(id);
    const user = guid ? await this.findUserByGuidBytes(guid) : null;
    if (!user) throw this.#notFound('user', id);
    return user;
  }

  /**
   * An admin reset (`replace unicodePwd`), then must-change (`pwdLastSet = 0`, or `-1` to clear it)
   * and, when asked, unlock (`lockoutTime = 0`), in one modify so the account is never left with the
   * new password but without the flag the technician chose.
   */
  async resetPassword(id: string, input: { password: string; mustChange: boolean; unlock: boolean }): Promise<void> {
    const user = await this.getUser(id);
    const changes = [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(input.password)] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdLastSet', values: [input.mustChange ? '0' : '-1'] }) }),
    ];
    if (input.unlock)
      changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: 'lockoutTime', values: ['0'] }) }));
    await this.#connection.run('reset password (unicodePwd)', (client) => client.modify(user.dn, changes));
  }

  async unlock(id: string): Promise<'unlocked' | 'not-locked'> {
    const user = await this.getUser(id);
    if (!user.lockedOut) return 'not-locked';
    await this.#connection.run('unlock (lockoutTime)', (client) =>
      client.modify(user.dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'lockoutTime', values: ['0'] }) })]),
    );
    return 'unlocked';
  }

  /** Read-modify-write of userAccountControl: only the disable bit changes. */
  async setAccountEnabled(id: string, enabled: boolean): Promise<'changed' | 'unchanged'> {
    const user = await this.getUser(id);
    if (user.accountEnabled === enabled) return 'unchanged';
    await this.#connection.run(enabled ? 'enable account' : 'disable account', async (client) => {
      const [entry] = await this.#search(client, '(objectClass=user)', ['userAccountControl'], { base: user.dn, scope: 'base' });
      const uac = Number(entry ? one(entry, 'userAccountControl') : UAC.normalAccount);
      const next = enabled ? uac & ~UAC.accountDisable : uac | UAC.accountDisable;
      await client.modify(user.dn, [
        new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(next)] }) }),
      ]);
    });
    return 'changed';
  }

  async searchGroups(query: string, limit = 25): Promise<AdGroup[]> {
    const value = escapeFilterValue(query.trim());
    const filter = value ? `(&${GROUP_CLASS}(|(cn=${value}*)(displayName=${value}*)(mail=${value}*)))` : GROUP_CLASS;
    return this.#connection.run('search groups', async (client) =>
      (await this.#search(client, filter, GROUP_ATTRIBUTES, { limit })).map(toGroup),
    );
  }

  async getGroup(id: string): Promise<AdGroup> {
    const guid = guidToBytes(id);
    const [group] = guid
      ? await this.#connection.run('read group', (client) =>
          this.#search(client, all(GROUP_CLASS, binaryEquals('objectGUID', guid)), GROUP_ATTRIBUTES, { limit: 2 }),
        )
      : [];
    if (!group) throw this.#notFound('group', id);
    return toGroup(group);
  }

  /**
   * The groups the user is a direct member of, with the primary group (which `member`/`memberOf`
   * do not list: AD keeps it in primaryGroupID).
   */
  async listUserGroups(id: string): Promise<{ user: AdUser; groups: (AdGroup & { primary: boolean })[] }> {
    const user = await this.getUser(id);
    const groups = await this.#connection.run('list user groups', async (client) => {
      // From the whole domain: a user in the toolbox's OU may belong to groups outside it.
      const direct = (
        await this.#search(client, `(&${GROUP_CLASS}(member=${escapeFilterValue(user.dn)}))`, GROUP_ATTRIBUTES, { base: this.domainDn })
      ).map(toGroup);
      const primarySid = `${user.objectSid.slice(0, user.objectSid.lastIndexOf('-'))}-${user.primaryGroupRid}`;
      const primaryBytes = sidToBytes(primarySid);
      const [primary] = primaryBytes
        ? await this.#search(client, all(GROUP_CLASS, binaryEquals('objectSid', primaryBytes)), GROUP_ATTRIBUTES, {
            base: this.domainDn,
            limit: 1,
          })
        : [];
      const groups = direct.map((group) => ({ ...group, primary: false }));
      if (primary) groups.push({ ...toGroup(primary), primary: true });
      return groups;
    });
    return { user, groups };
  }

  /**
   * Why this account is privileged, or null: a member (directly, through nested groups, or as its
   * primary group) of one of AdminSDHolder's protected groups, or marked adminCount = 1.
   */
  async privilegedReason(id: string): Promise<string | null> {
    const user = await this.getUser(id);
    const domainSid = user.objectSid.slice(0, user.objectSid.lastIndexOf('-'));
    if (PROTECTED_DOMAIN_RIDS.includes(user.primaryGroupRid)) return 'its primary group is a protected administrators’ group';
    const sids = [...PROTECTED_BUILTIN_SIDS, ...PROTECTED_DOMAIN_RIDS.map((rid) => `${domainSid}-${rid}`)];
    const anyOf = new OrFilter({ filters: sids.map((sid) => binaryEquals('objectSid', sidToBytes(sid) as Buffer)) });
    const groups = await this.#connection.run('check privileged groups', (client) =>
      this.#search(
        client,
        all(GROUP_CLASS, anyOf, `(member:${IN_CHAIN}:=${escapeFilterValue(user.dn)})`),
        ['cn', 'objectSid', 'objectGUID'],
        // The protected groups live at the domain's root (CN=Users, CN=Builtin), outside any OU.
        { base: this.domainDn, limit: 20 },
      ),
    );
    if (groups.length > 0) return `it is a member of ${groups.map((group) => one(group, 'cn')).join(', ')}`;
    if (user.adminCount) return 'Active Directory marks it as a protected account (adminCount = 1)';
    return null;
  }

  /** Adds the user to the group; already a member (directly) is success, not an error (reference §5). */
  async addGroupMember(groupId: string, userId: string): Promise<'added' | 'already-member'> {
    const [group, user] = await Promise.all([this.getGroup(groupId), this.getUser(userId)]);
    this.#refuseChange(group);
    try {
      await this.#connection.run('add group member', (client) =>
        client.modify(group.dn, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [user.dn] }) })]),
      );
      return 'added';
    } catch (error) {
      if (error instanceof ToolboxError && error.code === AD_ERROR_CODES.conflict) return 'already-member';
      if (error instanceof ToolboxError && /LDAP 20\b/.test(error.upstream?.code ?? '')) return 'already-member';
      throw error;
    }
  }

  /** Removes the user from the group; not a member is success. The primary group is refused. */
  async removeGroupMember(groupId: string, userId: string): Promise<'removed' | 'not-member'> {
    const [group, user] = await Promise.all([this.getGroup(groupId), this.getUser(userId)]);
    this.#refuseChange(group, isPrimaryGroupOf(group, user) ? user.displayName : undefined);
    try {
      await this.#connection.run('remove group member', (client) =>
        client.modify(group.dn, [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [user.dn] }) })]),
      );
      return 'removed';
    } catch (error) {
      // Samba answers 53 "already deleted", Windows 16 noSuchAttribute (reference §5).
      if (
        error instanceof ToolboxError &&
        /LDAP (53|16)\b/.test(error.upstream?.code ?? '') &&
        !(await this.#isDirectMember(group.dn, user.dn))
      )
        return 'not-member';
      throw error;
    }
  }

  async #isDirectMember(groupDn: string, userDn: string): Promise<boolean> {
    const found = await this.#connection.run('read group members', (client) =>
      this.#search(client, `(member=${escapeFilterValue(userDn)})`, ['cn'], { base: groupDn, scope: 'base' }),
    );
    return found.length > 0;
  }

  /** Direct user members of the group, at most `limit`. */
  async listGroupMembers(groupId: string, limit = 100): Promise<AdUser[]> {
    const group = await this.getGroup(groupId);
    return this.#users('list group members', `(memberOf=${escapeFilterValue(group.dn)})`, limit);
  }

  /**
   * What the service account may do on an object, as AD computes it for that account
   * (allowedAttributesEffective, allowedChildClassesEffective): the systems check reads its rights
   * without changing anything.
   */
  async effectiveRights(dn: string): Promise<{ attributes: Set<string>; childClasses: Set<string> }> {
    const [entry] = await this.#connection.run('read effective rights', (client) =>
      this.#search(client, '(objectClass=*)', ['allowedAttributesEffective', 'allowedChildClassesEffective'], { base: dn, scope: 'base' }),
    );
    const lower = (name: string) => new Set(entry ? many(entry, name).map((value) => value.toLowerCase()) : []);
    return { attributes: lower('allowedAttributesEffective'), childClasses: lower('allowedChildClassesEffective') };
  }

  /** A user and a group under the base, for the systems check's rights lines; null when there is none. */
  async sampleObjects(): Promise<{ user: AdUser | null; group: AdGroup | null }> {
    const [user] = await this.#users('read a sample user', '(!(isCriticalSystemObject=TRUE))', 1);
    const [group] = await this.#connection.run('read a sample group', (client) =>
      this.#search(client, `(&${GROUP_CLASS}(!(isCriticalSystemObject=TRUE)))`, GROUP_ATTRIBUTES, { limit: 1 }),
    );
    return { user: user ?? null, group: group ? toGroup(group) : null };
  }

  /**
   * The suffixes a new user's sign-in name may end with: the domain's DNS name and the forest's
   * extra UPN suffixes (Partitions' uPNSuffixes, what "Active Directory Domains and Trusts" adds).
   */
  async upnSuffixes(): Promise<string[]> {
    const dnsName = this.dnsDomainName;
    const extra = await this.#connection.run('read UPN suffixes', async (client) => {
      const { searchEntries } = await client
        .search(`CN=Partitions,CN=Configuration,${this.domainDn}`, {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: ['uPNSuffixes'],
        })
        .catch(() => ({ searchEntries: [] as Entry[] }));
      return searchEntries[0] ? many(searchEntries[0], 'uPNSuffixes') : [];
    });
    return [...new Set([dnsName, ...extra.map((suffix) => suffix.toLowerCase())])].filter(Boolean);
  }

  /**
   * Creates an account in the order that works on Windows AD as well as Samba (reference §6):
   * added without a password (AD makes it disabled), the password set, then enabled with
   * must-change as asked. A failure after the add removes the half-made account again, so a retry
   * starts clean and no disabled orphan stays behind.
   */
  async createUser(input: NewAdUser): Promise<AdUser> {
    // AD does not refuse a second account with the same UPN on every version: look first. An
    // account with it that is still in step 1's state (disabled, no password required, never
    // given one) is this create's own, left half-made by a crash between the steps: it is
    // finished, not made again and not reported as taken.
    const [existing] = await this.findUsersByUpn(input.userPrincipalName);
    if (existing && !isHalfCreated(existing)) {
      throw new ToolboxError({
        code: AD_ERROR_CODES.upnTaken,
        message: `Active Directory already has an account with the sign-in name ${input.userPrincipalName} (${existing.displayName}). Choose another name.`,
        httpStatus: 409,
      });
    }
    const dn = existing?.dn ?? `CN=${escapeDnValue(input.displayName)},${input.parentDn}`;
    const attributes = [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
      new Attribute({ type: 'sAMAccountName', values: [input.sAMAccountName] }),
      new Attribute({ type: 'userPrincipalName', values: [input.userPrincipalName] }),
      new Attribute({ type: 'givenName', values: [input.givenName] }),
      new Attribute({ type: 'sn', values: [input.surname] }),
      new Attribute({ type: 'displayName', values: [input.displayName] }),
      ...(input.mail ? [new Attribute({ type: 'mail', values: [input.mail] })] : []),
      ...(input.jobTitle ? [new Attribute({ type: 'title', values: [input.jobTitle] })] : []),
      ...(input.department ? [new Attribute({ type: 'department', values: [input.department] })] : []),
    ];
    if (!existing) await this.#connection.run('create user', (client) => client.add(dn, attributes));
    try {
      await this.#connection.run('set first password (unicodePwd)', (client) =>
        client.modify(dn, [
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(input.password)] }),
          }),
        ]),
      );
      await this.#connection.run('enable new account', (client) =>
        client.modify(dn, [
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: 'userAccountControl', values: [String(UAC.normalAccount)] }),
          }),
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: 'pwdLastSet', values: [input.mustChangePassword ? '0' : '-1'] }),
          }),
        ]),
      );
    } catch (error) {
      await this.#connection.run('remove half-created user', (client) => client.del(dn)).catch(() => undefined);
      throw error;
    }
    const [created] = await this.#connection.run('read new user', (client) =>
      this.#search(client, '(objectClass=user)', USER_ATTRIBUTES, { base: dn, scope: 'base' }),
    );
    if (!created) throw this.#notFound('user', dn);
    return toUser(created);
  }

  /** Moves the account to another OU (modifyDN); already there is success. */
  async moveUser(id: string, parentDn: string): Promise<'moved' | 'unchanged'> {
    const user = await this.getUser(id);
    const rdn = user.dn.split(/(?<!\\),/)[0] as string;
    if (parentDnOf(user.dn).toLowerCase() === parentDn.toLowerCase()) return 'unchanged';
    await this.#connection.run('move user to OU', (client) => client.modifyDN(user.dn, `${rdn},${parentDn}`));
    return 'moved';
  }

  /** Organizational units and the default containers, for the OU pickers. */
  async listOrganizationalUnits(): Promise<AdOrganizationalUnit[]> {
    return this.#connection.run('list OUs', async (client) => {
      const entries = await this.#search(
        client,
        '(|(objectClass=organizationalUnit)(&(objectClass=container)(|(cn=Users)(cn=Computers))))',
        ['ou', 'cn'],
      );
      return entries
        .map((entry) => ({
          dn: entry.dn,
          name: one(entry, 'ou') ?? one(entry, 'cn') ?? entry.dn,
          path: ouPath(entry.dn, this.domainDn),
        }))
        .sort((a, b) => a.path.localeCompare(b.path));
    });
  }

  /** The domain's default password policy, from the domain object itself. */
  async readPasswordPolicy(): Promise<AdPasswordPolicy> {
    const [domain] = await this.#connection.run('read password policy', (client) =>
      this.#search(client, '(objectClass=*)', ['minPwdLength', 'pwdProperties', 'pwdHistoryLength', 'maxPwdAge', 'lockoutThreshold'], {
        base: this.domainDn,
        scope: 'base',
      }),
    );
    if (!domain) throw this.#notFound('domain', this.domainDn);
    const maxAge = intervalToMinutes(one(domain, 'maxPwdAge'));
    return {
      minLength: Number(one(domain, 'minPwdLength') ?? 0),
      complexity: (Number(one(domain, 'pwdProperties') ?? 0) & 0x1) !== 0,
      historyLength: Number(one(domain, 'pwdHistoryLength') ?? 0),
      maxAgeDays: maxAge === null ? null : Math.round(maxAge / 1440),
      lockoutThreshold: Number(one(domain, 'lockoutThreshold') ?? 0),
    };
  }

  /**
   * The fine-grained password policy (a Password Settings Object) that applies to the user, or null
   * when none does and the domain's policy is theirs. AD computes which one wins (the lowest
   * precedence among those applied to the user or their groups) in the constructed attribute
   * msDS-ResultantPSO. An account that may not read it (or the PSO: by default only Domain Admins
   * may read the Password Settings Container) sees none; the domain then still refuses a password
   * the PSO does not allow, with its own message.
   */
  async resultantPasswordPolicy(id: string): Promise<(AdPasswordPolicy & { name: string; dn: string }) | null> {
    const user = await this.getUser(id);
    return this.#connection.run('read fine-grained password policy', async (client) => {
      const [entry] = await this.#search(client, '(objectClass=user)', ['msDS-ResultantPSO'], { base: user.dn, scope: 'base' });
      const psoDn = entry ? one(entry, 'msDS-ResultantPSO') : undefined;
      if (!psoDn) return null;
      const [pso] = await this.#search(client, '(objectClass=msDS-PasswordSettings)', PSO_ATTRIBUTES, { base: psoDn, scope: 'base' }).catch(
        () => [],
      );
      if (!pso) return null;
      const maxAge = intervalToMinutes(one(pso, 'msDS-MaximumPasswordAge'));
      return {
        name: one(pso, 'cn') ?? psoDn,
        dn: pso.dn,
        minLength: Number(one(pso, 'msDS-MinimumPasswordLength') ?? 0),
        complexity: (one(pso, 'msDS-PasswordComplexityEnabled') ?? '').toUpperCase() === 'TRUE',
        historyLength: Number(one(pso, 'msDS-PasswordHistoryLength') ?? 0),
        maxAgeDays: maxAge === null ? null : Math.round(maxAge / 1440),
        lockoutThreshold: Number(one(pso, 'msDS-LockoutThreshold') ?? 0),
      };
    });
  }

  /** Reads the base DN: the bind works, the base exists and the account may read it. */
  async readBase(): Promise<{ dn: string; domainSid: string | null }> {
    const [entry, domain] = await this.#connection.run('read base DN', async (client) => [
      ...(await this.#search(client, '(objectClass=*)', ['objectSid'], { base: this.settings.baseDn, scope: 'base' })),
      ...(await this.#search(client, '(objectClass=*)', ['objectSid'], { base: this.domainDn, scope: 'base' })),
    ]);
    if (!entry) throw this.#notFound('base DN', this.settings.baseDn);
    const sid = (domain ?? entry).objectSid;
    return { dn: entry.dn, domainSid: Buffer.isBuffer(sid) ? sidFromBytes(sid) : null };
  }

  /** Whether a DN is inside the part of the domain the toolbox works in. */
  isInBase(dn: string): boolean {
    return dn.toLowerCase().endsWith(this.settings.baseDn.toLowerCase());
  }

  /** A protected group, one outside the base DN, or the user's primary group is not changed here. */
  #refuseChange(group: AdGroup, primaryOf?: string): void {
    const refusal = adGroupRefusal(group, { primaryOf, outsideBase: !this.isInBase(group.dn) });
    if (refusal) throw new ToolboxError({ code: AD_ERROR_CODES.groupReadOnly, message: refusal, httpStatus: 422 });
  }

  #notFound(what: string, id: string): ToolboxError {
    return new ToolboxError({
      code: AD_ERROR_CODES.notFound,
      message: `Active Directory has no ${what} ${id}: it may have been deleted or moved out of ${this.settings.baseDn}.`,
      httpStatus: 404,
    });
  }
}
