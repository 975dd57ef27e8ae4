import { describeNetworkCause, networkCause } from '../../../lib/network-cause.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { UpstreamUnreachableError } from '../../../lib/upstream-request.js';

/**
 * Turns what Microsoft answered into a ToolboxError a technician (or the MSP admin configuring a
 * tenant) can act on. Microsoft's own code and text stay in `upstream` for the log, together with
 * Graph's request-id so a support case can be matched. Nothing here ever sees a secret: callers
 * pass response bodies from Microsoft, which never echo the client secret or a password.
 */
export const ENTRA_ERROR_CODES = {
  auth: 'TBX_ERR_DIRECTORY_AUTH',
  tokenRejected: 'TBX_ERR_DIRECTORY_TOKEN_REJECTED',
  forbidden: 'TBX_ERR_DIRECTORY_FORBIDDEN',
  privilegedTarget: 'TBX_ERR_DIRECTORY_PRIVILEGED_TARGET',
  notFound: 'TBX_ERR_DIRECTORY_NOT_FOUND',
  conflict: 'TBX_ERR_DIRECTORY_CONFLICT',
  passwordRejected: 'TBX_ERR_DIRECTORY_PASSWORD_REJECTED',
  syncedUser: 'TBX_ERR_DIRECTORY_SYNCED_USER',
  badRequest: 'TBX_ERR_DIRECTORY_BAD_REQUEST',
  throttled: 'TBX_ERR_DIRECTORY_THROTTLED',
  unavailable: 'TBX_ERR_DIRECTORY_UNAVAILABLE',
  timeout: 'TBX_ERR_DIRECTORY_TIMEOUT',
  unreachable: 'TBX_ERR_DIRECTORY_UNREACHABLE',
  unexpected: 'TBX_ERR_DIRECTORY_UNEXPECTED_RESPONSE',
  /** Graph refused to remove a phone method because of the default/alternate-mobile rules. */
  defaultMethod: 'TBX_ERR_DIRECTORY_DEFAULT_METHOD',
  /** The password, or a kind with no v1.0 DELETE: refused before any call. */
  methodNotRemovable: 'TBX_ERR_DIRECTORY_METHOD_NOT_REMOVABLE',
  /** A value the toolbox refuses before calling Graph (e.g. a TAP lifetime out of range). */
  invalidInput: 'TBX_ERR_DIRECTORY_INVALID_INPUT',
  tapDisabled: 'TBX_ERR_DIRECTORY_TAP_DISABLED',
  tapExists: 'TBX_ERR_DIRECTORY_TAP_EXISTS',
  /** A group whose members cannot be changed here (dynamic, synced from AD): refused before any write. */
  groupReadOnly: 'TBX_ERR_DIRECTORY_GROUP_READ_ONLY',
  /** A just-created user or group that Graph does not see yet (eventual consistency), after bounded retries. */
  notYetVisible: 'TBX_ERR_DIRECTORY_NOT_YET_VISIBLE',
  /** A licence that comes from a group: refused before any call, the group membership must go. */
  licenseViaGroup: 'TBX_ERR_DIRECTORY_LICENSE_VIA_GROUP',
  /** The user has no (more) Exchange Online mailbox. */
  noMailbox: 'TBX_ERR_DIRECTORY_NO_MAILBOX',
  /** Creating a user whose UPN another object already has. */
  upnTaken: 'TBX_ERR_DIRECTORY_UPN_TAKEN',
  /** A licence added to a user without a usage location. */
  noUsageLocation: 'TBX_ERR_DIRECTORY_NO_USAGE_LOCATION',
  /** A licence with no free seat left. */
  noFreeSeats: 'TBX_ERR_DIRECTORY_NO_FREE_SEATS',
} as const;

export const SYNCED_USER_MESSAGE =
  'This user is synchronised from on-premises Active Directory, so the password must be reset there ' +
  '(Active Directory Users and Computers, or the toolbox’s AD connector). A reset in Microsoft 365 would not reach AD and Graph refuses it.';

/** Blocking sign-in of a synced user: refused before any call (reference §9.2). */
export const SYNCED_SIGN_IN_MESSAGE =
  'This user is synchronised from on-premises Active Directory, so sign-in must be blocked there: disable the account in ' +
  'Active Directory Users and Computers (userAccountControl), or with the toolbox’s AD connector. A change in Microsoft 365 would be undone by the next sync.';
export const SYNCED_MANAGER_MESSAGE =
  'This user is synchronised from on-premises Active Directory, so the manager is changed there (the user’s Organization tab in ' +
  'Active Directory Users and Computers). Microsoft 365 refuses the change.';
export const SYNCED_HIDE_FROM_GAL_MESSAGE =
  'This user is synchronised from on-premises Active Directory, so hiding the mailbox from the address lists is done there: set ' +
  'msExchHideFromAddressLists to TRUE on the user in AD (Attribute Editor), then let sync run. Exchange Online refuses the change.';
export const SYNCED_PROFILE_MESSAGE =
  'This user is synchronised from on-premises Active Directory, so job title, department and office are changed there (the user’s ' +
  'Organization and General tabs in Active Directory Users and Computers), then sync brings them over. Microsoft 365 refuses the change.';
export const NO_MAILBOX_MESSAGE =
  'This user has no Exchange Online mailbox (never had one, lost it when the licence was removed, or it is hosted on-premises).';

export type GraphErrorBody = {
  error?: {
    code?: string;
    message?: string;
    innerError?: Record<string, unknown>;
    details?: { code?: string; message?: string; target?: string }[];
  };
};

/** What the caller was doing, so a 403 or 400 can name the permission or rule involved. */
export type GraphPurpose =
  | 'read'
  | 'read-roles'
  | 'password-reset'
  | 'revoke-sessions'
  | 'read-auth-methods'
  | 'remove-auth-method'
  /** A phone method's DELETE: a 400 there is the default/alternate-mobile rule. */
  | 'remove-phone-method'
  | 'temporary-access-pass'
  | 'read-groups'
  | 'group-membership'
  /** Membership of a role-assignable group: needs RoleManagement.ReadWrite.Directory as well. */
  | 'group-membership-role-assignable'
  /** PATCH accountEnabled. */
  | 'account-enabled'
  | 'licenses'
  | 'manager'
  | 'mailbox-settings'
  | 'read-organization'
  /** POST /users. */
  | 'create-user'
  /** GET /domains. */
  | 'read-domains'
  /** GET /subscribedSkus. */
  | 'read-skus'
  /** PATCH /users/{id} job title, department, office, usage location, company. */
  | 'user-profile';

export type GraphFailure = {
  status: number;
  body: unknown;
  headers: Headers;
  /** e.g. `PATCH /users/{id}`: templated, without ids or query values. */
  operation: string;
  purpose: GraphPurpose;
  /** How many times the request was retried before this answer. */
  retries: number;
  tenantLabel: string;
};

// The Entra role an app-only caller needs for authentication methods is *unverified* (reference
// §6 and §12), hence "may need".
const AUTH_METHODS_WRITE_NEEDS =
  'changing a user’s sign-in methods needs the Graph application permission UserAuthenticationMethod.ReadWrite.All with admin consent, ' +
  'and may need the Authentication Administrator Entra role on the app’s service principal (Privileged Authentication Administrator ' +
  'for accounts that hold admin roles).';

const NEEDS: Record<GraphPurpose, string> = {
  'account-enabled':
    'blocking or allowing sign-in needs the Graph application permission User.ReadWrite.All with admin consent and the User Administrator ' +
    'Entra role on the app’s service principal (Privileged Authentication Administrator for accounts that hold admin roles).',
  'create-user':
    'creating users needs the Graph application permission User.ReadWrite.All with admin consent, and the User Administrator Entra role ' +
    'on the app’s service principal.',
  'read-domains':
    'reading the tenant’s domains needs the Graph application permission Domain.Read.All (or Organization.Read.All, Directory.Read.All) with admin consent.',
  'read-skus':
    'reading the tenant’s licences needs the Graph application permission LicenseAssignment.Read.All (or Organization.Read.All, Directory.Read.All) with admin consent.',
  'user-profile':
    'changing a user’s job title, department or office needs the Graph application permission User.ReadWrite.All with admin consent.',
  licenses:
    'changing licences needs the Graph application permission LicenseAssignment.ReadWrite.All (or User.ReadWrite.All) with admin consent.',
  manager: 'changing a user’s manager needs the Graph application permission User.ReadWrite.All with admin consent.',
  'mailbox-settings':
    'setting automatic replies (out of office) needs the Graph application permission MailboxSettings.ReadWrite with admin consent.',
  'read-organization':
    'reading the tenant’s verified domains needs the Graph application permission Organization.Read.All (or Directory.Read.All) with admin consent.',
  read: 'reading users needs the Graph application permission User.Read.All (or Directory.Read.All) with admin consent.',
  'read-roles': 'reading a user’s directory roles needs RoleManagement.Read.Directory or Directory.Read.All with admin consent.',
  'password-reset':
    'resetting a password needs the Graph application permission User.ReadWrite.All with admin consent and the User Administrator ' +
    'Entra role on the app’s service principal. Accounts that hold admin roles can only be reset with Privileged Authentication Administrator (or Global Administrator).',
  'revoke-sessions':
    'revoking sessions needs the Graph application permission User.RevokeSessions.All (or User.ReadWrite.All) with admin consent.',
  'read-auth-methods':
    'reading a user’s sign-in methods needs the Graph application permission UserAuthenticationMethod.ReadWrite.All ' +
    '(or UserAuthenticationMethod.Read.All) with admin consent, and may need the Authentication Administrator Entra role on the app’s service principal.',
  'remove-auth-method': AUTH_METHODS_WRITE_NEEDS,
  'remove-phone-method': AUTH_METHODS_WRITE_NEEDS,
  'temporary-access-pass': AUTH_METHODS_WRITE_NEEDS,
  'read-groups':
    'reading groups and their members needs the Graph application permission GroupMember.Read.All (or GroupMember.ReadWrite.All, Group.Read.All, Directory.Read.All) with admin consent.',
  // The Entra role an app-only caller needs for group membership is *unverified* (reference §7).
  'group-membership':
    'changing group members needs the Graph application permission GroupMember.ReadWrite.All with admin consent, and may need the ' +
    'Groups Administrator (or User Administrator) Entra role on the app’s service principal.',
  'group-membership-role-assignable':
    'this group can hold admin roles, so changing its members needs the Graph application permission RoleManagement.ReadWrite.Directory ' +
    'as well as GroupMember.ReadWrite.All, both with admin consent, and the Privileged Role Administrator role on the app’s service principal.',
};

/** The refusal for a group synchronised from on-prem AD, in a technician's words. */
export const SYNCED_GROUP_MESSAGE =
  'This group is synchronised from on-premises Active Directory: change its members there (Active Directory Users and Computers, ' +
  'or the toolbox’s AD connector). Microsoft 365 would refuse the change.';
export const MAIL_ENABLED_GROUP_MESSAGE =
  'Microsoft Graph cannot change the members of a distribution list or mail-enabled security group; they are changed through Exchange Online.';

export const DEFAULT_PHONE_METHOD_MESSAGE =
  'This phone number is the user’s default sign-in method, and Microsoft 365 only removes the default phone method after the ' +
  'user’s other methods are gone. Remove the other methods first, then this one.';
export const ALTERNATE_MOBILE_MESSAGE =
  'Microsoft 365 does not let a user keep an alternate mobile number without a mobile number. Remove the alternate mobile number first, then this one.';
export const TAP_DISABLED_MESSAGE =
  'Temporary Access Pass is not enabled in this tenant’s authentication methods policy. An admin can turn it on in the Entra admin center ' +
  '(Authentication methods → Policies → Temporary Access Pass).';
export const TAP_EXISTS_MESSAGE =
  'This user already has a Temporary Access Pass, and Microsoft 365 allows only one. Remove the existing pass (it is listed with the ' +
  'user’s sign-in methods), then create a new one.';

export function graphFailureToError(failure: GraphFailure): ToolboxError {
  const body = (typeof failure.body === 'object' && failure.body !== null ? failure.body : {}) as GraphErrorBody;
  const code = body.error?.code ?? `HTTP ${failure.status}`;
  const graphMessage = body.error?.message ?? (typeof failure.body === 'string' ? failure.body.slice(0, 300) : '');
  const requestId = String(body.error?.innerError?.['request-id'] ?? failure.headers.get('request-id') ?? '');
  const upstream = {
    service: 'graph',
    status: failure.status,
    code,
    message: requestId ? `${graphMessage} (request-id ${requestId})` : graphMessage,
    operation: failure.operation,
  };
  const make = (errorCode: string, message: string, httpStatus: number, retryable = false) =>
    new ToolboxError({ code: errorCode, message, httpStatus, upstream, retryable });

  const status = failure.status;
  // Graph's texts for these refusals are *unverified*; they are recognised by their drift-tolerant
  // gist, and Graph's own words stay in `upstream`.
  if (failure.purpose === 'temporary-access-pass' && (status === 400 || status === 403)) {
    if (/already|only one|exists/i.test(graphMessage)) return make(ENTRA_ERROR_CODES.tapExists, TAP_EXISTS_MESSAGE, 409);
    if (/polic(y|ies)|not enabled|disabled/i.test(graphMessage)) return make(ENTRA_ERROR_CODES.tapDisabled, TAP_DISABLED_MESSAGE, 409);
  }
  if (failure.purpose === 'remove-phone-method' && status === 400) {
    // The documented reasons a well-formed phone DELETE is refused are the default-method and
    // alternate-mobile rules (phoneauthenticationmethod-delete); any 400 here is taken as one of them.
    return make(
      ENTRA_ERROR_CODES.defaultMethod,
      /alternate/i.test(graphMessage) ? ALTERNATE_MOBILE_MESSAGE : DEFAULT_PHONE_METHOD_MESSAGE,
      409,
    );
  }
  const groupWrite = failure.purpose === 'group-membership' || failure.purpose === 'group-membership-role-assignable';
  if (groupWrite && status === 400) {
    if (/on-premises mastered/i.test(graphMessage)) return make(ENTRA_ERROR_CODES.groupReadOnly, SYNCED_GROUP_MESSAGE, 409);
    if (/mail-enabled security|distribution list/i.test(graphMessage)) {
      return make(ENTRA_ERROR_CODES.groupReadOnly, MAIL_ENABLED_GROUP_MESSAGE, 409);
    }
    // *unverified* text: Graph's refusal of a manual change to a dynamic group.
    if (/dynamic/i.test(graphMessage)) {
      return make(
        ENTRA_ERROR_CODES.groupReadOnly,
        'This group’s members come from a membership rule; they cannot be changed by hand.',
        409,
      );
    }
  }
  if (failure.purpose === 'mailbox-settings' && status === 404 && code !== 'Request_ResourceNotFound') {
    // MailboxNotEnabledForRESTAPI, "The mailbox is either inactive, soft-deleted, or is hosted on-premise." (*unverified* today).
    return make(ENTRA_ERROR_CODES.noMailbox, NO_MAILBOX_MESSAGE, 409);
  }
  if (failure.purpose === 'licenses' && status === 400) {
    // *unverified* text; CIPP removes group-based licences by removing the group membership (reference §9.2).
    if (/inherited|group/i.test(graphMessage)) {
      return make(
        ENTRA_ERROR_CODES.licenseViaGroup,
        'Microsoft 365 refused to remove a licence that the user gets from a group: remove the user from the licensing group instead.',
        409,
      );
    }
    if (!/on-premises mastered/i.test(graphMessage)) {
      return make(ENTRA_ERROR_CODES.badRequest, `Microsoft 365 refused the licence change: ${graphMessage || code}`, 409);
    }
  }
  if (status === 401) {
    return make(
      ENTRA_ERROR_CODES.tokenRejected,
      `Microsoft Graph rejected the toolbox’s access token for ${failure.tenantLabel} (${graphMessage || code}). ` +
        'Check that the tenant ID and the Graph URL in the connection settings belong to the same cloud.',
      502,
    );
  }
  if (status === 403) {
    return make(
      ENTRA_ERROR_CODES.forbidden,
      `The app registration lacks the permission or Entra role for this: ${NEEDS[failure.purpose]}`,
      403,
    );
  }
  if (status === 404) {
    return make(
      ENTRA_ERROR_CODES.notFound,
      failure.purpose === 'read-groups' || groupWrite
        ? 'That group or user was not found in Microsoft 365. It may have been deleted; search again.'
        : 'That user was not found in Microsoft 365. It may have been deleted or renamed; search again.',
      404,
    );
  }
  if (status === 429) {
    const tries = failure.retries === 1 ? '1 time' : `${failure.retries} times`;
    return make(
      ENTRA_ERROR_CODES.throttled,
      `Microsoft 365 is throttling requests for ${failure.tenantLabel}; the toolbox retried ${tries} and gave up. Wait a minute and try again.`,
      503,
      true,
    );
  }
  if (status >= 500) {
    return make(
      ENTRA_ERROR_CODES.unavailable,
      `Microsoft Graph had a problem (${status} ${code}). This is usually temporary: try again in a few minutes.`,
      502,
      true,
    );
  }
  if (status === 400 || status === 409) {
    if (/on-premises mastered/i.test(graphMessage)) {
      const synced =
        failure.purpose === 'account-enabled'
          ? SYNCED_SIGN_IN_MESSAGE
          : failure.purpose === 'manager'
            ? SYNCED_MANAGER_MESSAGE
            : failure.purpose === 'user-profile'
              ? SYNCED_PROFILE_MESSAGE
              : SYNCED_USER_MESSAGE;
      return make(ENTRA_ERROR_CODES.syncedUser, synced, 409);
    }
    if (body.error?.details?.some((d) => d.code === 'ObjectConflict') || status === 409) {
      const target = body.error?.details?.find((d) => d.code === 'ObjectConflict')?.target;
      return make(
        ENTRA_ERROR_CODES.conflict,
        `Another object in the directory already uses this value${target ? ` (${target})` : ''}: ${graphMessage}`,
        409,
      );
    }
    if ((failure.purpose === 'password-reset' || failure.purpose === 'create-user') && /password/i.test(graphMessage)) {
      return make(ENTRA_ERROR_CODES.passwordRejected, `The password does not meet the tenant’s rules: ${graphMessage}`, 422);
    }
  }
  return make(
    ENTRA_ERROR_CODES.badRequest,
    `Microsoft Graph refused the request (${status} ${code}: ${graphMessage}). This points at a toolbox problem; the details are in the log.`,
    502,
  );
}

/** For a request that got no answer at all. */
export function unreachableToError(error: unknown, service: 'graph' | 'identity', operation: string, host: string): ToolboxError {
  const kind = error instanceof UpstreamUnreachableError ? error.kind : 'network';
  const name = service === 'graph' ? 'Microsoft Graph' : 'Microsoft sign-in';
  if (kind === 'timeout') {
    return new ToolboxError({
      code: ENTRA_ERROR_CODES.timeout,
      message: `${name} (${host}) did not answer in time. Try again; if it keeps happening, check the service health page.`,
      httpStatus: 504,
      retryable: true,
      upstream: { service, operation },
      cause: error,
    });
  }
  // The real cause (DNS, TLS, refused…) with its system code, not just "could not be reached".
  const cause = networkCause(error);
  return new ToolboxError({
    code: ENTRA_ERROR_CODES.unreachable,
    message: `${name} (${host}) could not be reached: ${describeNetworkCause(cause, host)}.`,
    httpStatus: 502,
    retryable: kind !== 'aborted',
    upstream: { service, operation, ...(cause.code ? { code: cause.code } : {}) },
    cause: error,
  });
}

export type IdentityErrorBody = {
  error?: string;
  error_description?: string;
  error_codes?: number[];
  correlation_id?: string;
  trace_id?: string;
};

/** Maps an identity-platform (AADSTS) error to a message for whoever configured the tenant. */
export function identityFailureToError(
  failure: { status?: number; body: IdentityErrorBody; retries?: number },
  context: { tenantId: string; clientId: string; operation: string },
): ToolboxError {
  const aadsts = failure.body.error_codes?.[0] ?? Number(/AADSTS(\d+)/.exec(failure.body.error_description ?? '')?.[1] ?? Number.NaN);
  const upstreamCode = Number.isFinite(aadsts) ? `AADSTS${aadsts}` : (failure.body.error ?? 'unknown');
  // Keep only Microsoft's sentence, not the trace/correlation/timestamp tail, for the message;
  // the full description goes to the log.
  const description = (failure.body.error_description ?? '').split(/\r?\n| Trace ID:/)[0]?.trim() ?? '';
  const app = `app ${context.clientId}`;
  const tenant = `tenant ${context.tenantId}`;
  const messages: Record<string, string> = {
    AADSTS7000215: `Microsoft 365 rejected the client secret of ${app} in ${tenant}. Use the secret’s Value (not its Secret ID), or create a new secret on the app registration and update the connection settings.`,
    AADSTS7000222: `The client secret of ${app} has expired. Create a new secret on the app registration and update the connection settings.`,
    AADSTS700016: `${app} is not known in ${tenant}. Either the client ID is wrong, or an admin of that tenant has not consented to the app yet (open the admin-consent link for this tenant).`,
    AADSTS90002: `Microsoft 365 has no ${tenant}. Check the tenant ID or domain in the connection settings.`,
    AADSTS900023: `“${context.tenantId}” is not a valid tenant ID or domain. Check the connection settings.`,
    AADSTS65001: `An admin of ${tenant} has not consented to ${app}. Grant admin consent for the app’s permissions in that tenant.`,
    AADSTS700027: `Microsoft 365 rejected the credential of ${app}. Check the client secret (or certificate) in the connection settings.`,
    AADSTS7000218: `The connection settings for ${tenant} have no client secret.`,
    AADSTS53003: `A Conditional Access policy in ${tenant} blocks the toolbox’s app from signing in.`,
    AADSTS1002012: 'The toolbox asked Microsoft sign-in for an invalid scope. Check the Graph URL in the connection settings.',
  };
  const status = failure.status;
  const throttled = status === 429 || failure.body.error === 'temporarily_unavailable';
  const message =
    messages[upstreamCode] ??
    (throttled || (status !== undefined && status >= 500)
      ? 'Microsoft sign-in is busy or unavailable right now. Try again in a few minutes.'
      : `Microsoft sign-in refused the toolbox’s request for ${tenant}: ${description || failure.body.error || 'no reason given'}`);
  return new ToolboxError({
    code: ENTRA_ERROR_CODES.auth,
    message,
    httpStatus: throttled || (status !== undefined && status >= 500) ? 503 : 502,
    retryable: throttled || (status !== undefined && status >= 500),
    upstream: {
      service: 'identity',
      ...(status !== undefined ? { status } : {}),
      code: upstreamCode,
      message: failure.body.error_description ?? failure.body.error ?? '',
      operation: context.operation,
    },
  });
}
