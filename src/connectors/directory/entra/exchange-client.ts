import type { FetchLike } from '../../../lib/http-fetch.js';
import type { Logger } from '../../../lib/logger.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { INTERACTIVE_RETRY, NO_RETRY, parseRetryAfter, UpstreamUnreachableError, upstreamRequest } from '../../../lib/upstream-request.js';
import type { EntraSettings } from './entra-settings.js';
import type { EntraTokenProvider } from './entra-token-provider.js';

/**
 * Exchange Online cmdlets through the admin REST endpoint behind the Exchange Online PowerShell
 * V3 module (`InvokeCommand`, reference §10). Microsoft does not document it; the request shape
 * follows CIPP's `New-ExoRequest.ps1`, so treat every error text as *unverified*.
 *
 * - The token is Exchange's own (scope `{exchange origin}/.default`); a Graph token is refused.
 * - Every cmdlet call is a POST that may change something, so only refusals that mean "not run"
 *   are repeated: 429 and 503 (after Retry-After, bounded), and a 401 once with a fresh token.
 *   A 502/504 or a timeout may mean it ran, so it is surfaced instead.
 * - Paging re-POSTs the same body to `@odata.nextLink`, bounded, on Exchange's own origin only.
 * - Bodies are never logged: the log gets the cmdlet name, status, retries and timing.
 */
export const EXCHANGE_ERROR_CODES = {
  tokenRejected: 'TBX_ERR_EXCHANGE_TOKEN_REJECTED',
  forbidden: 'TBX_ERR_EXCHANGE_FORBIDDEN',
  notFound: 'TBX_ERR_EXCHANGE_NOT_FOUND',
  /** The cmdlet ran and failed (bad parameter, a rule of the object): Exchange's words are in the message. */
  commandFailed: 'TBX_ERR_EXCHANGE_COMMAND_FAILED',
  throttled: 'TBX_ERR_EXCHANGE_THROTTLED',
  unavailable: 'TBX_ERR_EXCHANGE_UNAVAILABLE',
  timeout: 'TBX_ERR_EXCHANGE_TIMEOUT',
  unreachable: 'TBX_ERR_EXCHANGE_UNREACHABLE',
  unexpected: 'TBX_ERR_EXCHANGE_UNEXPECTED_RESPONSE',
} as const;

/** The anchor for cmdlets that are not about one mailbox (reference §10). */
export const systemMailboxAnchor = (tenantId: string) => `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${tenantId}`;

export type InvokeCommandOptions = {
  /** The target mailbox's UPN, for mailbox-scoped cmdlets; otherwise the system-mailbox anchor is used. */
  anchorUpn?: string;
  /** Stop paging after this many results (default 1000). */
  maxResults?: number;
};

export type InvokeCommandResult<T> = { value: T[]; warnings: string[] };

export type ExchangeClient = {
  invokeCommand<T = Record<string, unknown>>(
    cmdlet: string,
    parameters: Record<string, unknown>,
    options?: InvokeCommandOptions,
  ): Promise<InvokeCommandResult<T>>;
};

export type ExchangeClientOptions = {
  settings: EntraSettings;
  /** A provider for the Exchange scope, not Graph's. */
  tokens: EntraTokenProvider;
  fetch: FetchLike;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
};

/** Pages followed at most: a cmdlet answer beyond this is cut off (and logged). */
const MAX_PAGES = 20;
const DEFAULT_MAX_RESULTS = 1000;

export type ExchangeErrorBody = {
  error?: {
    code?: string;
    message?: string;
    details?: { code?: string; message?: string; target?: string }[];
    innererror?: { message?: string; internalException?: { message?: string } };
  };
};

/** Exchange's own words for a failure: details[].message, then innererror.internalException.message, then message (CIPP's order). */
export function exchangeErrorText(body: unknown): string {
  const error = (typeof body === 'object' && body !== null ? (body as ExchangeErrorBody).error : undefined) ?? {};
  const details = (error.details ?? []).map((d) => d.message).filter((m): m is string => typeof m === 'string' && m.length > 0);
  const raw =
    details[0] ?? error.innererror?.internalException?.message ?? error.message ?? (typeof body === 'string' ? body.slice(0, 300) : '');
  // Exchange prefixes "Ex1A2B3C|Microsoft.Exchange.…Exception|": keep the sentence, drop the plumbing.
  return raw.split('|').at(-1)?.trim() ?? '';
}

export function createExchangeClient(options: ExchangeClientOptions): ExchangeClient {
  const { settings, tokens, logger } = options;
  const origin = new URL(settings.exchangeUrl).origin;
  const endpoint = `${settings.exchangeUrl}/adminapi/beta/${encodeURIComponent(settings.tenantId)}/InvokeCommand`;
  const log = logger.child({ connector: 'entra', service: 'exchange', tenantId: settings.tenantId });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** One POST, repeated only when Exchange refused it before running it (429/503). */
  async function post(url: string, body: string, headers: Record<string, string>, operation: string) {
    let retries = 0;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await upstreamRequest(
          url,
          { method: 'POST', headers, body },
          { fetch: options.fetch, timeoutMs: settings.timeoutMs, retry: NO_RETRY, idempotent: false },
        );
      } catch (error) {
        throw unreachable(error, operation);
      }
      if (![429, 503].includes(response.status) || attempt >= INTERACTIVE_RETRY.maxAttempts) return { response, retries };
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > INTERACTIVE_RETRY.maxDelayMs) return { response, retries };
      const delayMs = retryAfter ?? INTERACTIVE_RETRY.baseDelayMs * 2 ** (attempt - 1);
      await response.body?.cancel().catch(() => {});
      retries = attempt;
      log.warn({ operation, attempt, delayMs, status: response.status }, 'retrying Exchange request');
      await sleep(delayMs);
    }
  }

  async function call(url: string, body: string, anchor: string, operation: string) {
    const started = Date.now();
    const headers = (token: string) => ({
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'content-type': 'application/json; charset=utf-8',
      prefer: 'odata.maxpagesize=1000',
      'x-anchormailbox': anchor,
    });
    let { response, retries } = await post(url, body, headers(await tokens.getToken()), operation);
    if (response.status === 401) {
      // A 401 ran nothing: one fresh token, one more try.
      await response.body?.cancel().catch(() => {});
      tokens.invalidate();
      ({ response, retries } = await post(url, body, headers(await tokens.getToken()), operation));
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    const requestId = response.headers.get('request-id') ?? undefined;
    log.debug({ operation, status: response.status, requestId, retries, ms: Date.now() - started }, 'exchange call');
    if (response.status >= 400) {
      const error = exchangeFailureToError({ status: response.status, body: parsed, operation, retries, tenantId: settings.tenantId });
      log.warn({ failure: error.toLog() }, 'exchange call failed');
      throw error;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw new ToolboxError({
        code: EXCHANGE_ERROR_CODES.unexpected,
        message: `Exchange Online answered ${operation} with something that is not JSON (HTTP ${response.status}). Check the Exchange URL setting.`,
        httpStatus: 502,
        upstream: { service: 'exchange', status: response.status, operation },
      });
    }
    return parsed as { value?: unknown; '@odata.nextLink'?: unknown; '@adminapi.warnings'?: unknown };
  }

  return {
    async invokeCommand<T>(cmdlet: string, parameters: Record<string, unknown>, callOptions: InvokeCommandOptions = {}) {
      const operation = `InvokeCommand ${cmdlet}`;
      const anchor = callOptions.anchorUpn ? `UPN:${callOptions.anchorUpn}` : systemMailboxAnchor(settings.tenantId);
      const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
      const max = callOptions.maxResults ?? DEFAULT_MAX_RESULTS;
      const value: T[] = [];
      const warnings: string[] = [];
      let url: string | undefined = endpoint;
      for (let page = 0; url && page < MAX_PAGES && value.length < max; page++) {
        const answer = await call(url, body, anchor, operation);
        if (answer.value !== undefined && !Array.isArray(answer.value)) {
          throw new ToolboxError({
            code: EXCHANGE_ERROR_CODES.unexpected,
            message: `Exchange Online answered ${cmdlet} without a result list. The details are in the log.`,
            httpStatus: 502,
            upstream: { service: 'exchange', operation },
          });
        }
        value.push(...((answer.value as T[] | undefined) ?? []));
        if (Array.isArray(answer['@adminapi.warnings'])) {
          warnings.push(...answer['@adminapi.warnings'].filter((w): w is string => typeof w === 'string'));
        }
        const next: unknown = answer['@odata.nextLink'];
        url = typeof next === 'string' && next ? next : undefined;
        // A paging link is followed only on Exchange's own origin, so it cannot take the token elsewhere.
        if (url && new URL(url).origin !== origin) {
          throw new ToolboxError({
            code: EXCHANGE_ERROR_CODES.unexpected,
            message: 'Exchange Online returned a paging link to another host; the toolbox did not follow it.',
            httpStatus: 502,
            upstream: { service: 'exchange', operation },
          });
        }
      }
      if (url) log.warn({ operation, results: value.length }, 'exchange results cut off');
      if (warnings.length > 0) log.info({ operation, warnings: warnings.length }, 'exchange returned warnings');
      return { value: value.slice(0, max), warnings };
    },
  };

  function unreachable(error: unknown, operation: string): ToolboxError {
    const kind = error instanceof UpstreamUnreachableError ? error.kind : 'network';
    const host = new URL(settings.exchangeUrl).host;
    return new ToolboxError({
      code: kind === 'timeout' ? EXCHANGE_ERROR_CODES.timeout : EXCHANGE_ERROR_CODES.unreachable,
      message:
        kind === 'timeout'
          ? `Exchange Online (${host}) did not answer in time. The change may or may not have been made: check the group before trying again.`
          : `Exchange Online (${host}) could not be reached. Check the server’s internet access, proxy and DNS.`,
      httpStatus: kind === 'timeout' ? 504 : 502,
      retryable: kind !== 'aborted',
      upstream: { service: 'exchange', operation },
      cause: error,
    });
  }
}

/** Turns Exchange's answer into a ToolboxError a technician can act on; Exchange's own words stay in `upstream`. */
export function exchangeFailureToError(failure: {
  status: number;
  body: unknown;
  operation: string;
  retries: number;
  tenantId: string;
}): ToolboxError {
  const { status } = failure;
  const text = exchangeErrorText(failure.body);
  const code = (failure.body as ExchangeErrorBody | undefined)?.error?.code ?? `HTTP ${status}`;
  const upstream = { service: 'exchange', status, code, message: text, operation: failure.operation };
  const make = (errorCode: string, message: string, httpStatus: number, retryable = false) =>
    new ToolboxError({ code: errorCode, message, httpStatus, upstream, retryable });
  if (status === 401) {
    return make(
      EXCHANGE_ERROR_CODES.tokenRejected,
      `Exchange Online rejected the toolbox’s access token for tenant ${failure.tenantId} (${text || code}). ` +
        'Check that the app has the Office 365 Exchange Online permission Exchange.ManageAsApp with admin consent, and that the Exchange URL belongs to the same cloud as the tenant.',
      502,
    );
  }
  if (status === 403) {
    return make(
      EXCHANGE_ERROR_CODES.forbidden,
      'The app registration may not run this Exchange Online command: it needs the Office 365 Exchange Online application permission ' +
        'Exchange.ManageAsApp with admin consent, and the Exchange Administrator role on the app’s service principal. ' +
        `Exchange said: ${text || code}`,
      403,
    );
  }
  if (status === 429) {
    const tries = failure.retries === 1 ? '1 time' : `${failure.retries} times`;
    return make(
      EXCHANGE_ERROR_CODES.throttled,
      `Exchange Online is throttling requests for tenant ${failure.tenantId}; the toolbox retried ${tries} and gave up. Wait a minute and try again.`,
      503,
      true,
    );
  }
  if (status >= 500 && !/\|/.test(String(((failure.body as ExchangeErrorBody | undefined)?.error?.details ?? [])[0]?.message ?? ''))) {
    return make(
      EXCHANGE_ERROR_CODES.unavailable,
      `Exchange Online had a problem (${status} ${code}). This is usually temporary: try again in a few minutes.`,
      502,
      true,
    );
  }
  if (status === 404 || /couldn't find|could not find|couldn't be found|ManagementObjectNotFound/i.test(text)) {
    return make(EXCHANGE_ERROR_CODES.notFound, `Exchange Online could not find the object: ${text || code}`, 404);
  }
  return make(EXCHANGE_ERROR_CODES.commandFailed, `Exchange Online refused the command: ${text || code}`, 409);
}
