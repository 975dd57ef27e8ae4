import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { exportJWK, SignJWT } from 'jose';
import type { Clock } from '../../lib/clock.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import { checkClientAssertion, JWT_BEARER_ASSERTION_TYPE, type RegisteredCertificate } from './client-assertion.js';

/**
 * The sign-in half of the identity platform (Microsoft identity platform v2, authorization code
 * flow with PKCE; docs/reference microsoft-identity.md §4), beside the client-credentials token
 * endpoint in graph-simulator.ts: `authorize` (a plain sign-in page, or an automatic sign-in of a
 * chosen user), the `authorization_code` grant, RS256 ID tokens with a `kid`, and the tenant's
 * JWKS at `discovery/v2.0/keys` with key rollover. Held to Entra's rules: exact redirect URIs
 * (port ignored on loopback), codes that work once and last 10 minutes, PKCE checked, errors with
 * their AADSTS codes (reference §4 "Errors").
 */
export type SimulatedSignInOptions = {
  /**
   * Redirect URIs registered on each tenant's app (web platform), by tenant key or id. A tenant
   * not listed has none: every authorize request answers AADSTS50011.
   */
  redirectUris?: Record<string, string[]>;
  /** App role values assigned to users, by tenant key or id, then user id or UPN. They appear in `roles`. */
  appRoleAssignments?: Record<string, Record<string, string[]>>;
  /** Tenants (key or id) whose app has "Assignment required": a user with no app role gets AADSTS50105. */
  assignmentRequired?: string[];
  /** Emit the `groups` claim (groupMembershipClaims: SecurityGroup). Default false. */
  groupsClaim?: boolean;
  /** Above this many groups the token carries the overage indicator instead (Entra: 200). */
  groupOverageLimit?: number;
};

type SignInUser = { id: string; userPrincipalName: string; displayName: string; mail: string; accountEnabled: boolean };
type SignInTenant = {
  key: string;
  tenantId: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  users: SignInUser[];
  groups: { id: string; memberIds: string[] }[];
};

export type IdentitySignInDeps = {
  findTenant(idOrDomain: string): SignInTenant | undefined;
  clock: Clock;
  identityError(c: Context, status: number, error: string, aadsts: number, description: string): Response;
  appCertificates(tenant: SignInTenant): RegisteredCertificate[];
  /** An app-only access token the token endpoint issued, if still known (for getMemberObjects). */
  accessToken(token: string): { tenantId: string; audience: string; expiresAt: number; roles: string[] } | undefined;
  options: SimulatedSignInOptions | undefined;
};

/** Test knobs for sign-in. */
export type IdentitySignInControl = {
  /** Sign this user (id or UPN) in at once at `authorize`, without the page; undefined: show the page. */
  autoSignIn(user: string | undefined): void;
  /** The next `authorize` answers `access_denied` (AADSTS65004), as when the user declines. */
  declineNext(): void;
  /**
   * Rolls the signing key: a new key (new `kid`) signs from now on. `keepOld` keeps the old key in
   * the JWKS (Entra publishes several); false drops it, so old tokens no longer verify.
   */
  rollKeys(options?: { keepOld?: boolean }): string;
  /** The `kid` signing now. */
  currentKid(): string;
  /** The next ID token has these claims changed (or removed, with undefined), or is signed with a key not in the JWKS. */
  tamperNextIdToken(change: { claims?: Record<string, unknown>; unpublishedKey?: boolean }): void;
  /** How many times the JWKS was read. */
  jwksReads(): number;
  /** App role values assigned to a user from now on (tenant key or id, user id or UPN). */
  assignAppRoles(tenant: string, user: string, roles: string[]): void;
};

type SigningKey = { kid: string; privateKey: KeyObject; publicKey: KeyObject };
type IssuedCode = {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string;
  expiresAt: number;
  used: boolean;
};

const CODE_LIFETIME_MS = 10 * 60_000;
const ID_TOKEN_LIFETIME_S = 3600;

const esc = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);

const matchesTenant = (tenant: SignInTenant, key: string) => key.toLowerCase() === tenant.key || key.toLowerCase() === tenant.tenantId;
const base64url = (buffer: Buffer) => buffer.toString('base64url');

/** Entra compares redirect URIs exactly, except that the port of a loopback URI is ignored (reply-url). */
function redirectUriRegistered(registered: string[], candidate: string): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  return registered.some((entry) => {
    if (entry === candidate) return true;
    const reg = new URL(entry);
    const loopback = (u: URL) =>
      u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]');
    return loopback(reg) && loopback(url) && reg.hostname === url.hostname && reg.pathname === url.pathname && reg.search === url.search;
  });
}

export function registerIdentitySignInRoutes(
  app: Hono,
  deps: IdentitySignInDeps,
): IdentitySignInControl & { redeemCode(c: Context, form: URLSearchParams, tenant: SignInTenant): Promise<Response> } {
  const { clock, identityError } = deps;
  const options = deps.options ?? {};
  const codes = new Map<string, IssuedCode>();
  const extraAssignments = new Map<string, string[]>();
  let autoUser: string | undefined;
  let declineNext = false;
  let tamper: { claims?: Record<string, unknown>; unpublishedKey?: boolean } | undefined;
  let jwksReads = 0;
  // Generated on first use: most simulator users never sign anyone in.
  let keys: SigningKey[] | undefined;
  const newKey = (): SigningKey => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { kid: base64url(randomBytes(12)), privateKey, publicKey };
  };
  const signingKeys = () => {
    keys ??= [newKey()];
    return keys;
  };

  const assignedRoles = (tenant: SignInTenant, user: SignInUser): string[] => {
    const extra = extraAssignments.get(`${tenant.tenantId}/${user.id}`);
    if (extra) return extra;
    const byTenant = Object.entries(options.appRoleAssignments ?? {}).find(([k]) => matchesTenant(tenant, k))?.[1] ?? {};
    return (
      Object.entries(byTenant).find(
        ([k]) => k.toLowerCase() === user.id || k.toLowerCase() === user.userPrincipalName.toLowerCase(),
      )?.[1] ?? []
    );
  };
  const findUser = (tenant: SignInTenant, idOrUpn: string) =>
    tenant.users.find((u) => u.id === idOrUpn.toLowerCase() || u.userPrincipalName.toLowerCase() === idOrUpn.toLowerCase());

  /** Entra's own error page: no redirect back (bad redirect URI, user not assigned, …). */
  const errorPage = (c: Context, status: number, aadsts: number, message: string) =>
    c.html(
      `<!doctype html><html lang="en"><head><title>Sign in to your account</title></head><body><main><h1>Sign in</h1><p>Sorry, but we’re having trouble signing you in.</p><p id="error">AADSTS${aadsts}: ${esc(message)}</p><p>Correlation ID: ${randomUUID()}</p></main></body></html>`,
      status as 400,
    );

  /** Back to the app with `error` (query response mode): only once the redirect URI is known good. */
  const redirectError = (
    c: Context,
    redirectUri: string,
    state: string | undefined,
    error: string,
    aadsts: number,
    description: string,
  ) => {
    const url = new URL(redirectUri);
    url.searchParams.set('error', error);
    url.searchParams.set('error_description', `AADSTS${aadsts}: ${description}`);
    if (state !== undefined) url.searchParams.set('state', state);
    return c.redirect(url.toString(), 302);
  };

  /** Validates the request as Entra does before showing anything; a Response when refused. */
  const checkAuthorize = (c: Context, params: URLSearchParams): { tenant: SignInTenant; redirectUri: string } | Response => {
    const tenant = deps.findTenant(c.req.param('tenant') ?? '');
    if (!tenant) return errorPage(c, 400, 90002, `Tenant '${c.req.param('tenant')}' not found.`);
    const clientId = params.get('client_id') ?? '';
    if (clientId !== tenant.clientId) {
      return errorPage(c, 400, 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'.`);
    }
    const redirectUri = params.get('redirect_uri') ?? '';
    const registered = Object.entries(options.redirectUris ?? {}).find(([k]) => matchesTenant(tenant, k))?.[1] ?? [];
    if (!redirectUriRegistered(registered, redirectUri)) {
      return errorPage(
        c,
        400,
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
      );
    }
    const state = params.get('state') ?? undefined;
    if (params.get('response_type') !== 'code') {
      return redirectError(c, redirectUri, state, 'unsupported_response_type', 700054, "response_type 'code' is expected here.");
    }
    const scopes = (params.get('scope') ?? '').split(' ');
    if (!scopes.includes('openid')) {
      return redirectError(c, redirectUri, state, 'invalid_request', 900144, "The request must contain the 'openid' scope for sign-in.");
    }
    const method = params.get('code_challenge_method') ?? 'plain';
    if (params.get('code_challenge') && method !== 'S256' && method !== 'plain') {
      return redirectError(c, redirectUri, state, 'invalid_request', 501491, `Invalid code_challenge_method '${method}'.`);
    }
    return { tenant, redirectUri };
  };

  /** Signs the user in: an error page or a redirect back with a code. */
  const completeSignIn = (c: Context, tenant: SignInTenant, redirectUri: string, params: URLSearchParams, login: string) => {
    const state = params.get('state') ?? undefined;
    const user = findUser(tenant, login);
    if (!user) {
      return errorPage(c, 400, 50034, `The user account ${login} does not exist in the ${tenant.displayName} directory.`);
    }
    if (!user.accountEnabled) return errorPage(c, 400, 50057, 'The user account is disabled.');
    const assignmentRequired = (options.assignmentRequired ?? []).some((k) => matchesTenant(tenant, k));
    if (assignmentRequired && assignedRoles(tenant, user).length === 0) {
      return errorPage(
        c,
        400,
        50105,
        `Your administrator has configured the application ('${tenant.clientId}') to block users unless they are specifically granted ('assigned') access to the application. The signed in user '${user.userPrincipalName}' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator.`,
      );
    }
    const code = base64url(randomBytes(32));
    codes.set(code, {
      tenantId: tenant.tenantId,
      clientId: tenant.clientId,
      redirectUri,
      userId: user.id,
      nonce: params.get('nonce') ?? undefined,
      codeChallenge: params.get('code_challenge') ?? undefined,
      codeChallengeMethod: params.get('code_challenge_method') ?? 'plain',
      expiresAt: clock.now() + CODE_LIFETIME_MS,
      used: false,
    });
    const url = new URL(redirectUri);
    url.searchParams.set('code', code);
    if (state !== undefined) url.searchParams.set('state', state);
    url.searchParams.set('session_state', randomUUID());
    return c.redirect(url.toString(), 302);
  };

  app.get('/:tenant/oauth2/v2.0/authorize', (c) => {
    const params = new URL(c.req.url).searchParams;
    const checked = checkAuthorize(c, params);
    if (checked instanceof Response) return checked;
    const { tenant, redirectUri } = checked;
    if (declineNext) {
      declineNext = false;
      return redirectError(
        c,
        redirectUri,
        params.get('state') ?? undefined,
        'access_denied',
        65004,
        'User declined to consent to access the app.',
      );
    }
    if (autoUser) return completeSignIn(c, tenant, redirectUri, params, autoUser);
    const hidden = [...params.entries()].map(([name, value]) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`).join('');
    return c.html(
      `<!doctype html><html lang="en"><head><title>Sign in to your account</title></head><body><main>
<h1>Sign in to ${esc(tenant.displayName)}</h1>
<p>Simulated Microsoft sign-in: choose who signs in.</p>
<form method="post"><label for="login">Account</label>
<select id="login" name="login">${tenant.users.map((u) => `<option value="${esc(u.userPrincipalName)}">${esc(u.displayName)} (${esc(u.userPrincipalName)})</option>`).join('')}</select>
${hidden}<button type="submit" name="action" value="signin">Sign in</button> <button type="submit" name="action" value="cancel">Cancel</button></form>
</main></body></html>`,
    );
  });

  app.post('/:tenant/oauth2/v2.0/authorize', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const checked = checkAuthorize(c, form);
    if (checked instanceof Response) return checked;
    if (form.get('action') === 'cancel') {
      return redirectError(
        c,
        checked.redirectUri,
        form.get('state') ?? undefined,
        'access_denied',
        65004,
        'User declined to consent to access the app.',
      );
    }
    return completeSignIn(c, checked.tenant, checked.redirectUri, form, form.get('login') ?? '');
  });

  app.get('/:tenant/discovery/v2.0/keys', async (c) => {
    const tenant = deps.findTenant(c.req.param('tenant'));
    if (!tenant) return identityError(c, 400, 'invalid_tenant', 90002, `Tenant '${c.req.param('tenant')}' not found.`);
    jwksReads++;
    const published = await Promise.all(
      signingKeys().map(async (key) => ({
        ...(await exportJWK(key.publicKey)),
        kid: key.kid,
        use: 'sig',
        kty: 'RSA',
        issuer: `${new URL(c.req.url).origin}/${tenant.tenantId}/v2.0`,
      })),
    );
    return c.json({ keys: published });
  });

  /**
   * Graph `POST /users/{id}/getMemberObjects` (user-getmemberobjects), for the group-overage case:
   * an app-only token of the user's tenant with a directory read permission.
   */
  app.post('/v1.0/users/:id/getMemberObjects', async (c) => {
    const token = (c.req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');
    const issued = token ? deps.accessToken(token) : undefined;
    if (!issued || issued.expiresAt <= clock.now()) {
      return c.json({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } }, 401);
    }
    const allowed = [
      'GroupMember.Read.All',
      'Group.Read.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
      'User.Read.All',
      'User.ReadWrite.All',
    ];
    if (!issued.roles.some((role) => allowed.includes(role))) {
      return c.json({ error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } }, 403);
    }
    const tenant = deps.findTenant(issued.tenantId);
    const user = tenant && findUser(tenant, c.req.param('id'));
    if (!tenant || !user) {
      return c.json(
        {
          error: {
            code: 'Request_ResourceNotFound',
            message: `Resource '${c.req.param('id')}' does not exist or one of its queried reference-property objects are not present.`,
          },
        },
        404,
      );
    }
    return c.json({
      '@odata.context': `${new URL(c.req.url).origin}/v1.0/$metadata#Collection(Edm.String)`,
      value: tenant.groups.filter((g) => g.memberIds.includes(user.id)).map((g) => g.id),
    });
  });

  /**
   * The `authorization_code` grant, called by the token route after it found the tenant. Client
   * authentication as for client credentials: the secret, or a certificate's assertion.
   */
  const redeemCode = async (c: Context, form: URLSearchParams, tenant: SignInTenant): Promise<Response> => {
    const clientId = form.get('client_id') ?? '';
    if (clientId !== tenant.clientId) {
      return identityError(
        c,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'.`,
      );
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (assertion) {
      if (form.get('client_assertion_type') !== JWT_BEARER_ASSERTION_TYPE) {
        return identityError(c, 400, 'invalid_request', 0, `The client_assertion_type must be '${JWT_BEARER_ASSERTION_TYPE}'.`);
      }
      const origin = new URL(c.req.url).origin;
      const refusal = checkClientAssertion({
        assertion,
        clientId,
        certificates: deps.appCertificates(tenant),
        now: clock.now(),
        audienceMatches: (aud) => {
          const match = /^(https?:\/\/[^/]+)\/([^/?#]+)\/oauth2\/v2\.0\/token$/i.exec(aud);
          return !!match && match[1]?.toLowerCase() === origin.toLowerCase() && deps.findTenant(match[2] ?? '') === tenant;
        },
      });
      if (refusal) return identityError(c, refusal.status, refusal.error, refusal.aadsts, refusal.description);
    } else if (!secret) {
      return identityError(
        c,
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    } else if (!constantTimeEquals(secret, tenant.clientSecret)) {
      return identityError(c, 401, 'invalid_client', 7000215, `Invalid client secret provided for app '${clientId}'.`);
    }
    const codeValue = form.get('code') ?? '';
    const code = codes.get(codeValue);
    if (!code || code.tenantId !== tenant.tenantId || code.clientId !== clientId) {
      return identityError(c, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    }
    if (code.used) {
      return identityError(
        c,
        400,
        'invalid_grant',
        54005,
        'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      );
    }
    code.used = true;
    if (clock.now() > code.expiresAt) {
      return identityError(
        c,
        400,
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity.',
      );
    }
    if (form.get('redirect_uri') !== code.redirectUri) {
      return identityError(c, 400, 'invalid_grant', 50148, 'The redirect_uri does not match the one used in the authorization request.');
    }
    if (code.codeChallenge) {
      const verifier = form.get('code_verifier') ?? '';
      const expected = code.codeChallengeMethod === 'S256' ? base64url(createHash('sha256').update(verifier).digest()) : verifier;
      if (!verifier || expected !== code.codeChallenge) {
        return identityError(
          c,
          400,
          'invalid_grant',
          501481,
          'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
      }
    }
    const user = tenant.users.find((u) => u.id === code.userId);
    if (!user) return identityError(c, 400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
    const now = Math.floor(clock.now() / 1000);
    const origin = new URL(c.req.url).origin;
    const roles = assignedRoles(tenant, user);
    const groups = tenant.groups.filter((g) => g.memberIds.includes(user.id)).map((g) => g.id);
    const overage = groups.length > (options.groupOverageLimit ?? 200);
    const claims: Record<string, unknown> = {
      aud: clientId,
      iss: `${origin}/${tenant.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + ID_TOKEN_LIFETIME_S,
      ...(code.nonce !== undefined ? { nonce: code.nonce } : {}),
      name: user.displayName,
      preferred_username: user.userPrincipalName,
      email: user.mail,
      oid: user.id,
      // Pairwise per app, as Entra's `sub`.
      sub: base64url(createHash('sha256').update(`${user.id}/${clientId}`).digest()).slice(0, 43),
      tid: tenant.tenantId,
      ver: '2.0',
      ...(roles.length > 0 ? { roles } : {}),
      ...(options.groupsClaim && !overage ? { groups } : {}),
      ...(options.groupsClaim && overage
        ? {
            _claim_names: { groups: 'src1' },
            _claim_sources: { src1: { endpoint: `https://graph.windows.net/${tenant.tenantId}/users/${user.id}/getMemberObjects` } },
          }
        : {}),
    };
    const change = tamper;
    tamper = undefined;
    for (const [name, value] of Object.entries(change?.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    const current = signingKeys()[0] as SigningKey;
    const signer = change?.unpublishedKey ? { ...newKey(), kid: current.kid } : current;
    const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: signer.kid }).sign(signer.privateKey);
    return c.json({
      token_type: 'Bearer',
      scope: 'openid profile email',
      expires_in: 3599,
      ext_expires_in: 3599,
      // Opaque here: the toolbox reads nothing with it.
      access_token: base64url(randomBytes(32)),
      id_token: idToken,
    });
  };

  return Object.assign(
    {
      autoSignIn(user: string | undefined) {
        autoUser = user;
      },
      declineNext() {
        declineNext = true;
      },
      rollKeys({ keepOld = false } = {}) {
        const key = newKey();
        keys = keepOld ? [key, ...signingKeys()] : [key];
        return key.kid;
      },
      currentKid: () => (signingKeys()[0] as SigningKey).kid,
      tamperNextIdToken(change: { claims?: Record<string, unknown>; unpublishedKey?: boolean }) {
        tamper = change;
      },
      jwksReads: () => jwksReads,
      assignAppRoles(tenantKey: string, userKey: string, roles: string[]) {
        const tenant = deps.findTenant(tenantKey);
        const user = tenant && findUser(tenant, userKey);
        if (!tenant || !user) throw new Error(`no user ${userKey} in tenant ${tenantKey}`);
        extraAssignments.set(`${tenant.tenantId}/${user.id}`, roles);
      },
    },
    { redeemCode },
  );
}
