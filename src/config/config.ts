import type { MicrosoftAppConfig, OidcProviderConfig } from './sign-in-providers-schema.js';

/** The validated configuration the rest of the service reads. Nothing else reads process.env. */
export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export type DirectoryConfig = {
  id: string;
  kind: string;
  name: string;
  /** PSA company ids this directory serves. */
  psaCompanyIds: string[];
  /** When false (the default), users holding a directory role are refused. */
  allowPrivilegedTargets: boolean;
  /** Per form name, this customer's defaults, already checked against the form's schema. */
  formDefaults: Record<string, unknown>;
  /** The connector's own settings, validated by its schema. */
  settings: unknown;
};

export type UserSeed = { email: string; password: string; role: 'admin' | 'technician'; name?: string };

export type Config = {
  /** `file` when TOOLBOX_CONFIG was given, `demo` for the built-in sandbox. */
  source: 'file' | 'demo';
  configPath?: string;
  host: string;
  port: number;
  /** Base of screen-pop URLs and redirects, without a trailing slash. */
  publicUrl: string;
  dataDir: string;
  database: DatabaseConfig;
  /** Which job engine runs executions; left out, pg-boss on PostgreSQL and the store queue on SQLite. */
  jobEngine?: 'store' | 'pg-boss';
  logLevel: string;
  /**
   * Addresses or subnets of reverse proxies in front of the toolbox. Only a request from one of
   * them has its X-Forwarded-For read (for the sign-in throttle); empty: the socket's address.
   */
  trustedProxies: string[];
  screenpop: { secret?: string };
  /** Absent when the file leaves the PSA to the admin console. */
  psa: { kind: string; settings: unknown } | undefined;
  directories: DirectoryConfig[];
  users: UserSeed[];
  /** `enabled` is undefined when the file does not say: the admin console decides. */
  forms: { enabled: string[] | undefined };
  /** The file's values, or the defaults: the console may override those the file leaves out (see `explicit`). */
  launch: { ttlMinutes: number; psaTimeoutMs: number };
  session: { ttlHours: number };
  /** Days kept before the periodic purge removes them; executions 0 = for ever (docs/operations.md). */
  retention: { launchesDays: number; jobsDays: number; executionsDays: number };
  /** `/metrics` needs this bearer token when set (resolved from its `env:` reference). */
  metrics: { bearerToken?: string };
  /** The MSP's Microsoft app (`microsoft`), validated; undefined when not configured. */
  microsoft: MicrosoftAppConfig | undefined;
  /** Another OpenID provider for technician sign-in (`oidc`); undefined when not configured. */
  oidc: OidcProviderConfig | undefined;
  /** SIGTERM/SIGINT: how long to wait for requests and running steps before handing the rest back. */
  shutdown: { drainTimeoutMs: number };
  /** Which of the general settings the file sets itself (read-only in the console). */
  explicit: {
    launchTtlMinutes: boolean;
    psaTimeoutMs: boolean;
    sessionTtlHours: boolean;
    launchRetentionDays: boolean;
    jobRetentionDays: boolean;
    executionRetentionDays: boolean;
  };
};
