import { describeNetworkCause, networkCause } from '../../../lib/network-cause.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { parseRetryAfter, UpstreamUnreachableError } from '../../../lib/upstream-request.js';

/**
 * Turns what HaloPSA answered into a ToolboxError a technician can act on, with Halo's status and
 * code kept in `upstream` for the log. Halo's error bodies are unverified (reference §7): OAuth
 * errors on the token endpoint (`{"error":"invalid_client"}`), ASP.NET problem details
 * (`{title, errors: {field: [..]}}`), a `{message}` object, or plain text are all read.
 */
export type HaloCallContext = {
  /** Templated, for logs: `GET /api/Tickets/{id}`. */
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

export type HaloErrorBody = { code?: string; message?: string; html?: boolean };

const SERVICE = 'halopsa';

export function parseHaloErrorBody(text: string): HaloErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (/^<(!doctype|html|\?xml)/i.test(trimmed)) return { html: true };
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    return { message: truncate(trimmed, 300) };
  }
  if (typeof body === 'string') return { message: truncate(body, 300) };
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  const record = body as Record<string, unknown>;
  const str = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  // OAuth (token endpoint): error + error_description.
  if (str(record.error)) return { code: str(record.error), message: str(record.error_description) };
  // ASP.NET problem details: a title and, for validation, the messages per field.
  if (record.errors && typeof record.errors === 'object' && !Array.isArray(record.errors)) {
    const details = Object.entries(record.errors as Record<string, unknown>).flatMap(([field, messages]) =>
      (Array.isArray(messages) ? messages : [messages]).map((m) => `${field}: ${String(m)}`),
    );
    return {
      code: str(record.title) ? 'ValidationProblem' : undefined,
      message: truncate([str(record.title), ...details].filter(Boolean).join(' '), 300),
    };
  }
  const message = str(record.message) ?? str(record.Message) ?? str(record.title) ?? str(record.detail);
  return { code: str(record.code) ?? str(record.ClassName), message: message ? truncate(message, 300) : undefined };
}

const WRITE_CAVEAT = ' It may or may not have been saved: check the ticket in HaloPSA before trying again.';
/** When Halo sends no Retry-After: the wait a maintained Halo client uses after a 429 (reference §7). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

const PERMISSIONS_HINT =
  "In HaloPSA, open Configuration > Teams & Agents > Agents > (the API agent) > Permissions and grant it (1Stream's set-up: Tickets, " +
  'Customers and Users "Read and Modify"), and check the API application\'s Permissions tab (1Stream ticks "all").';

const make = (code: string, message: string, httpStatus: number, upstream: ToolboxError['upstream'], retryable = false) =>
  new ToolboxError({ code, message, httpStatus, upstream, retryable });

function retrySeconds(header: string | null): number {
  const ms = parseRetryAfter(header);
  return ms === undefined ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(ms / 1000));
}

/** An answer of the API (`/api/...`) that was not a success. */
export function haloHttpError(status: number, bodyText: string, retryAfterHeader: string | null, context: HaloCallContext): ToolboxError {
  const body = parseHaloErrorBody(bodyText);
  const upstream = { service: SERVICE, status, code: body.code, message: body.message, operation: context.operation };
  if (status === 401) {
    return make(
      'TBX_ERR_PSA_AUTH',
      'HaloPSA did not accept the access token it had just issued. Check in Halo that the API application (Configuration > Integrations > ' +
        'HaloPSA API > View Applications) is still active and logs in as an active agent, then run the systems check.',
      502,
      upstream,
    );
  }
  if (status === 403) {
    return make(
      'TBX_ERR_PSA_FORBIDDEN',
      `HaloPSA did not allow the toolbox to ${context.action}: the API agent or application lacks the permission. ${PERMISSIONS_HINT}`,
      502,
      upstream,
    );
  }
  if (status === 404 && context.subject) {
    return make(
      'TBX_ERR_PSA_NOT_FOUND',
      `${context.subject.kind} ${context.subject.id} was not found in HaloPSA, or the API agent cannot see it (Halo hides the tickets of ` +
        "teams the agent is not a member of: add the API agent to the ticket's team).",
      404,
      upstream,
    );
  }
  if (status === 404 || status === 405 || body.html) {
    return make(
      'TBX_ERR_PSA_CONFIG',
      `HaloPSA answered "${status === 404 ? 'not found' : `HTTP ${status}`}" when the toolbox tried to ${context.action}. ` +
        'Check the HaloPSA URL: it is the address you sign in to Halo at (e.g. https://yourcompany.halopsa.com), whose API is at /api.',
      502,
      upstream,
    );
  }
  if (status === 429) {
    return make(
      'TBX_ERR_PSA_RATE_LIMITED',
      `HaloPSA is rate-limiting us; try again in ${retrySeconds(retryAfterHeader)} s.`,
      503,
      upstream,
      true,
    );
  }
  if (status >= 500) {
    return make(
      'TBX_ERR_PSA_UNAVAILABLE',
      `HaloPSA had a problem (HTTP ${status}) when the toolbox tried to ${context.action}.${context.write ? WRITE_CAVEAT : ' Try again in a minute.'}`,
      502,
      upstream,
      true,
    );
  }
  if (status >= 400) {
    const detail = body.message ? ` HaloPSA said: ${body.message}` : '';
    return make('TBX_ERR_PSA_BAD_REQUEST', `HaloPSA refused the request to ${context.action} (HTTP ${status}).${detail}`, 502, upstream);
  }
  return make(
    'TBX_ERR_PSA_BAD_RESPONSE',
    `HaloPSA gave an unexpected answer (HTTP ${status}) when the toolbox tried to ${context.action}.`,
    502,
    upstream,
  );
}

export type HaloTokenContext = {
  /** The token endpoint's host, for messages. */
  host: string;
  tenant: string | undefined;
  timeoutMs: number;
};

const TOKEN_OPERATION = 'POST /auth/token';

const CREDENTIALS_HINT =
  'Client ID and Client Secret come from Configuration > Integrations > HaloPSA API > View Applications > (the application), ' +
  'Authentication Method "Client ID and Secret (Services)". Copy the Client ID after saving the application: it changes on save.';

/** An answer of the token endpoint (`/auth/token`) that was not a token. */
export function haloTokenError(status: number, bodyText: string, retryAfterHeader: string | null, context: HaloTokenContext): ToolboxError {
  const body = parseHaloErrorBody(bodyText);
  const upstream = { service: SERVICE, status, code: body.code, message: body.message, operation: TOKEN_OPERATION };
  const aboutTenant = /tenant/i.test(body.message ?? '');
  if (aboutTenant) {
    return make(
      'TBX_ERR_PSA_CONFIG',
      context.tenant
        ? `HaloPSA does not know the tenant '${context.tenant}'. Set tenant to your hosted Halo's tenant name (the "yourcompany" of ` +
            'yourcompany.halopsa.com; 1Stream calls it the HaloPSA Company ID).'
        : 'This HaloPSA instance is hosted by Halo and needs the tenant: choose Hosting "Hosted by Halo" and set tenant to its name (the "yourcompany" of ' +
            'yourcompany.halopsa.com; 1Stream calls it the HaloPSA Company ID).',
      502,
      upstream,
    );
  }
  if (body.code === 'invalid_client' || body.code === 'unauthorized_client' || (status === 401 && !body.html)) {
    return make(
      'TBX_ERR_PSA_AUTH',
      'HaloPSA refused the client ID and client secret (1Stream: "API Key" and "API Private Key")' +
        `${context.tenant ? ` for tenant '${context.tenant}'` : ''}. Check both in the HaloPSA connection settings. ${CREDENTIALS_HINT}`,
      502,
      upstream,
    );
  }
  if (body.code === 'invalid_scope') {
    return make(
      'TBX_ERR_PSA_FORBIDDEN',
      'The HaloPSA API application is not allowed everything the toolbox needs (scope "all"). In Halo, open the application\'s ' +
        'Permissions tab and tick "all", as 1Stream\'s set-up does.',
      502,
      upstream,
    );
  }
  if (status === 429) {
    return make(
      'TBX_ERR_PSA_RATE_LIMITED',
      `HaloPSA is rate-limiting us; try again in ${retrySeconds(retryAfterHeader)} s.`,
      503,
      upstream,
      true,
    );
  }
  if (status >= 500) {
    return make(
      'TBX_ERR_PSA_UNAVAILABLE',
      `HaloPSA's sign-in service had a problem (HTTP ${status}). Try again in a minute.`,
      502,
      upstream,
      true,
    );
  }
  if (status === 404 || status === 405 || body.html || status < 400) {
    return make(
      'TBX_ERR_PSA_CONFIG',
      `${context.host} has no HaloPSA sign-in service at /auth/token (HTTP ${status}). Check the HaloPSA URL: it is the address you ` +
        'sign in to Halo at, e.g. https://yourcompany.halopsa.com.',
      502,
      upstream,
    );
  }
  const detail = body.message ? ` HaloPSA said: ${body.message}` : body.code ? ` HaloPSA said: ${body.code}` : '';
  return make('TBX_ERR_PSA_AUTH', `HaloPSA refused the toolbox's sign-in (HTTP ${status}).${detail} ${CREDENTIALS_HINT}`, 502, upstream);
}

/** The API agent lookup found no agent: the application logs in as nobody. */
export function haloMissingAgentError(status?: number): ToolboxError {
  return make(
    'TBX_ERR_PSA_CONFIG',
    'The HaloPSA API application does not log in as an agent. In Halo, open Configuration > Integrations > HaloPSA API > View ' +
      'Applications > (the application), set Login Type to "Agent" and choose an agent with "Is an API-only Agent" ticked.',
    502,
    { service: SERVICE, status, operation: 'GET /api/Agent/me' },
  );
}

/** The API agent has no default team, so Halo shows it no other agents (1Stream's Halo guide). */
export function haloMissingTeamError(agentName: string): ToolboxError {
  return make(
    'TBX_ERR_PSA_CONFIG',
    `The HaloPSA API agent '${agentName}' has no default team, so Halo shows it no other agents and the technician mapping stays ` +
      'empty. In Halo, open Configuration > Teams & Agents > Agents > (the API agent) and choose one of your teams as its Default Team.',
    502,
    { service: SERVICE, operation: 'GET /api/Agent/me' },
  );
}

/** No answer at all: timeout, network failure or cancellation. */
export function haloUnreachableError(error: UpstreamUnreachableError, context: HaloCallContext): ToolboxError {
  const upstream = { service: SERVICE, operation: context.operation, message: error.message };
  const caveat = context.write ? WRITE_CAVEAT : '';
  if (error.kind === 'timeout') {
    return new ToolboxError({
      code: 'TBX_ERR_PSA_TIMEOUT',
      message: `HaloPSA did not answer within ${formatSeconds(context.timeoutMs)} s when the toolbox tried to ${context.action}.${caveat || ' Try again in a minute.'}`,
      httpStatus: 504,
      upstream,
      retryable: true,
      cause: error,
    });
  }
  if (error.kind === 'aborted') {
    return new ToolboxError({
      code: 'TBX_ERR_PSA_CANCELLED',
      message: `The request to ${context.action} was cancelled before HaloPSA answered.${caveat}`,
      httpStatus: 499,
      upstream,
      cause: error,
    });
  }
  const cause = networkCause(error);
  const why = context.host && cause.kind !== 'other' ? `: ${describeNetworkCause(cause, context.host)}` : '';
  return new ToolboxError({
    code: 'TBX_ERR_PSA_UNAVAILABLE',
    message: `HaloPSA could not be reached${context.host ? ` at ${context.host}` : ''} when the toolbox tried to ${context.action}${why || '. Check the HaloPSA URL in the settings and the network'}.${caveat}`,
    httpStatus: 502,
    upstream: { ...upstream, ...(cause.code ? { code: cause.code } : {}) },
    retryable: true,
    cause: error,
  });
}

/** A success status whose body is not what the API returns. */
export function haloBadResponseError(
  context: Pick<HaloCallContext, 'operation' | 'action'>,
  detail: string,
  status?: number,
): ToolboxError {
  return new ToolboxError({
    code: 'TBX_ERR_PSA_BAD_RESPONSE',
    message: `HaloPSA gave an answer the toolbox could not read when it tried to ${context.action}. Check that the HaloPSA URL points at Halo.`,
    httpStatus: 502,
    upstream: { service: SERVICE, status, message: truncate(detail, 300), operation: context.operation },
  });
}

export function toHaloError(error: unknown, context: HaloCallContext): unknown {
  return error instanceof UpstreamUnreachableError ? haloUnreachableError(error, context) : error;
}

const formatSeconds = (ms: number) => String(Math.round((ms / 1000) * 10) / 10);

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
