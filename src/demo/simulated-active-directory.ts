import { createHash, randomUUID } from 'node:crypto';
import { AlreadyExistsError, ConstraintViolationError, InsufficientAccessError, NoSuchObjectError } from 'ldapts';
import type {
  ActiveDirectoryLdap,
  AdGroup,
  AdOrganizationalUnit,
  AdPasswordPolicy,
  AdUser,
  NewAdUser,
} from '../connectors/directory/active-directory/active-directory-ldap.js';
import { AD_ERROR_CODES, translateLdapError } from '../connectors/directory/active-directory/ad-errors.js';
import { adGroupRefusal } from '../connectors/directory/active-directory/ad-group-refusal.js';
import { guidFromBytes, guidToBytes, ridOf, UAC } from '../connectors/directory/active-directory/ad-values.js';
import { ToolboxError } from '../lib/toolbox-error.js';

/**
 * What the real AD connector asks of a domain: the public operations of `ActiveDirectoryLdap`
 * (the class the connector and the on-prem agent run). The simulated domain implements exactly
 * these, so the real client (createActiveDirectoryClient) and systems check run on top of it
 * unchanged: the demo shows the connector's own mapping, refusals and wording.
 */
export type ActiveDirectoryOperations = Pick<ActiveDirectoryLdap, keyof ActiveDirectoryLdap>;

/** One account of a simulated domain, as the demo seeds it. */
export type SimulatedAdUserSeed = {
  /** objectGUID as a GUID string (stable: Entra's onPremisesImmutableId is its bytes in base64). */
  objectGUID: string;
  /** The relative id: objectSid is the domain's SID and this. */
  rid: number;
  sAMAccountName: string;
  userPrincipalName: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  proxyAddresses?: string[];
  jobTitle?: string;
  department?: string;
  /** Where the account lives: an OU path under the domain ("Tailspin/Staff/Sales"), or `Users` for CN=Users. */
  container: string;
  enabled?: boolean;
  lockedOut?: boolean;
  mustChangePassword?: boolean;
  /** The current password (the demo's own, so a technician can see what a reset replaces); never read back. */
  password: string;
  lastLogon?: string | null;
  /** Names of the groups it is a direct member of. */
  memberOf?: string[];
};

export type SimulatedAdGroupSeed = {
  objectGUID: string;
  /** The relative id (512 Domain Admins, 513 Domain Users…), or a built-in SID (`S-1-5-32-544`). */
  rid: number | string;
  name: string;
  description?: string;
  mail?: string;
  container: string;
  kind?: 'security' | 'distribution';
  scope?: 'global' | 'domainLocal' | 'universal';
  /** Created by the domain itself (isCriticalSystemObject, BUILTIN\…). */
  system?: boolean;
  /** Names of the groups nested in it. */
  memberGroups?: string[];
};

export type SimulatedDomainSeed = {
  /** The domain's DNS name, e.g. `ad.tailspintoys.example`. */
  dnsName: string;
  /** The domain's SID (`S-1-5-21-x-y-z`): every account's objectSid starts with it. */
  domainSid: string;
  /** The DC's name, for messages (`dc1.ad.tailspintoys.example`). */
  dcHost: string;
  /** Extra UPN suffixes of the forest (what "Active Directory Domains and Trusts" adds). */
  upnSuffixes: string[];
  passwordPolicy: AdPasswordPolicy;
  /** OU paths, parents first: "Tailspin", "Tailspin/Staff", "Tailspin/Disabled users". */
  organizationalUnits: string[];
  groups: SimulatedAdGroupSeed[];
  users: SimulatedAdUserSeed[];
};

type StoredUser = {
  guid: string;
  dn: string;
  rid: number;
  sAMAccountName: string;
  userPrincipalName: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  proxyAddresses: string[];
  jobTitle?: string;
  department?: string;
  userAccountControl: number;
  /** lockoutTime ≠ 0: locked out by wrong passwords (when is not kept: nothing reads it). */
  lockedOut: boolean;
  badPasswordCount: number;
  /** pwdLastSet = 0 (must change at next sign-in). */
  mustChange: boolean;
  adminCount: boolean;
  primaryGroupRid: number;
  lastLogon: string | null;
  /** The current password's hash, then earlier ones (AD's password history), newest first. */
  passwordHashes: string[];
};

type StoredGroup = {
  guid: string;
  dn: string;
  sid: string;
  name: string;
  description?: string;
  mail?: string;
  kind: 'security' | 'distribution';
  scope: 'global' | 'domainLocal' | 'universal';
  system: boolean;
  /** Member DNs, users and groups, as AD's `member` attribute. */
  members: Set<string>;
};

/** AdminSDHolder's protected groups (MS-ADTS 3.1.1.6.1.1), as the real connector lists them. */
const PROTECTED_BUILTIN_SIDS = ['S-1-5-32-544', 'S-1-5-32-548', 'S-1-5-32-549', 'S-1-5-32-550', 'S-1-5-32-551', 'S-1-5-32-552'];
const PROTECTED_DOMAIN_RIDS = [512, 516, 518, 519, 521, 526, 527];
const DOMAIN_USERS_RID = 513;

const hashOf = (password: string) => createHash('sha256').update(password, 'utf8').digest('hex');
const lower = (value: string | undefined) => (value ?? '').toLowerCase();
const escapeRdn = (value: string) => value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1');

/**
 * AD's complexity rule (the "Password must meet complexity requirements" policy): three of
 * upper case, lower case, digits, symbols and other letters; not the sAMAccountName (3+
 * characters) and no 3+ character part of the display name, split at , . - _ # tab and space.
 */
function meetsComplexity(password: string, user: Pick<StoredUser, 'sAMAccountName' | 'displayName'>): boolean {
  const classes = [/\p{Lu}/u, /\p{Ll}/u, /\d/, /[^\p{L}\d]/u, /(?![\p{Lu}\p{Ll}])\p{L}/u].filter((pattern) => pattern.test(password));
  if (classes.length < 3) return false;
  const text = password.toLowerCase();
  if (user.sAMAccountName.length >= 3 && text.includes(user.sAMAccountName.toLowerCase())) return false;
  return !user.displayName
    .split(/[,.\-_#\t ]+/)
    .filter((part) => part.length >= 3)
    .some((part) => text.includes(part.toLowerCase()));
}

/**
 * An Active Directory domain held in memory, for the demo sandbox: users with objectGUID,
 * objectSid and sAMAccountName, OUs, security and distribution groups with nesting, AdminSDHolder's
 * protected groups and adminCount, lockouts, UPN suffixes and the domain's password policy
 * (length, complexity, history), enforced the way a domain controller does. Where a DC refuses,
 * it raises the LDAP error a DC sends (result code and AD's text) through the real connector's
 * translation, so a technician sees what the real connector says. The toolbox's service account
 * here is a delegated one, as docs/active-directory.md asks: AdminSDHolder keeps it off protected
 * accounts (insufficient access), as on a real domain.
 */
export class SimulatedActiveDirectory implements ActiveDirectoryOperations {
  readonly #users = new Map<string, StoredUser>();
  readonly #groups = new Map<string, StoredGroup>();
  readonly #ous = new Set<string>();
  readonly #seed: SimulatedDomainSeed;
  readonly #latencyMs: number;
  #nextRid: number;

  constructor(seed: SimulatedDomainSeed, options: { latencyMs?: number } = {}) {
    this.#seed = seed;
    this.#latencyMs = options.latencyMs ?? 0;
    for (const path of seed.organizationalUnits) this.#ous.add(this.#containerDn(path));
    for (const group of seed.groups) {
      const sid = typeof group.rid === 'string' ? group.rid : `${seed.domainSid}-${group.rid}`;
      this.#groups.set(group.objectGUID.toLowerCase(), {
        guid: group.objectGUID.toLowerCase(),
        dn: `CN=${escapeRdn(group.name)},${this.#containerDn(group.container)}`,
        sid,
        name: group.name,
        ...(group.description ? { description: group.description } : {}),
        ...(group.mail ? { mail: group.mail } : {}),
        kind: group.kind ?? 'security',
        scope: group.scope ?? 'global',
        system: group.system ?? false,
        members: new Set(),
      });
    }
    for (const group of seed.groups) {
      for (const nested of group.memberGroups ?? []) this.#groupNamed(group.name).members.add(this.#groupNamed(nested).dn);
    }
    for (const user of seed.users) {
      const stored: StoredUser = {
        guid: user.objectGUID.toLowerCase(),
        dn: `CN=${escapeRdn(user.displayName)},${this.#containerDn(user.container)}`,
        rid: user.rid,
        sAMAccountName: user.sAMAccountName,
        userPrincipalName: user.userPrincipalName,
        displayName: user.displayName,
        ...(user.givenName ? { givenName: user.givenName } : {}),
        ...(user.surname ? { surname: user.surname } : {}),
        ...(user.mail ? { mail: user.mail } : {}),
        ...(user.jobTitle ? { jobTitle: user.jobTitle } : {}),
        ...(user.department ? { department: user.department } : {}),
        proxyAddresses: user.proxyAddresses ?? [],
        userAccountControl: UAC.normalAccount | (user.enabled === false ? UAC.accountDisable : 0),
        lockedOut: user.lockedOut ?? false,
        badPasswordCount: 0,
        mustChange: user.mustChangePassword ?? false,
        adminCount: false,
        primaryGroupRid: DOMAIN_USERS_RID,
        lastLogon: user.lastLogon ?? null,
        passwordHashes: [hashOf(user.password)],
      };
      this.#users.set(stored.guid, stored);
      for (const name of user.memberOf ?? []) this.#groupNamed(name).members.add(stored.dn);
    }
    // SDProp's mark: a member of a protected group carries adminCount = 1 (and keeps it after leaving).
    for (const user of this.#users.values()) user.adminCount = this.#protectedGroupsOf(user).length > 0;
    this.#nextRid = Math.max(1100, ...seed.users.map((user) => user.rid)) + 1;
  }

  get host(): string {
    return this.#seed.dcHost;
  }

  get domainDn(): string {
    return this.#seed.dnsName
      .split('.')
      .map((part) => `DC=${part}`)
      .join(',');
  }

  get dnsDomainName(): string {
    return this.#seed.dnsName.toLowerCase();
  }

  /** The demo's toolbox works on the whole domain: new accounts go to CN=Users unless an OU is chosen. */
  get defaultUserContainer(): string {
    return `CN=Users,${this.domainDn}`;
  }

  async close(): Promise<void> {}

  async findUsersByEmail(email: string): Promise<AdUser[]> {
    const wanted = lower(email.trim());
    await this.#call('search users by e-mail');
    // The real connector's order: mail, else userPrincipalName, else an smtp: proxy address.
    for (const matches of [
      (user: StoredUser) => lower(user.mail) === wanted,
      (user: StoredUser) => lower(user.userPrincipalName) === wanted,
      (user: StoredUser) => user.proxyAddresses.some((address) => lower(address) === `smtp:${wanted}`),
    ]) {
      const found = this.#allUsers().filter(matches);
      if (found.length > 0) return found.map((user) => this.#toAdUser(user));
    }
    return [];
  }

  async findUsersByUpn(upn: string): Promise<AdUser[]> {
    await this.#call('search users by UPN');
    return this.#allUsers()
      .filter((user) => lower(user.userPrincipalName) === lower(upn.trim()))
      .map((user) => this.#toAdUser(user));
  }

  async findUsersBySamAccountName(name: string): Promise<AdUser[]> {
    await this.#call('search users by sAMAccountName');
    return this.#allUsers()
      .filter((user) => lower(user.sAMAccountName) === lower(name.trim()))
      .map((user) => this.#toAdUser(user));
  }

  async findUserByGuidBytes(guid: Uint8Array): Promise<AdUser | null> {
    await this.#call('search user by objectGUID');
    if (guid.length !== 16) return null;
    const user = this.#users.get(guidFromBytes(guid));
    return user ? this.#toAdUser(user) : null;
  }

  async findUserBySid(sid: string): Promise<AdUser | null> {
    await this.#call('search user by objectSid');
    const user = this.#allUsers().find((candidate) => this.#sidOf(candidate) === sid.trim().toUpperCase());
    return user ? this.#toAdUser(user) : null;
  }

  async searchUsers(query: string, limit = 25): Promise<AdUser[]> {
    const wanted = lower(query.trim());
    if (!wanted) return [];
    await this.#call('search users');
    return this.#allUsers()
      .filter((user) =>
        [user.displayName, user.givenName, user.surname, user.sAMAccountName, user.userPrincipalName, user.mail].some((value) =>
          lower(value).startsWith(wanted),
        ),
      )
      .slice(0, limit)
      .map((user) => this.#toAdUser(user));
  }

  async getUser(id: string): Promise<AdUser> {
    return this.#toAdUser(await this.#user(id));
  }

  async resetPassword(id: string, input: { password: string; mustChange: boolean; unlock: boolean }): Promise<void> {
    const user = await this.#user(id);
    await this.#call('reset password (unicodePwd)', () => {
      this.#guardProtected(user);
      this.#checkPolicy(user, input.password);
      // One modify: the password, must-change, and the unlock when asked, or none of them.
      user.passwordHashes = [hashOf(input.password), ...user.passwordHashes].slice(0, Math.max(1, this.#seed.passwordPolicy.historyLength));
      user.mustChange = input.mustChange;
      user.badPasswordCount = 0;
      if (input.unlock) user.lockedOut = false;
    });
  }

  async unlock(id: string): Promise<'unlocked' | 'not-locked'> {
    const user = await this.#user(id);
    if (!user.lockedOut) return 'not-locked';
    await this.#call('unlock (lockoutTime)', () => {
      this.#guardProtected(user);
      user.lockedOut = false;
      user.badPasswordCount = 0;
    });
    return 'unlocked';
  }

  async setAccountEnabled(id: string, enabled: boolean): Promise<'changed' | 'unchanged'> {
    const user = await this.#user(id);
    if (((user.userAccountControl & UAC.accountDisable) === 0) === enabled) return 'unchanged';
    await this.#call(enabled ? 'enable account' : 'disable account', () => {
      this.#guardProtected(user);
      user.userAccountControl = enabled ? user.userAccountControl & ~UAC.accountDisable : user.userAccountControl | UAC.accountDisable;
    });
    return 'changed';
  }

  async searchGroups(query: string, limit = 25): Promise<AdGroup[]> {
    const wanted = lower(query.trim());
    await this.#call('search groups');
    return [...this.#groups.values()]
      .filter((group) => !wanted || [group.name, group.mail].some((value) => lower(value).startsWith(wanted)))
      .slice(0, limit)
      .map((group) => this.#toAdGroup(group));
  }

  async getGroup(id: string): Promise<AdGroup> {
    await this.#call('read group');
    const group = this.#groups.get(lower(id.trim()));
    if (!group) throw this.#notFound('group', id);
    return this.#toAdGroup(group);
  }

  async listUserGroups(id: string): Promise<{ user: AdUser; groups: (AdGroup & { primary: boolean })[] }> {
    const user = await this.#user(id);
    await this.#call('list user groups');
    const groups = [...this.#groups.values()]
      .filter((group) => group.members.has(user.dn))
      .map((group) => ({ ...this.#toAdGroup(group), primary: false }));
    const primary = [...this.#groups.values()].find((group) => group.sid === `${this.#seed.domainSid}-${user.primaryGroupRid}`);
    if (primary) groups.push({ ...this.#toAdGroup(primary), primary: true });
    return { user: this.#toAdUser(user), groups };
  }

  async privilegedReason(id: string): Promise<string | null> {
    const user = await this.#user(id);
    await this.#call('check privileged groups');
    if (PROTECTED_DOMAIN_RIDS.includes(user.primaryGroupRid)) return 'its primary group is a protected administrators’ group';
    const groups = this.#protectedGroupsOf(user);
    if (groups.length > 0) return `it is a member of ${groups.map((group) => group.name).join(', ')}`;
    if (user.adminCount) return 'Active Directory marks it as a protected account (adminCount = 1)';
    return null;
  }

  async addGroupMember(groupId: string, userId: string): Promise<'added' | 'already-member'> {
    const [group, user] = [await this.#group(groupId), await this.#user(userId)];
    this.#refuseChange(group);
    if (group.members.has(user.dn)) return 'already-member';
    await this.#call('add group member', () => group.members.add(user.dn));
    if (this.#protectedGroupsOf(user).length > 0) user.adminCount = true;
    return 'added';
  }

  async removeGroupMember(groupId: string, userId: string): Promise<'removed' | 'not-member'> {
    const [group, user] = [await this.#group(groupId), await this.#user(userId)];
    const primary = group.sid === `${this.#seed.domainSid}-${user.primaryGroupRid}`;
    this.#refuseChange(group, primary ? user.displayName : undefined);
    if (!group.members.has(user.dn)) return 'not-member';
    await this.#call('remove group member', () => group.members.delete(user.dn));
    return 'removed';
  }

  async listGroupMembers(groupId: string, limit = 100): Promise<AdUser[]> {
    const group = await this.#group(groupId);
    await this.#call('list group members');
    return this.#allUsers()
      .filter((user) => group.members.has(user.dn))
      .slice(0, limit)
      .map((user) => this.#toAdUser(user));
  }

  /** The delegated service account's rights, as a DC reports them: everything the toolbox needs, outside protected accounts. */
  async effectiveRights(dn: string): Promise<{ attributes: Set<string>; childClasses: Set<string> }> {
    await this.#call('read effective rights');
    const user = this.#allUsers().find((candidate) => lower(candidate.dn) === lower(dn));
    if (user?.adminCount) return { attributes: new Set(), childClasses: new Set() };
    const isContainer = lower(dn) === lower(this.defaultUserContainer) || this.#ous.has(dn);
    return {
      attributes: new Set(['useraccountcontrol', 'pwdlastset', 'lockouttime', 'member', 'title', 'department']),
      childClasses: new Set(isContainer ? ['user', 'group'] : []),
    };
  }

  async sampleObjects(): Promise<{ user: AdUser | null; group: AdGroup | null }> {
    await this.#call('read a sample user');
    const user = this.#allUsers().find((candidate) => !candidate.adminCount);
    const group = [...this.#groups.values()].find((candidate) => !candidate.system);
    return { user: user ? this.#toAdUser(user) : null, group: group ? this.#toAdGroup(group) : null };
  }

  async upnSuffixes(): Promise<string[]> {
    await this.#call('read UPN suffixes');
    return [...new Set([this.dnsDomainName, ...this.#seed.upnSuffixes.map((suffix) => suffix.toLowerCase())])];
  }

  async createUser(input: NewAdUser): Promise<AdUser> {
    // The real connector looks for the UPN first (AD does not always enforce its uniqueness).
    const [existing] = await this.findUsersByUpn(input.userPrincipalName);
    if (existing) {
      throw new ToolboxError({
        code: AD_ERROR_CODES.upnTaken,
        message: `Active Directory already has an account with the sign-in name ${input.userPrincipalName} (${existing.displayName}). Choose another name.`,
        httpStatus: 409,
      });
    }
    const dn = `CN=${escapeRdn(input.displayName)},${input.parentDn}`;
    const user: StoredUser = {
      guid: randomUUID(),
      dn,
      rid: this.#nextRid,
      sAMAccountName: input.sAMAccountName,
      userPrincipalName: input.userPrincipalName,
      displayName: input.displayName,
      givenName: input.givenName,
      surname: input.surname,
      ...(input.mail ? { mail: input.mail } : {}),
      ...(input.jobTitle ? { jobTitle: input.jobTitle } : {}),
      ...(input.department ? { department: input.department } : {}),
      proxyAddresses: [],
      userAccountControl: UAC.normalAccount,
      lockedOut: false,
      badPasswordCount: 0,
      mustChange: input.mustChangePassword,
      adminCount: false,
      primaryGroupRid: DOMAIN_USERS_RID,
      lastLogon: null,
      passwordHashes: [hashOf(input.password)],
    };
    await this.#call('create user', () => {
      if (!this.#isContainer(input.parentDn))
        throw new NoSuchObjectError(
          `0000208D: NameErr: DSID-03100213, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'${this.domainDn}'`,
        );
      if (this.#allUsers().some((other) => lower(other.dn) === lower(dn) || lower(other.sAMAccountName) === lower(input.sAMAccountName)))
        throw new AlreadyExistsError('00000524: UpdErr: DSID-031A11E2, problem 6005 (ENTRY_EXISTS), data 0');
    });
    // The order a DC needs (added, password set, enabled): the password is checked before the account counts.
    await this.#call('set first password (unicodePwd)', () => this.#checkPolicy(user, input.password));
    this.#nextRid += 1;
    this.#users.set(user.guid, user);
    return this.#toAdUser(user);
  }

  async moveUser(id: string, parentDn: string): Promise<'moved' | 'unchanged'> {
    const user = await this.#user(id);
    const rdn = user.dn.split(/(?<!\\),/)[0] as string;
    const current = user.dn.slice(rdn.length + 1);
    if (lower(current) === lower(parentDn)) return 'unchanged';
    await this.#call('move user to OU', () => {
      if (!this.#isContainer(parentDn))
        throw new NoSuchObjectError(
          `0000208D: NameErr: DSID-03100213, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'${this.domainDn}'`,
        );
      this.#guardProtected(user);
      const next = `${rdn},${parentDn}`;
      // `member` follows a renamed object, as AD's linked attributes do.
      for (const group of this.#groups.values()) {
        if (group.members.delete(user.dn)) group.members.add(next);
      }
      user.dn = next;
    });
    return 'moved';
  }

  async listOrganizationalUnits(): Promise<AdOrganizationalUnit[]> {
    await this.#call('list OUs');
    const containers = [...this.#ous, `CN=Users,${this.domainDn}`, `CN=Computers,${this.domainDn}`];
    return containers
      .map((dn) => ({
        dn,
        name: (dn.split(/(?<!\\),/)[0] as string).replace(/^(OU|CN)=/i, ''),
        path: dn
          .slice(0, dn.length - this.domainDn.length - 1)
          .split(/,(?=(?:OU|CN)=)/i)
          .map((part) => part.replace(/^(OU|CN)=/i, '').replace(/\\(.)/g, '$1'))
          .reverse()
          .join(' / '),
      }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  async readPasswordPolicy(): Promise<AdPasswordPolicy> {
    await this.#call('read password policy');
    return { ...this.#seed.passwordPolicy };
  }

  /** The demo domain has no fine-grained password policies: the domain's own applies to everyone. */
  async resultantPasswordPolicy(id: string): Promise<(AdPasswordPolicy & { name: string; dn: string }) | null> {
    await this.getUser(id);
    return null;
  }

  async readBase(): Promise<{ dn: string; domainSid: string | null }> {
    await this.#call('read base DN');
    return { dn: this.domainDn, domainSid: this.#seed.domainSid };
  }

  isInBase(dn: string): boolean {
    return lower(dn).endsWith(lower(this.domainDn));
  }

  // ------------------------------------------------------------------------------------------
  // The demo's own view: what a technician would check on the domain controller afterwards.

  /**
   * A sign-in with this password, answered as a DC's bind is (the data code's meaning): wrong
   * passwords count towards the domain's lockout threshold, as they do on a DC.
   */
  signIn(
    userPrincipalName: string,
    password: string,
  ): 'ok' | 'wrong-password' | 'locked-out' | 'disabled' | 'must-change' | 'no-such-user' {
    const user = this.#allUsers().find((candidate) => lower(candidate.userPrincipalName) === lower(userPrincipalName));
    if (!user) return 'no-such-user';
    if (user.lockedOut) return 'locked-out';
    if (user.passwordHashes[0] !== hashOf(password)) {
      user.badPasswordCount += 1;
      const threshold = this.#seed.passwordPolicy.lockoutThreshold;
      if (threshold > 0 && user.badPasswordCount >= threshold) user.lockedOut = true;
      return 'wrong-password';
    }
    if ((user.userAccountControl & UAC.accountDisable) !== 0) return 'disabled';
    user.badPasswordCount = 0;
    return user.mustChange ? 'must-change' : 'ok';
  }

  // ------------------------------------------------------------------------------------------

  /** One "LDAP operation": the simulated latency, and a DC's refusal translated as the real connection does. */
  async #call(operation: string, work?: () => void): Promise<void> {
    if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    try {
      work?.();
    } catch (error) {
      throw translateLdapError(error, { name: operation, host: this.host });
    }
  }

  async #user(id: string): Promise<StoredUser> {
    await this.#call('search user by objectGUID');
    const bytes = guidToBytes(id);
    const user = bytes ? this.#users.get(guidFromBytes(bytes)) : undefined;
    if (!user) throw this.#notFound('user', id);
    return user;
  }

  async #group(id: string): Promise<StoredGroup> {
    await this.#call('read group');
    const group = this.#groups.get(lower(id.trim()));
    if (!group) throw this.#notFound('group', id);
    return group;
  }

  #allUsers(): StoredUser[] {
    return [...this.#users.values()];
  }

  #groupNamed(name: string): StoredGroup {
    const group = [...this.#groups.values()].find((candidate) => candidate.name === name);
    if (!group) throw new Error(`the simulated domain ${this.#seed.dnsName} has no group "${name}" (seed)`);
    return group;
  }

  #sidOf(user: StoredUser): string {
    return `${this.#seed.domainSid}-${user.rid}`;
  }

  /** "Tailspin/Staff" → OU=Staff,OU=Tailspin,DC=…; "Users" is the default container CN=Users. */
  #containerDn(path: string): string {
    if (path === 'Users' || path === 'Builtin') return `CN=${path},${this.domainDn}`;
    return `${path
      .split('/')
      .reverse()
      .map((name) => `OU=${escapeRdn(name)}`)
      .join(',')},${this.domainDn}`;
  }

  #isContainer(dn: string): boolean {
    return [...this.#ous, `CN=Users,${this.domainDn}`, `CN=Computers,${this.domainDn}`].some((known) => lower(known) === lower(dn));
  }

  /** The protected groups the user is in, directly or through nested groups (LDAP_MATCHING_RULE_IN_CHAIN). */
  #protectedGroupsOf(user: StoredUser): StoredGroup[] {
    const inChain = new Set<StoredGroup>();
    let frontier = new Set([user.dn]);
    while (frontier.size > 0) {
      const next = new Set<string>();
      for (const group of this.#groups.values()) {
        if (inChain.has(group) || ![...frontier].some((dn) => group.members.has(dn))) continue;
        inChain.add(group);
        next.add(group.dn);
      }
      frontier = next;
    }
    return [...inChain].filter((group) => this.#isProtectedSid(group.sid));
  }

  #isProtectedSid(sid: string): boolean {
    if (PROTECTED_BUILTIN_SIDS.includes(sid)) return true;
    return sid.startsWith(`${this.#seed.domainSid}-`) && PROTECTED_DOMAIN_RIDS.includes(ridOf(sid));
  }

  /**
   * AdminSDHolder resets the permissions of protected accounts every hour: the delegated rights of
   * the toolbox's account do not reach them, and the DC answers insufficient access.
   */
  #guardProtected(user: StoredUser): void {
    if (user.adminCount) {
      throw new InsufficientAccessError(`00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0 (on ${user.dn})`);
    }
  }

  /**
   * The domain's policy, as a DC checks an administrator's reset of unicodePwd (Samba's texts,
   * which the connector reads): length and complexity. Like a DC, an admin reset does not check
   * the history (only a user's own change does), so the history is kept but not refused here.
   */
  #checkPolicy(user: StoredUser, password: string): void {
    const policy = this.#seed.passwordPolicy;
    const refuse = (why: string) => {
      throw new ConstraintViolationError(`0000052D: Constraint violation - check_password_restrictions: ${why}`);
    };
    if (password.length < policy.minLength)
      refuse(`the password is too short. It should be equal or longer than ${policy.minLength} characters!`);
    if (policy.complexity && !meetsComplexity(password, user)) refuse('the password does not meet the complexity criteria!');
  }

  #refuseChange(group: StoredGroup, primaryOf?: string): void {
    const refusal = adGroupRefusal(
      { displayName: group.name, protected: this.#isProtectedSid(group.sid) },
      { primaryOf, outsideBase: !this.isInBase(group.dn) },
    );
    if (refusal) throw new ToolboxError({ code: AD_ERROR_CODES.groupReadOnly, message: refusal, httpStatus: 422 });
  }

  #notFound(what: string, id: string): ToolboxError {
    return new ToolboxError({
      code: AD_ERROR_CODES.notFound,
      message: `Active Directory has no ${what} ${id}: it may have been deleted or moved out of ${this.domainDn}.`,
      httpStatus: 404,
    });
  }

  #toAdUser(user: StoredUser): AdUser {
    const guidBytes = guidToBytes(user.guid) as Buffer;
    return {
      id: user.guid,
      dn: user.dn,
      sAMAccountName: user.sAMAccountName,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName,
      mail: user.mail,
      givenName: user.givenName,
      surname: user.surname,
      jobTitle: user.jobTitle,
      department: user.department,
      accountEnabled: (user.userAccountControl & UAC.accountDisable) === 0,
      lockedOut: user.lockedOut,
      mustChangePassword: user.mustChange,
      objectSid: this.#sidOf(user),
      immutableId: guidBytes.toString('base64'),
      proxyAddresses: [...user.proxyAddresses],
      adminCount: user.adminCount,
      primaryGroupRid: user.primaryGroupRid,
      lastLogon: user.lastLogon,
      userAccountControl: user.userAccountControl,
    };
  }

  #toAdGroup(group: StoredGroup): AdGroup {
    return {
      id: group.guid,
      dn: group.dn,
      displayName: group.name,
      description: group.description,
      mail: group.mail,
      objectSid: group.sid,
      kind: group.kind,
      scope: group.scope,
      builtin: group.sid.startsWith('S-1-5-32-'),
      protected: this.#isProtectedSid(group.sid),
    };
  }
}
