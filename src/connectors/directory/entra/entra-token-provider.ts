import { ConfidentialClientApplication, type INetworkModule, LogLevel, type NetworkResponse } from '@azure/msal-node';
import type { Clock } from '../../../lib/clock.js';
import type { FetchLike } from '../../../lib/http-fetch.js';
import type { Logger } from '../../../lib/logger.js';
import { isToolboxError, ToolboxError } from '../../../lib/toolbox-error.js';
import { INTERACTIVE_RETRY, upstreamRequest } from '../../../lib/upstream-request.js';
import type { ClientCertificateInfo, EntraSettings } from './entra-settings.js';
import { ENTRA_ERROR_CODES, type IdentityErrorBody, identityFailureToError, unreachableToError } from './graph-errors.js';

/**
 * App-only (client credentials) tokens for one customer tenant, through @azure/msal-node.
 *
 * - MSAL's HTTP goes through our `fetch` (an INetworkModule adapter), so the injected CA trust,
 *   timeouts and Retry-After handling apply, and tests never touch the real network.
 * - Authority and cloud-discovery metadata are given as strings, so MSAL makes no discovery
 *   calls: one POST per token, against any https authority host (sovereign clouds, simulator).
 * - The cache is ours, on the injected clock, with one in-flight request shared by concurrent
 *   callers. MSAL's own cache is skipped (`skipCache`) so there is exactly one source of truth.
 * - The credential is the client secret or a certificate: MSAL then signs a client assertion
 *   (PS256, header `x5t#S256` = the certificate's SHA-256 thumbprint, computed in entra-settings).
 */
export type EntraTokenProvider = {
  getToken(): Promise<string>;
  /** Drops the cached token, e.g. after Graph rejected it with 401. */
  invalidate(): void;
};

export type EntraTokenProviderOptions = {
  settings: EntraSettings;
  /**
   * The resource's `/.default` scope; default Graph's ({@link graphScope}). Tokens are issued per
   * resource: Exchange Online needs its own ({@link exchangeScope}), a Graph token is refused there.
   */
  scope?: string;
  fetch: FetchLike;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
};

/** Graph's resource is its origin; national clouds have their own Graph host. */
export const graphScope = (settings: Pick<EntraSettings, 'graphUrl'>) => `${new URL(settings.graphUrl).origin}/.default`;
/** Exchange Online's resource is its origin (https://outlook.office365.com worldwide). */
export const exchangeScope = (settings: Pick<EntraSettings, 'exchangeUrl'>) => `${new URL(settings.exchangeUrl).origin}/.default`;

/** Renew this long before expiry (or at half-life for short-lived tokens). */
const REFRESH_MARGIN_MS = 5 * 60_000;

export function createEntraTokenProvider(options: EntraTokenProviderOptions): EntraTokenProvider {
  const { settings, clock, logger } = options;
  const authority = `${settings.authorityHost}/${settings.tenantId}`;
  const scope = options.scope ?? graphScope(settings);
  const operation = 'POST /{tenant}/oauth2/v2.0/token';
  const log = logger.child({ connector: 'entra', tenantId: settings.tenantId, scope });

  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  // Filled by the network module during one acquisition: MSAL's errors flatten Microsoft's body
  // into a string, so the structured body (and any transport failure) is kept here instead.
  let lastIdentityError: { status: number; body: IdentityErrorBody; retries: number } | undefined;
  let lastTransportError: ToolboxError | undefined;

  const networkClient: INetworkModule = {
    sendGetRequestAsync: <T>(url: string, init?: { headers?: Record<string, string> }) => send<T>('GET', url, init),
    sendPostRequestAsync: <T>(url: string, init?: { headers?: Record<string, string>; body?: string }) => send<T>('POST', url, init),
  };

  async function send<T>(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<NetworkResponse<T>> {
    let retries = 0;
    let response: Response;
    try {
      response = await upstreamRequest(
        url,
        { method, headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) },
        {
          fetch: options.fetch,
          timeoutMs: settings.timeoutMs,
          retry: INTERACTIVE_RETRY,
          // Asking for a token twice only mints two tokens: safe to repeat.
          idempotent: true,
          ...(options.sleep ? { sleep: options.sleep } : {}),
          onRetry: (info) => {
            retries = info.attempt;
            log.warn(
              { operation, attempt: info.attempt, delayMs: info.delayMs, status: info.status, error: info.error },
              'retrying token request',
            );
          },
        },
      );
    } catch (error) {
      lastTransportError = unreachableToError(error, 'identity', operation, new URL(url).host);
      throw lastTransportError;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      lastTransportError = new ToolboxError({
        code: ENTRA_ERROR_CODES.unexpected,
        message: `Microsoft sign-in (${new URL(url).host}) answered with something that is not JSON (HTTP ${response.status}). Check the authority host setting.`,
        httpStatus: 502,
        retryable: response.status >= 500,
        upstream: { service: 'identity', status: response.status, operation },
      });
      throw lastTransportError;
    }
    if (response.status >= 400) lastIdentityError = { status: response.status, body: body as IdentityErrorBody, retries };
    return { headers, body: body as T, status: response.status };
  }

  const host = new URL(settings.authorityHost).host;
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: settings.clientId,
      ...credentialOptions(settings),
      authority,
      authorityMetadata: JSON.stringify({
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
        issuer: `${authority}/v2.0`,
        jwks_uri: `${authority}/discovery/v2.0/keys`,
      }),
      cloudDiscoveryMetadata: JSON.stringify({
        tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      }),
    },
    system: {
      networkClient,
      // Retries happen in upstreamRequest, with our sleep and bounds.
      disableInternalRetries: true,
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level, message) => log.debug({ msal: message }, 'msal'),
      },
    },
  });

  async function acquire(): Promise<string> {
    lastIdentityError = undefined;
    lastTransportError = undefined;
    const started = clock.now();
    try {
      const result = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: true });
      if (!result?.accessToken) throw new Error('MSAL returned no access token');
      const lifetimeMs = result.expiresOn ? Math.max(0, result.expiresOn.getTime() - Date.now()) : 3600_000;
      cached = { token: result.accessToken, refreshAt: started + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2) };
      log.debug({ expiresInSeconds: Math.round(lifetimeMs / 1000) }, 'access token acquired');
      return result.accessToken;
    } catch (error) {
      const translated = translate(error);
      log.warn({ failure: translated.toLog() }, 'token request failed');
      throw translated;
    }
  }

  function translate(error: unknown): ToolboxError {
    if (lastTransportError) return lastTransportError;
    if (isToolboxError(error)) return error;
    const context = { tenantId: settings.tenantId, clientId: settings.clientId, operation };
    if (lastIdentityError) {
      const translated = identityFailureToError(lastIdentityError, context);
      return settings.certificateInfo ? certificateFailure(translated, settings.certificateInfo, settings, clock.now()) : translated;
    }
    // An MSAL error without a Microsoft body: a configuration problem on our side (e.g. an
    // authority MSAL refuses). Its errorCode is safe to show; its message never holds the secret.
    const msalCode = (error as { errorCode?: string }).errorCode ?? 'unknown';
    return new ToolboxError({
      code: ENTRA_ERROR_CODES.auth,
      message: `The toolbox could not request a token for tenant ${settings.tenantId} (${msalCode}). Check the authority host and tenant settings.`,
      httpStatus: 502,
      upstream: { service: 'identity', code: msalCode, message: (error as Error).message, operation },
      cause: error,
    });
  }

  return {
    getToken() {
      if (cached && clock.now() < cached.refreshAt) return Promise.resolve(cached.token);
      inFlight ??= acquire().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/**
 * MSAL's credential options. A certificate goes in as its SHA-256 thumbprint (MSAL then signs
 * PS256 with `x5t#S256`; the SHA-1 `thumbprint` option is deprecated) and the PKCS#8 private key.
 * No `x5c`: the certificate chain is only for subject-name/issuer authentication, which Entra
 * offers to Microsoft's own first-party apps; a customer's app registration is matched by
 * thumbprint against the certificates uploaded to it.
 */
function credentialOptions(
  settings: EntraSettings,
): { clientSecret: string } | { clientCertificate: { thumbprintSha256: string; privateKey: string } } {
  if (settings.certificateInfo && settings.privateKey) {
    return { clientCertificate: { thumbprintSha256: settings.certificateInfo.thumbprintSha256, privateKey: settings.privateKey } };
  }
  // The settings schema guarantees one of the two; an empty secret makes MSAL refuse to start.
  return { clientSecret: settings.clientSecret ?? '' };
}

/**
 * Upstream codes that, with a certificate credential, mean the certificate itself was refused.
 * AADSTS700027: key not registered on the app, expired there, or signature not verifiable;
 * AADSTS1000502: certificate outside its validity window (reported by Microsoft.Identity.Web for
 * expired certificates; *unverified* for this flow); AADSTS700024: assertion outside its time
 * range (our clock); AADSTS700023: assertion audience; AADSTS50027: malformed assertion.
 */
const CERTIFICATE_CODES = new Set(['AADSTS700027', 'AADSTS1000502', 'AADSTS700024', 'AADSTS700023', 'AADSTS50027', 'AADSTS7000218']);

/** Rewrites a sign-in failure's message for a certificate credential; code and upstream detail stay. */
function certificateFailure(error: ToolboxError, info: ClientCertificateInfo, settings: EntraSettings, now: number): ToolboxError {
  const code = error.upstream?.code ?? '';
  if (!CERTIFICATE_CODES.has(code)) return error;
  const app = `app ${settings.clientId}`;
  const tenant = `tenant ${settings.tenantId}`;
  const certificate = `the certificate with thumbprint ${info.thumbprintSha1}`;
  const validUntil = info.notAfter.slice(0, 10);
  const expired = Date.parse(info.notAfter) <= now;
  const renew = `Create a new certificate, upload its public part (.cer or .pem, never the private key) to the app registration under Certificates & secrets, and update the connection settings.`;
  const messages: Record<string, string> = {
    AADSTS700027: expired
      ? `Microsoft 365 refused ${certificate}: it expired on ${validUntil}. ${renew}`
      : `Microsoft 365 does not accept ${certificate} for ${app} in ${tenant}. Upload the certificate’s public part (.cer or .pem, never the private key) to the app registration under Certificates & secrets, check there that it has not expired (this one is valid until ${validUntil}), and that the private key in the connection settings belongs to it.`,
    AADSTS1000502: `Microsoft 365 refused ${certificate}: it is outside its validity period (valid until ${validUntil}). ${renew}`,
    AADSTS700024:
      'Microsoft sign-in refused the certificate sign-in as outside its valid time range: the toolbox server’s clock is probably wrong. Check its time synchronisation (NTP).',
    AADSTS700023: `Microsoft sign-in refused the certificate sign-in for ${tenant}: the request was addressed to another sign-in endpoint. Check the authority host and tenant ID in the connection settings.`,
    AADSTS50027: `Microsoft sign-in could not read the certificate sign-in request for ${tenant}. Check the certificate and private key in the connection settings.`,
    AADSTS7000218: `Microsoft sign-in received no credential for ${app}. Check the certificate and private key in the connection settings.`,
  };
  return new ToolboxError({
    code: error.code,
    message: messages[code] ?? error.message,
    httpStatus: error.httpStatus,
    retryable: error.retryable,
    ...(error.upstream ? { upstream: error.upstream } : {}),
  });
}
