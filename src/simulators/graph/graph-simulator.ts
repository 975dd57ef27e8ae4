import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { type DemoTenant, type DemoUser, demoTenants } from '../../demo/demo-data.js';
import type { Clock } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import { type AdminConsentOptions, createAdminConsent } from './admin-consent-routes.js';
import {
  checkDelete,
  checkTemporaryAccessPass,
  createTemporaryAccessPass,
  type PreferredSecondFactor,
  removeMethod,
  seedUserAuth,
  toGraphMethod,
  type UserAuth,
} from './auth-methods-store.js';
import { checkClientAssertion, JWT_BEARER_ASSERTION_TYPE, type RegisteredCertificate, registerCertificate } from './client-assertion.js';
import { EXCHANGE_AUDIENCE, type ExchangeRequestRecord, exchangeError, registerExchangeRoutes } from './exchange-routes.js';
import {
  addMember,
  findGroup,
  GROUP_PROPERTIES,
  graphMembershipRefusal,
  removeMember,
  type SimGroup,
  toGraphGroup,
} from './groups-store.js';
import { type IdentitySignInControl, registerIdentitySignInRoutes, type SimulatedSignInOptions } from './identity-oidc-routes.js';
import { type MailboxTenant, type SimAutomaticReplies, type SimMailbox, seedMailbox } from './mailbox-store.js';
import {
  advancedOperators,
  evaluateFilter,
  type FilterExpression,
  FilterUnsupportedError,
  parseFilter,
  referencedProperties,
} from './odata-filter.js';

/**
 * A stateful fake of the Microsoft identity platform (client-credentials tokens) and the slice of
 * Microsoft Graph v1.0 the toolbox uses, plus beta `signInPreferences`. It is held to the real
 * API's rules as documented in docs/reference microsoft-graph.md: tokens are bound to a tenant and
 * expire, each token sees only its own tenant, errors have Graph's shape with a request-id,
 * advanced queries need `ConsistencyLevel: eventual`, paging uses `@odata.nextLink`, writes
 * validate their bodies, and authentication methods follow §6's deletion rules (see
 * auth-methods-store.ts). Texts marked *unverified* follow the reference's best knowledge of the
 * real messages.
 */
export type GraphSimulatorOptions = {
  /** Defaults to a deep copy of the demo tenants. */
  tenants?: DemoTenant[];
  /** Added to every response, to exercise timeouts and spinners. */
  latencyMs?: number;
  /** Per tenant: more than `requests` Graph calls within `windowMs` answer 429 with Retry-After. */
  throttle?: { requests: number; windowMs: number };
  /** Lifetime of issued access tokens (Entra issues 60–90 minutes). */
  tokenLifetimeSeconds?: number;
  /** Time source for token expiry and throttling windows. */
  clock?: Clock;
  /**
   * Graph application permissions granted to each tenant's app, by tenant key or id; they appear
   * in the token's `roles` claim as in real Entra tokens. Default: {@link DEFAULT_APP_PERMISSIONS}.
   */
  appPermissions?: Record<string, string[]>;
  /**
   * Tenants (key or id) still on the legacy MFA/SSPR policies, where method removal is
   * incomplete (reference §6, CIPP #3902): a valid DELETE of an authentication method answers 204,
   * but only every other such call in the tenant really removes the method, starting with the
   * second. A workflow must re-list and loop, with a bound, until the methods are gone.
   */
  legacyMfaTenants?: string[];
  /**
   * Tenants (key or id) without an Entra ID P1/P2 licence: selecting `signInActivity` answers 403
   * `Authentication_RequestFromNonPremiumTenantOrB2CTenant`, as Graph does.
   */
  nonPremiumTenants?: string[];
  /**
   * Tenants (key or id) whose authentication methods policy has Temporary Access Pass disabled:
   * creating one answers 400 (the real status and text are *unverified*).
   */
  temporaryAccessPassDisabledTenants?: string[];
  /**
   * Eventual consistency for group membership (reference §2.4): user id → how many of the next
   * `POST/DELETE /groups/{id}/members/…/$ref` calls naming that user answer 400 "The source
   * resource object or one of the objects being referenced do not exist.", as for a user created
   * a moment ago. After that many calls the user is visible and the call proceeds normally.
   */
  freshUsers?: Record<string, number>;
  /**
   * Licences a user holds through group membership (group-based licensing), by user id: Graph's
   * `licenseAssignmentStates` shows them with `assignedByGroup`, and `assignLicense` refuses to
   * remove them from the user.
   */
  groupLicenses?: Record<string, { skuId: string; groupId: string }[]>;
  /**
   * Domains a tenant (key or id) has added but not verified: `GET /domains` lists them with
   * `isVerified: false`, and `POST /users` refuses UPNs in them.
   */
  unverifiedDomains?: Record<string, string[]>;
  /**
   * Certificates registered on each tenant's app (Certificates & secrets → Certificates), by
   * tenant key or id: the PEM text of the public certificate, as an admin uploads it. The token
   * endpoint then accepts client assertions signed with the matching private key (see
   * client-assertion.ts), checked against the simulator's clock with 5 minutes' skew; the app's
   * client secret keeps working alongside, as in Entra.
   */
  appCertificates?: Record<string, string[]>;
  /** Technician sign-in (authorize, authorization code, ID tokens, JWKS): identity-oidc-routes.ts. */
  signIn?: SimulatedSignInOptions;
} & AdminConsentOptions;

/**
 * Graph application permissions, plus Exchange Online's `Exchange.ManageAsApp`. As in Entra, a
 * token's `roles` claim holds the permissions of its own resource only: `Exchange.*` never appears
 * in a token for graph.microsoft.com, Graph's never in one for outlook.office365.com (a token for
 * the simulator's own origin, which stands in for either, carries both).
 */
export const DEFAULT_APP_PERMISSIONS = [
  'User.ReadWrite.All',
  'User.RevokeSessions.All',
  'RoleManagement.Read.Directory',
  'UserAuthenticationMethod.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'LicenseAssignment.ReadWrite.All',
  'MailboxSettings.ReadWrite',
  'Organization.Read.All',
  'Domain.Read.All',
  'AuditLog.Read.All',
  'Exchange.ManageAsApp',
];
/** `signInActivity` on users needs this (user resource: "requires … AuditLog.Read.All"). */
const SIGN_IN_ACTIVITY_READ = ['AuditLog.Read.All'];
/** Graph serves `signInActivity` for at most this many users a request. */
const SIGN_IN_ACTIVITY_MAX_TOP = 120;
/** assignLicense accepts any of these (user-assignlicense). */
const LICENSE_WRITE = ['LicenseAssignment.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
const USER_WRITE = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const MAILBOX_SETTINGS_READ = ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'];
const MAILBOX_SETTINGS_WRITE = ['MailboxSettings.ReadWrite'];
/** GET /domains (domain-list). */
const DOMAIN_READ = ['Domain.Read.All', 'Domain.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
/** GET /subscribedSkus (subscribedsku-list); LicenseAssignment.ReadWrite.All accepted too (*unverified*). */
const SKU_READ = [
  'LicenseAssignment.Read.All',
  'LicenseAssignment.ReadWrite.All',
  'Organization.Read.All',
  'Organization.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const ORGANIZATION_READ = ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const ON_PREM_MASTERED_MESSAGE =
  'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.';
const NO_MAILBOX_MESSAGE = 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.';
/** Reading methods accepts either permission; changing them needs ReadWrite. */
const AUTH_METHODS_READ = ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'];
const AUTH_METHODS_WRITE = ['UserAuthenticationMethod.ReadWrite.All'];
const GROUPS_READ = [
  'GroupMember.Read.All',
  'GroupMember.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const GROUP_MEMBERS_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
/** Role-assignable groups need this as well to change members (group resource docs). */
const ROLE_ASSIGNABLE_WRITE = ['RoleManagement.ReadWrite.Directory'];
const EVENTUAL_CONSISTENCY_MESSAGE = 'The source resource object or one of the objects being referenced do not exist.';

export type RequestLogEntry = {
  at: number;
  method: string;
  path: string;
  /** The raw query string without `?`, decoded for readability. */
  query: string;
  /** Lower-cased header names and values that matter for fidelity checks (never Authorization). */
  consistencyLevel?: string;
  /** True when an `Authorization: Bearer …` header was sent at all. */
  bearer: boolean;
  /** The tenant the presented token was issued for, when the token was known. */
  tokenTenantId?: string;
  /** The audience (`aud`) of the presented token, when the token was known. */
  tokenAudience?: string;
  /** The `X-AnchorMailbox` header, sent to Exchange Online. */
  anchorMailbox?: string;
  status?: number;
};

export type PasswordChangeRecord = {
  tenantId: string;
  userId: string;
  at: number;
  forceChangePasswordNextSignIn: boolean;
};

export type RevocationRecord = { tenantId: string; userId: string; at: number };
export type TokenIssueRecord = { tenantId: string; clientId: string; at: number; expiresAt: number };

export type FailureInjection = {
  pattern: string | RegExp;
  status: number;
  code: string;
  remaining: number;
  message?: string;
  retryAfterSeconds?: number;
};

export type GraphSimulatorState = {
  /** A copy of the user as the simulator holds it (id or UPN), or undefined. */
  getUser(tenant: string, idOrUpn: string): DemoUser | undefined;
  listUsers(tenant: string): DemoUser[];
  /** Whether `candidate` is the user's current password (only after a reset through the API). */
  checkPassword(tenant: string, userId: string, candidate: string): boolean;
  /** The user's registered methods as Graph v1.0 lists them (the password included), or [] for an unknown user. */
  listAuthMethods(tenant: string, userId: string): Record<string, unknown>[];
  /** Whether `pass` is the user's current, unexpired Temporary Access Pass (only a hash is kept). */
  checkTemporaryAccessPass(tenant: string, userId: string, pass: string): boolean;
  /** beta signInPreferences' `userPreferredMethodForSecondaryAuthentication`: null when none is set. */
  preferredSecondFactor(tenant: string, userId: string): PreferredSecondFactor | null;
  /** The ids of a group's direct members (Graph and Exchange change the same list); [] for an unknown group. */
  groupMemberIds(tenant: string, groupId: string): string[];
  /**
   * A copy of the user's mailbox, its type as `user` or `shared` (Exchange's UserMailbox and
   * SharedMailbox), `removed` when lost to a licence removal; undefined when there never was one.
   */
  mailbox(tenant: string, userId: string): (Omit<SimMailbox, 'type'> & { type: 'user' | 'shared' }) | undefined;
  accountEnabled(tenant: string, userId: string): boolean | undefined;
  /** Licences held, direct (`viaGroupId` null) or through a group. */
  licenses(tenant: string, userId: string): { skuId: string; viaGroupId: string | null }[];
  /** subscribedSkus' consumedUnits for a sku. */
  consumedUnits(tenant: string, skuId: string): number | undefined;
  managerId(tenant: string, userId: string): string | null;
  automaticReplies(tenant: string, userId: string): SimAutomaticReplies | undefined;
  /** Who has FullAccess (with AutoMapping) and SendAs on the user's mailbox, by user id. */
  mailboxPermissions(tenant: string, userId: string): { fullAccess: { userId: string; autoMapping: boolean }[]; sendAs: string[] };
  /** Device GUIDs syncing the user's mailbox. */
  mobileDevices(tenant: string, userId: string): string[];
  /** Calls that reached Exchange Online's InvokeCommand route: cmdlet, parameters, anchor and token audience. */
  readonly exchangeRequests: ExchangeRequestRecord[];
  readonly passwordChanges: PasswordChangeRecord[];
  readonly revocations: RevocationRecord[];
  readonly requests: RequestLogEntry[];
  readonly tokensIssued: TokenIssueRecord[];
  /** Users created through `POST /users`, in creation order (never their passwords). */
  createdUsers(tenant: string): DemoUser[];
  /** Clears the logs above (not the users). */
  clearLogs(): void;
};

export type GraphSimulator = {
  app: Hono;
  handler: (request: Request) => Promise<Response>;
  listen(options?: { port?: number; host?: string; tls?: { key: string; cert: string } }): Promise<{ url: string; close(): Promise<void> }>;
  /** The next `times` requests whose `METHOD /path` matches get this error (Graph or identity shape). */
  failNext(
    pattern: string | RegExp,
    status: number,
    code: string,
    times?: number,
    extra?: { message?: string; retryAfterSeconds?: number },
  ): void;
  state: GraphSimulatorState;
  /** The MSP app's service principals and role assignments, and the customer revoking consent (admin-consent-routes.ts). */
  adminConsent: ReturnType<typeof createAdminConsent>['control'];
  /** Sign-in test knobs (identity-oidc-routes.ts). */
  signIn: IdentitySignInControl;
};

/** Methods and preference live in a per-tenant map, not on the user, so getUser() never shows them. */
type SimUser = Omit<DemoUser, 'authMethods' | 'preferredSecondFactor'> & { password?: { salt: string; hash: string } };
type SimTenant = Omit<DemoTenant, 'users'> & { users: SimUser[] };
type IssuedToken = { tenantId: string; clientId: string; audience: string; expiresAt: number; roles: string[] };

/** Well-known role template ids; other role names get a stable made-up id. */
const ROLE_TEMPLATE_IDS: Record<string, string> = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  'Privileged Authentication Administrator': '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  'Helpdesk Administrator': '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  'Password Administrator': '966707d0-3269-4727-9be2-8c3a10f19b9d',
};

/**
 * Who may reset whose password, app-only (reference microsoft-identity.md: `User.ReadWrite.All`
 * plus at least User Administrator on the app's service principal). A tenant's own app
 * registration is modelled as a User Administrator; the MSP app holds exactly the roles assigned
 * to its service principal in that tenant, none right after consent. Microsoft's "who can reset
 * passwords" matrix: a User Administrator resets users holding only these roles; anyone else with
 * a role (Global Administrator, Privileged Authentication Administrator, …) answers 403.
 */
const USER_ADMIN_RESETTABLE_ROLES = new Set([
  'Directory Readers',
  'Guest Inviter',
  'Helpdesk Administrator',
  'Message Center Reader',
  'Password Administrator',
  'Reports Reader',
  'User Administrator',
  'Usage Summary Reports Reader',
]);

/** Helpdesk and Password Administrators reset non-admins and these roles only (the same matrix). */
const HELPDESK_RESETTABLE_ROLES = new Set(['Directory Readers', 'Guest Inviter', 'Helpdesk Administrator', 'Password Administrator']);

function mayResetPassword(callerRoles: string[], targetRoles: string[]): boolean {
  if (callerRoles.some((role) => role === 'Global Administrator' || role === 'Privileged Authentication Administrator')) return true;
  if (callerRoles.includes('User Administrator')) return targetRoles.every((role) => USER_ADMIN_RESETTABLE_ROLES.has(role));
  if (callerRoles.some((role) => role === 'Helpdesk Administrator' || role === 'Password Administrator'))
    return targetRoles.every((role) => HELPDESK_RESETTABLE_ROLES.has(role));
  return false;
}

const USER_PROPERTIES = new Set([
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'accountEnabled',
  'onPremisesSyncEnabled',
  'onPremisesImmutableId',
  'onPremisesSecurityIdentifier',
  'onPremisesSamAccountName',
  'onPremisesUserPrincipalName',
  'onPremisesDomainName',
  'otherMails',
  'proxyAddresses',
  'usageLocation',
  'businessPhones',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'userType',
  'assignedLicenses',
  'licenseAssignmentStates',
  'companyName',
  'signInActivity',
]);
/** Graph's default property set for users when there is no $select. */
const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
const PATCHABLE_USER_PROPERTIES = new Set([
  'accountEnabled',
  'displayName',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'usageLocation',
  'mobilePhone',
  'officeLocation',
  'passwordProfile',
  'otherMails',
  'companyName',
]);
/** What `POST /users` accepts (user-post-users; a subset of the writable properties). */
const CREATE_USER_PROPERTIES = new Set([
  'accountEnabled',
  'displayName',
  'givenName',
  'surname',
  'mailNickname',
  'userPrincipalName',
  'usageLocation',
  'jobTitle',
  'department',
  'officeLocation',
  'mobilePhone',
  'businessPhones',
  'companyName',
  'otherMails',
  'passwordProfile',
]);
const CREATE_STRING_PROPERTIES = [
  'givenName',
  'surname',
  'usageLocation',
  'jobTitle',
  'department',
  'officeLocation',
  'mobilePhone',
  'companyName',
];
/** mailNickname: ASCII without @ ( ) \ [ ] " ; : < > , or space (user resource). */
const MAIL_NICKNAME = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/;
/** How many `$ref`/assignLicense/manager requests naming a just-created user answer the eventual-consistency 400. */
const FRESH_USER_REQUESTS = 2;
/** Writable in the cloud even for synced users; everything else is mastered on-prem. */
// accountEnabled is mastered on-prem as well: sync would undo a cloud change (reference §9.2).
const CLOUD_WRITABLE_FOR_SYNCED = new Set(['usageLocation']);
const PASSWORD_PROFILE_PROPERTIES = new Set(['password', 'forceChangePasswordNextSignIn', 'forceChangePasswordNextSignInWithMfa']);
/** A token's words that Entra's global banned list would catch; a tiny stand-in for the real list. */
const BANNED_PASSWORD_WORDS = ['password', 'welcome', 'letmein', 'qwerty', 'summer', 'winter', 'spring', 'autumn', 'admin'];

const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

export function createGraphSimulator(options: GraphSimulatorOptions = {}): GraphSimulator {
  const clock = options.clock ?? systemClock;
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
  const seedTenants = structuredClone(options.tenants ?? demoTenants);
  // Per tenant, per user id: registered methods and the default second factor.
  const authByTenant = new Map<string, Map<string, UserAuth>>(
    seedTenants.map((t) => [t.tenantId, new Map(t.users.map((u) => [u.id, seedUserAuth(u)]))]),
  );
  const tenants: SimTenant[] = seedTenants.map((t) => ({
    ...t,
    users: t.users.map(({ authMethods: _methods, preferredSecondFactor: _preferred, ...user }) => user),
  }));
  /** Legacy-MFA tenants: DELETEs of methods that passed the rules, to drop every other removal. */
  const legacyDeletes = new Map<string, number>();
  const inTenantList = (tenant: SimTenant, list: string[] | undefined) =>
    (list ?? []).some((k) => k.toLowerCase() === tenant.key || k.toLowerCase() === tenant.tenantId);
  const tokens = new Map<string, IssuedToken>();
  const certificatesByTenant = new Map<string, RegisteredCertificate[]>(
    tenants.map((t) => [
      t.tenantId,
      Object.entries(options.appCertificates ?? {})
        .filter(([k]) => k.toLowerCase() === t.key || k.toLowerCase() === t.tenantId)
        .flatMap(([, pems]) => pems.map(registerCertificate)),
    ]),
  );
  const appCertificates = (tenant: SimTenant) => certificatesByTenant.get(tenant.tenantId) ?? [];
  const failures: FailureInjection[] = [];
  const throttleWindows = new Map<string, { start: number; count: number }>();

  const requests: RequestLogEntry[] = [];
  const passwordChanges: PasswordChangeRecord[] = [];
  const revocations: RevocationRecord[] = [];
  const tokensIssued: TokenIssueRecord[] = [];
  const exchangeRequests: ExchangeRequestRecord[] = [];
  /** Per tenant id, per user id: the mailbox (mailbox-store.ts). Licensed users get one at start. */
  const mailboxesByTenant = new Map<string, Map<string, SimMailbox>>(
    tenants.map((t) => [
      t.tenantId,
      new Map(
        t.users
          .map((u, index) => ({ u, index }))
          .filter(({ u }) => (u.assignedSkuIds ?? []).length > 0 || (options.groupLicenses?.[u.id] ?? []).length > 0)
          .map(({ u, index }) => [u.id, seedMailbox(u, index)] as const),
      ),
    ]),
  );
  const groupLicensesOf = (userId: string) => options.groupLicenses?.[userId] ?? [];
  const mailboxTenant = (tenantId: string): MailboxTenant | undefined => {
    const tenant = tenants.find((t) => t.tenantId === tenantId);
    const mailboxes = mailboxesByTenant.get(tenantId);
    return tenant && mailboxes ? { users: tenant.users, groups: tenant.groups, mailboxes } : undefined;
  };
  /** The user's live mailbox (not lost to a licence removal). */
  const liveMailbox = (tenant: SimTenant, userId: string) => {
    const mailbox = mailboxesByTenant.get(tenant.tenantId)?.get(userId);
    return mailbox && !mailbox.removed ? mailbox : undefined;
  };
  /** Per user id: $ref calls still to answer with the eventual-consistency 400. */
  const freshUsers = new Map(Object.entries(options.freshUsers ?? {}).map(([id, n]) => [id.toLowerCase(), n]));
  /** True (and one fewer left) when the user is still "fresh": the caller answers the eventual-consistency 400. */
  const consumeFresh = (userId: string): boolean => {
    const fresh = freshUsers.get(userId.toLowerCase()) ?? 0;
    if (fresh <= 0) return false;
    freshUsers.set(userId.toLowerCase(), fresh - 1);
    return true;
  };
  /** Per tenant id: ids of users created through the API, in order. */
  const createdIds = new Map<string, string[]>();

  const findTenant = (idOrDomain: string) => {
    const needle = idOrDomain.toLowerCase();
    return tenants.find((t) => t.tenantId === needle || t.key === needle || t.verifiedDomains.some((d) => d.toLowerCase() === needle));
  };
  const adminConsent = createAdminConsent(options, findTenant, () => tenants);
  const findUser = (tenant: SimTenant, idOrUpn: string) => {
    const needle = idOrUpn.toLowerCase();
    return tenant.users.find((u) => u.id === needle || u.userPrincipalName.toLowerCase() === needle);
  };
  /** A user added after start (none today) gets just the password method. */
  const authOf = (tenant: SimTenant, user: SimUser): UserAuth => {
    let byUser = authByTenant.get(tenant.tenantId);
    if (!byUser) {
      byUser = new Map();
      authByTenant.set(tenant.tenantId, byUser);
    }
    let auth = byUser.get(user.id);
    if (!auth) {
      auth = seedUserAuth(user as DemoUser);
      byUser.set(user.id, auth);
    }
    return auth;
  };
  const authFor = (tenant: string, userId: string): UserAuth | undefined => {
    const t = findTenant(tenant);
    const user = t && findUser(t, userId);
    return t && user ? authOf(t, user) : undefined;
  };

  const state: GraphSimulatorState = {
    getUser(tenant, idOrUpn) {
      const t = findTenant(tenant);
      const user = t && findUser(t, idOrUpn);
      if (!user) return undefined;
      const { password: _password, ...copy } = structuredClone(user);
      return copy;
    },
    listUsers(tenant) {
      const t = findTenant(tenant);
      return (t?.users ?? []).map(({ password: _password, ...user }) => structuredClone(user));
    },
    checkPassword(tenant, userId, candidate) {
      const t = findTenant(tenant);
      const user = t && findUser(t, userId);
      if (!user?.password) return false;
      return constantTimeEquals(hashPassword(user.password.salt, candidate), user.password.hash);
    },
    listAuthMethods(tenant, userId) {
      const now = clock.now();
      return (authFor(tenant, userId)?.methods ?? []).map((m) => toGraphMethod(m, now));
    },
    checkTemporaryAccessPass(tenant, userId, pass) {
      const auth = authFor(tenant, userId);
      return auth ? checkTemporaryAccessPass(auth, pass, clock.now()) : false;
    },
    preferredSecondFactor(tenant, userId) {
      return authFor(tenant, userId)?.preferred ?? null;
    },
    groupMemberIds(tenant, groupId) {
      const group = findTenant(tenant)?.groups.find((g) => g.id === groupId.toLowerCase());
      return group ? [...group.memberIds] : [];
    },
    mailbox(tenant, userId) {
      const t = findTenant(tenant);
      const user = t && findUser(t, userId);
      const mailbox = t && user ? mailboxesByTenant.get(t.tenantId)?.get(user.id) : undefined;
      return mailbox ? { ...structuredClone(mailbox), type: mailbox.type === 'SharedMailbox' ? 'shared' : 'user' } : undefined;
    },
    accountEnabled(tenant, userId) {
      const t = findTenant(tenant);
      return (t && findUser(t, userId))?.accountEnabled;
    },
    licenses(tenant, userId) {
      const t = findTenant(tenant);
      const user = t && findUser(t, userId);
      if (!user) return [];
      return [
        ...(user.assignedSkuIds ?? []).map((skuId) => ({ skuId, viaGroupId: null })),
        ...groupLicensesOf(user.id).map((g) => ({ skuId: g.skuId, viaGroupId: g.groupId })),
      ];
    },
    consumedUnits(tenant, skuId) {
      return findTenant(tenant)?.skus.find((s) => s.skuId === skuId)?.consumedUnits;
    },
    managerId(tenant, userId) {
      const t = findTenant(tenant);
      return (t && findUser(t, userId))?.managerId ?? null;
    },
    automaticReplies(tenant, userId) {
      return structuredClone(this.mailbox(tenant, userId)?.automaticReplies);
    },
    mailboxPermissions(tenant, userId) {
      const mailbox = this.mailbox(tenant, userId);
      return { fullAccess: mailbox?.fullAccess ?? [], sendAs: mailbox?.sendAs ?? [] };
    },
    mobileDevices(tenant, userId) {
      return (this.mailbox(tenant, userId)?.devices ?? []).map((d) => d.guid);
    },
    exchangeRequests,
    passwordChanges,
    revocations,
    requests,
    tokensIssued,
    createdUsers(tenant) {
      const t = findTenant(tenant);
      if (!t) return [];
      return (createdIds.get(t.tenantId) ?? [])
        .map((id) => findUser(t, id))
        .filter((u): u is SimUser => !!u)
        .map(({ password: _password, ...user }) => structuredClone(user));
    },
    clearLogs() {
      for (const list of [requests, passwordChanges, revocations, tokensIssued, exchangeRequests] as unknown[][]) list.length = 0;
    },
  };

  const app = new Hono();

  // Request log, latency and failure injection apply to every endpoint.
  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    const authorization = c.req.header('authorization') ?? '';
    const bearer = /^Bearer\s+\S+/i.test(authorization);
    const issued = bearer ? tokens.get(authorization.replace(/^Bearer\s+/i, '').trim()) : undefined;
    const entry: RequestLogEntry = {
      at: clock.now(),
      method: c.req.method,
      path: url.pathname,
      query: safeDecode(url.search.slice(1)),
      bearer,
      ...(issued ? { tokenTenantId: issued.tenantId, tokenAudience: issued.audience } : {}),
      ...(c.req.header('x-anchormailbox') ? { anchorMailbox: c.req.header('x-anchormailbox') } : {}),
      ...(c.req.header('consistencylevel') ? { consistencyLevel: c.req.header('consistencylevel') } : {}),
    };
    requests.push(entry);
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const signature = `${c.req.method} ${url.pathname}`;
    const injected = failures.find(
      (f) => f.remaining > 0 && (typeof f.pattern === 'string' ? signature.includes(f.pattern) : f.pattern.test(signature)),
    );
    if (injected) {
      injected.remaining--;
      const response = /^\/(v1\.0|beta)\//.test(url.pathname)
        ? graphError(c, injected.status, injected.code, injected.message ?? defaultMessage(injected.status))
        : url.pathname.startsWith('/adminapi/')
          ? exchangeError(c, injected.status, injected.code, injected.message ?? defaultMessage(injected.status))
          : identityError(c, injected.status, injected.code, 0, injected.message ?? 'Injected failure.');
      if (injected.retryAfterSeconds !== undefined) response.headers.set('Retry-After', String(injected.retryAfterSeconds));
      entry.status = response.status;
      return response;
    }
    await next();
    entry.status = c.res.status;
  });

  // ---- Identity platform ---------------------------------------------------------------

  app.get('/common/discovery/instance', (c) => {
    const base = baseUrl(c);
    const host = new URL(base).host;
    return c.json({
      tenant_discovery_endpoint: `${base}/{tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  app.get('/:tenant/v2.0/.well-known/openid-configuration', (c) => {
    const tenant = findTenant(c.req.param('tenant'));
    if (!tenant) return tenantNotFound(c, c.req.param('tenant'));
    const base = baseUrl(c);
    const id = tenant.tenantId;
    return c.json({
      token_endpoint: `${base}/${id}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/${id}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/${id}/v2.0`,
      authorization_endpoint: `${base}/${id}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${id}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/${id}/oauth2/v2.0/logout`,
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
    });
  });

  const signIn = registerIdentitySignInRoutes(app, {
    findTenant,
    clock,
    identityError,
    appCertificates,
    accessToken: (token) => tokens.get(token),
    options: options.signIn,
  });

  app.post('/:tenant/oauth2/v2.0/token', async (c) => {
    const contentType = c.req.header('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return identityError(c, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    }
    const form = new URLSearchParams(await c.req.text());
    const tenant = findTenant(c.req.param('tenant'));
    if (!tenant) return tenantNotFound(c, c.req.param('tenant'));
    const grantType = form.get('grant_type');
    if (!grantType)
      return identityError(c, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grantType === 'authorization_code') return signIn.redeemCode(c, form, tenant);
    if (grantType !== 'client_credentials') {
      return identityError(c, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
    }
    const clientId = form.get('client_id');
    if (!clientId)
      return identityError(c, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    const scope = form.get('scope');
    if (!scope) return identityError(c, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    // The MSP's multi-tenant app: known in the tenant only through a consented service principal.
    const mspClient = adminConsent.tokenClient(tenant, clientId);
    if (mspClient && 'refusal' in mspClient) {
      const { status, error, aadsts, description } = mspClient.refusal;
      return identityError(c, status, error, aadsts, description);
    }
    if (!mspClient && clientId !== tenant.clientId) {
      return identityError(
        c,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    const assertionType = form.get('client_assertion_type');
    if (secret && (assertion || assertionType)) {
      // Status and text *unverified*: Entra refuses a request that presents two credentials.
      return identityError(c, 400, 'invalid_request', 0, 'Only one client credential may be presented: client_secret or client_assertion.');
    }
    if (assertion || assertionType) {
      if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
        // *unverified* text; the type must be exactly the jwt-bearer URN (RFC 7523).
        return identityError(
          c,
          400,
          'invalid_request',
          0,
          `The client_assertion_type '${assertionType ?? ''}' is not supported; use '${JWT_BEARER_ASSERTION_TYPE}'.`,
        );
      }
      if (!assertion) {
        return identityError(
          c,
          400,
          'invalid_request',
          900144,
          "The request body must contain the following parameter: 'client_assertion'.",
        );
      }
      const base = baseUrl(c);
      const refusal = checkClientAssertion({
        assertion,
        clientId,
        certificates: mspClient ? mspClient.certificates : appCertificates(tenant),
        now: clock.now(),
        audienceMatches: (aud) => {
          // Microsoft's docs ask for the token endpoint; any of the tenant's names in the path
          // (id, domain) names the same endpoint, as MSAL builds it from the configured authority.
          const match = /^(https?:\/\/[^/]+)\/([^/?#]+)\/oauth2\/v2\.0\/token$/i.exec(aud);
          return !!match && match[1]?.toLowerCase() === base.toLowerCase() && findTenant(match[2] ?? '') === tenant;
        },
      });
      if (refusal) return identityError(c, refusal.status, refusal.error, refusal.aadsts, refusal.description);
    } else if (!secret) {
      return identityError(
        c,
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    } else if (
      !constantTimeEquals(secret, mspClient ? (mspClient.clientSecret ?? '') : tenant.clientSecret) ||
      (mspClient && !mspClient.clientSecret)
    ) {
      return identityError(
        c,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    const scopes = scope.split(' ').filter(Boolean);
    if (scopes.length !== 1 || !scopes[0]?.endsWith('/.default')) {
      return identityError(
        c,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const audience = (scopes[0] as string).slice(0, -'/.default'.length);
    const now = clock.now();
    const expiresAt = now + tokenLifetimeSeconds * 1000;
    const granted = mspClient
      ? mspClient.grantedPermissions
      : (options.appPermissions?.[tenant.key] ?? options.appPermissions?.[tenant.tenantId] ?? DEFAULT_APP_PERMISSIONS);
    // Each resource's token carries that resource's permissions (see DEFAULT_APP_PERMISSIONS).
    const roles = granted.filter((p) =>
      audience === GRAPH_AUDIENCE ? !p.startsWith('Exchange.') : audience === EXCHANGE_AUDIENCE ? p.startsWith('Exchange.') : true,
    );
    // Shaped like an Entra access token (a JWT with tid/appid/roles) so clients can read the claims
    // as they would for real; the signature is random, and the simulator validates by lookup.
    const accessToken = [
      base64urlJson({ typ: 'JWT', alg: 'RS256', kid: 'graph-simulator' }),
      base64urlJson({
        aud: audience,
        iss: `https://sts.windows.net/${tenant.tenantId}/`,
        iat: Math.floor(now / 1000),
        nbf: Math.floor(now / 1000),
        exp: Math.floor(expiresAt / 1000),
        appid: clientId,
        idtyp: 'app',
        roles,
        tid: tenant.tenantId,
        uti: randomBytes(12).toString('base64url'),
      }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    tokens.set(accessToken, { tenantId: tenant.tenantId, clientId, audience, expiresAt, roles });
    tokensIssued.push({ tenantId: tenant.tenantId, clientId, at: now, expiresAt });
    return c.json({
      token_type: 'Bearer',
      expires_in: tokenLifetimeSeconds,
      ext_expires_in: tokenLifetimeSeconds,
      access_token: accessToken,
    });
  });

  // ---- Graph v1.0 ------------------------------------------------------------------------

  type GraphEnv = { Variables: { tenant: SimTenant; roles: string[]; clientId: string } };
  const graph = new Hono<GraphEnv>();

  // Token validation and throttling, shared by v1.0 and beta.
  const authenticate: MiddlewareHandler<GraphEnv> = async (c, next) => {
    const authorization = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return unauthorized(c, 'Access token is empty.');
    const issued = tokens.get(match[1] as string);
    if (!issued) {
      return unauthorized(c, 'Invalid JWT token. Token signature or format is not valid.');
    }
    if (issued.expiresAt <= clock.now()) return unauthorized(c, 'Lifetime validation failed, the token is expired.');
    // Graph accepts tokens for its own resource; a simulator URL stands in for graph.microsoft.com.
    if (issued.audience !== GRAPH_AUDIENCE && issued.audience !== new URL(c.req.url).origin) {
      return unauthorized(c, 'Access token validation failure. Invalid audience.');
    }
    const tenant = tenants.find((t) => t.tenantId === issued.tenantId);
    if (!tenant) return unauthorized(c, 'Access token validation failure.');
    if (options.throttle) {
      const now = clock.now();
      const window = throttleWindows.get(tenant.tenantId);
      if (!window || now - window.start >= options.throttle.windowMs) {
        throttleWindows.set(tenant.tenantId, { start: now, count: 1 });
      } else if (window.count >= options.throttle.requests) {
        const response = graphError(c, 429, 'TooManyRequests', 'Please retry again later.', { code: '429' });
        response.headers.set('Retry-After', String(Math.max(1, Math.ceil((window.start + options.throttle.windowMs - now) / 1000))));
        return response;
      } else {
        window.count++;
      }
    }
    c.set('tenant', tenant);
    c.set('roles', issued.roles);
    c.set('clientId', issued.clientId);
    await next();
  };
  graph.use('*', authenticate);

  /** 403 as Graph answers it when none of `permissions` is in the token's roles. */
  const lacksPermission = (c: Context<GraphEnv>, permissions: string[]): Response | undefined =>
    permissions.some((p) => c.get('roles').includes(p))
      ? undefined
      : graphError(c, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

  /**
   * `signInActivity` is only returned on `$select`, and Graph refuses the whole request without
   * AuditLog.Read.All, or in a tenant without an Entra ID P1/P2 licence.
   */
  const refuseSignInActivity = (c: Context<GraphEnv>, fields: string[] | undefined): Response | undefined => {
    if (!fields?.includes('signInActivity')) return undefined;
    const denied = lacksPermission(c, SIGN_IN_ACTIVITY_READ);
    if (denied) return denied;
    if (inTenantList(c.get('tenant'), options.nonPremiumTenants)) {
      return graphError(
        c,
        403,
        'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
        "Neither tenant is B2C or tenant doesn't have premium license",
      );
    }
    return undefined;
  };

  graph.get('/users', (c) => {
    const tenant = c.get('tenant');
    const url = new URL(c.req.url);
    const params = url.searchParams;
    const eventual = (c.req.header('consistencylevel') ?? '').toLowerCase() === 'eventual';
    const count = params.get('$count');
    if (count !== null && count !== 'true' && count !== 'false')
      return graphError(c, 400, 'BadRequest', `Invalid value '${count}' for $count.`);
    if (count === 'true' && !eventual) {
      // *unverified*: the exact text Graph returns for $count without the header on directory objects.
      return graphError(c, 400, 'Request_BadRequest', '$count is not currently supported.');
    }
    const select = parseSelect(params.get('$select'));
    if ('error' in select) return graphError(c, 400, 'BadRequest', select.error);
    const top = params.get('$top');
    const pageSize = top === null ? 100 : Number(top);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 999) {
      return graphError(c, 400, 'Request_UnsupportedQuery', `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`);
    }
    const signInRefusal = refuseSignInActivity(c, select.fields);
    if (signInRefusal) return signInRefusal;
    if (select.fields?.includes('signInActivity') && pageSize > SIGN_IN_ACTIVITY_MAX_TOP) {
      // *unverified* status; the text is the one Graph users report.
      return graphError(c, 400, 'BadRequest', 'Cannot query data for more than 120 users at a time.');
    }
    let users = tenant.users;
    const filterText = params.get('$filter');
    if (filterText !== null) {
      let filter: FilterExpression;
      try {
        filter = parseFilter(filterText);
      } catch (error) {
        if (error instanceof FilterUnsupportedError) return graphError(c, 400, 'Request_UnsupportedQuery', 'Unsupported Query.');
        return graphError(c, 400, 'BadRequest', `Invalid filter clause: ${(error as Error).message}`);
      }
      const unknown = referencedProperties(filter).find((p) => !USER_PROPERTIES.has(p));
      if (unknown) return graphError(c, 400, 'BadRequest', `Could not find a property named '${unknown}' on type 'microsoft.graph.user'.`);
      const advanced = advancedOperators(filter);
      if (advanced.length > 0 && !(eventual && count === 'true')) {
        return graphError(
          c,
          400,
          'Request_UnsupportedQuery',
          `Operator '${advanced[0]}' is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
        );
      }
      users = users.filter((u) => evaluateFilter(filter, u as unknown as Record<string, unknown>));
    }
    const search = params.get('$search');
    if (search !== null) {
      if (!eventual) {
        return graphError(
          c,
          400,
          'Request_UnsupportedQuery',
          "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
        );
      }
      const matcher = parseSearch(search);
      if ('error' in matcher) return graphError(c, 400, 'Request_UnsupportedQuery', matcher.error);
      users = users.filter(matcher.test);
    }
    const skipToken = params.get('$skiptoken');
    let offset = 0;
    if (skipToken !== null) {
      offset = Number.parseInt(Buffer.from(skipToken, 'base64url').toString('utf8'), 10);
      if (!Number.isInteger(offset) || offset < 0) return graphError(c, 400, 'Request_BadRequest', 'Invalid paging token specified.');
    }
    const page = users.slice(offset, offset + pageSize);
    const body: Record<string, unknown> = { '@odata.context': `${baseUrl(c)}/v1.0/$metadata#users${selectContext(select.fields)}` };
    if (count === 'true') body['@odata.count'] = users.length;
    if (offset + pageSize < users.length) {
      const next = new URL(url);
      next.searchParams.set('$skiptoken', Buffer.from(String(offset + pageSize)).toString('base64url'));
      body['@odata.nextLink'] = next.toString();
    }
    body.value = page.map((u) => project(u, select.fields, groupLicensesOf(u.id)));
    return c.json(body);
  });

  graph.get('/users/:id', (c) => {
    const user = findUser(c.get('tenant'), c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const select = parseSelect(c.req.query('$select') ?? null);
    if ('error' in select) return graphError(c, 400, 'BadRequest', select.error);
    const signInRefusal = refuseSignInActivity(c, select.fields);
    if (signInRefusal) return signInRefusal;
    return c.json({
      '@odata.context': `${baseUrl(c)}/v1.0/$metadata#users${selectContext(select.fields)}/$entity`,
      ...project(user, select.fields, groupLicensesOf(user.id)),
    });
  });

  graph.patch('/users/:id', async (c) => {
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      return graphError(
        c,
        415,
        'BadRequest',
        'A supported MIME type could not be found that matches the content type of the response. None of the supported type(s) application/json were found.',
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return graphError(
        c,
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return graphError(
        c,
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
    const patch = body as Record<string, unknown>;
    // *unverified*: Graph's exact text for an unknown property on a directory object.
    const unknownKey = Object.keys(patch).find((k) => !PATCHABLE_USER_PROPERTIES.has(k));
    if (unknownKey) {
      return graphError(
        c,
        400,
        'Request_BadRequest',
        `Property '${unknownKey}' does not exist as a declared property or extension property.`,
      );
    }
    const profile = patch.passwordProfile;
    if (profile !== undefined) {
      if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
        return graphError(c, 400, 'Request_BadRequest', "Invalid value specified for property 'passwordProfile' of resource 'User'.");
      }
      const unknownProfileKey = Object.keys(profile).find((k) => !PASSWORD_PROFILE_PROPERTIES.has(k));
      if (unknownProfileKey) {
        return graphError(
          c,
          400,
          'Request_BadRequest',
          `Property '${unknownProfileKey}' does not exist as a declared property or extension property.`,
        );
      }
      const callerRoles = adminConsent.directoryRolesOf(c.get('tenant').tenantId, c.get('clientId')) ?? ['User Administrator'];
      if (!mayResetPassword(callerRoles, user.directoryRoles ?? [])) {
        return graphError(c, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      }
    }
    if (user.onPremisesSyncEnabled && Object.keys(patch).some((k) => !CLOUD_WRITABLE_FOR_SYNCED.has(k))) {
      // The reference quotes this text for synced groups; for users it is *unverified*.
      return graphError(c, 400, 'Request_BadRequest', ON_PREM_MASTERED_MESSAGE);
    }
    if ('accountEnabled' in patch && typeof patch.accountEnabled !== 'boolean') {
      return graphError(c, 400, 'Request_BadRequest', "Invalid value specified for property 'accountEnabled' of resource 'User'.");
    }
    if (profile !== undefined) {
      const { password, forceChangePasswordNextSignIn } = profile as Record<string, unknown>;
      if (password !== undefined && typeof password !== 'string') {
        return graphError(
          c,
          400,
          'Request_BadRequest',
          "Invalid value specified for property 'passwordProfile.password' of resource 'User'.",
        );
      }
      if (forceChangePasswordNextSignIn !== undefined && typeof forceChangePasswordNextSignIn !== 'boolean') {
        return graphError(
          c,
          400,
          'Request_BadRequest',
          "Invalid value specified for property 'passwordProfile.forceChangePasswordNextSignIn' of resource 'User'.",
        );
      }
      if (typeof password === 'string') {
        if (!meetsComplexity(password, user)) {
          // *unverified*: Graph's text for weak and banned passwords; the connector shows it as is.
          return graphError(
            c,
            400,
            'Request_BadRequest',
            'The specified password does not comply with password complexity requirements. Please provide a different password.',
          );
        }
        const salt = randomBytes(16).toString('base64url');
        user.password = { salt, hash: hashPassword(salt, password) };
        passwordChanges.push({
          tenantId: tenant.tenantId,
          userId: user.id,
          at: clock.now(),
          forceChangePasswordNextSignIn: forceChangePasswordNextSignIn === true,
        });
      }
      // Without a password Graph answers 204 and changes nothing (reference §5.4, *unverified* today).
    }
    for (const [key, value] of Object.entries(patch)) {
      if (key !== 'passwordProfile') (user as Record<string, unknown>)[key] = value;
    }
    return c.body(null, 204);
  });

  graph.post('/users/:id/revokeSignInSessions', (c) => {
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    revocations.push({ tenantId: tenant.tenantId, userId: user.id, at: clock.now() });
    return c.json({ '@odata.context': `${baseUrl(c)}/v1.0/$metadata#Edm.Boolean`, value: true });
  });

  graph.get('/users/:id/transitiveMemberOf/microsoft.graph.directoryRole', (c) => {
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const select = parseSelect(c.req.query('$select') ?? null, ['id', 'displayName', 'description', 'roleTemplateId']);
    if ('error' in select)
      return graphError(c, 400, 'BadRequest', select.error.replace('microsoft.graph.user', 'microsoft.graph.directoryRole'));
    const roles = (user.directoryRoles ?? []).map((name) => ({
      '@odata.type': '#microsoft.graph.directoryRole',
      ...pick(roleObject(tenant, name), select.fields ?? ['id', 'displayName', 'description', 'roleTemplateId']),
    }));
    return c.json({ '@odata.context': `${baseUrl(c)}/v1.0/$metadata#directoryRoles${selectContext(select.fields)}`, value: roles });
  });

  graph.get('/users/:id/transitiveMemberOf', (c) => {
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const groups = tenant.groups
      .filter((g) => g.memberIds.includes(user.id))
      .map((g) => ({ '@odata.type': '#microsoft.graph.group', id: g.id, displayName: g.displayName }));
    const roles = (user.directoryRoles ?? []).map((name) => ({
      '@odata.type': '#microsoft.graph.directoryRole',
      ...roleObject(tenant, name),
    }));
    return c.json({ '@odata.context': `${baseUrl(c)}/v1.0/$metadata#directoryObjects`, value: [...groups, ...roles] });
  });

  // ---- Authentication methods (reference §6) ----

  graph.get('/users/:id/authentication/methods', (c) => {
    const denied = lacksPermission(c, AUTH_METHODS_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const now = clock.now();
    return c.json({
      '@odata.context': `${baseUrl(c)}/v1.0/$metadata#users('${user.id}')/authentication/methods`,
      value: authOf(tenant, user).methods.map((m) => toGraphMethod(m, now)),
    });
  });

  graph.delete('/users/:id/authentication/:segment/:methodId', (c) => {
    const denied = lacksPermission(c, AUTH_METHODS_WRITE);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const auth = authOf(tenant, user);
    const checked = checkDelete(auth, c.req.param('segment'), c.req.param('methodId'));
    if ('status' in checked) return graphError(c, checked.status, checked.code, checked.message);
    if (inTenantList(tenant, options.legacyMfaTenants)) {
      const calls = (legacyDeletes.get(tenant.tenantId) ?? 0) + 1;
      legacyDeletes.set(tenant.tenantId, calls);
      // Legacy tenants: 204 either way, but the odd calls change nothing (see the option).
      if (calls % 2 === 1) return c.body(null, 204);
    }
    removeMethod(auth, checked.method);
    return c.body(null, 204);
  });

  graph.post('/users/:id/authentication/temporaryAccessPassMethods', async (c) => {
    const denied = lacksPermission(c, AUTH_METHODS_WRITE);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const body = await readJson(c);
    if (body instanceof Response) return body;
    if (inTenantList(tenant, options.temporaryAccessPassDisabledTenants)) {
      // *unverified*: status, code and text when the tenant's policy has TAP disabled.
      return graphError(c, 400, 'badRequest', 'Temporary Access Pass is not enabled for this user by the authentication methods policy.');
    }
    const created = createTemporaryAccessPass(authOf(tenant, user), body, clock.now());
    if ('status' in created) return graphError(c, created.status, created.code, created.message);
    return c.json(
      {
        '@odata.context': `${baseUrl(c)}/v1.0/$metadata#users('${user.id}')/authentication/temporaryAccessPassMethods/$entity`,
        ...created.graph,
      },
      201,
    );
  });

  // ---- Offboarding: licences, manager, mailbox settings, organization (reference §9) ----

  graph.get('/users/:id/licenseDetails', (c) => {
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const skuIds = [...new Set([...(user.assignedSkuIds ?? []), ...groupLicensesOf(user.id).map((g) => g.skuId)])];
    const value = skuIds.map((skuId) => ({
      id: Buffer.from(`${user.id}:${skuId}`).toString('base64url'),
      skuId,
      skuPartNumber: tenant.skus.find((s) => s.skuId === skuId)?.skuPartNumber ?? 'UNKNOWN',
      servicePlans: [],
    }));
    return c.json({ '@odata.context': `${baseUrl(c)}/v1.0/$metadata#users('${user.id}')/licenseDetails`, value });
  });

  graph.post('/users/:id/assignLicense', async (c) => {
    const denied = lacksPermission(c, LICENSE_WRITE);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    if (consumeFresh(user.id)) return graphError(c, 400, 'Request_BadRequest', EVENTUAL_CONSISTENCY_MESSAGE);
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const { addLicenses, removeLicenses, ...rest } = (body ?? {}) as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra)
      return graphError(c, 400, 'Request_BadRequest', `Property '${extra}' does not exist as a declared property or extension property.`);
    if (!Array.isArray(addLicenses) || !Array.isArray(removeLicenses)) {
      // Both are required, even when empty (user-assignlicense).
      return graphError(c, 400, 'Request_BadRequest', "Invalid value specified for property 'addLicenses' or 'removeLicenses'.");
    }
    const adds: string[] = [];
    for (const entry of addLicenses) {
      const skuId = (entry as { skuId?: unknown } | null)?.skuId;
      if (typeof skuId !== 'string') return graphError(c, 400, 'Request_BadRequest', "Invalid value specified for property 'skuId'.");
      adds.push(skuId.toLowerCase());
    }
    if (removeLicenses.some((r) => typeof r !== 'string')) {
      return graphError(c, 400, 'Request_BadRequest', "Invalid value specified for property 'removeLicenses'.");
    }
    const removes = (removeLicenses as string[]).map((r) => r.toLowerCase());
    const direct = user.assignedSkuIds ?? [];
    // *unverified*: Graph's texts for these refusals.
    for (const skuId of [...adds, ...removes]) {
      if (!tenant.skus.some((s) => s.skuId === skuId)) {
        return graphError(c, 400, 'Request_BadRequest', `License ${skuId} does not correspond to a valid company License.`);
      }
    }
    for (const skuId of removes) {
      if (!direct.includes(skuId)) {
        if (groupLicensesOf(user.id).some((g) => g.skuId === skuId)) {
          return graphError(
            c,
            400,
            'Request_BadRequest',
            'User license is inherited from a group membership and it cannot be removed directly from the user.',
          );
        }
        return graphError(c, 400, 'Request_BadRequest', `User does not have a corresponding license ${skuId}.`);
      }
    }
    if (adds.length > 0 && !user.usageLocation) {
      return graphError(c, 400, 'Request_BadRequest', 'License assignment cannot be done for user with invalid usage location.');
    }
    for (const skuId of adds) {
      const sku = tenant.skus.find((s) => s.skuId === skuId) as DemoTenant['skus'][number];
      if (direct.includes(skuId)) continue;
      if (sku.consumedUnits >= sku.prepaidEnabled) {
        return graphError(c, 400, 'Request_BadRequest', `Subscription for license ${skuId} has no more available licenses.`);
      }
    }
    let next = direct.filter((s) => !removes.includes(s));
    for (const skuId of removes) {
      const sku = tenant.skus.find((s) => s.skuId === skuId);
      if (sku && sku.consumedUnits > 0) sku.consumedUnits--;
    }
    for (const skuId of adds) {
      if (next.includes(skuId)) continue;
      next = [...next, skuId];
      const sku = tenant.skus.find((s) => s.skuId === skuId);
      if (sku) sku.consumedUnits++;
    }
    user.assignedSkuIds = next;
    const mailbox = mailboxesByTenant.get(tenant.tenantId)?.get(user.id);
    const licensed = next.length > 0 || groupLicensesOf(user.id).length > 0;
    // The CIPP pitfall (reference §9.2, mailbox-store.ts): a user mailbox without any licence is lost;
    // a licence given back reconnects it. A shared mailbox needs none.
    if (mailbox && !licensed && mailbox.type === 'UserMailbox') mailbox.removed = true;
    if (mailbox && licensed) mailbox.removed = false;
    // Exchange gives a new licensed user a mailbox and sets `mail` to its primary address.
    if (!mailbox && licensed && !user.mail) user.mail = user.userPrincipalName;
    if (!mailbox && licensed) mailboxesByTenant.get(tenant.tenantId)?.set(user.id, seedMailbox(user, tenant.users.indexOf(user)));
    return c.json({
      '@odata.context': `${baseUrl(c)}/v1.0/$metadata#users/$entity`,
      ...project(user, undefined, groupLicensesOf(user.id)),
    });
  });

  graph.get('/users/:id/manager', (c) => {
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const select = parseSelect(c.req.query('$select') ?? null);
    if ('error' in select) return graphError(c, 400, 'BadRequest', select.error);
    const manager = user.managerId ? findUser(tenant, user.managerId) : undefined;
    if (!manager) return notFound(c, 'manager');
    return c.json({
      '@odata.context': `${baseUrl(c)}/v1.0/$metadata#directoryObjects/$entity`,
      '@odata.type': '#microsoft.graph.user',
      ...project(manager, select.fields, groupLicensesOf(manager.id)),
    });
  });

  graph.delete('/users/:id/manager/$ref', (c) => {
    const denied = lacksPermission(c, USER_WRITE);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    // *unverified*: the manager of a synced user is mastered on-prem like its other attributes.
    if (user.onPremisesSyncEnabled) return graphError(c, 400, 'Request_BadRequest', ON_PREM_MASTERED_MESSAGE);
    if (!user.managerId) return notFound(c, 'manager');
    delete user.managerId;
    return c.body(null, 204);
  });

  const mailboxSettingsBody = (mailbox: SimMailbox, c: Context<GraphEnv>, userId: string) => ({
    '@odata.context': `${baseUrl(c)}/v1.0/$metadata#users('${userId}')/mailboxSettings`,
    automaticRepliesSetting: {
      status: mailbox.automaticReplies.status,
      externalAudience: mailbox.automaticReplies.externalAudience,
      internalReplyMessage: mailbox.automaticReplies.internalReplyMessage,
      externalReplyMessage: mailbox.automaticReplies.externalReplyMessage,
      scheduledStartDateTime: mailbox.automaticReplies.scheduledStartDateTime ?? null,
      scheduledEndDateTime: mailbox.automaticReplies.scheduledEndDateTime ?? null,
    },
    timeZone: 'UTC',
    language: { locale: 'en-US', displayName: 'English (United States)' },
  });

  graph.get('/users/:id/mailboxSettings', (c) => {
    const denied = lacksPermission(c, MAILBOX_SETTINGS_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const mailbox = liveMailbox(tenant, user.id);
    if (!mailbox) return graphError(c, 404, 'MailboxNotEnabledForRESTAPI', NO_MAILBOX_MESSAGE);
    return c.json(mailboxSettingsBody(mailbox, c, user.id));
  });

  graph.patch('/users/:id/mailboxSettings', async (c) => {
    const denied = lacksPermission(c, MAILBOX_SETTINGS_WRITE);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const patch = (body ?? {}) as Record<string, unknown>;
    // *unverified*: the texts of these 400s (Outlook's OData reader).
    const unknown = Object.keys(patch).find((k) => k !== 'automaticRepliesSetting' && k !== '@odata.context');
    if (unknown) {
      return graphError(c, 400, 'RequestBodyRead', `The property '${unknown}' does not exist on type 'microsoft.graph.mailboxSettings'.`);
    }
    const setting = patch.automaticRepliesSetting as Record<string, unknown> | undefined;
    if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) {
      return graphError(c, 400, 'RequestBodyRead', "Invalid value for property 'automaticRepliesSetting'.");
    }
    const keys = [
      'status',
      'externalAudience',
      'internalReplyMessage',
      'externalReplyMessage',
      'scheduledStartDateTime',
      'scheduledEndDateTime',
    ];
    const unknownKey = Object.keys(setting).find((k) => !keys.includes(k));
    if (unknownKey) {
      return graphError(
        c,
        400,
        'RequestBodyRead',
        `The property '${unknownKey}' does not exist on type 'microsoft.graph.automaticRepliesSetting'.`,
      );
    }
    const enums: Record<string, string[]> = {
      status: ['disabled', 'alwaysEnabled', 'scheduled'],
      externalAudience: ['none', 'contactsOnly', 'all'],
    };
    for (const [key, values] of Object.entries(enums)) {
      if (key in setting && !values.includes(setting[key] as string)) {
        return graphError(c, 400, 'RequestBodyRead', `Requested value '${String(setting[key])}' was not found.`);
      }
    }
    for (const key of ['internalReplyMessage', 'externalReplyMessage']) {
      if (key in setting && typeof setting[key] !== 'string') {
        return graphError(c, 400, 'RequestBodyRead', `Invalid value for property '${key}'.`);
      }
    }
    const mailbox = liveMailbox(tenant, user.id);
    if (!mailbox) return graphError(c, 404, 'MailboxNotEnabledForRESTAPI', NO_MAILBOX_MESSAGE);
    const next = { ...mailbox.automaticReplies, ...setting } as SimAutomaticReplies;
    if (next.status === 'scheduled' && (!next.scheduledStartDateTime || !next.scheduledEndDateTime)) {
      return graphError(c, 400, 'ErrorInvalidParameter', 'The scheduled start and end times are required when status is scheduled.');
    }
    mailbox.automaticReplies = next;
    return c.json(mailboxSettingsBody(mailbox, c, user.id));
  });

  graph.get('/organization', (c) => {
    const denied = lacksPermission(c, ORGANIZATION_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const full: Record<string, unknown> = {
      id: tenant.tenantId,
      displayName: tenant.displayName,
      verifiedDomains: tenant.verifiedDomains.map((name, i) => ({
        name,
        isDefault: i === 0,
        isInitial: name.includes('.onmicrosoft.'),
        type: 'Managed',
        capabilities: 'Email, OfficeCommunicationsOnline',
      })),
    };
    const select = c.req.query('$select');
    const fields = select ? select.split(',').map((f) => f.trim()) : Object.keys(full);
    const bad = fields.find((f) => !(f in full));
    if (bad) return graphError(c, 400, 'BadRequest', `Could not find a property named '${bad}' on type 'microsoft.graph.organization'.`);
    return c.json({ '@odata.context': `${baseUrl(c)}/v1.0/$metadata#organization`, value: [pick(full, fields)] });
  });

  // ---- Onboarding: create user, domains, subscribed skus, manager (reference §8) ----

  const invalidProperty = (c: Context, property: string) =>
    // *unverified*: Graph's exact text for a missing or malformed property on create.
    graphError(c, 400, 'Request_BadRequest', `Invalid value specified for property '${property}' of resource 'User'.`);

  graph.post('/users', async (c) => {
    const denied = lacksPermission(c, USER_WRITE);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const body = await readJson(c);
    if (body instanceof Response) return body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalidProperty(c, 'displayName');
    const input = body as Record<string, unknown>;
    const unknownKey = Object.keys(input).find((k) => !CREATE_USER_PROPERTIES.has(k));
    if (unknownKey) {
      return graphError(
        c,
        400,
        'Request_BadRequest',
        `Property '${unknownKey}' does not exist as a declared property or extension property.`,
      );
    }
    if (typeof input.accountEnabled !== 'boolean') return invalidProperty(c, 'accountEnabled');
    if (typeof input.displayName !== 'string' || !input.displayName.trim()) return invalidProperty(c, 'displayName');
    if (typeof input.mailNickname !== 'string' || !MAIL_NICKNAME.test(input.mailNickname)) return invalidProperty(c, 'mailNickname');
    const upn = input.userPrincipalName;
    if (typeof upn !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(upn)) return invalidProperty(c, 'userPrincipalName');
    const domain = (upn.split('@')[1] as string).toLowerCase();
    if (!tenant.verifiedDomains.some((d) => d.toLowerCase() === domain)) {
      // *unverified*: Graph's text for a UPN outside the verified domains.
      return graphError(
        c,
        400,
        'Request_BadRequest',
        'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
        {},
        [
          {
            code: 'InvalidValue',
            message: 'The domain portion of the userPrincipalName property is invalid.',
            target: 'userPrincipalName',
          },
        ],
      );
    }
    for (const key of CREATE_STRING_PROPERTIES) {
      if (input[key] !== undefined && input[key] !== null && typeof input[key] !== 'string') return invalidProperty(c, key);
    }
    if (typeof input.usageLocation === 'string' && !/^[A-Z]{2}$/.test(input.usageLocation)) return invalidProperty(c, 'usageLocation');
    const phones = input.businessPhones;
    if (phones !== undefined && (!Array.isArray(phones) || phones.length > 1 || phones.some((p) => typeof p !== 'string'))) {
      return invalidProperty(c, 'businessPhones');
    }
    const profile = input.passwordProfile;
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) return invalidProperty(c, 'passwordProfile');
    const unknownProfileKey = Object.keys(profile).find((k) => !PASSWORD_PROFILE_PROPERTIES.has(k));
    if (unknownProfileKey) {
      return graphError(
        c,
        400,
        'Request_BadRequest',
        `Property '${unknownProfileKey}' does not exist as a declared property or extension property.`,
      );
    }
    const { password, forceChangePasswordNextSignIn } = profile as Record<string, unknown>;
    if (typeof password !== 'string') return invalidProperty(c, 'passwordProfile.password');
    if (forceChangePasswordNextSignIn !== undefined && typeof forceChangePasswordNextSignIn !== 'boolean') {
      return invalidProperty(c, 'passwordProfile.forceChangePasswordNextSignIn');
    }
    if (findUser(tenant, upn)) {
      return graphError(
        c,
        400,
        'Request_BadRequest',
        'Another object with the same value for property userPrincipalName already exists.',
        {},
        [
          {
            code: 'ObjectConflict',
            message: 'Another object with the same value for property userPrincipalName already exists.',
            target: 'userPrincipalName',
          },
        ],
      );
    }
    const str = (key: string) => (typeof input[key] === 'string' && input[key] ? { [key]: input[key] as string } : {});
    const user: SimUser = {
      id: randomUUID(),
      userPrincipalName: upn,
      displayName: input.displayName.trim(),
      givenName: typeof input.givenName === 'string' ? input.givenName : '',
      surname: typeof input.surname === 'string' ? input.surname : '',
      // No mailbox until a licence brings one (Exchange then sets `mail`).
      mail: '',
      accountEnabled: input.accountEnabled,
      onPremisesSyncEnabled: false,
      ...str('usageLocation'),
      ...str('jobTitle'),
      ...str('department'),
      ...str('officeLocation'),
      ...str('mobilePhone'),
      ...str('companyName'),
      ...(Array.isArray(phones) ? { businessPhones: phones as string[] } : {}),
      ...(Array.isArray(input.otherMails) ? { otherMails: input.otherMails as string[] } : {}),
      mailNickname: input.mailNickname,
      assignedSkuIds: [],
    } as SimUser;
    if (!meetsComplexity(password, user)) {
      // *unverified*: the same text as for a reset.
      return graphError(
        c,
        400,
        'Request_BadRequest',
        'The specified password does not comply with password complexity requirements. Please provide a different password.',
      );
    }
    const salt = randomBytes(16).toString('base64url');
    user.password = { salt, hash: hashPassword(salt, password) };
    tenant.users.push(user);
    createdIds.set(tenant.tenantId, [...(createdIds.get(tenant.tenantId) ?? []), user.id]);
    // A user created a moment ago is not visible to every replica yet (reference §2.4).
    freshUsers.set(user.id, FRESH_USER_REQUESTS);
    return c.json({ '@odata.context': `${baseUrl(c)}/v1.0/$metadata#users/$entity`, ...project(user, undefined) }, 201);
  });

  graph.get('/domains', (c) => {
    const denied = lacksPermission(c, DOMAIN_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const unverified = Object.entries(options.unverifiedDomains ?? {})
      .filter(([k]) => k.toLowerCase() === tenant.key || k.toLowerCase() === tenant.tenantId)
      .flatMap(([, list]) => list);
    const all = [
      ...tenant.verifiedDomains.map((id, i) => ({ id, isVerified: true, isDefault: i === 0 })),
      ...unverified.map((id) => ({ id, isVerified: false, isDefault: false })),
    ].map((d) => ({
      ...d,
      authenticationType: 'Managed',
      isAdminManaged: true,
      isInitial: d.id.includes('.onmicrosoft.'),
      isRoot: true,
      supportedServices: d.isVerified ? ['Email', 'OfficeCommunicationsOnline'] : [],
    }));
    const select = c.req.query('$select');
    const fields = select ? select.split(',').map((f) => f.trim()) : Object.keys(all[0] ?? { id: '' });
    const bad = fields.find(
      (f) =>
        !['id', 'isVerified', 'isDefault', 'authenticationType', 'isAdminManaged', 'isInitial', 'isRoot', 'supportedServices'].includes(f),
    );
    if (bad) return graphError(c, 400, 'BadRequest', `Could not find a property named '${bad}' on type 'microsoft.graph.domain'.`);
    return c.json({ '@odata.context': `${baseUrl(c)}/v1.0/$metadata#domains`, value: all.map((d) => pick(d, fields)) });
  });

  graph.get('/subscribedSkus', (c) => {
    const denied = lacksPermission(c, SKU_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const all = tenant.skus.map((s) => ({
      id: `${tenant.tenantId}_${s.skuId}`,
      accountId: tenant.tenantId,
      appliesTo: 'User',
      capabilityStatus: 'Enabled',
      consumedUnits: s.consumedUnits,
      prepaidUnits: { enabled: s.prepaidEnabled, suspended: 0, warning: 0, lockedOut: 0 },
      servicePlans: [],
      skuId: s.skuId,
      skuPartNumber: s.skuPartNumber,
    }));
    const select = c.req.query('$select');
    const fields = select ? select.split(',').map((f) => f.trim()) : Object.keys(all[0] ?? { id: '' });
    const known = [
      'id',
      'accountId',
      'appliesTo',
      'capabilityStatus',
      'consumedUnits',
      'prepaidUnits',
      'servicePlans',
      'skuId',
      'skuPartNumber',
    ];
    const bad = fields.find((f) => !known.includes(f));
    if (bad) return graphError(c, 400, 'BadRequest', `Could not find a property named '${bad}' on type 'microsoft.graph.subscribedSku'.`);
    return c.json({ '@odata.context': `${baseUrl(c)}/v1.0/$metadata#subscribedSkus`, value: all.map((s) => pick(s, fields)) });
  });

  graph.put('/users/:id/manager/$ref', async (c) => {
    const denied = lacksPermission(c, USER_WRITE);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const reference = (body as Record<string, unknown> | null)?.['@odata.id'];
    const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
    const match =
      typeof reference === 'string' ? /^https:\/\/([^/]+)\/(?:v1\.0|beta)\/(?:directoryObjects|users)\/([^/?#]+)$/.exec(reference) : null;
    const host = match?.[1]?.toLowerCase();
    if (!match || keys.length !== 1 || (host !== 'graph.microsoft.com' && host !== new URL(c.req.url).host)) {
      // *unverified*: Graph's exact text for a malformed @odata.id.
      return graphError(c, 400, 'BadRequest', "Invalid URL format specified in @odata.id. Expected '{graph}/v1.0/users/{id}'.");
    }
    const user = findUser(tenant, c.req.param('id'));
    const manager = findUser(tenant, decodeURIComponent(match[2] as string));
    if ((user && consumeFresh(user.id)) || (manager && consumeFresh(manager.id))) {
      return graphError(c, 400, 'Request_BadRequest', EVENTUAL_CONSISTENCY_MESSAGE);
    }
    if (!user) return notFound(c, c.req.param('id'));
    if (!manager) return notFound(c, decodeURIComponent(match[2] as string));
    // *unverified*: the manager of a synced user is mastered on-prem like its other attributes.
    if (user.onPremisesSyncEnabled) return graphError(c, 400, 'Request_BadRequest', ON_PREM_MASTERED_MESSAGE);
    user.managerId = manager.id;
    return c.body(null, 204);
  });

  // ---- Groups and membership (reference §7) ----

  /** $select for groups, or the Graph error for an unknown property. */
  const groupSelect = (c: Context<GraphEnv>) => {
    const select = parseSelect(c.req.query('$select') ?? null, GROUP_PROPERTIES);
    return 'error' in select
      ? graphError(c, 400, 'BadRequest', select.error.replace('microsoft.graph.user', 'microsoft.graph.group'))
      : select;
  };
  /**
   * Microsoft documents `ConsistencyLevel: eventual` plus `$count=true` as required with an OData
   * cast on memberOf and members (user-list-memberof, group-list-members); whether real Graph
   * refuses the cast without them is *unverified*. The simulator holds clients to the documented rule.
   */
  const castNeedsAdvanced = (c: Context<GraphEnv>) =>
    (c.req.header('consistencylevel') ?? '').toLowerCase() === 'eventual' && c.req.query('$count') === 'true'
      ? undefined
      : graphError(
          c,
          400,
          'Request_UnsupportedQuery',
          "The OData cast on this relationship needs the 'ConsistencyLevel: eventual' header and $count=true. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
        );
  /** One page of `items` after `$top` and `$skiptoken`, with Graph's `@odata.nextLink`. */
  const paged = (c: Context<GraphEnv>, items: Record<string, unknown>[], context: string, max = 999): Response => {
    const url = new URL(c.req.url);
    const top = url.searchParams.get('$top');
    const pageSize = top === null ? 100 : Number(top);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > max) {
      return graphError(
        c,
        400,
        'Request_UnsupportedQuery',
        `Invalid page size specified: '${top}'. Must be between 1 and ${max} inclusive.`,
      );
    }
    const skipToken = url.searchParams.get('$skiptoken');
    const offset = skipToken === null ? 0 : Number.parseInt(Buffer.from(skipToken, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0) return graphError(c, 400, 'Request_BadRequest', 'Invalid paging token specified.');
    const body: Record<string, unknown> = { '@odata.context': `${baseUrl(c)}/v1.0/$metadata#${context}` };
    if (url.searchParams.get('$count') === 'true') body['@odata.count'] = items.length;
    if (offset + pageSize < items.length) {
      const next = new URL(url);
      next.searchParams.set('$skiptoken', Buffer.from(String(offset + pageSize)).toString('base64url'));
      body['@odata.nextLink'] = next.toString();
    }
    body.value = items.slice(offset, offset + pageSize);
    return c.json(body);
  };

  graph.get('/groups', (c) => {
    const denied = lacksPermission(c, GROUPS_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const params = new URL(c.req.url).searchParams;
    const eventual = (c.req.header('consistencylevel') ?? '').toLowerCase() === 'eventual';
    const count = params.get('$count');
    if (count === 'true' && !eventual) return graphError(c, 400, 'Request_BadRequest', '$count is not currently supported.');
    const select = groupSelect(c);
    if (select instanceof Response) return select;
    let groups: SimGroup[] = tenant.groups;
    const filterText = params.get('$filter');
    if (filterText !== null) {
      let filter: FilterExpression;
      try {
        filter = parseFilter(filterText);
      } catch (error) {
        if (error instanceof FilterUnsupportedError) return graphError(c, 400, 'Request_UnsupportedQuery', 'Unsupported Query.');
        return graphError(c, 400, 'BadRequest', `Invalid filter clause: ${(error as Error).message}`);
      }
      const unknown = referencedProperties(filter).find((p) => !GROUP_PROPERTIES.includes(p));
      if (unknown) return graphError(c, 400, 'BadRequest', `Could not find a property named '${unknown}' on type 'microsoft.graph.group'.`);
      const advanced = advancedOperators(filter);
      if (advanced.length > 0 && !(eventual && count === 'true')) {
        return graphError(
          c,
          400,
          'Request_UnsupportedQuery',
          `Operator '${advanced[0]}' is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
        );
      }
      groups = groups.filter((g) => evaluateFilter(filter, toGraphGroup(g, GROUP_PROPERTIES)));
    }
    return paged(
      c,
      groups.map((g) => toGraphGroup(g, select.fields)),
      `groups${selectContext(select.fields)}`,
    );
  });

  graph.get('/groups/:id', (c) => {
    const denied = lacksPermission(c, GROUPS_READ);
    if (denied) return denied;
    const group = findGroup(c.get('tenant').groups, c.req.param('id'));
    if (!group) return notFound(c, c.req.param('id'));
    const select = groupSelect(c);
    if (select instanceof Response) return select;
    return c.json({
      '@odata.context': `${baseUrl(c)}/v1.0/$metadata#groups${selectContext(select.fields)}/$entity`,
      ...toGraphGroup(group, select.fields),
    });
  });

  graph.get('/users/:id/memberOf/microsoft.graph.group', (c) => {
    const denied = lacksPermission(c, GROUPS_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const advanced = castNeedsAdvanced(c);
    if (advanced) return advanced;
    const select = groupSelect(c);
    if (select instanceof Response) return select;
    const groups = tenant.groups
      .filter((g) => g.memberIds.includes(user.id))
      .map((g) => ({ '@odata.type': '#microsoft.graph.group', ...toGraphGroup(g, select.fields) }));
    return paged(c, groups, `groups${selectContext(select.fields)}`);
  });

  graph.get('/groups/:id/members/microsoft.graph.user', (c) => {
    const denied = lacksPermission(c, GROUPS_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const group = findGroup(tenant.groups, c.req.param('id'));
    if (!group) return notFound(c, c.req.param('id'));
    const advanced = castNeedsAdvanced(c);
    if (advanced) return advanced;
    const select = parseSelect(c.req.query('$select') ?? null);
    if ('error' in select) return graphError(c, 400, 'BadRequest', select.error);
    const members = group.memberIds
      .map((id) => tenant.users.find((u) => u.id === id))
      .filter((u): u is SimUser => !!u)
      .map((u) => ({ '@odata.type': '#microsoft.graph.user', ...project(u, select.fields, groupLicensesOf(u.id)) }));
    return paged(c, members, `users${selectContext(select.fields)}`);
  });

  /** Shared checks of a membership write: permission, group, role-assignable, kind, freshness. */
  const membershipWrite = (c: Context<GraphEnv>, userId: string): { group: SimGroup; user: SimUser } | Response => {
    const denied = lacksPermission(c, GROUP_MEMBERS_WRITE);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const group = findGroup(tenant.groups, c.req.param('id') ?? '');
    if (!group) return notFound(c, c.req.param('id') ?? '');
    if (group.isAssignableToRole) {
      const roleDenied = lacksPermission(c, ROLE_ASSIGNABLE_WRITE);
      if (roleDenied) return roleDenied;
    }
    const refusal = graphMembershipRefusal(group);
    if (refusal) return graphError(c, refusal.status, refusal.code, refusal.message);
    // A UPN names the same fresh user as its id.
    const user = findUser(tenant, userId);
    if (consumeFresh(userId) || (user && user.id !== userId.toLowerCase() && consumeFresh(user.id))) {
      return graphError(c, 400, 'Request_BadRequest', EVENTUAL_CONSISTENCY_MESSAGE);
    }
    if (!user) return notFound(c, userId);
    return { group, user };
  };

  graph.post('/groups/:id/members/$ref', async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const reference = (body as Record<string, unknown> | null)?.['@odata.id'];
    const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
    // The documented form is {graph}/v1.0/directoryObjects/{id}; the users/{id} form works too (reference §2.5).
    const match =
      typeof reference === 'string' ? /^https:\/\/([^/]+)\/(?:v1\.0|beta)\/(?:directoryObjects|users)\/([^/?#]+)$/.exec(reference) : null;
    const host = match?.[1]?.toLowerCase();
    if (!match || keys.length !== 1 || (host !== 'graph.microsoft.com' && host !== new URL(c.req.url).host)) {
      // *unverified*: Graph's exact text for a malformed @odata.id.
      return graphError(c, 400, 'BadRequest', "Invalid URL format specified in @odata.id. Expected '{graph}/v1.0/directoryObjects/{id}'.");
    }
    const checked = membershipWrite(c, decodeURIComponent(match[2] as string));
    if (checked instanceof Response) return checked;
    if (!addMember(checked.group, checked.user.id)) {
      return graphError(
        c,
        400,
        'Request_BadRequest',
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    }
    return c.body(null, 204);
  });

  graph.delete('/groups/:id/members/:memberId/$ref', (c) => {
    const checked = membershipWrite(c, c.req.param('memberId'));
    if (checked instanceof Response) return checked;
    // *unverified*: the status and text for removing a user who is not a member.
    if (!removeMember(checked.group, checked.user.id)) return notFound(c, c.req.param('memberId'));
    return c.body(null, 204);
  });

  adminConsent.register(app, graph as unknown as Hono, {
    findTenant,
    graphError,
    lacksPermission: (c, permissions) => lacksPermission(c as Context<GraphEnv>, permissions),
    tenantOf: (c) => (c as Context<GraphEnv>).get('tenant'),
  });

  graph.all('*', (c) => {
    const segments = new URL(c.req.url).pathname.split('/').filter(Boolean);
    const known = ['users', 'groups', 'me', 'organization', 'domains', 'subscribedSkus'];
    if (segments[1] && known.includes(segments[1]) && segments.length <= 3) {
      return graphError(c, 405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    }
    return graphError(c, 400, 'BadRequest', `Resource not found for the segment '${segments.at(-1) ?? ''}'.`);
  });

  app.route('/v1.0', graph);

  // ---- Graph beta: only what the toolbox reads from it ----

  const beta = new Hono<GraphEnv>();
  beta.use('*', authenticate);
  beta.get('/users/:id/authentication/signInPreferences', (c) => {
    const denied = lacksPermission(c, AUTH_METHODS_READ);
    if (denied) return denied;
    const tenant = c.get('tenant');
    const user = findUser(tenant, c.req.param('id'));
    if (!user) return notFound(c, c.req.param('id'));
    const preferred = authOf(tenant, user).preferred;
    return c.json({
      '@odata.context': `${baseUrl(c)}/beta/$metadata#users('${user.id}')/authentication/signInPreferences`,
      isSystemPreferredAuthenticationMethodEnabled: true,
      userPreferredMethodForSecondaryAuthentication: preferred,
      // Simplification: Entra computes the system-preferred method from method strength.
      systemPreferredAuthenticationMethod: preferred,
    });
  });
  beta.all('*', (c) =>
    graphError(c, 400, 'BadRequest', `Resource not found for the segment '${new URL(c.req.url).pathname.split('/').at(-1) ?? ''}'.`),
  );
  app.route('/beta', beta);

  // ---- Exchange Online admin REST (reference §10), on the same groups ----

  registerExchangeRoutes(app, {
    now: () => clock.now(),
    lookupToken: (token) => tokens.get(token),
    hasExchangeRole: (tenantId, clientId) => adminConsent.hasExchangeRole(tenantId, clientId) ?? true,
    findTenant,
    mailboxTenant,
    records: exchangeRequests,
  });

  app.notFound((c) =>
    c.json({ error: 'not_found', error_description: `The simulator has no endpoint ${c.req.method} ${new URL(c.req.url).pathname}.` }, 404),
  );
  app.onError((error, c) => graphError(c, 500, 'InternalServerError', `Simulator error: ${error.message}`));

  return {
    app,
    signIn,
    handler: async (request) => app.fetch(request),
    failNext(pattern, status, code, times = 1, extra = {}) {
      failures.push({ pattern, status, code, remaining: times, ...extra });
    },
    state,
    adminConsent: adminConsent.control,
    async listen({ port = 0, host = '127.0.0.1', tls } = {}) {
      const server = createAdaptorServer({
        fetch: app.fetch,
        ...(tls ? { createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } } : {}),
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const hostInUrl = host === 'localhost' ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return {
        url: `${tls ? 'https' : 'http'}://${hostInUrl}:${address.port}`,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            // Keep-alive sockets from the test's fetch would otherwise hold close() open.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      };
    },
  };

  function roleObject(tenant: SimTenant, name: string) {
    const roleTemplateId = ROLE_TEMPLATE_IDS[name] ?? stableUuid(`template:${name}`);
    // Activated directoryRole objects have a tenant-specific id, distinct from the template id.
    return { id: stableUuid(`${tenant.tenantId}:${name}`), displayName: name, description: `${name} role`, roleTemplateId };
  }
}

// ---- helpers -------------------------------------------------------------------------------

function baseUrl(c: Context): string {
  return new URL(c.req.url).origin;
}

function requestIds(c: Context) {
  const requestId = randomUUID();
  return { requestId, clientRequestId: c.req.header('client-request-id') ?? requestId };
}

function graphError(
  c: Context,
  status: number,
  code: string,
  message: string,
  innerExtra: Record<string, string> = {},
  details?: { code: string; message: string; target: string }[],
): Response {
  const { requestId, clientRequestId } = requestIds(c);
  const date = new Date().toISOString().slice(0, 19);
  const body = {
    error: {
      code,
      message,
      innerError: { ...innerExtra, date, 'request-id': requestId, 'client-request-id': clientRequestId },
      ...(details ? { details } : {}),
    },
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'request-id': requestId, 'client-request-id': clientRequestId },
  });
}

/** A JSON request body, or the Graph error for a wrong content type or unreadable JSON. */
async function readJson(c: Context): Promise<unknown> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return graphError(
      c,
      415,
      'BadRequest',
      'A supported MIME type could not be found that matches the content type of the response. None of the supported type(s) application/json were found.',
    );
  }
  try {
    return JSON.parse(await c.req.text());
  } catch {
    return graphError(
      c,
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
}

function unauthorized(c: Context, message: string): Response {
  const response = graphError(c, 401, 'InvalidAuthenticationToken', message);
  response.headers.set(
    'WWW-Authenticate',
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
  );
  return response;
}

function notFound(c: Context, id: string): Response {
  return graphError(
    c,
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function identityError(c: Context, status: number, error: string, aadsts: number, description: string): Response {
  const traceId = randomUUID();
  const correlationId = c.req.header('client-request-id') ?? randomUUID();
  const timestamp = `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
  const prefix = aadsts ? `AADSTS${aadsts}: ` : '';
  const body = {
    error,
    error_description: `${prefix}${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: aadsts ? [aadsts] : [],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    ...(aadsts ? { error_uri: `${baseUrl(c)}/error?code=${aadsts}` } : {}),
  };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

function tenantNotFound(c: Context, tenant: string): Response {
  return identityError(
    c,
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Please retry again later.';
  if (status === 503) return 'The service is currently unavailable. Please try again later.';
  if (status === 504) return 'The gateway timed out.';
  if (status === 403) return 'Insufficient privileges to complete the operation.';
  return 'Injected failure.';
}

function parseSelect(value: string | null, allowed: string[] = [...USER_PROPERTIES]): { fields: string[] | undefined } | { error: string } {
  if (value === null) return { fields: undefined };
  const fields = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = fields.find((f) => !allowed.includes(f));
  if (unknown) return { error: `Could not find a property named '${unknown}' on type 'microsoft.graph.user'.` };
  return { fields };
}

function selectContext(fields: string[] | undefined): string {
  return fields ? `(${fields.join(',')})` : '';
}

function project(
  user: SimUser,
  fields: string[] | undefined,
  groupLicenses: { skuId: string; groupId: string }[] = [],
): Record<string, unknown> {
  const record = user as unknown as Record<string, unknown>;
  const defaults: Record<string, unknown> = { businessPhones: [], mobilePhone: null, officeLocation: null, preferredLanguage: null };
  const out: Record<string, unknown> = {};
  for (const field of fields ?? DEFAULT_USER_PROPERTIES) {
    if (field === 'assignedLicenses') {
      const skuIds = new Set([...(user.assignedSkuIds ?? []), ...groupLicenses.map((g) => g.skuId)]);
      out[field] = [...skuIds].map((skuId) => ({ skuId, disabledPlans: [] }));
    } else if (field === 'licenseAssignmentStates') {
      out[field] = [
        ...(user.assignedSkuIds ?? []).map((skuId) => ({ skuId, assignedByGroup: null })),
        ...groupLicenses.map((g) => ({ skuId: g.skuId, assignedByGroup: g.groupId })),
      ].map((s) => ({ ...s, disabledPlans: [], state: 'Active', error: 'None', lastUpdatedDateTime: null }));
    } else if (field === 'otherMails' || field === 'proxyAddresses') out[field] = record[field] ?? [];
    else if (field === 'mail') out[field] = record.mail || null;
    else if (field === 'userType') out[field] = 'Member';
    else if (field === 'signInActivity') {
      const last = user.lastSignInDateTime ?? null;
      out[field] = { lastSignInDateTime: last, lastSignInRequestId: last ? `${user.id.slice(0, 8)}-sign-in` : null };
    } else out[field] = record[field] ?? defaults[field] ?? null;
  }
  return out;
}

function pick(record: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, record[f] ?? null]));
}

/** `"displayName:meg" OR "mail:meg"`: each term matches a word of the property starting with the value. */
function parseSearch(search: string): { test: (user: SimUser) => boolean } | { error: string } {
  const terms = [...search.matchAll(/"([A-Za-z]+):([^"]*)"\s*(OR|AND)?\s*/g)];
  const joined = terms.map((t) => t[0]).join('');
  if (terms.length === 0 || joined.trim() !== search.trim()) return { error: 'Syntax error: the $search value is not valid.' };
  const clauses = terms.map((t) => ({ property: t[1] as string, value: (t[2] as string).toLowerCase(), join: t[3] }));
  if (clauses.some((c) => !USER_PROPERTIES.has(c.property))) return { error: 'Unsupported Query.' };
  const matches = (user: SimUser, property: string, value: string) => {
    const text = String((user as unknown as Record<string, unknown>)[property] ?? '').toLowerCase();
    return text.split(/[\s.@_-]+/).some((word) => word.startsWith(value)) || text.startsWith(value);
  };
  return {
    test: (user) => {
      let result = matches(user, clauses[0]?.property ?? '', clauses[0]?.value ?? '');
      for (let i = 1; i < clauses.length; i++) {
        const clause = clauses[i] as (typeof clauses)[number];
        const value = matches(user, clause.property, clause.value);
        result = clauses[i - 1]?.join === 'AND' ? result && value : result || value;
      }
      return result;
    },
  };
}

function meetsComplexity(password: string, user: SimUser): boolean {
  if (password.length < 8 || password.length > 256) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (classes < 3) return false;
  const normalised = password.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l').replace(/3/g, 'e').replace(/@/g, 'a').replace(/\$/g, 's');
  const personal = [user.givenName, user.surname].filter((w): w is string => !!w && w.length >= 4).map((w) => w.toLowerCase());
  return ![...BANNED_PASSWORD_WORDS, ...personal].some((word) => normalised.includes(word));
}

function hashPassword(salt: string, password: string): string {
  return createHash('sha256').update(`${salt}:${password}`).digest('base64url');
}

function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
