import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { connectorCapabilities } from '../connectors/directory/directory-capabilities.js';
import type { DirectoryConnector } from '../connectors/directory/types.js';
import type { PsaConnector } from '../connectors/psa/types.js';
import { ownEntry } from '../lib/own-entry.js';
import type { Config, DatabaseConfig } from './config.js';
import { configFileSchema, GENERAL_DEFAULTS } from './config-schema.js';
import { readMicrosoftBlock, readOidcBlock } from './read-sign-in-providers.js';
import { resolveEnvReferences } from './resolve-env-references.js';

/** Thrown when the configuration is wrong; the message lists every problem, one per line. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`Configuration problem${problems.length > 1 ? 's' : ''} in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type LoadConfigOptions = {
  env: Record<string, string | undefined>;
  psaConnectors: Record<string, PsaConnector<unknown>>;
  directoryConnectors: Record<string, DirectoryConnector<unknown>>;
  /** Names of the forms this build can run; `forms.enabled` may only list these. */
  availableForms: string[];
  /** Each form's schema for per-customer defaults (`directories[].formDefaults.<form>`). */
  formDefaultsSchemas?: Record<string, z.ZodType<unknown>>;
  /** Used when TOOLBOX_CONFIG is not set: the demo sandbox's configuration object. */
  demoConfig?: () => unknown;
  cwd?: string;
};

function formatIssues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    // `directories[0].tenantId`, as an admin would write it, not zod's `directories.0.tenantId`.
    const path = [prefix, ...issue.path.map(String)]
      .filter(Boolean)
      .join('.')
      .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      return `${[path, keys[0]].filter(Boolean).join('.')}: is not a known setting${keys.length > 1 ? ` (also: ${keys.slice(1).join(', ')})` : ''}. Check the spelling against docs/configuration.md.`;
    }
    return `${path || '(top level)'}: ${issue.message}`;
  });
}

function parseDatabase(value: string | undefined, dataDir: string): DatabaseConfig {
  if (value && /^postgres(ql)?:\/\//.test(value)) return { kind: 'postgres', url: value };
  if (value) return { kind: 'sqlite', path: value === ':memory:' ? value : resolve(value.replace(/^sqlite:(\/\/)?/, '')) };
  return { kind: 'sqlite', path: resolve(dataDir, 'toolbox.sqlite') };
}

/**
 * Reads `TOOLBOX_CONFIG` (YAML or JSON), resolves `env:NAME` references, and validates everything,
 * connector blocks included. Every problem is reported at once, each naming the key and what is
 * expected, so an admin fixes the file in one pass.
 */
export function loadConfig(options: LoadConfigOptions): Config {
  const { env } = options;
  const cwd = options.cwd ?? process.cwd();
  const configPath = env.TOOLBOX_CONFIG ? resolve(cwd, env.TOOLBOX_CONFIG) : undefined;
  const sourceName = configPath ?? 'the demo configuration';

  let raw: unknown;
  if (configPath) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (error) {
      throw new ConfigError(configPath, [
        `TOOLBOX_CONFIG points at a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      ]);
    }
    try {
      raw = configPath.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new ConfigError(configPath, [
        `the file is not valid ${configPath.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      ]);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(configPath, ['the file must contain a mapping of settings (see docs/configuration.md).']);
    }
  } else if (options.demoConfig) {
    raw = options.demoConfig();
  } else {
    throw new ConfigError('the environment', ['TOOLBOX_CONFIG is not set and no demo configuration is available.']);
  }

  const resolved = resolveEnvReferences(raw, env);
  const problems = resolved.problems.map((p) => `${p.path}: ${p.message}`);
  const parsed = configFileSchema.safeParse(resolved.value);
  if (!parsed.success) {
    problems.push(...formatIssues('', parsed.error));
    throw new ConfigError(sourceName, problems);
  }
  const file = parsed.data;

  const psaConnector = file.psa ? ownEntry(options.psaConnectors, file.psa.kind) : undefined;
  let psaSettings: unknown;
  if (!file.psa) {
    // Left to the admin console.
  } else if (!psaConnector) {
    problems.push(`psa.kind: "${file.psa.kind}" is not a known PSA. Known: ${Object.keys(options.psaConnectors).join(', ')}.`);
  } else {
    const { kind: _kind, ...rest } = file.psa;
    const result = psaConnector.settings.safeParse(rest);
    if (result.success) psaSettings = result.data;
    else problems.push(...formatIssues('psa', result.error));
  }

  const seenDirectoryIds = new Set<string>();
  const companyOwner = new Map<string, { id: string; side: 'cloud' | 'on-premises' }[]>();
  const directories = file.directories.map((entry, index) => {
    const { id, kind, name, psaCompanyIds, allowPrivilegedTargets, formDefaults: rawFormDefaults, ...rest } = entry;
    const at = `directories[${index}]`;
    const formDefaults: Record<string, unknown> = {};
    for (const [formName, value] of Object.entries(rawFormDefaults)) {
      const schema = ownEntry(options.formDefaultsSchemas, formName);
      if (!schema) {
        problems.push(
          `${at}.formDefaults.${formName}: no form with this name takes defaults. Forms that do: ${Object.keys(options.formDefaultsSchemas ?? {}).join(', ') || 'none'}.`,
        );
        continue;
      }
      const result = schema.safeParse(value);
      if (result.success) formDefaults[formName] = result.data;
      else problems.push(...formatIssues(`${at}.formDefaults.${formName}`, result.error));
    }
    if (seenDirectoryIds.has(id)) problems.push(`${at}.id: "${id}" is used twice; each directory needs its own id.`);
    seenDirectoryIds.add(id);
    const connector = ownEntry(options.directoryConnectors, kind);
    // A hybrid company has two: its cloud directory and the on-prem one its users are synced from.
    const side = connector && connectorCapabilities(connector).has('syncSource') ? 'on-premises' : 'cloud';
    for (const companyId of psaCompanyIds) {
      const owners = companyOwner.get(companyId) ?? [];
      const sameSide = owners.find((owner) => owner.side === side);
      if (sameSide)
        problems.push(
          `${at}.psaCompanyIds: PSA company ${companyId} is already served by directory "${sameSide.id}". A company has one directory, or two for a hybrid customer: one cloud (Microsoft 365) and one on-premises (Active Directory).`,
        );
      companyOwner.set(companyId, [...owners, { id, side }]);
    }
    let settings: unknown;
    if (!connector) {
      problems.push(`${at}.kind: "${kind}" is not a known directory kind. Known: ${Object.keys(options.directoryConnectors).join(', ')}.`);
    } else {
      const result = connector.settings.safeParse(rest);
      if (result.success) settings = result.data;
      else problems.push(...formatIssues(at, result.error));
    }
    return { id, kind, name: name ?? id, psaCompanyIds, allowPrivilegedTargets, formDefaults, settings };
  });

  const enabled = file.forms?.enabled;
  for (const form of enabled ?? []) {
    if (!options.availableForms.includes(form)) {
      problems.push(`forms.enabled: "${form}" is not available in this version. Available: ${options.availableForms.join(', ')}.`);
    }
  }

  const microsoft = file.microsoft ? readMicrosoftBlock(file.microsoft, configPath ? dirname(configPath) : cwd, problems) : undefined;
  const oidc = file.oidc ? readOidcBlock(file.oidc) : undefined;

  const port = env.PORT !== undefined ? Number(env.PORT) : (file.port ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT: "${env.PORT}" is not a port number (0–65535).`);
  if (problems.length > 0) throw new ConfigError(sourceName, problems);

  const host = env.HOST ?? file.host ?? '127.0.0.1';
  const dataDir = resolve(cwd, env.TOOLBOX_DATA_DIR ?? file.dataDir ?? 'data');
  const displayHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const publicUrl = (env.TOOLBOX_PUBLIC_URL ?? file.publicUrl ?? `http://${displayHost}:${port}`).replace(/\/+$/, '');

  return {
    source: configPath ? 'file' : 'demo',
    ...(configPath ? { configPath } : {}),
    host,
    port,
    publicUrl,
    dataDir,
    database: parseDatabase(env.DATABASE_URL ?? file.database, dataDir),
    ...(file.jobEngine ? { jobEngine: file.jobEngine } : {}),
    logLevel: env.LOG_LEVEL ?? file.logLevel ?? 'info',
    trustedProxies: file.trustedProxies,
    screenpop: file.screenpop?.secret ? { secret: file.screenpop.secret } : {},
    psa: file.psa ? { kind: file.psa.kind, settings: psaSettings } : undefined,
    directories,
    users: file.users,
    forms: { enabled },
    launch: {
      ttlMinutes: file.launch?.ttlMinutes ?? GENERAL_DEFAULTS.launchTtlMinutes,
      psaTimeoutMs: file.launch?.psaTimeoutMs ?? GENERAL_DEFAULTS.psaTimeoutMs,
    },
    session: { ttlHours: file.session?.ttlHours ?? GENERAL_DEFAULTS.sessionTtlHours },
    retention: {
      launchesDays: file.retention?.launchesDays ?? GENERAL_DEFAULTS.launchRetentionDays,
      jobsDays: file.retention?.jobsDays ?? GENERAL_DEFAULTS.jobRetentionDays,
      executionsDays: file.retention?.executionsDays ?? GENERAL_DEFAULTS.executionRetentionDays,
    },
    metrics: file.metrics?.bearerToken ? { bearerToken: file.metrics.bearerToken } : {},
    microsoft,
    oidc,
    shutdown: { drainTimeoutMs: Math.round((file.shutdown?.drainTimeoutSeconds ?? 25) * 1000) },
    explicit: {
      launchTtlMinutes: file.launch?.ttlMinutes !== undefined,
      psaTimeoutMs: file.launch?.psaTimeoutMs !== undefined,
      sessionTtlHours: file.session?.ttlHours !== undefined,
      launchRetentionDays: file.retention?.launchesDays !== undefined,
      jobRetentionDays: file.retention?.jobsDays !== undefined,
      executionRetentionDays: file.retention?.executionsDays !== undefined,
    },
  };
}
