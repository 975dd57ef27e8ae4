import { createHash } from 'node:crypto';
import type { Logger } from '../../../lib/logger.js';
import { isToolboxError, ToolboxError, toToolboxError } from '../../../lib/toolbox-error.js';
import type { SystemsCheckResult } from '../../systems-check.js';
import type {
  AuthMethod,
  AuthMethodKind,
  DirectoryClientWith,
  DirectoryConnector,
  DirectoryConnectorDeps,
  DirectoryCore,
  DirectoryParts,
  DirectoryRole,
  DirectoryUser,
  OnPremisesAnchor,
  TemporaryAccessPass,
} from '../types.js';
import { ENTRA_CAPABILITY_PROOFS, ENTRA_SETUP_GUIDE, ENTRA_SIGN_IN } from './entra-capabilities.js';
import { createOffboardingMethods } from './entra-offboarding.js';
import { createOnboardingMethods } from './entra-onboarding.js';
import { ENTRA_PASSWORD_POLICY } from './entra-password-policy.js';
import { type EntraConnectionSettings, type EntraSettings, entraConnectionSchema } from './entra-settings.js';
import { createEntraTokenProvider, type EntraTokenProvider, exchangeScope, graphScope } from './entra-token-provider.js';
import { createExchangeClient, type ExchangeClient } from './exchange-client.js';
import { createGraphClient, type GraphClient } from './graph-client.js';
import { ENTRA_ERROR_CODES, graphFailureToError, SYNCED_USER_MESSAGE } from './graph-errors.js';
import { byGroupName, classifyGroup, type EntraGroup, GROUP_SELECT, type GraphGroup } from './group-classification.js';
import { resolveEntraSettings } from './msp-app-settings.js';
import { odataString } from './odata-escape.js';
import { userSearchFilter } from './user-search-filter.js';

/**
 * Microsoft 365 / Entra ID through Microsoft Graph v1.0 with an app-only token per customer tenant.
 *
 * Lookups always `$select` the fields of DirectoryUser: Graph's default user projection leaves
 * out `accountEnabled` and `onPremisesSyncEnabled`, and the sync flag decides where a password
 * reset may happen.
 */
const USER_SELECT =
  'id,displayName,userPrincipalName,mail,givenName,surname,jobTitle,department,accountEnabled,onPremisesSyncEnabled,' +
  // What names a synced user's AD account: a hybrid company's AD directory finds it with these.
  'onPremisesImmutableId,onPremisesSecurityIdentifier,onPremisesSamAccountName,onPremisesUserPrincipalName,onPremisesDomainName';
/**
 * The picker also asks for the last sign-in, which tells look-alike accounts apart. Graph gives
 * `signInActivity` only with AuditLog.Read.All and an Entra ID P1/P2 licence, and refuses the
 * whole request with 403 otherwise; then the search runs without it. Graph serves it for at most
 * 120 users a request.
 */
const SIGN_IN_SELECT = `${USER_SELECT},signInActivity`;
const MAX_SIGN_IN_TOP = 120;
/** Lookups by e-mail, UPN and name expect a handful of matches; this bounds paging. */
const MAX_MATCHES = 50;
const DEFAULT_SEARCH_LIMIT = 20;
/** Graph's `$top` ceiling for users. */
const MAX_TOP = 999;

type GraphUser = {
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
  mail?: string | null;
  givenName?: string | null;
  surname?: string | null;
  jobTitle?: string | null;
  department?: string | null;
  accountEnabled?: boolean | null;
  onPremisesSyncEnabled?: boolean | null;
  onPremisesImmutableId?: string | null;
  onPremisesSecurityIdentifier?: string | null;
  onPremisesSamAccountName?: string | null;
  onPremisesUserPrincipalName?: string | null;
  onPremisesDomainName?: string | null;
  signInActivity?: { lastSignInDateTime?: string | null } | null;
};

/** Permissions and roles a password reset needs, for the systems check and the 403 messages. */
const REQUIRED_APP_PERMISSIONS = [
  { permission: 'User.ReadWrite.All', why: 'password resets and creating users', alternatives: ['Directory.ReadWrite.All'] },
  { permission: 'User.RevokeSessions.All', why: 'revoking sessions', alternatives: ['User.ReadWrite.All', 'Directory.ReadWrite.All'] },
  { permission: 'UserAuthenticationMethod.ReadWrite.All', why: 'MFA method resets and Temporary Access Passes', alternatives: [] },
  {
    permission: 'GroupMember.ReadWrite.All',
    why: 'group membership changes',
    alternatives: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  {
    permission: 'LicenseAssignment.ReadWrite.All',
    why: 'adding and removing licences',
    alternatives: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  },
  { permission: 'MailboxSettings.ReadWrite', why: 'setting out of office when offboarding', alternatives: [] },
];

/**
 * Reads onboarding needs, reported as advisory lines (a tenant used only for resets does not need
 * them). Domains: `GET /domains` (Domain.Read.All), with the organization's verifiedDomains
 * (Organization.Read.All) as the fallback. Licences: `GET /subscribedSkus`.
 */
const ADVISORY_APP_PERMISSIONS = [
  {
    permission: 'Domain.Read.All',
    why: 'listing the tenant’s domains when onboarding',
    alternatives: [
      'Domain.ReadWrite.All',
      'Organization.Read.All',
      'Organization.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
  },
  {
    permission: 'Organization.Read.All',
    why: 'listing the tenant’s licences and free seats when onboarding, and telling internal from external forwarding addresses',
    alternatives: ['Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  },
];

export type EntraConnectorOptions = {
  /** Token providers are shared by every client created with the same fetch and credentials. */
  shareTokens?: boolean;
};

/**
 * Builds a connector. Tokens are cached across `create()` calls (the engine may create a client
 * per execution), keyed by the fetch instance and the tenant's credentials, so a process-wide
 * connector asks Microsoft for one token per tenant per hour. Tests build their own connector to
 * start with an empty cache.
 */
/**
 * The parts of the port Microsoft 365 has: everything but unlocking (Entra has no lockout a
 * technician lifts: smart lockout ends by itself) and moving between containers (Entra has no OUs).
 */
export type EntraPart =
  | 'sessions'
  | 'authMethods'
  | 'temporaryAccessPass'
  | 'licences'
  | 'mailbox'
  | 'automaticReplies'
  | 'mobileDevices'
  | 'manager'
  | 'profile'
  | 'domains';

type GroupReads = 'searchGroups' | 'getGroup' | 'listUserGroups';

/** The Entra client as this connector builds it: every Entra part, and groups with their Entra classification. */
export type EntraClient = Omit<DirectoryClientWith<EntraPart>, GroupReads> & {
  searchGroups(query: string, options?: { limit?: number }): Promise<EntraGroup[]>;
  getGroup(groupId: string): Promise<EntraGroup>;
  listUserGroups(userId: string): Promise<EntraGroup[]>;
};

export function createEntraConnector(options: EntraConnectorOptions = {}): Omit<DirectoryConnector<EntraConnectionSettings>, 'create'> & {
  create(settings: EntraConnectionSettings, deps: DirectoryConnectorDeps): EntraClient;
} {
  const providers = new WeakMap<object, Map<string, EntraTokenProvider>>();

  /** One provider per resource scope: Graph and Exchange Online tokens are separate (reference §1). */
  function tokenProvider(settings: EntraSettings, deps: DirectoryConnectorDeps, scope: string): EntraTokenProvider {
    if (options.shareTokens === false) return createEntraTokenProvider({ settings, scope, ...deps });
    let byKey = providers.get(deps.fetch);
    if (!byKey) {
      byKey = new Map();
      providers.set(deps.fetch, byKey);
    }
    // A rotated secret or certificate must not reuse the old cached token's provider, so the
    // credential is part of the key, as a digest: the map never holds it in clear and the key is
    // never logged. A certificate counts with its private key, so a re-keyed certificate is new too.
    const credential = settings.certificateInfo
      ? ['certificate', settings.certificateInfo.thumbprintSha256, settings.privateKey ?? '']
      : ['secret', settings.clientSecret ?? ''];
    const credentialDigest = createHash('sha256').update(JSON.stringify(credential)).digest('base64url');
    const key = JSON.stringify([settings.authorityHost, settings.tenantId.toLowerCase(), settings.clientId, credentialDigest, scope]);
    let provider = byKey.get(key);
    if (!provider) {
      provider = createEntraTokenProvider({ settings, scope, ...deps });
      byKey.set(key, provider);
    }
    return provider;
  }

  return {
    kind: 'entra',
    label: 'Microsoft 365 (Entra ID)',
    settings: entraConnectionSchema,
    capabilities: { signIn: ENTRA_SIGN_IN, proofs: ENTRA_CAPABILITY_PROOFS },
    setupGuide: ENTRA_SETUP_GUIDE,
    // Graph throttles by request rate per app and tenant (429 with Retry-After, which the client
    // honours), not by concurrency; 32 matches the HTTP pool's connections per host, so calls
    // wait here, where the wait is measured, rather than inside the pool.
    maxConcurrentRequests: 32,
    fields: [
      {
        name: 'tenantId',
        label: 'Tenant ID or domain',
        help: 'The directory (tenant) ID GUID, or a verified domain such as contoso.onmicrosoft.com.',
      },
      {
        name: 'credential',
        label: 'App registration',
        help: 'A tenant connected with “Connect a Microsoft 365 tenant” uses the MSP app and needs nothing below; otherwise the tenant’s own app registration.',
        type: 'select',
        options: [
          { value: 'own', label: 'Its own app registration (below)' },
          { value: 'msp-app', label: 'The MSP app (admin consent)' },
        ],
        advanced: true,
      },
      { name: 'clientId', label: 'Application (client) ID', help: 'From the app registration’s overview page (a GUID).' },
      {
        name: 'clientSecret',
        label: 'Client secret',
        help: 'The secret’s Value (not its ID), from Certificates & secrets. Or leave it empty and use a certificate below.',
        secret: true,
        group: 'credential',
      },
      {
        name: 'certificate',
        label: 'Or: certificate (PEM)',
        help: 'Instead of a client secret: the certificate uploaded to the app registration under Certificates & secrets, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----. Leave empty if the private key below includes it.',
        placeholder: '-----BEGIN CERTIFICATE----- …',
        type: 'multiline',
        group: 'credential',
      },
      {
        name: 'privateKey',
        label: 'Or: certificate private key (PEM)',
        help: 'With the certificate: its unencrypted RSA private key, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY----- (a PEM holding the key and the certificate together is accepted too). Only the certificate goes to Microsoft.',
        secret: true,
        type: 'multiline',
        group: 'credential',
      },
      {
        name: 'authorityHost',
        label: 'Authority host',
        help: 'Default https://login.microsoftonline.com; other for national clouds.',
        advanced: true,
        type: 'url',
      },
      { name: 'graphUrl', label: 'Graph URL', help: 'Default https://graph.microsoft.com.', advanced: true, type: 'url' },
      {
        name: 'exchangeUrl',
        label: 'Exchange Online URL',
        help: 'Default: the Exchange host of the Graph URL’s cloud.',
        advanced: true,
        type: 'url',
      },
    ],
    create(connection, deps) {
      const resolved = resolveEntraSettings(connection, deps.mspApp);
      // A tenant connected through the MSP app while no MSP app is configured: the client exists
      // (the console and systems check list the tenant) and each call says what is missing.
      const unusable = 'problem' in resolved ? resolved.problem : undefined;
      const settings: EntraSettings =
        'problem' in resolved
          ? {
              tenantId: connection.tenantId,
              clientId: '',
              authorityHost: '',
              graphUrl: 'https://graph.microsoft.com',
              exchangeUrl: 'https://outlook.office365.com',
              timeoutMs: connection.timeoutMs,
            }
          : resolved;
      const refusing: EntraTokenProvider = { getToken: () => Promise.reject(unusable), invalidate() {} };
      const tokens = unusable ? refusing : tokenProvider(settings, deps, graphScope(settings));
      const exchangeTokens = unusable ? refusing : tokenProvider(settings, deps, exchangeScope(settings));
      const common = { settings, fetch: deps.fetch, logger: deps.logger, ...(deps.sleep ? { sleep: deps.sleep } : {}) };
      const graph = createGraphClient({ ...common, tokens });
      const exchange = createExchangeClient({ ...common, tokens: exchangeTokens });
      return createEntraClient(
        { settings, tokens, graph, exchangeTokens, exchange, sleep: deps.sleep ?? defaultSleep },
        deps.logger.child({ connector: 'entra', tenantId: settings.tenantId }),
      );
    },
  };
}

export const entraConnector = createEntraConnector();

export type EntraClientParts = {
  settings: EntraSettings;
  tokens: EntraTokenProvider;
  graph: GraphClient;
  exchangeTokens: EntraTokenProvider;
  exchange: ExchangeClient;
  sleep: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function createEntraClient(parts: EntraClientParts, log: Logger): EntraClient {
  const { settings, tokens, graph, exchange, exchangeTokens } = parts;
  const findUsers = async (
    filter: string,
    operation: string,
    advanced: boolean,
    max = MAX_MATCHES,
    select = USER_SELECT,
    quiet403 = false,
  ) => {
    const query = [`$filter=${encodeURIComponent(filter)}`, `$select=${select}`, `$top=${Math.min(max, MAX_TOP)}`];
    if (advanced) query.push('$count=true');
    const users = await graph.list<GraphUser>(
      {
        method: 'GET',
        path: `/users?${query.join('&')}`,
        operation,
        purpose: 'read',
        ...(advanced ? { headers: { ConsistencyLevel: 'eventual' } } : {}),
        ...(quiet403 ? { failureLogLevel: 'debug' as const } : {}),
      },
      max,
    );
    return users.map(toDirectoryUser);
  };
  /** Set once Graph has refused `signInActivity` for this tenant: later searches leave it out. */
  let signInActivityRefused = false;

  const getUser = async (id: string): Promise<DirectoryUser> => {
    const { body } = await graph.request<GraphUser>({
      method: 'GET',
      path: `/users/${encodeURIComponent(id)}?$select=${USER_SELECT}`,
      operation: 'GET /users/{id}',
      purpose: 'read',
    });
    return toDirectoryUser(body);
  };

  const listDirectoryRoles = async (userId: string): Promise<DirectoryRole[]> => {
    const roles = await graph.list<{ id: string; displayName?: string | null }>(
      {
        method: 'GET',
        path: `/users/${encodeURIComponent(userId)}/transitiveMemberOf/microsoft.graph.directoryRole?$select=id,displayName`,
        operation: 'GET /users/{id}/transitiveMemberOf/microsoft.graph.directoryRole',
        purpose: 'read-roles',
      },
      200,
    );
    return roles.map((r) => ({ id: r.id, displayName: r.displayName ?? r.id }));
  };

  type Lookups = 'findUsersByEmail' | 'findUsersByUpn' | 'findUsersByDisplayName' | 'searchUsers' | 'resetPassword';
  type SignInParts = DirectoryParts['sessions'] & DirectoryParts['authMethods'] & DirectoryParts['temporaryAccessPass'];
  const methods: Pick<DirectoryCore, Lookups> & SignInParts = {
    findUsersByEmail(email) {
      const value = email.trim();
      if (!value) return Promise.resolve([]);
      const v = odataString(value);
      const smtp = odataString(`smtp:${value}`);
      // proxyAddresses holds "SMTP:" (primary) and "smtp:" (aliases); Graph compares them
      // case-insensitively, so one literal finds both. The lambda filters are sent as an advanced
      // query (ConsistencyLevel: eventual + $count=true): Microsoft documents advanced-query support
      // for these any() filters on users, and the header is accepted on every user query, so the
      // same request works whichever index Graph picks. Cost: the index can lag a few seconds
      // behind a just-created user.
      const filter = `mail eq ${v} or userPrincipalName eq ${v} or proxyAddresses/any(p:p eq ${smtp}) or otherMails/any(o:o eq ${v})`;
      return findUsers(filter, 'GET /users?$filter=mail|upn|proxyAddresses|otherMails', true);
    },
    findUsersByUpn(upn) {
      const value = upn.trim();
      if (!value) return Promise.resolve([]);
      return findUsers(`userPrincipalName eq ${odataString(value)}`, 'GET /users?$filter=userPrincipalName', false, 1);
    },
    findUsersByDisplayName(name) {
      const value = name.trim();
      if (!value) return Promise.resolve([]);
      // eq on displayName is case-insensitive in Graph's directory store.
      return findUsers(`displayName eq ${odataString(value)}`, 'GET /users?$filter=displayName', false);
    },
    searchUsers(query, searchOptions) {
      const value = query.trim();
      if (!value) return Promise.resolve([]);
      const filter = userSearchFilter(value);
      if (!filter) return Promise.resolve([]);
      const operation = 'GET /users?$filter=startswith(displayName|givenName|surname|mail|upn)';
      const plain = () => findUsers(filter, operation, false, Math.max(1, Math.min(searchOptions?.limit ?? DEFAULT_SEARCH_LIMIT, MAX_TOP)));
      if (signInActivityRefused) return plain();
      const limit = Math.max(1, Math.min(searchOptions?.limit ?? DEFAULT_SEARCH_LIMIT, MAX_SIGN_IN_TOP));
      return findUsers(filter, operation, false, limit, SIGN_IN_SELECT, true).catch((error: unknown) => {
        // Without AuditLog.Read.All (Authorization_RequestDenied) or a premium licence
        // (Authentication_RequestFromNonPremiumTenantOrB2CTenant) Graph answers 403: search without it.
        if (!isToolboxError(error) || error.code !== ENTRA_ERROR_CODES.forbidden) throw error;
        signInActivityRefused = true;
        log.info({ upstreamCode: error.upstream?.code }, 'last sign-in not readable in this tenant; searching without it');
        return plain();
      });
    },
    async resetPassword(userId, input) {
      // Re-read the user: the sync flag may have changed since the page was loaded, and a PATCH on
      // a synced user fails anyway (and app-only writeback does not exist: reference §5.2).
      const user = await getUser(userId);
      if (user.onPremisesSyncEnabled) {
        throw new ToolboxError({ code: ENTRA_ERROR_CODES.syncedUser, message: SYNCED_USER_MESSAGE, httpStatus: 409 });
      }
      try {
        await graph.request<void>({
          method: 'PATCH',
          path: `/users/${encodeURIComponent(user.id)}`,
          operation: 'PATCH /users/{id} passwordProfile',
          purpose: 'password-reset',
          retry: 'rejected-only',
          body: { passwordProfile: { password: input.password, forceChangePasswordNextSignIn: input.forceChangeNextSignIn } },
        });
      } catch (error) {
        if (isToolboxError(error) && error.code === ENTRA_ERROR_CODES.forbidden) throw await explainForbiddenReset(error, user);
        throw error;
      }
    },

    async revokeSessions(userId) {
      await graph.request<{ value?: boolean }>({
        method: 'POST',
        path: `/users/${encodeURIComponent(userId)}/revokeSignInSessions`,
        operation: 'POST /users/{id}/revokeSignInSessions',
        purpose: 'revoke-sessions',
        // Revoking twice is the same as once, so the normal retries are safe.
        retry: 'safe',
      });
    },

    async listAuthMethods(userId) {
      const user = encodeURIComponent(userId);
      // The default second factor is only in beta; it runs beside the list and may fail alone.
      const [methods, preferred] = await Promise.all([
        graph.list<GraphAuthMethod>(
          {
            method: 'GET',
            path: `/users/${user}/authentication/methods`,
            operation: 'GET /users/{id}/authentication/methods',
            purpose: 'read-auth-methods',
          },
          MAX_AUTH_METHODS,
        ),
        readPreferredSecondFactor(user),
      ]);
      return methods.map((m) => toAuthMethod(m, preferred));
    },

    async removeAuthMethod(userId, method) {
      const segment = DELETE_SEGMENTS[method.kind];
      if (!segment) {
        throw new ToolboxError({
          code: ENTRA_ERROR_CODES.methodNotRemovable,
          message:
            method.kind === 'password'
              ? 'The password is not removed with the other sign-in methods; reset it instead.'
              : 'Microsoft Graph cannot remove this kind of sign-in method (the API for it is in preview only). ' +
                'Remove it in the Entra admin center: the user → Authentication methods.',
          httpStatus: 400,
        });
      }
      const { status } = await graph.request<void>({
        method: 'DELETE',
        path: `/users/${encodeURIComponent(userId)}/authentication/${segment}/${encodeURIComponent(method.id)}`,
        operation: `DELETE /users/{id}/authentication/${segment}/{id}`,
        purpose: method.kind === 'phone' ? 'remove-phone-method' : 'remove-auth-method',
        // 429/503 only, as for the password PATCH. A 502/504 from the methods API is usually its
        // 60-second backend timeout (reference §6): repeating it mostly makes the technician wait
        // again, and the caller re-lists the methods afterwards, which settles the outcome.
        retry: 'rejected-only',
        // Removing is idempotent: a method that is already gone (removed by someone else, or by a
        // first attempt whose answer was lost) is what the caller wanted.
        okStatuses: [404],
      });
      if (status === 404) log.debug({ kind: method.kind }, 'authentication method already gone');
    },

    async createTemporaryAccessPass(userId, input) {
      const { lifetimeInMinutes, isUsableOnce } = input;
      if (!Number.isInteger(lifetimeInMinutes) || lifetimeInMinutes < TAP_MIN_MINUTES || lifetimeInMinutes > TAP_MAX_MINUTES) {
        throw new ToolboxError({
          code: ENTRA_ERROR_CODES.invalidInput,
          message: `A Temporary Access Pass must last between ${TAP_MIN_MINUTES} minutes and ${TAP_MAX_MINUTES} minutes (30 days), in whole minutes.`,
          httpStatus: 400,
        });
      }
      // The body carries no secret, but the answer does: the graph client never logs bodies, and
      // nothing here logs the pass.
      const { body } = await graph.request<GraphTemporaryAccessPass>({
        method: 'POST',
        path: `/users/${encodeURIComponent(userId)}/authentication/temporaryAccessPassMethods`,
        operation: 'POST /users/{id}/authentication/temporaryAccessPassMethods',
        purpose: 'temporary-access-pass',
        // Not 'safe': a POST that ran but whose answer was lost would make a second pass fail
        // ("only one per user") and hide the first one, which nobody could read again.
        retry: 'rejected-only',
        body: { lifetimeInMinutes, isUsableOnce },
      });
      if (typeof body?.temporaryAccessPass !== 'string' || !body.temporaryAccessPass) {
        throw new ToolboxError({
          code: ENTRA_ERROR_CODES.unexpected,
          message:
            'Microsoft Graph created the Temporary Access Pass but did not return it. Remove it from the user’s methods and try again.',
          httpStatus: 502,
          upstream: { service: 'graph', operation: 'POST /users/{id}/authentication/temporaryAccessPassMethods' },
        });
      }
      const pass: TemporaryAccessPass = {
        pass: body.temporaryAccessPass,
        lifetimeInMinutes: typeof body.lifetimeInMinutes === 'number' ? body.lifetimeInMinutes : lifetimeInMinutes,
        isUsableOnce: typeof body.isUsableOnce === 'boolean' ? body.isUsableOnce : isUsableOnce,
        ...(body.startDateTime ? { startDateTime: body.startDateTime } : {}),
      };
      log.info({ lifetimeInMinutes: pass.lifetimeInMinutes, isUsableOnce: pass.isUsableOnce }, 'temporary access pass created');
      return pass;
    },
  };

  const groups = createGroupMethods(parts, getUser, log);
  const off = createOffboardingMethods(
    parts,
    { getUser, findUsersByEmail: (email) => methods.findUsersByEmail(email), toDirectoryUser, userSelect: USER_SELECT },
    log,
  );
  const on = createOnboardingMethods(parts, { getUser, toDirectoryUser }, log);
  const client: EntraClient = {
    findUsersByEmail: methods.findUsersByEmail,
    findUsersByUpn: methods.findUsersByUpn,
    findUsersByDisplayName: methods.findUsersByDisplayName,
    searchUsers: methods.searchUsers,
    getUser,
    listDirectoryRoles,
    // Entra's rules are fixed for every tenant and user: nothing to read.
    passwordPolicy: async () => ENTRA_PASSWORD_POLICY,
    resetPassword: methods.resetPassword,
    setAccountEnabled: off.setAccountEnabled,
    ...groups,
    createUser: on.createUser,
    async systemsCheck() {
      try {
        const graphLines = await systemsCheck(settings, tokens, graph, listDirectoryRoles);
        // Without a sign-in there is nothing more to learn from Exchange either.
        if (graphLines[0]?.ok === false) return graphLines;
        return [...graphLines, ...(await exchangeSystemsCheck(exchangeTokens, exchange))];
      } catch (error) {
        // The contract is "never throws": each step already catches; this is the last resort.
        return [{ name: 'Systems check', ok: false, message: toToolboxError(error).message }];
      }
    },
    sessions: { revokeSessions: methods.revokeSessions },
    authMethods: { listAuthMethods: methods.listAuthMethods, removeAuthMethod: methods.removeAuthMethod },
    temporaryAccessPass: { createTemporaryAccessPass: methods.createTemporaryAccessPass },
    licences: {
      listLicenses: off.listLicenses,
      removeLicenses: off.removeLicenses,
      listSubscribedSkus: on.listSubscribedSkus,
      addLicenses: on.addLicenses,
    },
    mailbox: {
      getMailbox: off.getMailbox,
      convertMailboxToShared: off.convertMailboxToShared,
      setMailboxForwarding: off.setMailboxForwarding,
      setHiddenFromAddressLists: off.setHiddenFromAddressLists,
      grantMailboxAccess: off.grantMailboxAccess,
    },
    automaticReplies: { setAutomaticReplies: off.setAutomaticReplies },
    mobileDevices: { listMobileDevices: off.listMobileDevices, removeMobileDevice: off.removeMobileDevice },
    manager: { getManager: off.getManager, setManager: on.setManager, removeManager: off.removeManager },
    profile: { getUserProfile: on.getUserProfile, updateUserProfile: on.updateUserProfile },
    domains: { listVerifiedDomains: on.listVerifiedDomains },
  };
  return client;

  /**
   * beta signInPreferences' default second factor, or undefined when the tenant does not answer
   * it (beta may be missing, forbidden or changed): the listing then marks no method as default.
   */
  async function readPreferredSecondFactor(encodedUserId: string): Promise<string | undefined> {
    try {
      const { body } = await graph.request<{ userPreferredMethodForSecondaryAuthentication?: string | null }>({
        method: 'GET',
        version: 'beta',
        path: `/users/${encodedUserId}/authentication/signInPreferences`,
        operation: 'GET beta /users/{id}/authentication/signInPreferences',
        purpose: 'read-auth-methods',
        failureLogLevel: 'debug',
      });
      return body?.userPreferredMethodForSecondaryAuthentication ?? undefined;
    } catch (error) {
      const e = toToolboxError(error);
      log.debug(
        { code: e.code, upstreamStatus: e.upstream?.status, upstreamCode: e.upstream?.code },
        'default sign-in method unknown (beta signInPreferences failed): no method is marked default',
      );
      return undefined;
    }
  }

  /** A 403 on a reset: say whether the target is an admin (the usual cause) or the app lacks rights. */
  async function explainForbiddenReset(error: ToolboxError, user: DirectoryUser): Promise<ToolboxError> {
    let roles: DirectoryRole[] = [];
    try {
      roles = await listDirectoryRoles(user.id);
    } catch {
      // Reading roles may itself be forbidden; fall back to the general message.
    }
    if (roles.length === 0) return error;
    const names = roles.map((r) => r.displayName).join(', ');
    return new ToolboxError({
      code: ENTRA_ERROR_CODES.privilegedTarget,
      message:
        `${user.displayName} holds the admin role ${names}. The toolbox’s app (a User Administrator) is not allowed to reset admin accounts: ` +
        'that needs the Privileged Authentication Administrator role on the app, or a reset by a Global Administrator in the Entra admin center.',
      httpStatus: 403,
      ...(error.upstream ? { upstream: error.upstream } : {}),
    });
  }
}

/** The methods API lists a handful per user; this bounds paging should it ever page. */
const MAX_AUTH_METHODS = 200;
const TAP_MIN_MINUTES = 10;
const TAP_MAX_MINUTES = 43_200;

/** A method as Graph lists it: `@odata.type` plus the type's own fields, all optional here. */
type GraphAuthMethod = {
  '@odata.type'?: string;
  id: string;
  createdDateTime?: string | null;
  displayName?: string | null;
  phoneNumber?: string | null;
  phoneType?: string | null;
  emailAddress?: string | null;
  deviceTag?: string | null;
  phoneAppVersion?: string | null;
  model?: string | null;
  platform?: string | null;
  lifetimeInMinutes?: number | null;
  isUsableOnce?: boolean | null;
  isUsable?: boolean | null;
  startDateTime?: string | null;
};

type GraphTemporaryAccessPass = {
  temporaryAccessPass?: string | null;
  lifetimeInMinutes?: number;
  isUsableOnce?: boolean;
  startDateTime?: string;
};

/** `@odata.type` (without the namespace) to kind; anything else is `other`. */
const KINDS_BY_TYPE: Record<string, AuthMethodKind> = {
  passwordAuthenticationMethod: 'password',
  phoneAuthenticationMethod: 'phone',
  emailAuthenticationMethod: 'email',
  fido2AuthenticationMethod: 'fido2',
  microsoftAuthenticatorAuthenticationMethod: 'microsoftAuthenticator',
  softwareOathAuthenticationMethod: 'softwareOath',
  temporaryAccessPassAuthenticationMethod: 'temporaryAccessPass',
  windowsHelloForBusinessAuthenticationMethod: 'windowsHelloForBusiness',
  platformCredentialAuthenticationMethod: 'platformCredential',
  externalAuthenticationMethod: 'externalAuthentication',
};

/**
 * v1.0 DELETE path segments (reference §6 table). Kinds without one (the password; `other`,
 * which covers the beta-only qrCodePin and hardwareOath) are not removable.
 */
const DELETE_SEGMENTS: Partial<Record<AuthMethodKind, string>> = {
  phone: 'phoneMethods',
  email: 'emailMethods',
  fido2: 'fido2Methods',
  microsoftAuthenticator: 'microsoftAuthenticatorMethods',
  softwareOath: 'softwareOathMethods',
  temporaryAccessPass: 'temporaryAccessPassMethods',
  windowsHelloForBusiness: 'windowsHelloForBusinessMethods',
  platformCredential: 'platformCredentialMethods',
  externalAuthentication: 'externalAuthenticationMethods',
};

/** signInPreferences' preferred method to the kind (and phone type) it designates. */
const DEFAULT_BY_PREFERENCE: Record<string, { kind: AuthMethodKind; phoneType?: string }> = {
  push: { kind: 'microsoftAuthenticator' },
  oath: { kind: 'softwareOath' },
  voiceMobile: { kind: 'phone', phoneType: 'mobile' },
  sms: { kind: 'phone', phoneType: 'mobile' },
  voiceAlternateMobile: { kind: 'phone', phoneType: 'alternateMobile' },
  voiceOffice: { kind: 'phone', phoneType: 'office' },
};

const PHONE_TYPE_LABELS: Record<string, string> = { mobile: 'mobile', alternateMobile: 'alternate mobile', office: 'office' };
/** Beta-only kinds a v1.0 list might still show: named rather than shown as a type name. */
const OTHER_LABELS: Record<string, string> = {
  hardwareOathAuthenticationMethod: 'Hardware token (OATH)',
  qrCodePinAuthenticationMethod: 'QR code and PIN',
};

function toAuthMethod(method: GraphAuthMethod, preferred: string | undefined): AuthMethod {
  const typeName = (method['@odata.type'] ?? '').replace(/^#?microsoft\.graph\./, '');
  const kind = KINDS_BY_TYPE[typeName] ?? 'other';
  const phoneType = kind === 'phone' && method.phoneType ? method.phoneType : undefined;
  const designated = preferred ? DEFAULT_BY_PREFERENCE[preferred] : undefined;
  // "push" does not say which Authenticator device; with several, each is marked default.
  const isDefault =
    designated !== undefined && designated.kind === kind && (designated.phoneType === undefined || designated.phoneType === phoneType);
  return {
    id: method.id,
    kind,
    label: authMethodLabel(kind, typeName, method),
    ...(phoneType ? { phoneType } : {}),
    isDefault,
    removable: DELETE_SEGMENTS[kind] !== undefined,
    ...(method.createdDateTime ? { createdAt: method.createdDateTime } : {}),
  };
}

function authMethodLabel(kind: AuthMethodKind, typeName: string, m: GraphAuthMethod): string {
  const details = (...parts: (string | null | undefined | false)[]) => {
    const present = parts.filter((p): p is string => typeof p === 'string' && p.length > 0);
    return present.length > 0 ? ` (${present.join(', ')})` : '';
  };
  switch (kind) {
    case 'password':
      return 'Password';
    case 'phone':
      return `Phone (${PHONE_TYPE_LABELS[m.phoneType ?? ''] ?? m.phoneType ?? 'unknown type'}): ${m.phoneNumber ?? 'number hidden'}`;
    case 'email':
      return `Email: ${m.emailAddress ?? 'address hidden'}`;
    case 'microsoftAuthenticator':
      // deviceTag is usually the generic "SoftwareTokenActivated", which says nothing to a technician.
      return `Authenticator: ${m.displayName || 'unnamed device'}${details(
        m.deviceTag !== 'SoftwareTokenActivated' && m.deviceTag,
        m.phoneAppVersion && `app ${m.phoneAppVersion}`,
      )}`;
    case 'fido2':
      return `Security key: ${m.displayName || 'unnamed key'}${details(m.model)}`;
    case 'softwareOath':
      return 'Authenticator app code (OATH)';
    case 'temporaryAccessPass':
      return `Temporary Access Pass${details(
        typeof m.lifetimeInMinutes === 'number' && `${m.lifetimeInMinutes} min`,
        m.isUsableOnce === true ? 'one-time' : m.isUsableOnce === false && 'reusable',
        m.isUsable === false && 'not usable now',
      )}`;
    case 'windowsHelloForBusiness':
      return `Windows Hello for Business: ${m.displayName || 'unnamed device'}`;
    case 'platformCredential':
      return `Platform credential: ${m.displayName || 'unnamed device'}${details(m.platform)}`;
    case 'externalAuthentication':
      return `External method: ${m.displayName || 'unnamed'}`;
    case 'other':
      return OTHER_LABELS[typeName] ?? `Other method (${typeName || 'unknown type'})`;
  }
}

/** A certificate this close to its end gets a warning on a passing sign-in line. */
const CERTIFICATE_RENEWAL_NOTICE_MS = 30 * 24 * 3600_000;

function signInPassed(settings: EntraSettings): SystemsCheckResult {
  const line = { name: 'Sign-in to the tenant', ok: true };
  const info = settings.certificateInfo;
  if (!info) return { ...line, message: `The app ${settings.clientId} obtained a token for tenant ${settings.tenantId}.` };
  const message = `The app ${settings.clientId} obtained a token for tenant ${settings.tenantId} with the certificate ${info.thumbprintSha1} (valid until ${info.notAfter.slice(0, 10)}).`;
  // Wall-clock time on purpose: this is advice about the real certificate, read by a person now.
  return Date.parse(info.notAfter) - Date.now() < CERTIFICATE_RENEWAL_NOTICE_MS
    ? {
        ...line,
        message,
        hint: 'The certificate expires within 30 days: create a new one, upload its public part to the app registration under Certificates & secrets, and update the connection settings before then.',
      }
    : { ...line, message };
}

function signInHint(settings: EntraSettings): string {
  const info = settings.certificateInfo;
  if (!info) return 'Check the tenant ID, client ID and client secret, and that the app has admin consent in this tenant.';
  return (
    `Check the tenant ID and client ID. Upload the certificate’s public part (the .cer or .pem file, never the private key) to the app ` +
    `registration under Certificates & secrets; its thumbprint there must be ${info.thumbprintSha1}. Check that it has not expired ` +
    `(this one is valid until ${info.notAfter.slice(0, 10)}), and that the app has admin consent in this tenant.`
  );
}

async function systemsCheck(
  settings: EntraSettings,
  tokens: EntraTokenProvider,
  graph: GraphClient,
  listDirectoryRoles: (userId: string) => Promise<DirectoryRole[]>,
): Promise<SystemsCheckResult[]> {
  const results: SystemsCheckResult[] = [];
  const fail = (name: string, error: unknown, hint: string): SystemsCheckResult => {
    const e = isToolboxError(error) ? error : undefined;
    return {
      name,
      ok: false,
      message: e?.message ?? 'Unexpected failure; see the service log.',
      hint,
      ...(e?.upstream?.code ? { upstreamCode: e.upstream.code } : e?.upstream?.status ? { upstreamCode: String(e.upstream.status) } : {}),
    };
  };

  let token: string;
  try {
    token = await tokens.getToken();
    results.push(signInPassed(settings));
  } catch (error) {
    results.push(fail('Sign-in to the tenant', error, signInHint(settings)));
    // Skipped, not failed: without a token nothing else can be tried.
    results.push({
      name: 'The other checks',
      ok: false,
      outcome: 'not-run',
      message:
        'Not tried: the sign-in failed (see above), so the permissions, users, groups, roles and Exchange Online could not be checked. Run the check again once it works.',
    });
    return results;
  }

  results.push(...permissionLines(token));

  let firstUserId: string | undefined;
  try {
    const { body } = await graph.request<{ value?: { id: string }[] }>({
      method: 'GET',
      path: '/users?$top=1&$select=id',
      operation: 'GET /users?$top=1',
      purpose: 'read',
    });
    firstUserId = body.value?.[0]?.id;
    results.push({ name: 'Read users', ok: true, message: 'The app can list users.' });
  } catch (error) {
    results.push(
      fail('Read users', error, 'Grant the application permission User.Read.All (or User.ReadWrite.All) and give admin consent.'),
    );
  }

  if (firstUserId) {
    try {
      await listDirectoryRoles(firstUserId);
      results.push({
        name: 'Read directory roles',
        ok: true,
        message: 'The app can see which users hold admin roles (used to refuse resets of admins).',
      });
    } catch (error) {
      results.push(
        fail('Read directory roles', error, 'Grant RoleManagement.Read.Directory or Directory.Read.All and give admin consent.'),
      );
    }
  }

  try {
    await graph.request<unknown>({
      method: 'GET',
      path: '/groups?$top=1&$select=id',
      operation: 'GET /groups?$top=1',
      purpose: 'read-groups',
    });
    results.push({ name: 'Read groups', ok: true, message: 'The app can list groups (used by the group membership form).' });
  } catch (error) {
    results.push(
      fail(
        'Read groups',
        error,
        'Grant the application permission GroupMember.ReadWrite.All (or GroupMember.Read.All) and give admin consent.',
      ),
    );
  }

  // Entra roles on the service principal are not visible in the token's permission list, and
  // reading them needs Directory.Read.All on the service principal object; only a real reset
  // proves them. Say so rather than report a green tick we cannot back.
  results.push({
    name: 'Entra role for password resets',
    ok: false,
    outcome: 'unverified',
    message:
      'Not verifiable without attempting a reset: the app’s service principal needs the User Administrator role in this tenant ' +
      '(Privileged Authentication Administrator to reset admin accounts).',
    hint: 'Entra admin center → Roles and administrators → User Administrator → Add assignments → select the toolbox’s app.',
  });
  // Which role an app-only caller needs for authentication methods is itself unverified
  // (reference §12), so the line says "may".
  results.push({
    name: 'Entra role for MFA resets',
    ok: false,
    outcome: 'unverified',
    message:
      'Not verifiable without attempting a change: removing sign-in methods and issuing Temporary Access Passes may need the ' +
      'Authentication Administrator role on the app’s service principal (Privileged Authentication Administrator for admin accounts).',
    hint: 'Entra admin center → Roles and administrators → Authentication Administrator → Add assignments → select the toolbox’s app.',
  });
  return results;
}

/**
 * Real Entra access tokens are JWTs whose `roles` claim lists the application permissions
 * granted to the app. Reading it (without verifying: the token is ours, straight from Microsoft)
 * gives an honest answer for the Graph permissions; a token we cannot read gets an advisory line.
 */
function permissionLines(token: string): SystemsCheckResult[] {
  const roles = jwtRoles(token);
  if (!roles) {
    return [
      {
        name: 'Graph application permissions',
        ok: false,
        outcome: 'unverified',
        message:
          'Could not read the granted permissions from the token. Password resets need User.ReadWrite.All, revoking sessions needs User.RevokeSessions.All ' +
          'and MFA resets need UserAuthenticationMethod.ReadWrite.All, all with admin consent.',
      },
    ];
  }
  const advisory = ADVISORY_APP_PERMISSIONS.map(({ permission, why, alternatives }): SystemsCheckResult => {
    const granted = [permission, ...alternatives].find((p) => roles.includes(p));
    return granted
      ? {
          name: `Permission ${permission}`,
          ok: true,
          message: `Granted${granted === permission ? '' : ` through ${granted}`} (needed for ${why}).`,
        }
      : {
          name: `Permission ${permission}`,
          // Not needed by every form: a warning, but never a green pass.
          ok: false,
          outcome: 'warning',
          message: `Not granted (advisory): ${why} will fail. Not needed when the toolbox does not onboard users in this tenant.`,
          hint: `Add the Microsoft Graph application permission ${permission} to the app registration and grant admin consent in this tenant.`,
        };
  });
  const required = REQUIRED_APP_PERMISSIONS.map(({ permission, why, alternatives }) => {
    const granted = [permission, ...alternatives].find((p) => roles.includes(p));
    return granted
      ? {
          name: `Permission ${permission}`,
          ok: true,
          message: `Granted${granted === permission ? '' : ` through ${granted}`} (needed for ${why}).`,
        }
      : {
          name: `Permission ${permission}`,
          ok: false,
          message: `Not granted: ${why} will fail.`,
          hint: `Add the Microsoft Graph application permission ${permission} to the app registration and grant admin consent in this tenant.`,
        };
  });
  return [...required, ...advisory];
}

function jwtRoles(token: string): string[] | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return undefined;
  }
}

function toDirectoryUser(user: GraphUser): DirectoryUser {
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName ?? '',
    displayName: user.displayName ?? user.userPrincipalName ?? user.id,
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.givenName ? { givenName: user.givenName } : {}),
    ...(user.surname ? { surname: user.surname } : {}),
    ...(user.jobTitle ? { jobTitle: user.jobTitle } : {}),
    ...(user.department ? { department: user.department } : {}),
    accountEnabled: user.accountEnabled ?? false,
    onPremisesSyncEnabled: user.onPremisesSyncEnabled === true,
    ...(user.onPremisesSyncEnabled === true ? { onPremisesAnchor: onPremisesAnchorOf(user) } : {}),
    // Asked for only by the search; null there means "never signed in" as far as Graph knows.
    ...(user.signInActivity !== undefined ? { lastSignIn: user.signInActivity?.lastSignInDateTime ?? null } : {}),
  };
}

function onPremisesAnchorOf(user: GraphUser): OnPremisesAnchor {
  const anchor: OnPremisesAnchor = {};
  if (user.onPremisesImmutableId) anchor.immutableId = user.onPremisesImmutableId;
  if (user.onPremisesSecurityIdentifier) anchor.securityIdentifier = user.onPremisesSecurityIdentifier;
  if (user.onPremisesSamAccountName) anchor.samAccountName = user.onPremisesSamAccountName;
  if (user.onPremisesUserPrincipalName) anchor.userPrincipalName = user.onPremisesUserPrincipalName;
  if (user.onPremisesDomainName) anchor.domainName = user.onPremisesDomainName;
  return anchor;
}

/** Lists a user's groups or a group's members up to this many (paging is bounded). */
const MAX_USER_GROUPS = 500;
const DEFAULT_GROUP_SEARCH_LIMIT = 20;
const DEFAULT_MEMBER_LIMIT = 100;
/**
 * Waits before repeating a membership change that Graph refused because the user (or group) was
 * created a moment ago and is not visible everywhere yet (reference §2.4): 1 s, 2 s, 4 s, then a
 * clear error. Seven seconds in all keeps an interactive form responsive.
 */
const CONSISTENCY_RETRY_DELAYS_MS = [1_000, 2_000, 4_000];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_YET_VISIBLE = /do(es)? not exist/i;

type GroupMethods = Pick<
  EntraClient,
  'searchGroups' | 'getGroup' | 'listUserGroups' | 'listGroupMembers' | 'addGroupMember' | 'removeGroupMember'
>;

/**
 * Group membership (reference §7): every change reads the group first and classifies it from
 * Graph's flags, then goes to Graph (Microsoft 365 and security groups) or Exchange Online
 * (distribution lists and mail-enabled security groups), or is refused with the reason (dynamic
 * and synced groups) before anything is written.
 */
function createGroupMethods(parts: EntraClientParts, getUser: (id: string) => Promise<DirectoryUser>, log: Logger): GroupMethods {
  const { settings, graph, exchange, sleep } = parts;
  const graphOrigin = new URL(settings.graphUrl).origin;
  const tenantLabel = `tenant ${settings.tenantId}`;
  const enc = encodeURIComponent;

  const getGroup = async (groupId: string): Promise<EntraGroup> => {
    const { body } = await graph.request<GraphGroup>({
      method: 'GET',
      path: `/groups/${enc(groupId)}?$select=${GROUP_SELECT}`,
      operation: 'GET /groups/{id}',
      purpose: 'read-groups',
    });
    return classifyGroup(body);
  };

  /** The group, classified, when its members may be changed here; the refusal otherwise. */
  const writableGroup = async (groupId: string): Promise<EntraGroup> => {
    const group = await getGroup(groupId);
    if (group.changeVia === null) {
      throw new ToolboxError({
        code: ENTRA_ERROR_CODES.groupReadOnly,
        message: group.refusal ?? `The members of ${group.displayName} cannot be changed here.`,
        httpStatus: 409,
      });
    }
    return group;
  };

  /** `$ref` needs the user's object id; a UPN is looked up first. */
  const objectId = async (userId: string) => (GUID.test(userId) ? userId : (await getUser(userId)).id);

  /**
   * A Graph `$ref` write, repeating Graph's eventual-consistency 400 with short waits. Returns the
   * answer's status, or the 400 message for the caller to recognise ("already exist").
   */
  async function graphWrite(
    group: EntraGroup,
    request: { method: 'POST' | 'DELETE'; path: string; operation: string; body?: unknown },
  ): Promise<{ status: number; message: string }> {
    const purpose = group.roleAssignable ? 'group-membership-role-assignable' : 'group-membership';
    for (let attempt = 0; ; attempt++) {
      const response = await graph.request<unknown>({
        ...request,
        purpose,
        // A 429/503 ran nothing and is repeated; a 502/504 may have made the change, and the next
        // look at the group settles it, so it is surfaced.
        retry: 'rejected-only',
        okStatuses: [400, 404],
      });
      if (response.status !== 400) return { status: response.status, message: '' };
      const message = (response.body as { error?: { message?: string } } | undefined)?.error?.message ?? '';
      if (!NOT_YET_VISIBLE.test(message)) {
        if (/already exist/i.test(message)) return { status: 400, message };
        const error = graphFailureToError({
          status: 400,
          body: response.body,
          headers: response.headers,
          operation: request.operation,
          purpose,
          retries: attempt,
          tenantLabel,
        });
        log.warn({ failure: error.toLog() }, 'group membership change refused');
        throw error;
      }
      const delayMs = CONSISTENCY_RETRY_DELAYS_MS[attempt];
      if (delayMs === undefined) {
        throw new ToolboxError({
          code: ENTRA_ERROR_CODES.notYetVisible,
          message:
            `Microsoft 365 does not see the user or ${group.displayName} everywhere yet (created or changed a moment ago). ` +
            'The toolbox tried again for a few seconds; wait a minute and try again.',
          httpStatus: 503,
          retryable: true,
          upstream: { service: 'graph', status: 400, code: 'Request_BadRequest', message, operation: request.operation },
        });
      }
      log.info({ operation: request.operation, attempt: attempt + 1, delayMs }, 'object not visible yet; retrying membership change');
      await sleep(delayMs);
    }
  }

  /** An Exchange refusal recognised by its gist: the texts are *unverified*, so the match is broad. */
  async function exchangeWrite(
    cmdlet: 'Add-DistributionGroupMember' | 'Remove-DistributionGroupMember',
    group: EntraGroup,
    userId: string,
    benign: RegExp,
  ): Promise<boolean> {
    // Exchange names members by UPN (or mail); the directory id is read first.
    const user = await getUser(userId);
    try {
      await exchange.invokeCommand(cmdlet, {
        Identity: group.id,
        Member: user.userPrincipalName,
        // Without it Exchange refuses anyone who is not a manager of a mail-enabled security group.
        BypassSecurityGroupManagerCheck: true,
      });
      return true;
    } catch (error) {
      if (isToolboxError(error) && error.upstream?.service === 'exchange' && benign.test(error.upstream.message ?? '')) return false;
      if (isToolboxError(error) && error.code === 'TBX_ERR_EXCHANGE_NOT_FOUND') {
        throw new ToolboxError({
          code: error.code,
          message:
            `Exchange Online could not find ${user.userPrincipalName} or ${group.displayName}. A user or group created in the last few ` +
            'minutes takes a while to reach Exchange: try again in 15 minutes.',
          httpStatus: 404,
          retryable: true,
          ...(error.upstream ? { upstream: error.upstream } : {}),
        });
      }
      throw error;
    }
  }

  return {
    async searchGroups(query, searchOptions) {
      const value = query.trim();
      if (!value) return [];
      const limit = Math.max(1, Math.min(searchOptions?.limit ?? DEFAULT_GROUP_SEARCH_LIMIT, MAX_TOP));
      // startswith on displayName and mail are default (not advanced) queries for groups, so no
      // ConsistencyLevel: a group created a moment ago is found at once. Sorting is done here:
      // $orderby together with $filter would make it an advanced query.
      const v = odataString(value);
      const filter = `startswith(displayName,${v}) or startswith(mail,${v})`;
      const groups = await graph.list<GraphGroup>(
        {
          method: 'GET',
          path: `/groups?$filter=${enc(filter)}&$select=${GROUP_SELECT}&$top=${limit}`,
          operation: 'GET /groups?$filter=startswith(displayName|mail)',
          purpose: 'read-groups',
        },
        limit,
      );
      return groups.map(classifyGroup).sort(byGroupName);
    },

    getGroup,

    async listUserGroups(userId) {
      // Direct memberships only. Microsoft documents the OData cast as needing ConsistencyLevel
      // and $count; the index behind them can lag a few seconds behind a change.
      const groups = await graph.list<GraphGroup>(
        {
          method: 'GET',
          path: `/users/${enc(userId)}/memberOf/microsoft.graph.group?$select=${GROUP_SELECT}&$top=${MAX_TOP}&$count=true`,
          operation: 'GET /users/{id}/memberOf/microsoft.graph.group',
          purpose: 'read-groups',
          headers: { ConsistencyLevel: 'eventual' },
        },
        MAX_USER_GROUPS,
      );
      return groups.map(classifyGroup).sort(byGroupName);
    },

    async listGroupMembers(groupId, memberOptions) {
      const limit = Math.max(1, Math.min(memberOptions?.limit ?? DEFAULT_MEMBER_LIMIT, MAX_TOP));
      const users = await graph.list<GraphUser>(
        {
          method: 'GET',
          path: `/groups/${enc(groupId)}/members/microsoft.graph.user?$select=${USER_SELECT}&$top=${limit}&$count=true`,
          operation: 'GET /groups/{id}/members/microsoft.graph.user',
          purpose: 'read-groups',
          headers: { ConsistencyLevel: 'eventual' },
        },
        limit,
      );
      return users.map(toDirectoryUser);
    },

    async addGroupMember(groupId, userId) {
      const group = await writableGroup(groupId);
      if (group.changeVia === 'exchange') {
        const added = await exchangeWrite('Add-DistributionGroupMember', group, userId, /already (a )?member|MemberAlreadyExists/i);
        log.info({ via: 'exchange', kind: group.kind, added }, 'group member add');
        return added ? 'added' : 'already-member';
      }
      const uid = await objectId(userId);
      const { status } = await graphWrite(group, {
        method: 'POST',
        path: `/groups/${enc(group.id)}/members/$ref`,
        operation: 'POST /groups/{id}/members/$ref',
        body: { '@odata.id': `${graphOrigin}/v1.0/directoryObjects/${uid}` },
      });
      if (status === 404) {
        throw new ToolboxError({
          code: ENTRA_ERROR_CODES.notFound,
          message: 'That user was not found in Microsoft 365. It may have been deleted; search again.',
          httpStatus: 404,
          upstream: { service: 'graph', status, operation: 'POST /groups/{id}/members/$ref' },
        });
      }
      log.info({ via: 'graph', kind: group.kind, added: status !== 400 }, 'group member add');
      return status === 400 ? 'already-member' : 'added';
    },

    async removeGroupMember(groupId, userId) {
      const group = await writableGroup(groupId);
      if (group.changeVia === 'exchange') {
        const removed = await exchangeWrite(
          'Remove-DistributionGroupMember',
          group,
          userId,
          /(isn't|is not|not a|wasn't|was not) (a )?member|MemberNotFound/i,
        );
        log.info({ via: 'exchange', kind: group.kind, removed }, 'group member remove');
        return removed ? 'removed' : 'not-member';
      }
      const uid = await objectId(userId);
      const { status, message } = await graphWrite(group, {
        method: 'DELETE',
        path: `/groups/${enc(group.id)}/members/${enc(uid)}/$ref`,
        operation: 'DELETE /groups/{id}/members/{id}/$ref',
      });
      if (status === 400) {
        // "already exist" has no meaning on a DELETE: treat it as the refusal it is.
        throw new ToolboxError({
          code: ENTRA_ERROR_CODES.badRequest,
          message: `Microsoft Graph refused the removal: ${message}`,
          httpStatus: 502,
          upstream: { service: 'graph', status, message, operation: 'DELETE /groups/{id}/members/{id}/$ref' },
        });
      }
      // Graph answers 404 for a user who is not a member (its text is *unverified*, the status is what counts).
      log.info({ via: 'graph', kind: group.kind, removed: status !== 404 }, 'group member remove');
      return status === 404 ? 'not-member' : 'removed';
    },
  };
}

/**
 * Exchange Online, needed only for distribution lists and mail-enabled security groups: a token
 * for Exchange's resource, its Exchange.ManageAsApp permission (from the token's roles claim), and
 * a read-only cmdlet. Whether the service principal may *change* distribution lists (Exchange
 * Administrator, or a role group with Distribution Groups) is only proven by a real change.
 */
async function exchangeSystemsCheck(exchangeTokens: EntraTokenProvider, exchange: ExchangeClient): Promise<SystemsCheckResult[]> {
  const onlyFor = 'Only needed to change distribution lists and mail-enabled security groups.';
  let token: string;
  try {
    token = await exchangeTokens.getToken();
  } catch (error) {
    const e = toToolboxError(error);
    return [
      {
        name: 'Sign-in to Exchange Online',
        ok: false,
        message: e.message,
        hint: `${onlyFor} Check the Exchange URL setting and that the app has admin consent for Office 365 Exchange Online.`,
        ...(e.upstream?.code ? { upstreamCode: e.upstream.code } : {}),
      },
    ];
  }
  const results: SystemsCheckResult[] = [];
  const roles = jwtRoles(token);
  if (roles === undefined) {
    results.push({
      name: 'Permission Exchange.ManageAsApp',
      ok: false,
      outcome: 'unverified',
      message: `Could not read the granted permissions from the Exchange token. ${onlyFor} They need Exchange.ManageAsApp with admin consent.`,
    });
  } else if (roles.includes('Exchange.ManageAsApp')) {
    results.push({
      name: 'Permission Exchange.ManageAsApp',
      ok: true,
      message: 'Granted (needed to change distribution lists and mail-enabled security groups through Exchange Online).',
    });
  } else {
    results.push({
      name: 'Permission Exchange.ManageAsApp',
      ok: false,
      message: `Not granted: changes to distribution lists and mail-enabled security groups will fail. ${onlyFor}`,
      hint:
        'App registration → API permissions → Add a permission → APIs my organization uses → Office 365 Exchange Online → ' +
        'Application permissions → Exchange.ManageAsApp, then grant admin consent in this tenant.',
    });
  }
  try {
    await exchange.invokeCommand('Get-OrganizationConfig', {}, { maxResults: 1 });
    results.push({
      name: 'Exchange Online commands',
      // A read worked; whether changes will (the Exchange Administrator role) is not known.
      ok: false,
      outcome: 'unverified',
      message:
        'The app ran a read-only Exchange command (Get-OrganizationConfig). Not verifiable without a change: changing distribution list ' +
        'members also needs the Exchange Administrator role on the app’s service principal.',
      hint: 'Entra admin center → Roles and administrators → Exchange Administrator → Add assignments → select the toolbox’s app.',
    });
  } catch (error) {
    const e = toToolboxError(error);
    results.push({
      name: 'Exchange Online commands',
      ok: false,
      message: e.message,
      hint: `${onlyFor} Give the app’s service principal the Exchange Administrator role in this tenant (Entra admin center → Roles and administrators).`,
      ...(e.upstream?.code ? { upstreamCode: e.upstream.code } : e.upstream?.status ? { upstreamCode: String(e.upstream.status) } : {}),
    });
  }
  return results;
}
