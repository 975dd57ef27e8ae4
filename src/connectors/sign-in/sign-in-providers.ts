import type { Config } from '../../config/config.js';
import type { MicrosoftAppConfig, SignInRoles } from '../../config/sign-in-providers-schema.js';
import type { ExternalIdentity } from '../../domain/auth/external-sign-in.js';
import type { Clock } from '../../lib/clock.js';
import type { FetchLike } from '../../lib/http-fetch.js';
import type { Logger } from '../../lib/logger.js';
import { createEntraTokenProvider, type EntraTokenProvider } from '../directory/entra/entra-token-provider.js';
import { createOidcSignInClient, SignInFailure, type SignInPending } from './oidc-sign-in-client.js';

export type SignInProviderKind = 'microsoft' | 'oidc';

/** One configured way to sign in with an outside account (the buttons on /login). */
export type SignInProvider = {
  kind: SignInProviderKind;
  /** The button's text. */
  buttonLabel: string;
  /** Who the provider is, in a refusal page's words. */
  providerName: string;
  roles: SignInRoles;
  start(): Promise<{ url: string; pending: SignInPending }>;
  /** The verified user behind the callback; throws SignInFailure. */
  finish(callbackQuery: URLSearchParams, pending: SignInPending): Promise<ExternalIdentity>;
};

export type SignInProviders = Partial<Record<SignInProviderKind, SignInProvider>>;

export type SignInProvidersDeps = {
  config: Pick<Config, 'microsoft' | 'oidc' | 'publicUrl'>;
  fetch: FetchLike;
  clock: Clock;
  logger: Logger;
  /** Least time between JWKS fetches for an unknown `kid` (tests shorten it). */
  jwksCooldownMs?: number;
};

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

export const signInRedirectUri = (publicUrl: string, kind: SignInProviderKind) => `${publicUrl}/auth/${kind}/callback`;

/**
 * The sign-in providers the configuration enables: Microsoft (the MSP's app, against the MSP's
 * own tenant; offered only with `microsoft.roles`) and another OpenID provider (`oidc`).
 */
export function createSignInProviders(deps: SignInProvidersDeps): SignInProviders {
  const providers: SignInProviders = {};
  const { microsoft, oidc } = deps.config;
  if (microsoft?.roles) providers.microsoft = microsoftProvider(microsoft, microsoft.roles, deps);
  if (oidc) {
    const client = createOidcSignInClient({
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      ...(oidc.clientSecret ? { clientSecret: oidc.clientSecret } : {}),
      redirectUri: signInRedirectUri(deps.config.publicUrl, 'oidc'),
      scopes: oidc.scopes,
      fetch: deps.fetch,
      ...(deps.jwksCooldownMs !== undefined ? { jwksCooldownMs: deps.jwksCooldownMs } : {}),
    });
    providers.oidc = {
      kind: 'oidc',
      buttonLabel: `Sign in with ${oidc.label}`,
      providerName: oidc.label,
      roles: oidc.roles,
      start: () => client.start(),
      async finish(query, pending) {
        const claims = await client.finish(query, pending);
        // The roles claim and the e-mail may be only in UserInfo (providers that keep ID tokens
        // lean, as the spec has it); the ID token's own claims win where both have one.
        const lean = claims[oidc.rolesClaim] === undefined || claims.email === undefined;
        const all: Record<string, unknown> = lean ? { ...(await claims.userInfo()), ...claims } : claims;
        return {
          kind: 'oidc',
          provider: `oidc:${claims.iss}`,
          subject: String(claims.sub),
          // An address the provider says it has not verified is not used to find an account.
          email: all.email_verified === false ? undefined : text(all.email),
          name: text(all.name) ?? text(all.preferred_username),
          roleValues: stringList(all[oidc.rolesClaim]),
        };
      },
    };
  }
  return providers;
}

/**
 * The providers as they are now: the `oidc` block's (built once: it is only in the file) and
 * Microsoft's from the MSP app in force (the file's or the one saved in the console), rebuilt when
 * that app changes (`key`: its source and revision), so "Sign in with Microsoft" is offered as soon
 * as an app with roles is saved, on every instance, and follows a new credential.
 */
export function createLiveSignInProviders(
  deps: SignInProvidersDeps & { microsoftApp: () => { key: string; config: MicrosoftAppConfig } | undefined },
): () => SignInProviders {
  const { oidc } = createSignInProviders({ ...deps, config: { ...deps.config, microsoft: undefined } });
  let built: { key: string; provider: SignInProvider | undefined } | undefined;
  return () => {
    const current = deps.microsoftApp();
    const key = current?.key ?? '';
    if (built?.key !== key) {
      const roles = current?.config.roles;
      built = { key, provider: current && roles ? microsoftProvider(current.config, roles, deps) : undefined };
    }
    return { ...(built.provider ? { microsoft: built.provider } : {}), ...(oidc ? { oidc } : {}) };
  };
}

function microsoftProvider(app: MicrosoftAppConfig, roles: SignInRoles, deps: SignInProvidersDeps): SignInProvider {
  // The tenant's own authority, never /organizations: the issuer is then fixed (reference §4).
  const issuer = `${app.authorityHost}/${app.tenantId}/v2.0`;
  const client = createOidcSignInClient({
    issuer,
    clientId: app.clientId,
    ...(app.clientSecret ? { clientSecret: app.clientSecret } : {}),
    ...(app.privateKey && app.certificateInfo
      ? { certificate: { privateKeyPem: app.privateKey, thumbprintSha256Hex: app.certificateInfo.thumbprintSha256 } }
      : {}),
    redirectUri: signInRedirectUri(deps.config.publicUrl, 'microsoft'),
    scopes: ['openid', 'profile', 'email'],
    fetch: deps.fetch,
    ...(deps.jwksCooldownMs !== undefined ? { jwksCooldownMs: deps.jwksCooldownMs } : {}),
  });
  let graphToken: EntraTokenProvider | undefined;
  const appToken = () => {
    graphToken ??= createEntraTokenProvider({
      settings: { ...app, exchangeUrl: new URL(app.graphUrl).origin, timeoutMs: 10_000 },
      fetch: deps.fetch,
      clock: deps.clock,
      logger: deps.logger,
    });
    return graphToken.getToken();
  };

  /** Above 200 groups Entra leaves them out of the token: Graph lists them (reference §4, overage). */
  const overageGroups = async (oid: string): Promise<string[]> => {
    const response = await deps.fetch(`${app.graphUrl}/v1.0/users/${encodeURIComponent(oid)}/getMemberObjects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await appToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ securityEnabledOnly: false }),
    });
    if (!response.ok) {
      throw new SignInFailure(
        'provider-error',
        `Graph getMemberObjects answered ${response.status}: the MSP app needs GroupMember.Read.All (application) to read the groups of users in more than 200 groups`,
      );
    }
    const body = (await response.json()) as { value?: unknown };
    return stringList(body.value);
  };

  return {
    kind: 'microsoft',
    buttonLabel: 'Sign in with Microsoft',
    providerName: 'Microsoft',
    roles,
    start: () => client.start(),
    async finish(query, pending) {
      const claims = await client.finish(query, pending);
      if (String(claims.tid ?? '').toLowerCase() !== app.tenantId) {
        throw new SignInFailure('wrong-tenant', `the ID token is for tenant ${String(claims.tid)}, not the MSP's tenant ${app.tenantId}`);
      }
      const oid = text(claims.oid);
      if (!oid) throw new SignInFailure('id-token-invalid', 'the ID token has no oid claim');
      const claimNames = claims._claim_names as Record<string, unknown> | undefined;
      const groups = claimNames?.groups ? await overageGroups(oid) : stringList(claims.groups);
      return {
        kind: 'microsoft',
        provider: `microsoft:${app.tenantId}`,
        subject: oid,
        email: text(claims.email) ?? (text(claims.preferred_username)?.includes('@') ? text(claims.preferred_username) : undefined),
        name: text(claims.name),
        roleValues: [...stringList(claims.roles), ...groups],
      };
    },
  };
}
