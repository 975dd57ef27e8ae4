import { ResultCodeError } from 'ldapts';
import { describeNetworkCause, networkCause } from '../../../lib/network-cause.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';

/**
 * Turns what a domain controller answered into a ToolboxError a technician (or the admin setting
 * up the connection) can act on. The LDAP result code and AD's own `data`/DSID text stay in
 * `upstream` for the log (../shared/reference/active-directory-ldap.md §7). Nothing here sees a
 * password: AD's messages never echo one.
 */
export const AD_ERROR_CODES = {
  auth: 'TBX_ERR_DIRECTORY_AUTH',
  encryptionRequired: 'TBX_ERR_DIRECTORY_ENCRYPTION_REQUIRED',
  forbidden: 'TBX_ERR_DIRECTORY_FORBIDDEN',
  privilegedTarget: 'TBX_ERR_DIRECTORY_PRIVILEGED_TARGET',
  notFound: 'TBX_ERR_DIRECTORY_NOT_FOUND',
  conflict: 'TBX_ERR_DIRECTORY_CONFLICT',
  upnTaken: 'TBX_ERR_DIRECTORY_UPN_TAKEN',
  passwordRejected: 'TBX_ERR_DIRECTORY_PASSWORD_REJECTED',
  badRequest: 'TBX_ERR_DIRECTORY_BAD_REQUEST',
  unavailable: 'TBX_ERR_DIRECTORY_UNAVAILABLE',
  timeout: 'TBX_ERR_DIRECTORY_TIMEOUT',
  unreachable: 'TBX_ERR_DIRECTORY_UNREACHABLE',
  invalidInput: 'TBX_ERR_DIRECTORY_INVALID_INPUT',
  groupReadOnly: 'TBX_ERR_DIRECTORY_GROUP_READ_ONLY',
} as const;

/** AD's `data` sub-code of a bind failure (`… AcceptSecurityContext error, data 52e, v…`). */
export function adDataCode(message: string): string | undefined {
  return /\bdata ([0-9a-f]{3,8})\b/i.exec(message)?.[1]?.toLowerCase();
}

/** AD's 8-hex-digit DSID / WERROR prefix (`0000052D: Constraint violation …`). */
export function adErrorPrefix(message: string): string | undefined {
  return /\b(0000[0-9A-F]{4})\b/i.exec(message)?.[1]?.toUpperCase();
}

const BIND_DATA: Record<string, string> = {
  '525': 'the user name is not known to the domain',
  '52e': 'the user name or password is wrong (or, on Samba, the account is disabled)',
  '530': 'the account may not sign in at this time (logon hours)',
  '531': 'the account may not sign in from this computer',
  '532': 'the account’s password has expired',
  '533': 'the account is disabled',
  '701': 'the account has expired',
  '773': 'the account must change its password before it can sign in',
  '775': 'the account is locked out',
};

/** Why the domain refused a password, from the constraint violation's text. */
function passwordRefusal(message: string): string {
  if (/too short/i.test(message)) return 'it is shorter than the domain’s minimum length';
  if (/complexity/i.test(message))
    return 'it does not meet the domain’s complexity rules (three of: upper case, lower case, digits, symbols; and not the user’s name)';
  if (/history|recently used|password.*used before/i.test(message)) return 'it was used before (the domain keeps a password history)';
  if (/too young/i.test(message)) return 'the password was changed too recently (minimum password age)';
  return 'it does not meet the domain’s password policy';
}

export type AdOperation = {
  /** What the toolbox tried, e.g. `modify unicodePwd`, `bind`; kept in the log. */
  name: string;
  /** The domain controller's host, for connection messages. */
  host: string;
  /** True for the service account's bind: a credential failure is then the connection's, not the user's. */
  isServiceBind?: boolean;
};

export function translateLdapError(error: unknown, operation: AdOperation): ToolboxError {
  if (error instanceof ToolboxError) return error;
  if (error instanceof ResultCodeError) {
    const code = error.code;
    const text = error.message;
    const prefix = adErrorPrefix(text);
    const upstream = {
      service: 'active-directory',
      code: [`LDAP ${code}`, prefix, adDataCode(text) && `data ${adDataCode(text)}`].filter(Boolean).join(' '),
      message: text.slice(0, 300),
      operation: operation.name,
    };
    const make = (codeName: keyof typeof AD_ERROR_CODES, message: string, extra: { httpStatus?: number; retryable?: boolean } = {}) =>
      new ToolboxError({
        code: AD_ERROR_CODES[codeName],
        message,
        upstream,
        cause: error,
        httpStatus: extra.httpStatus ?? 502,
        retryable: extra.retryable,
      });
    switch (code) {
      case 49: {
        const why = BIND_DATA[adDataCode(text) ?? ''] ?? 'the credentials were refused';
        return operation.isServiceBind
          ? make(
              'auth',
              `The toolbox’s Active Directory account could not sign in to ${operation.host}: ${why}. Check the user name and password in this directory’s settings (or the agent’s file).`,
            )
          : make('auth', `Active Directory refused the sign-in: ${why}.`);
      }
      case 8:
      case 13:
        return make(
          'encryptionRequired',
          `${operation.host} requires an encrypted connection. Use an ldaps:// URL (port 636) in this directory’s settings; a password can only be set over an encrypted connection.`,
        );
      case 19:
        if (/password|0000052D/i.test(text)) {
          return make(
            'passwordRejected',
            `The domain refused the new password: ${passwordRefusal(text)}. Choose another password and try again.`,
            { httpStatus: 422 },
          );
        }
        return make(
          'badRequest',
          `Active Directory refused the change (a constraint of the directory, ${prefix ?? 'code 19'}). The details are in the service log.`,
          { httpStatus: 422 },
        );
      case 50:
        return make(
          'forbidden',
          `The toolbox’s Active Directory account is not allowed to do this (${operation.name}). Delegate the right on the users’ OU to that account (docs/active-directory.md lists the rights), then try again.`,
          { httpStatus: 403 },
        );
      case 32:
        return make('notFound', 'Active Directory has no such object: it may have been deleted or moved. Reload the form and try again.', {
          httpStatus: 404,
        });
      case 68:
        return make('conflict', 'Active Directory already has an object with this name. Choose another name.', { httpStatus: 409 });
      case 51:
      case 52:
        return make('unavailable', `${operation.host} is busy or unavailable. Try again in a minute.`, {
          httpStatus: 503,
          retryable: true,
        });
      case 3:
        return make('timeout', `${operation.host} took too long to answer. Try again.`, { httpStatus: 504, retryable: true });
      case 53:
        if (prefix === '00002035') {
          return make(
            'encryptionRequired',
            `${operation.host} would not take the password: it must be sent over an encrypted (ldaps://) connection.`,
          );
        }
        return make(
          'badRequest',
          `Active Directory would not do this (${operation.name}, ${prefix ?? 'unwilling to perform'}). The details are in the service log.`,
          { httpStatus: 422 },
        );
      case 34:
        return make(
          'invalidInput',
          'A name given to Active Directory is not a valid distinguished name (check the OU and base DN in the settings).',
          { httpStatus: 422 },
        );
      default:
        return make(
          'badRequest',
          `Active Directory answered with an error (LDAP ${code}) to ${operation.name}. The details are in the service log.`,
        );
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/timeout/i.test(message) && !(error as { code?: string })?.code) {
    return new ToolboxError({
      code: AD_ERROR_CODES.timeout,
      message: `${operation.host} did not answer in time. Check that the domain controller is up and reachable from the toolbox (or the agent).`,
      httpStatus: 504,
      retryable: true,
      upstream: { service: 'active-directory', message: message.slice(0, 300), operation: operation.name },
      cause: error,
    });
  }
  const cause = networkCause(error);
  return new ToolboxError({
    code: AD_ERROR_CODES.unreachable,
    message:
      cause.kind === 'tls'
        ? `The domain controller ${operation.host} could not be reached securely: its certificate is not trusted or does not name ${operation.host} (${cause.code}). Set caCertificate to the domain’s CA certificate and use the DC’s DNS name in the URL.`
        : `The domain controller ${operation.host} could not be reached: ${describeNetworkCause(cause, operation.host)}.`,
    httpStatus: 502,
    retryable: true,
    upstream: { service: 'active-directory', code: cause.code, message: message.slice(0, 300), operation: operation.name },
    cause: error,
  });
}
