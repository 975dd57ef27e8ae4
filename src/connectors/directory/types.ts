import type { z } from 'zod';
import type { Clock } from '../../lib/clock.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import type { Logger } from '../../lib/logger.js';
import type { ConnectionField } from '../connection-fields.js';
import type { SystemsCheckResult } from '../systems-check.js';

/**
 * The directory connector port: a customer's user directory (Microsoft 365 through Graph today,
 * on-prem Active Directory over LDAP next). One folder per implementation plus one line in
 * `index.ts`.
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
   * When the user last signed in (ISO 8601), where the directory gives it: null for "never", left
   * out when the directory does not say (not asked for, or not readable in this tenant).
   */
  lastSignIn?: string | null;
};

export type DirectoryRole = {
  id: string;
  displayName: string;
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

/** The four kinds of group a technician meets in Microsoft 365 (reference §7). */
export type GroupKind = 'microsoft365' | 'security' | 'mailEnabledSecurity' | 'distribution';

export type DirectoryGroup = {
  id: string;
  displayName: string;
  mail?: string;
  description?: string;
  kind: GroupKind;
  /** Membership comes from a rule: it cannot be changed by hand. */
  dynamic: boolean;
  /** Synchronised from on-premises AD: membership is changed there. */
  synced: boolean;
  roleAssignable: boolean;
  /** Where a membership change goes; null when it cannot be made here (dynamic or synced). */
  changeVia: 'graph' | 'exchange' | null;
  /** Why not, in a technician's words, when `changeVia` is null. */
  refusal?: string;
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

export type ResetPasswordInput = {
  password: string;
  forceChangeNextSignIn: boolean;
};

export type DirectoryClient = {
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
  /** Directory (admin) roles the user holds, directly or through groups. */
  listDirectoryRoles(userId: string): Promise<DirectoryRole[]>;
  resetPassword(userId: string, input: ResetPasswordInput): Promise<void>;
  /** Invalidates refresh tokens and session cookies. */
  revokeSessions(userId: string): Promise<void>;
  /** The user's registered sign-in methods, the password included (marked not removable). */
  listAuthMethods(userId: string): Promise<AuthMethod[]>;
  /**
   * Removes one method. A phone method that is the default while others remain is refused by the
   * directory: the error says so (code TBX_ERR_DIRECTORY_DEFAULT_METHOD), so a workflow can remove
   * the others first and try it again last.
   */
  removeAuthMethod(userId: string, method: Pick<AuthMethod, 'id' | 'kind'>): Promise<void>;
  /** Issues a Temporary Access Pass; the pass is in the answer only, never readable again. */
  createTemporaryAccessPass(userId: string, input: TemporaryAccessPassInput): Promise<TemporaryAccessPass>;
  /** Groups whose name or mail starts with `query`, classified, for the group picker. */
  searchGroups(query: string, options?: { limit?: number }): Promise<DirectoryGroup[]>;
  getGroup(groupId: string): Promise<DirectoryGroup>;
  /** The groups the user is a direct member of. */
  listUserGroups(userId: string): Promise<DirectoryGroup[]>;
  /** Direct user members of a group, bounded by `limit`. */
  listGroupMembers(groupId: string, options?: { limit?: number }): Promise<DirectoryUser[]>;
  /**
   * Adds a user to a group through Graph or Exchange Online, as the group's kind requires; refuses
   * dynamic and synced groups with the reason. Adding a member who already is one is not an error.
   */
  addGroupMember(groupId: string, userId: string): Promise<'added' | 'already-member'>;
  /** Removes a user from a group, the same way; removing a non-member is not an error. */
  removeGroupMember(groupId: string, userId: string): Promise<'removed' | 'not-member'>;
  /** Blocks or allows sign-in (`accountEnabled`). Synced users are refused: it belongs in on-prem AD. */
  setAccountEnabled(userId: string, enabled: boolean): Promise<void>;
  listLicenses(userId: string): Promise<AssignedLicense[]>;
  /** Removes direct licences (group-based ones go with the group membership). */
  removeLicenses(userId: string, skuIds: string[]): Promise<void>;
  getManager(userId: string): Promise<DirectoryUser | null>;
  removeManager(userId: string): Promise<'removed' | 'none'>;
  /** Out-of-office through Graph mailboxSettings; null turns it off. */
  setAutomaticReplies(userId: string, replies: AutomaticReplies | null): Promise<void>;
  /** The user's mailbox in Exchange Online, or null when there is none. */
  getMailbox(userId: string): Promise<MailboxInfo | null>;
  convertMailboxToShared(userId: string): Promise<void>;
  /** Forwards to an internal user (UPN) or an external address; null turns forwarding off. */
  setMailboxForwarding(userId: string, forwarding: { to: string; keepCopy: boolean } | null): Promise<void>;
  setHiddenFromAddressLists(userId: string, hidden: boolean): Promise<void>;
  grantMailboxAccess(userId: string, grant: MailboxAccessGrant): Promise<void>;
  listMobileDevices(userId: string): Promise<MobileDevice[]>;
  removeMobileDevice(userId: string, deviceId: string): Promise<void>;
  /** Creates a cloud user. A taken UPN is refused with TBX_ERR_DIRECTORY_UPN_TAKEN. */
  createUser(user: NewUser): Promise<DirectoryUser>;
  listVerifiedDomains(): Promise<VerifiedDomain[]>;
  listSubscribedSkus(): Promise<SubscribedSku[]>;
  /** Adds licences; the user needs a usage location first. */
  addLicenses(userId: string, skuIds: string[]): Promise<void>;
  setManager(userId: string, managerId: string): Promise<void>;
  getUserProfile(userId: string): Promise<UserProfile>;
  updateUserProfile(userId: string, profile: UserProfile): Promise<void>;
  systemsCheck(): Promise<SystemsCheckResult[]>;
};

export type DirectoryConnectorDeps = {
  fetch: FetchLike;
  logger: Logger;
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
};

/**
 * What a form needs a directory to allow, in neutral words. Each form lists its needs; each
 * connector says how an admin grants each one and which systems-check line proves it, so the
 * forms catalogue can tell, per customer, whether a form will work, without knowing the directory.
 */
export type DirectoryCapability =
  | 'readRoles'
  | 'resetPassword'
  | 'revokeSessions'
  | 'authMethods'
  | 'groups'
  | 'distributionGroups'
  | 'editUsers'
  | 'createUsers'
  | 'licences'
  | 'mailboxSettings'
  | 'mailboxes'
  | 'tenantInfo';

/** One thing an admin grants, and the systems-check line (by name) that reports whether it is there. */
export type CapabilityProof = { label: string; checkName: string };

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
  /** The check line that proves the connection works at all, and what proves each capability. */
  capabilities: { signIn: CapabilityProof; proofs: Record<DirectoryCapability, CapabilityProof[]> };
  setupGuide: DirectorySetupGuide;
  /** Calls this directory takes at once from one connection (one tenant); more wait in a bounded queue. */
  maxConcurrentRequests: number;
  create(settings: S, deps: DirectoryConnectorDeps): DirectoryClient;
};
