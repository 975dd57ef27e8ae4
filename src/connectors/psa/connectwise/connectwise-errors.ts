import { describeNetworkCause, networkCause } from '../../../lib/network-cause.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { parseRetryAfter, UpstreamUnreachableError } from '../../../lib/upstream-request.js';

/**
 * Turns what ConnectWise answered into a ToolboxError a technician can act on. ConnectWise has
 * two error body shapes: the usual `{code, message, errors}` and, for 429 only,
 * `{"error":"ConnectWiseAPI","message":"Too many requests…"}` (reference §8).
 */
export type ConnectWiseCallContext = {
  /** Templated, for logs: `GET /service/tickets/{id}`. */
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

export type ConnectWiseErrorBody = { code?: string; message?: string; errors?: { message?: string; field?: string }[] | null };

export function parseConnectWiseErrorBody(text: string): ConnectWiseErrorBody {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (body === null || typeof body !== 'object') return {};
    const code = typeof body.code === 'string' ? body.code : typeof body.error === 'string' ? body.error : undefined;
    const message = typeof body.message === 'string' ? body.message : undefined;
    const errors = Array.isArray(body.errors) ? (body.errors as ConnectWiseErrorBody['errors']) : null;
    return { code, message, errors };
  } catch {
    return {};
  }
}

const WRITE_CAVEAT = ' It may or may not have been saved: check the ticket in ConnectWise before trying again.';

export const CONNECTWISE_NOT_FOUND_HINT =
  'If every lookup fails like this, check the API keys: ConnectWise Cloud answers bad keys with 404';

/** An HTTP answer that was not a success. */
export function connectWiseHttpError(
  status: number,
  bodyText: string,
  retryAfterHeader: string | null,
  context: ConnectWiseCallContext,
): ToolboxError {
  const body = parseConnectWiseErrorBody(bodyText);
  const upstreamMessage = [body.message, ...(body.errors ?? []).map((e) => e?.message)].filter(Boolean).join(' ');
  const upstream = { service: 'connectwise', status, code: body.code, message: upstreamMessage || undefined, operation: context.operation };
  const make = (code: string, message: string, httpStatus: number, retryable = false) =>
    new ToolboxError({ code, message, httpStatus, upstream, retryable });

  if (status === 401) {
    const aboutClientId = /client\s*id/i.test(upstreamMessage);
    return make(
      'TBX_ERR_PSA_AUTH',
      aboutClientId
        ? 'ConnectWise refused the clientId. Check the clientId in the ConnectWise connection settings (it comes from developer.connectwise.com).'
        : 'ConnectWise refused the API keys. Check the company id, public key, private key and clientId in the ConnectWise connection settings.',
      502,
    );
  }
  if (status === 403) {
    return make(
      'TBX_ERR_PSA_FORBIDDEN',
      `ConnectWise did not allow the toolbox to ${context.action}: the API member's security role does not permit it. ` +
        'Ask a ConnectWise administrator to grant that permission to the API member.',
      502,
    );
  }
  if (status === 404) {
    if (context.subject) {
      return make(
        'TBX_ERR_PSA_NOT_FOUND',
        `${context.subject.kind} ${context.subject.id} was not found in ConnectWise. ${CONNECTWISE_NOT_FOUND_HINT}.`,
        404,
      );
    }
    return make(
      'TBX_ERR_PSA_CONFIG',
      `ConnectWise answered "not found" when the toolbox tried to ${context.action}. ` +
        'On ConnectWise Cloud this usually means the company id, API keys or clientId are wrong; otherwise check the API URL.',
      502,
    );
  }
  if (status === 429) {
    const seconds = retryAfterSeconds(retryAfterHeader, body.message);
    return make('TBX_ERR_PSA_RATE_LIMITED', `ConnectWise is rate-limiting us; try again in ${seconds} s.`, 503, true);
  }
  if (status === 400 && /SSL is required/i.test(upstreamMessage)) {
    return make(
      'TBX_ERR_PSA_CONFIG',
      'ConnectWise answered "SSL is required": the API URL must be the api- host (for example https://api-na.myconnectwise.net), ' +
        'not the browser host.',
      502,
    );
  }
  if (/does not support the API version/i.test(upstreamMessage)) {
    return make(
      'TBX_ERR_PSA_CONFIG',
      'ConnectWise does not accept the configured apiVersion. Set apiVersion to a ConnectWise PSA release such as 2025.1.',
      502,
    );
  }
  if (status >= 500) {
    return make(
      'TBX_ERR_PSA_UNAVAILABLE',
      `ConnectWise had a problem (HTTP ${status}) when the toolbox tried to ${context.action}.${context.write ? WRITE_CAVEAT : ' Try again in a minute.'}`,
      502,
      true,
    );
  }
  if (status >= 400) {
    const detail = upstreamMessage ? ` ConnectWise said: ${truncate(upstreamMessage, 300)}` : '';
    return make('TBX_ERR_PSA_BAD_REQUEST', `ConnectWise rejected the request to ${context.action} (HTTP ${status}).${detail}`, 502);
  }
  return make(
    'TBX_ERR_PSA_BAD_RESPONSE',
    `ConnectWise gave an unexpected answer (HTTP ${status}) when the toolbox tried to ${context.action}.`,
    502,
  );
}

/** No answer at all: timeout, network failure or cancellation. */
export function connectWiseUnreachableError(error: UpstreamUnreachableError, context: ConnectWiseCallContext): ToolboxError {
  const upstream = { service: 'connectwise', operation: context.operation, message: error.message };
  const caveat = context.write ? WRITE_CAVEAT : '';
  if (error.kind === 'timeout') {
    return new ToolboxError({
      code: 'TBX_ERR_PSA_TIMEOUT',
      message: `ConnectWise did not answer within ${formatSeconds(context.timeoutMs)} s when the toolbox tried to ${context.action}.${caveat || ' Try again in a minute.'}`,
      httpStatus: 504,
      upstream,
      retryable: true,
      cause: error,
    });
  }
  if (error.kind === 'aborted') {
    return new ToolboxError({
      code: 'TBX_ERR_PSA_CANCELLED',
      message: `The request to ${context.action} was cancelled before ConnectWise answered.${caveat}`,
      // 499: the caller went away (nginx's "client closed request").
      httpStatus: 499,
      upstream,
      cause: error,
    });
  }
  const cause = networkCause(error);
  const why = context.host && cause.kind !== 'other' ? `: ${describeNetworkCause(cause, context.host)}` : '';
  return new ToolboxError({
    code: 'TBX_ERR_PSA_UNAVAILABLE',
    message: `ConnectWise could not be reached${context.host ? ` at ${context.host}` : ''} when the toolbox tried to ${context.action}${why || '. Check the URL in the ConnectWise settings and the network'}.${caveat}`,
    httpStatus: 502,
    upstream: { ...upstream, ...(cause.code ? { code: cause.code } : {}) },
    retryable: true,
    cause: error,
  });
}

/** A success status whose body is not what the model says. */
export function connectWiseBadResponseError(context: ConnectWiseCallContext, detail: string, status?: number): ToolboxError {
  return new ToolboxError({
    code: 'TBX_ERR_PSA_BAD_RESPONSE',
    message: `ConnectWise gave an answer the toolbox could not read when it tried to ${context.action}. Check that the API URL points at ConnectWise.`,
    httpStatus: 502,
    upstream: { service: 'connectwise', status, message: truncate(detail, 300), operation: context.operation },
  });
}

export function toConnectWiseError(error: unknown, context: ConnectWiseCallContext): unknown {
  return error instanceof UpstreamUnreachableError ? connectWiseUnreachableError(error, context) : error;
}

function retryAfterSeconds(header: string | null, message: string | undefined): number {
  const ms = parseRetryAfter(header);
  if (ms !== undefined) return Math.max(1, Math.ceil(ms / 1000));
  const fromMessage = message ? /in (\d+) seconds?/i.exec(message) : null;
  return fromMessage ? Number(fromMessage[1]) : 30;
}

const formatSeconds = (ms: number) => String(Math.round((ms / 1000) * 10) / 10);

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
