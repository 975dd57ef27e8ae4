import { describeNetworkCause, networkCause } from '../../../lib/network-cause.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { parseRetryAfter, UpstreamUnreachableError } from '../../../lib/upstream-request.js';

/**
 * Turns what Autotask answered into a ToolboxError a technician can act on (reference §1, §2, §8):
 *
 * - 401 with an empty body for ANY credential problem: wrong username, secret or integration code,
 *   an inactive or locked API user, or a user in another zone. Autotask does not say which;
 * - HTTP 500 `{errors: [...]}` for validation failures (a bad picklist value, a missing title),
 *   which prove nothing was saved, and for zone lookup failures ("Zone information could not be
 *   determined", "IntegrationCode is invalid."). A 500 without that body is a real server error;
 * - 429 when the database's hourly request threshold is used up, or when more than 3 calls run at
 *   once on one endpoint ("thread threshold");
 * - 403 when the API user's security level does not allow the call.
 *
 * The upstream status and Autotask's own messages are kept in `upstream` for the log.
 */
export type AutotaskCallContext = {
  /** Templated, for logs: `GET /Tickets/{id}`. */
  operation: string;
  /** For the technician: "read ticket 123", "add a note to ticket 123". */
  action: string;
  /** The record a read was about; turns a 404 into "Ticket 123 was not found". */
  subject?: { kind: string; id: string };
  timeoutMs: number;
  /** A write that is not retried: a failure may still have been applied. */
  write?: boolean;
  /** The host called, for "could not be reached" messages. */
  host?: string;
};

const SERVICE = 'autotask';

export function parseAutotaskErrors(text: string): string[] {
  try {
    const body = JSON.parse(text) as { errors?: unknown; message?: unknown; Message?: unknown };
    if (body === null || typeof body !== 'object') return [];
    const errors = Array.isArray(body.errors)
      ? body.errors.map((e) =>
          typeof e === 'string' ? e : typeof (e as { message?: unknown })?.message === 'string' ? (e as { message: string }).message : '',
        )
      : [];
    const message = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : '';
    return [...errors, message].map((e) => e.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

const WRITE_CAVEAT = ' It may or may not have been saved: check the ticket in Autotask before trying again.';

export const CREDENTIALS_HINT =
  'Check the CRM Username (the API user’s username, in e-mail form), the CRM Password (its secret) and the integration code ' +
  '(its API tracking identifier) in the Autotask connection settings. The API user must be active, not locked, and have an ' +
  '“API User (API-only)” security level.';

const isThreadLimit = (messages: string[]) => messages.some((m) => /thread/i.test(m));
const isZoneUnknown = (messages: string[]) => messages.some((m) => /zone information could not be determined/i.test(m));
const isIntegrationCodeInvalid = (messages: string[]) => messages.some((m) => /integration\s*code is invalid/i.test(m));
const isLockedOrInactive = (messages: string[]) => messages.some((m) => /\b(locked|inactive|disabled)\b/i.test(m) && /\buser\b/i.test(m));
/** ASP.NET's words for a failure of the server itself, not of the request. */
const isServerFault = (messages: string[]) =>
  messages.length === 0 || messages.some((m) => /unexpected error|an error has occurred|internal server error|timeout expired/i.test(m));

/** An HTTP answer that was not a success. */
export function autotaskHttpError(
  status: number,
  bodyText: string,
  retryAfterHeader: string | null,
  context: AutotaskCallContext,
): ToolboxError {
  const messages = parseAutotaskErrors(bodyText);
  const upstreamMessage = truncate(messages.join(' '), 500) || undefined;
  const upstream = { service: SERVICE, status, message: upstreamMessage, operation: context.operation };
  const make = (code: string, message: string, httpStatus: number, retryable = false) =>
    new ToolboxError({ code, message, httpStatus, upstream, retryable });
  const said = messages.length > 0 ? ` Autotask said: ${truncate(messages.join(' '), 300)}` : '';

  if (status === 401) {
    return make('TBX_ERR_PSA_AUTH', `Autotask refused the API user’s credentials. ${CREDENTIALS_HINT}`, 502);
  }
  if (isIntegrationCodeInvalid(messages)) {
    return make(
      'TBX_ERR_PSA_AUTH',
      'Autotask does not accept the integration code. Copy the API tracking identifier from the API user (Admin > Resources/Users > ' +
        'the API user > API Tracking Identifier) into the integration code of the Autotask connection settings.',
      502,
    );
  }
  if (isZoneUnknown(messages)) {
    return make(
      'TBX_ERR_PSA_CONFIG',
      'Autotask could not find the zone of the API user: it does not know that username. Check the CRM Username (the API user’s ' +
        'username in e-mail form, not a technician’s e-mail address), and leave zoneDiscoveryUrl empty unless a proxy needs it.',
      502,
    );
  }
  if (isLockedOrInactive(messages)) {
    return make('TBX_ERR_PSA_AUTH', `Autotask refused the API user: it is locked or inactive.${said} ${CREDENTIALS_HINT}`, 502);
  }
  if (status === 403) {
    return make(
      'TBX_ERR_PSA_FORBIDDEN',
      `Autotask did not allow the toolbox to ${context.action}: the API user’s security level does not permit it. ` +
        'Ask an Autotask administrator to grant it (Admin > Account Settings & Users > Security Levels).',
      502,
    );
  }
  if (status === 404) {
    if (context.subject) {
      return make('TBX_ERR_PSA_NOT_FOUND', `${context.subject.kind} ${context.subject.id} was not found in Autotask.`, 404);
    }
    return make(
      'TBX_ERR_PSA_CONFIG',
      `Autotask answered "not found" when the toolbox tried to ${context.action}. Check zoneDiscoveryUrl: the zone it names may not be an Autotask API.`,
      502,
    );
  }
  if (status === 429) {
    if (isThreadLimit(messages)) {
      return make(
        'TBX_ERR_PSA_RATE_LIMITED',
        `Autotask refused a call because too many ran at once (at most 3 per kind of record); try again in a few seconds.${said}`,
        503,
        true,
      );
    }
    const wait = parseRetryAfter(retryAfterHeader);
    return make(
      'TBX_ERR_PSA_RATE_LIMITED',
      'Autotask has stopped answering API calls for your database: its hourly request threshold (shared by every integration) ' +
        `is used up.${wait === undefined ? ' It answers again once the past hour’s usage drops' : ` Try again in ${Math.max(1, Math.ceil(wait / 1000))} s`}; ` +
        'Admin > Extensions & Integrations > Other Extensions & Tools > API Activity by Hour shows which integration used it.',
      503,
      true,
    );
  }
  if ((status === 500 && !isServerFault(messages)) || (status < 300 && messages.length > 0)) {
    // A validation error: Autotask checked the request and refused it, so nothing was saved.
    return make('TBX_ERR_PSA_BAD_REQUEST', `Autotask rejected the request to ${context.action}.${said}`, 502);
  }
  if (status >= 500) {
    return make(
      'TBX_ERR_PSA_UNAVAILABLE',
      `Autotask had a problem (HTTP ${status}) when the toolbox tried to ${context.action}.${context.write ? WRITE_CAVEAT : ' Try again in a minute.'}`,
      502,
      true,
    );
  }
  if (status >= 400) {
    return make('TBX_ERR_PSA_BAD_REQUEST', `Autotask rejected the request to ${context.action} (HTTP ${status}).${said}`, 502);
  }
  return make(
    'TBX_ERR_PSA_BAD_RESPONSE',
    `Autotask gave an unexpected answer (HTTP ${status}) when the toolbox tried to ${context.action}.`,
    502,
  );
}

/** A 200 that carries `errors` and nothing else (reference §8: some calls do that). */
export function autotaskErrorsIn200(data: unknown): string[] | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const body = data as Record<string, unknown>;
  if (!Array.isArray(body.errors) || body.errors.length === 0) return undefined;
  if ('item' in body || 'items' in body || 'itemId' in body) return undefined;
  return parseAutotaskErrors(JSON.stringify(body));
}

/** No answer at all: timeout, network failure or cancellation. */
export function autotaskUnreachableError(error: UpstreamUnreachableError, context: AutotaskCallContext): ToolboxError {
  const upstream = { service: SERVICE, operation: context.operation, message: error.message };
  const caveat = context.write ? WRITE_CAVEAT : '';
  if (error.kind === 'timeout') {
    return new ToolboxError({
      code: 'TBX_ERR_PSA_TIMEOUT',
      message: `Autotask did not answer within ${formatSeconds(context.timeoutMs)} s when the toolbox tried to ${context.action}.${caveat || ' Try again in a minute.'}`,
      httpStatus: 504,
      upstream,
      retryable: true,
      cause: error,
    });
  }
  if (error.kind === 'aborted') {
    return new ToolboxError({
      code: 'TBX_ERR_PSA_CANCELLED',
      message: `The request to ${context.action} was cancelled before Autotask answered.${caveat}`,
      httpStatus: 499,
      upstream,
      cause: error,
    });
  }
  const cause = networkCause(error);
  const why = context.host && cause.kind !== 'other' ? `: ${describeNetworkCause(cause, context.host)}` : '';
  return new ToolboxError({
    code: 'TBX_ERR_PSA_UNAVAILABLE',
    message: `Autotask could not be reached${context.host ? ` at ${context.host}` : ''} when the toolbox tried to ${context.action}${why || '. Check zoneDiscoveryUrl in the Autotask settings and the network'}.${caveat}`,
    httpStatus: 502,
    upstream: { ...upstream, ...(cause.code ? { code: cause.code } : {}) },
    retryable: true,
    cause: error,
  });
}

/** A success status whose body is not what the model says. */
export function autotaskBadResponseError(context: AutotaskCallContext, detail: string, status?: number): ToolboxError {
  return new ToolboxError({
    code: 'TBX_ERR_PSA_BAD_RESPONSE',
    message: `Autotask gave an answer the toolbox could not read when it tried to ${context.action}. Check that zoneDiscoveryUrl points at Autotask.`,
    httpStatus: 502,
    upstream: { service: SERVICE, status, message: truncate(detail, 300), operation: context.operation },
  });
}

export function toAutotaskError(error: unknown, context: AutotaskCallContext): unknown {
  return error instanceof UpstreamUnreachableError ? autotaskUnreachableError(error, context) : error;
}

const formatSeconds = (ms: number) => String(Math.round((ms / 1000) * 10) / 10);

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
