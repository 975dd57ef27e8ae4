import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import { json, oauthError, text } from './halopsa-responses.js';

/**
 * Halo's authorisation server as the toolbox uses it (reference §2): the client-credentials grant
 * at `{host}/auth/token`, form-encoded, with `?tenant=` required on a Halo-hosted instance; opaque
 * bearer tokens that expire after `expires_in`; and the `GET /api/authinfo` discovery document.
 */
export type HaloAuthConfig = {
  clientId: string;
  clientSecret: string;
  /** Hosted instances need `?tenant=` on the token request; self-hosted ones ignore it. */
  hosted: boolean;
  tenant: string;
  /** The scopes the API application was granted in Halo; `all` grants everything. */
  grantedScopes: string[];
  tokenLifetimeSeconds: number;
};

export type HaloToken = { expiresAt: number; scope: string };

export type HaloAuth = {
  tokenEndpoint(request: Request, url: URL): Promise<Response>;
  authInfo(url: URL): Response;
  /** Null when the bearer token is good, else the 401 to send. */
  checkBearer(request: Request): Response | null;
  /** Issued tokens; a test clears it to make the next call's token unknown. */
  tokens: Map<string, HaloToken>;
  /** How many tokens were issued, for tests of the connector's token cache. */
  issued(): number;
};

// Hosted tenants are matched without regard to case, as host names are (unverified).
const sameTenant = (given: string, expected: string) => given.trim().toLowerCase() === expected.trim().toLowerCase();

export function createHaloAuth(config: HaloAuthConfig, clock: Clock): HaloAuth {
  const tokens = new Map<string, HaloToken>();
  let issued = 0;

  async function tokenEndpoint(request: Request, url: URL): Promise<Response> {
    if (request.method.toUpperCase() !== 'POST') return text(405, 'The requested resource does not support http method.');
    const contentType = request.headers.get('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      // RFC 6749 §4.4.2: the token request is form-encoded; a JSON body is not read at all.
      return oauthError(400, 'invalid_request', 'The token request must be sent as application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(await request.text());
    if (config.hosted) {
      // The real shape of this refusal is unverified (reference §9); an OAuth error is the likeliest.
      const tenant = url.searchParams.get('tenant');
      if (!tenant) return oauthError(400, 'invalid_request', 'The tenant parameter is required for this Halo instance.');
      if (!sameTenant(tenant, config.tenant)) return oauthError(400, 'invalid_request', `Tenant '${tenant}' was not found.`);
    }
    const grantType = form.get('grant_type');
    if (!grantType) return oauthError(400, 'invalid_request', 'The grant_type parameter is missing.');
    if (grantType !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    const clientId = form.get('client_id') ?? '';
    const clientSecret = form.get('client_secret') ?? '';
    // Both compared every time, so the answer does not tell which of the two was wrong.
    const idOk = constantTimeEquals(clientId.trim().toLowerCase(), config.clientId.toLowerCase());
    const secretOk = constantTimeEquals(clientSecret, config.clientSecret);
    if (!idOk || !secretOk) return oauthError(401, 'invalid_client');
    const requested = (form.get('scope') ?? 'all').split(' ').filter(Boolean);
    const all = config.grantedScopes.includes('all');
    const refused = requested.filter((scope) => !all && !config.grantedScopes.includes(scope));
    if (requested.length === 0 || refused.length > 0) {
      return oauthError(400, 'invalid_scope', refused.length > 0 ? `Scope not granted: ${refused.join(' ')}` : undefined);
    }
    const accessToken = randomBytes(32).toString('base64url');
    const scope = requested.join(' ');
    tokens.set(accessToken, { expiresAt: clock.now() + config.tokenLifetimeSeconds * 1000, scope });
    issued++;
    return json(
      200,
      { token_type: 'Bearer', access_token: accessToken, expires_in: config.tokenLifetimeSeconds, scope },
      { 'cache-control': 'no-store', pragma: 'no-cache' },
    );
  }

  function authInfo(url: URL): Response {
    return json(200, { auth_url: `${url.origin}/auth`, tenant_id: config.hosted ? config.tenant : '' });
  }

  /**
   * What ASP.NET's bearer handler sends: 401 with an empty body and a `WWW-Authenticate` header
   * that says why. The API's error bodies are unverified (reference §7); the status is not.
   */
  function checkBearer(request: Request): Response | null {
    const header = request.headers.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const unauthorized = (detail?: string) =>
      new Response(null, {
        status: 401,
        headers: { 'www-authenticate': detail ? `Bearer error="invalid_token", error_description="${detail}"` : 'Bearer' },
      });
    if (!match) return unauthorized();
    const token = tokens.get(match[1] as string);
    if (!token) return unauthorized('The token is not valid');
    if (clock.now() >= token.expiresAt) {
      tokens.delete(match[1] as string);
      return unauthorized('The token expired');
    }
    return null;
  }

  return { tokenEndpoint, authInfo, checkBearer, tokens, issued: () => issued };
}
