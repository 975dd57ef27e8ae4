import { createPrivateKey } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, customFetch as joseCustomFetch, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { FetchLike } from '../../lib/http-fetch.js';

/**
 * One OpenID provider, for technician sign-in: authorization code with PKCE (S256), `state` and
 * `nonce`, through openid-client 6 (discovery, the authorization URL, the token call and its claim
 * checks: iss, aud, exp, iat, nonce, state). openid-client does not verify the ID token's
 * signature, so it is verified here with jose against the provider's JWKS (RS256 and the other
 * asymmetric algorithms the provider announces; never `none` or HMAC), with the issuer, audience
 * and a clock skew allowance. The JWKS is cached by `kid` and fetched again when a token names an
 * unknown `kid` (a key rollover), at most once per `jwksCooldownMs`.
 */
export type SignInPending = { state: string; nonce: string; codeVerifier: string };

export type SignInFailureCode =
  | 'provider-unreachable'
  | 'provider-error'
  | 'state-mismatch'
  | 'token-refused'
  | 'id-token-invalid'
  | 'wrong-tenant';

/** A sign-in that did not complete: `code` for the page, `detail` for the log (no secrets). */
export class SignInFailure extends Error {
  constructor(
    readonly code: SignInFailureCode,
    readonly detail: string,
    /** The provider's own error (e.g. `access_denied`, `invalid_grant`), when it gave one. */
    readonly providerError?: string,
  ) {
    super(detail);
    this.name = 'SignInFailure';
  }
}

export type OidcSignInClientOptions = {
  /** The issuer: discovery at `{issuer}/.well-known/openid-configuration`, and the exact `iss` expected. */
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** A certificate credential (Entra): the assertion is signed PS256 with `x5t#S256`, `aud` the token endpoint. */
  certificate?: { privateKeyPem: string; thumbprintSha256Hex: string };
  redirectUri: string;
  scopes: string[];
  fetch: FetchLike;
  /** Seconds of clock skew accepted on exp/nbf/iat (Microsoft's validator: 300). */
  clockToleranceSeconds?: number;
  /** Least time between two JWKS fetches for an unknown `kid` (default 5 minutes). */
  jwksCooldownMs?: number;
};

export type OidcSignInClient = {
  /** Where to send the browser, and what to keep (bound to the browser) until it comes back. */
  start(extra?: Record<string, string>): Promise<{ url: string; pending: SignInPending }>;
  /**
   * The callback's query checked against `pending`, the code redeemed, the ID token verified: its
   * claims, and a reader of the UserInfo endpoint (its `sub` must be the token's) for claims a
   * provider puts only there.
   */
  finish(callbackQuery: URLSearchParams, pending: SignInPending): Promise<JWTPayload & { userInfo(): Promise<Record<string, unknown>> }>;
};

/** openid-client and jose want real `Response` objects; the service's fetch may buffer into its own class. */
const asRealFetch =
  (fetch: FetchLike) =>
  async (url: string, init: RequestInit): Promise<Response> => {
    const response: Response = await fetch(url, init);
    if (Object.getPrototypeOf(response) === Response.prototype) return response;
    return new Response(await response.arrayBuffer(), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

export function createOidcSignInClient(options: OidcSignInClientOptions): OidcSignInClient {
  const realFetch = asRealFetch(options.fetch);
  const insecure = new URL(options.issuer).protocol === 'http:';
  let configuration: Promise<oidc.Configuration> | undefined;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  let resolved: oidc.Configuration | undefined;

  const discover = () => {
    configuration ??= (async () => {
      let auth: oidc.ClientAuth | undefined;
      if (options.certificate) {
        const { privateKeyPem, thumbprintSha256Hex } = options.certificate;
        const key = createPrivateKey(privateKeyPem).toCryptoKey({ name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
        auth = oidc.PrivateKeyJwt(key, {
          // Entra wants the certificate's SHA-256 thumbprint and the token endpoint as audience.
          [oidc.modifyAssertion]: (header, payload) => {
            header['x5t#S256'] = Buffer.from(thumbprintSha256Hex, 'hex').toString('base64url');
            const endpoint = resolved?.serverMetadata().token_endpoint;
            if (endpoint) payload.aud = endpoint;
          },
        });
      } else if (options.clientSecret) {
        auth = oidc.ClientSecretPost(options.clientSecret);
      } else {
        auth = oidc.None();
      }
      // The same skew for openid-client's claim checks (its default: 30 s) as for jose's below.
      const metadata = { [oidc.clockTolerance]: options.clockToleranceSeconds ?? 300 };
      const discovered = await oidc.discovery(new URL(options.issuer), options.clientId, metadata, auth, {
        [oidc.customFetch]: realFetch,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      resolved = discovered;
      return discovered;
    })();
    // A failed discovery is tried again at the next sign-in, not remembered.
    configuration.catch(() => {
      configuration = undefined;
    });
    return configuration;
  };

  const keySet = (config: oidc.Configuration) => {
    const uri = config.serverMetadata().jwks_uri;
    if (!uri) throw new SignInFailure('provider-error', 'the provider announces no jwks_uri: ID token signatures cannot be checked');
    jwks ??= createRemoteJWKSet(new URL(uri), {
      cooldownDuration: options.jwksCooldownMs ?? 5 * 60_000,
      cacheMaxAge: 60 * 60_000,
      [joseCustomFetch]: realFetch as never,
    });
    return jwks;
  };

  return {
    async start(extra = {}) {
      let config: oidc.Configuration;
      try {
        config = await discover();
      } catch (error) {
        throw new SignInFailure('provider-unreachable', `discovery at ${options.issuer} failed: ${(error as Error).message}`);
      }
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        response_type: 'code',
        response_mode: 'query',
        scope: options.scopes.join(' '),
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        ...extra,
      });
      return { url: url.toString(), pending };
    },

    async finish(callbackQuery, pending) {
      const error = callbackQuery.get('error');
      if (error) {
        throw new SignInFailure(
          'provider-error',
          `the provider answered ${error}: ${callbackQuery.get('error_description') ?? ''}`.trim(),
          error,
        );
      }
      if (callbackQuery.get('state') !== pending.state) {
        throw new SignInFailure('state-mismatch', 'the callback state is not the one this browser was sent with');
      }
      let config: oidc.Configuration;
      try {
        config = await discover();
      } catch (cause) {
        throw new SignInFailure('provider-unreachable', `discovery at ${options.issuer} failed: ${(cause as Error).message}`);
      }
      const currentUrl = new URL(options.redirectUri);
      currentUrl.search = callbackQuery.toString();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (cause) {
        const body = cause as { error?: string; code?: string; message?: string };
        if (body.error) throw new SignInFailure('token-refused', `the token endpoint refused the code: ${body.error}`, body.error);
        throw new SignInFailure('id-token-invalid', `the token response was refused: ${body.code ?? ''} ${body.message ?? ''}`.trim());
      }
      const idToken = tokens.id_token;
      if (!idToken) throw new SignInFailure('id-token-invalid', 'the token response has no ID token');
      try {
        const { payload } = await jwtVerify(idToken, keySet(config), {
          issuer: config.serverMetadata().issuer,
          audience: options.clientId,
          algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
          clockTolerance: options.clockToleranceSeconds ?? 300,
          requiredClaims: ['exp', 'iat', 'sub'],
        });
        if (payload.nonce !== pending.nonce) throw new Error('the nonce is not the one sent');
        const accessToken = tokens.access_token;
        const subject = String(payload.sub);
        const userInfo = async () => {
          try {
            return (await oidc.fetchUserInfo(config, accessToken, subject)) as Record<string, unknown>;
          } catch (cause) {
            throw new SignInFailure('provider-error', `the UserInfo endpoint failed: ${(cause as Error).message}`);
          }
        };
        return Object.assign(payload, { userInfo });
      } catch (cause) {
        if (cause instanceof SignInFailure) throw cause;
        const detail = cause as { code?: string; message?: string };
        throw new SignInFailure('id-token-invalid', `the ID token did not verify: ${detail.code ?? ''} ${detail.message ?? ''}`.trim());
      }
    },
  };
}
