/**
 * The slice of `oidc-provider` (a dev dependency, shipped without types) the sign-in tests use:
 * a standards-compliant OpenID provider on loopback (docs/reference microsoft-identity.md §5).
 */
declare module 'oidc-provider' {
  import type { Server } from 'node:http';

  type Account = { accountId: string; claims: () => Promise<Record<string, unknown>> };

  export type ProviderConfiguration = {
    clients?: Record<string, unknown>[];
    findAccount?: (ctx: unknown, id: string) => Promise<Account | undefined>;
    claims?: Record<string, string[]>;
    scopes?: string[];
    conformIdTokenClaims?: boolean;
    pkce?: { required?: () => boolean };
    cookies?: { keys?: string[] };
    [key: string]: unknown;
  };

  export default class Provider {
    constructor(issuer: string, configuration?: ProviderConfiguration);
    listen(port: number, host?: string): Server;
  }
}
