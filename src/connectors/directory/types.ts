import type { z } from 'zod';
import type { MspApp } from '../../domain/microsoft-app/msp-app.js';
import type { Clock } from '../../lib/clock.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import type { Logger } from '../../lib/logger.js';
import type { ConnectionField } from '../connection-fields.js';
import type { SystemsCheckResult } from '../systems-check.js';
import type { DirectoryOperation } from './directory-operations.js';

/**
 * The directory connector port: a customer's user directory (Microsoft 365 through Graph today,
 * on-prem Active Directory over LDAP next). One folder per implementation plus one line in
 * `index.ts`.
 *
 * The client has a small **core** every directory has (find and read users and groups, the account
 * check, the password and its policy, enable/disable, group membership, create) and optional
 * **parts** (`DirectoryParts`): sign-in sessions, authentication methods, licences, a mailbox, …
 * A connector implements a part or leaves it out (never a method that only throws), as the PSA
 * port does with its optional capabilities. Each part is one object of related operations, so a
 * directory has all of them or none, and each operation is a plain call with data in and data out:
 * an on-prem agent can carry every one as a typed message.
 *
 * Every workflow step declares the capabilities it needs (`DirectoryCapability`: a core area or a
 * part); the forms catalogue, the forms and the engine read those declarations to offer, leave out
 * or skip what a directory cannot do (see src/forms/form-offer.ts).
 */
export type DirectoryUser = {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  department?: string;
  accountEnabled: boolean;
  /** True for users synchronised from on-prem AD: their password lives there. */
  onPremisesSyncEnabled: boolean;
  /**
   * For a synced user: what names its on-prem account, as the cloud directory reports it (Entra's
   * `onPremisesImmutableId`, `onPremisesSecurityIdentifier`, `onPremisesSamAccountName`, …). The
   * hybrid directory of a company finds the AD account with it.
   */
  onPremisesAnchor?: OnPremisesAnchor;
  /**
   * The on-prem account that owns this user's password and sign-in, when the company's directory
   * reaches it (a hybrid company: the Entra user matched to its AD account). Changes the account
   * owns go there; a synced user without one is refused for such changes.
   */
  onPremisesAccount?: OnPremisesAccount;
  /**
   * When the user last signed in (ISO 8601), where the directory gives it: null for "never", left
   * out when the directory does not say (not asked for, or not readable in this tenant).
   */
  lastSignIn?: string | null;
  /**
   * Where the account lives, for a directory with containers (AD: the OU its DN is in); absent
   * where there are none (Entra). Offboarding says where a moved account came from with it.
   */
  container?: DirectoryContainer;
};

/**
 * What a cloud directory knows of a synced user's on-prem account. `immutableId` is base64 of the
 * AD `objectGUID` bytes (Entra Connect's default source anchor; some set-ups use
 * `mS-DS-ConsistencyGuid`, which holds the same bytes); `securityIdentifier` is the `objectSid` as
 * S-1-5-21-…; `samAccountName` and `userPrincipalName` are the on-prem names.
 */
export type OnPremisesAnchor = {
  immutableId?: string;
  securityIdentifier?: string;
  samAccountName?: string;
  userPrincipalName?: string;
  domainName?: string;
};

/** How an on-prem account was matched to its cloud user: the first anchor that found exactly one. */
export type OnPremisesMatchRule = 'immutableId' | 'securityIdentifier' | 'samAccountName' | 'userPrincipalName';

/** The on-prem account behind a synced cloud user, as the hybrid directory found it. */
export type OnPremisesAccount = {
  /** The on-prem directory's name in this toolbox ("Contoso AD"). */
  directoryName: string;
  /** The account's id in that directory. */
  id: string;
  userPrincipalName: string;
  /** Where it is, for a technician ("Staff / Sales"), when the directory has containers. */
  path?: string;
  accountEnabled: boolean;
  matchedBy: OnPremisesMatchRule;
};

/**
 * What makes an account privileged in its directory, which the account check refuses unless the
 * directory allows it: an Entra admin role; in AD, a protected group (Domain Admins, …) or
 * `adminCount = 1`.
 */
export type DirectoryRole = {
  id: string;
  displayName: string;
};

/**
 * The directory's rules for a new password, as data (an agent can carry it). The toolbox checks a
 * typed password against them before sending it (src/domain/passwords/check-password.ts) and
 * generates passwords that meet them; what it cannot check (banned lists, history) the directory
 * still refuses, and its message is shown as is.
 */
export type PasswordPolicy = {
  /** Whose rules, in a sentence: "Entra", "the contoso.example domain". */
  source: string;
  minLength: number;
  maxLength: number;
  /**
   * How many character classes the password needs (uppercase, lowercase, digits, symbols, and for
   * a directory that allows them, other letters); 0 when the directory has no complexity rule.
   */
  minCharacterClasses: number;
  /** Only printable ASCII is accepted (Entra refuses accented and other non-ASCII characters). */
  printableAsciiOnly: boolean;
  /**
   * The password may not contain the account name or a 3+ character part of the display name:
   * `directory` when the directory enforces it (AD's complexity rule), `toolbox` when the toolbox
   * adds it (mirroring AD's, for Entra), absent when neither does.
   */
  nameParts?: 'directory' | 'toolbox';
  /** How many earlier passwords the directory refuses to reuse (informational: never checkable here). */
  historyLength?: number;
};

/** Kinds of sign-in method, after Graph's authentication method types. */
export type AuthMethodKind =
  | 'password'
  | 'phone'
  | 'email'
  | 'fido2'
  | 'microsoftAuthenticator'
  | 'softwareOath'
  | 'temporaryAccessPass'
  | 'windowsHelloForBusiness'
  | 'platformCredential'
  | 'externalAuthentication'
  | 'other';

/** One registered sign-in method of a user, as the MFA form lists it. */
export type AuthMethod = {
  id: string;
  kind: AuthMethodKind;
  /** What a technician recognises, e.g. "Phone (mobile): +1 555 010 1001", "Authenticator: iPhone 15". */
  label: string;
  /** Phone methods: `mobile`, `alternateMobile` or `office`. */
  phoneType?: string;
  /** True when the directory reports it as the user's default second factor. */
  isDefault: boolean;
  /** False for the password and for kinds the API cannot remove. */
  removable: boolean;
  createdAt?: string;
};

export type TemporaryAccessPassInput = { lifetimeInMinutes: number; isUsableOnce: boolean };
export type TemporaryAccessPass = { pass: string; lifetimeInMinutes: number; isUsableOnce: boolean; startDateTime?: string };

/**
 * A group as a technician meets it, in neutral terms: how the directory classifies it is the
 * connector's business (Microsoft 365, security or distribution groups in Entra; global or
 * universal security groups in AD), said in `badges`.
 */
export type DirectoryGroup = {
  id: string;
  displayName: string;
  mail?: string;
  description?: string;
  /** What the picker shows beside the name, in the directory's words: its type first ("Security"), then "Dynamic", "Synced". */
  badges: string[];
  /**
   * Why its membership cannot be changed here, in a technician's words (a dynamic group, one
   * synchronised from on-prem AD); absent when it can.
   */
  refusal?: string;
  /**
   * True for a cloud group synchronised from on-prem AD: its membership is changed there (a hybrid
   * company's groups are offered from AD itself instead).
   */
  syncedFromOnPremises?: boolean;
  /**
   * True when adding a member needs the member's mailbox to exist first (an Exchange distribution
   * list): a just-created user waits for it.
   */
  needsMailbox?: boolean;
  /**
   * True when it is the user's primary group (AD's primaryGroupID, Domain Users as a rule), in
   * `listUserGroups`: every account keeps one, so it stays when the others are removed, and is
   * said to stay rather than reported as a problem. Its `refusal` says why.
   */
  primary?: true;
};

/** A licence assigned to a user. Only direct ones can be removed from the user. */
export type AssignedLicense = {
  skuId: string;
  /** Microsoft's part number, e.g. SPB, EXCHANGESTANDARD. */
  skuPartNumber: string;
  /** What a technician reads: the product name ("Microsoft 365 Business Premium"), else the part number. */
  displayName: string;
  /** True when it comes from a group: removing the group membership removes it. */
  viaGroup: boolean;
};

export type MailboxInfo = {
  /** `user` for a regular mailbox, `shared`, or another recipient type Exchange reports. */
  type: 'user' | 'shared' | 'other';
  primarySmtpAddress: string;
  hiddenFromAddressLists: boolean;
  /** Where mail is forwarded, if anywhere, and whether a copy stays. */
  forwardingTo: string | null;
  keepCopy: boolean;
  /** Size in GB when Exchange reports it (a shared mailbox over 50 GB needs a licence). */
  sizeGb?: number;
};

export type AutomaticReplies = { internalMessage: string; externalMessage: string; externalAudience: 'none' | 'contactsOnly' | 'all' };

export type MailboxAccessGrant = { delegateUserId: string; fullAccess: boolean; sendAs: boolean; autoMapping: boolean };

export type MobileDevice = { id: string; name: string; lastSync?: string };

export type NewUser = {
  givenName: string;
  surname: string;
  displayName: string;
  userPrincipalName: string;
  /** Two-letter country code; licences cannot be assigned without it. */
  usageLocation?: string;
  jobTitle?: string;
  department?: string;
  officeLocation?: string;
  mobilePhone?: string;
  businessPhone?: string;
  password: string;
  forceChangeNextSignIn: boolean;
  /** Where to create it, for a directory with containers (an AD organizational unit, by `DirectoryContainer.id`). */
  containerId?: string;
};

/** Attributes that can be copied from one user to another, or set after creation. */
export type UserProfile = { jobTitle?: string; department?: string; officeLocation?: string; usageLocation?: string; companyName?: string };

export type VerifiedDomain = { name: string; isDefault: boolean };

/** A licence the tenant has bought, with the seats still free. */
export type SubscribedSku = {
  skuId: string;
  skuPartNumber: string;
  /** What a technician reads: the product name ("Microsoft 365 Business Premium"), else the part number. */
  displayName: string;
  total: number;
  consumed: number;
  available: number;
};

/** A place users live in, for a directory that has them: an AD organizational unit. */
export type DirectoryContainer = {
  /** The directory's id for it (an AD distinguished name). */
  id: string;
  name: string;
  /** Where it is, for telling look-alikes apart, e.g. "contoso.example/Staff/Disabled". */
  path: string;
};

export type ResetPasswordInput = {
  password: string;
  forceChangeNextSignIn: boolean;
};

/** What every directory can do. */
export type DirectoryCore = {
  /** Users whose mail, other mail or proxy address equals this e-mail address. */
  findUsersByEmail(email: string): Promise<DirectoryUser[]>;
  /** The user with exactly this UPN, as a list of zero or one. */
  findUsersByUpn(upn: string): Promise<DirectoryUser[]>;
  /** Users whose display name equals this name (case-insensitive). */
  findUsersByDisplayName(name: string): Promise<DirectoryUser[]>;
  /**
   * Free-text search for the picker: first name, last name, display name, sign-in name or mail
   * starting with `query`; several words match first and last name in either order. Includes the
   * last sign-in where the directory gives it.
   */
  searchUsers(query: string, options?: { limit?: number }): Promise<DirectoryUser[]>;
  getUser(id: string): Promise<DirectoryUser>;
  /** The account check: what makes the user privileged here (admin roles; AD: protected groups), directly or through groups. */
  listDirectoryRoles(userId: string): Promise<DirectoryRole[]>;
  /**
   * The rules a new password must meet: for this user when given (AD may apply a fine-grained
   * policy to them), else the directory's default.
   */
  passwordPolicy(userId?: string): Promise<PasswordPolicy>;
  resetPassword(userId: string, input: ResetPasswordInput): Promise<void>;
  /** Blocks or allows sign-in. A directory that does not own the account (a synced one) refuses with the reason. */
  setAccountEnabled(userId: string, enabled: boolean): Promise<void>;
  /** Groups whose name or mail starts with `query`, for the group picker. */
  searchGroups(query: string, options?: { limit?: number }): Promise<DirectoryGroup[]>;
  getGroup(groupId: string): Promise<DirectoryGroup>;
  /** The groups the user is a direct member of. */
  listUserGroups(userId: string): Promise<DirectoryGroup[]>;
  /** Direct user members of a group, bounded by `limit`. */
  listGroupMembers(groupId: string, options?: { limit?: number }): Promise<DirectoryUser[]>;
  /**
   * Adds a user to a group, the way the group's kind requires; refuses a group whose membership
   * cannot be changed here (`refusal`) with the reason. Adding a member who already is one is not an error.
   */
  addGroupMember(groupId: string, userId: string): Promise<'added' | 'already-member'>;
  /** Removes a user from a group, the same way; removing a non-member is not an error. */
  removeGroupMember(groupId: string, userId: string): Promise<'removed' | 'not-member'>;
  /** Creates a user. A taken UPN is refused with TBX_ERR_DIRECTORY_UPN_TAKEN. */
  createUser(user: NewUser): Promise<DirectoryUser>;
  systemsCheck(): Promise<SystemsCheckResult[]>;
};

/**
 * The optional parts, by name: a client has each as a member of that name, or not at all. What
 * each needs in a directory and which systems-check line proves it is the connector's
 * `capabilities.proofs`.
 */
export type DirectoryParts = {
  /** Lifts a lockout after too many wrong passwords (AD: `lockoutTime = 0`). Entra has no such state to lift. */
  unlock: {
    unlockAccount(userId: string): Promise<'unlocked' | 'not-locked'>;
  };
  /** Moves a user to another container (AD: an organizational unit, by modifyDN). */
  move: {
    searchContainers(query: string, options?: { limit?: number }): Promise<DirectoryContainer[]>;
    moveUser(userId: string, containerId: string): Promise<'moved' | 'already-there'>;
  };
  /** Ends the user's sign-in sessions everywhere (Entra: refresh tokens and session cookies). */
  sessions: {
    revokeSessions(userId: string): Promise<void>;
  };
  /** The user's registered sign-in methods (MFA). */
  authMethods: {
    /** The user's registered sign-in methods, the password included (marked not removable). */
    listAuthMethods(userId: string): Promise<AuthMethod[]>;
    /**
     * Removes one method. A phone method that is the default while others remain is refused by the
     * directory: the error says so (code TBX_ERR_DIRECTORY_DEFAULT_METHOD), so a workflow can remove
     * the others first and try it again last.
     */
    removeAuthMethod(userId: string, method: Pick<AuthMethod, 'id' | 'kind'>): Promise<void>;
  };
  temporaryAccessPass: {
    /** Issues a Temporary Access Pass; the pass is in the answer only, never readable again. */
    createTemporaryAccessPass(userId: string, input: TemporaryAccessPassInput): Promise<TemporaryAccessPass>;
  };
  licences: {
    listLicenses(userId: string): Promise<AssignedLicense[]>;
    /** Removes direct licences (group-based ones go with the group membership). */
    removeLicenses(userId: string, skuIds: string[]): Promise<void>;
    listSubscribedSkus(): Promise<SubscribedSku[]>;
    /** Adds licences; the user needs a usage location first. */
    addLicenses(userId: string, skuIds: string[]): Promise<void>;
  };
  /** The user's mailbox (Exchange Online). */
  mailbox: {
    /** The user's mailbox, or null when there is none. */
    getMailbox(userId: string): Promise<MailboxInfo | null>;
    convertMailboxToShared(userId: string): Promise<void>;
    /** Forwards to an internal user (UPN) or an external address; null turns forwarding off. */
    setMailboxForwarding(userId: string, forwarding: { to: string; keepCopy: boolean } | null): Promise<void>;
    setHiddenFromAddressLists(userId: string, hidden: boolean): Promise<void>;
    grantMailboxAccess(userId: string, grant: MailboxAccessGrant): Promise<void>;
  };
  automaticReplies: {
    /** Out-of-office; null turns it off. */
    setAutomaticReplies(userId: string, replies: AutomaticReplies | null): Promise<void>;
  };
  mobileDevices: {
    listMobileDevices(userId: string): Promise<MobileDevice[]>;
    removeMobileDevice(userId: string, deviceId: string): Promise<void>;
  };
  manager: {
    getManager(userId: string): Promise<DirectoryUser | null>;
    setManager(userId: string, managerId: string): Promise<void>;
    removeManager(userId: string): Promise<'removed' | 'none'>;
  };
  /** Job title, department, office: read to copy from one user, set on another. */
  profile: {
    getUserProfile(userId: string): Promise<UserProfile>;
    updateUserProfile(userId: string, profile: UserProfile): Promise<void>;
  };
  /** The domains a new user's sign-in name may end with (Entra: verified domains; AD: UPN suffixes). */
  domains: {
    listVerifiedDomains(): Promise<VerifiedDomain[]>;
  };
  /**
   * The directory synced cloud users come from (AD): finds the account behind a synced user by the
   * anchors the cloud reports, in the order Entra Connect matches them (immutable id, SID, then the
   * names). Null when no single account matches (none, or several by a name).
   */
  syncSource: {
    findSyncedAccount(anchor: OnPremisesAnchor): Promise<{ user: DirectoryUser; path?: string; matchedBy: OnPremisesMatchRule } | null>;
  };
};

export type DirectoryPart = keyof DirectoryParts;

/** A directory's client: the core, and the parts its directory has. */
export type DirectoryClient = DirectoryCore & Partial<DirectoryParts>;

/** A client known to have these parts (a connector's own, fuller type; tests of that connector). */
export type DirectoryClientWith<P extends DirectoryPart> = DirectoryCore & Pick<DirectoryParts, P> & Partial<DirectoryParts>;

/**
 * The core areas a step may need, for what an admin must grant (the catalogue's permissions): every
 * connector has them, yet a tenant may not have granted them.
 */
export type CoreCapability = 'accountCheck' | 'resetPassword' | 'enableDisable' | 'groups' | 'createUsers';

/**
 * What a workflow step needs a directory to do, in neutral words: a core area or an optional part.
 * Each connector says what proves each one it has (`capabilities.proofs`), so the forms catalogue
 * can tell, per customer, whether a form will work without knowing the directory.
 */
export type DirectoryCapability = CoreCapability | DirectoryPart;

/**
 * The link to a directory's on-prem agents (src/domain/agents/agent-hub.ts), for a connector whose
 * directory is reached through one: each operation is sent as data and its answer awaited.
 */
export type DirectoryAgentLink = {
  /** Sends one operation to an agent of the directory and waits for its answer, at most `timeoutMs`. */
  call(directoryId: string, operation: DirectoryOperation, options: { timeoutMs: number }): Promise<unknown>;
  /** The agents heard from lately (by name), and when any was last heard from. */
  status(directoryId: string): Promise<{ connected: string[]; lastSeen: string | null }>;
};

export type DirectoryConnectorDeps = {
  fetch: FetchLike;
  logger: Logger;
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
  /** The directory's id in the configuration (how its agents are found). */
  directoryId?: string;
  /** The on-prem agents, for a directory reached through one. */
  agents?: DirectoryAgentLink;
  /** The MSP's multi-tenant app, for a Microsoft 365 tenant connected by admin consent (`credential: msp-app`). */
  mspApp?: MspApp;
};

/**
 * One thing an admin grants, and the systems-check line (by name) that reports whether it is there.
 * `partial`: needed only for part of the capability (Exchange Online for distribution lists, in
 * Entra's `groups`): a failure is worth knowing, not blocking.
 */
export type CapabilityProof = { label: string; checkName: string; partial?: string };

/** What the connector needs granted, for the console's "what an app registration needs" text. */
export type DirectorySetupGuide = {
  /** The steps, in the vendor's words. */
  intro: string;
  permissions: { name: string; why: string }[];
  roles: { name: string; why: string }[];
};

export type DirectoryConnector<S = unknown> = {
  /** Stable id used in configuration, e.g. `entra`. */
  kind: string;
  label: string;
  settings: z.ZodType<S>;
  /** How the admin console asks for those settings. */
  fields: ConnectionField[];
  /**
   * The check line that proves the connection works at all, and what proves each capability it
   * has: every core one, and exactly the parts its clients implement (the parts are read from
   * these keys before any client exists, so the forms catalogue can say what a kind offers; a
   * test holds each connector's clients to them).
   */
  capabilities: {
    signIn: CapabilityProof;
    proofs: Record<CoreCapability, CapabilityProof[]> & Partial<Record<DirectoryPart, CapabilityProof[]>>;
  };
  setupGuide: DirectorySetupGuide;
  /** Calls this directory takes at once from one connection (one tenant); more wait in a bounded queue. */
  maxConcurrentRequests: number;
  create(settings: S, deps: DirectoryConnectorDeps): DirectoryClient;
};
