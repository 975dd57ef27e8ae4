import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../config/load-config.js';
import { resolveEnvReferences } from '../config/resolve-env-references.js';
import { type ActiveDirectorySettings, activeDirectorySettingsSchema } from '../connectors/directory/active-directory/ad-settings.js';

/** The agent's file (agent.yaml), once read and checked: what it connects to, and its domain. */
export type AgentConfig = {
  /** The toolbox's public URL, e.g. https://toolbox.example.com. */
  server: string;
  token: string;
  /** How the toolbox's console names this agent: `name`, else the host name. */
  name: string;
  /** The domain controller, exactly as a direct connection's settings (the same checks). */
  ldap: Extract<ActiveDirectorySettings, { connection: 'direct' }>;
  /** Operations run at once. */
  concurrency: number;
  logLevel: string;
};

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

const fileSchema = z.strictObject({
  server: z
    .string()
    .trim()
    .transform((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.issues.push({ code: 'custom', message: 'is the toolbox’s public URL, e.g. https://toolbox.example.com', input: value });
        return z.NEVER;
      }
      // The link carries passwords being set: only ever over TLS, except to this machine itself.
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
        ctx.issues.push({ code: 'custom', message: 'must start with https:// (http:// only to localhost)', input: value });
        return z.NEVER;
      }
      return url.origin + url.pathname.replace(/\/+$/, '');
    }),
  token: z
    .string()
    .min(32, 'is the agent token from the admin console (Directories → the directory → On-prem agent), at least 32 characters'),
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^/]+$/, 'may not contain "/"')
    .optional(),
  ldap: z.record(z.string(), z.unknown(), { error: 'is required: { url, username, password, baseDn, caCertificate? }' }),
  concurrency: z.number().int().min(1).max(32).default(4),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

const issueLines = (prefix: string, error: z.ZodError) =>
  error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys')
      return `${[path, ...(issue as { keys: string[] }).keys].filter(Boolean).join('.')}: is not a known setting of agent.yaml (see docs/active-directory.md).`;
    return `${path || '(top level)'}: ${issue.message}`;
  });

/**
 * Reads agent.yaml: `server`, `token`, `ldap: { url, username, password, baseDn, caCertificate?,
 * timeoutMs? }`, optional `name`, `concurrency`, `logLevel`. Secrets may be `env:NAME` references as
 * in the toolbox's own file. Every problem is reported at once, naming the key.
 */
export function loadAgentConfig(path: string, env: Record<string, string | undefined>): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [
      `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); give the path of agent.yaml with --config.`,
    ]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(path, [`the file is not valid YAML: ${(error as Error).message}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(path, ['the file must hold a mapping: server, token, ldap (see docs/active-directory.md).']);
  }
  const resolved = resolveEnvReferences(raw, env);
  const problems = resolved.problems.map((problem) => `${problem.path}: ${problem.message}`);
  const parsed = fileSchema.safeParse(resolved.value);
  if (!parsed.success) throw new ConfigError(path, [...problems, ...issueLines('', parsed.error)]);
  const ldap = activeDirectorySettingsSchema.safeParse({ ...parsed.data.ldap, connection: 'direct' });
  if (!ldap.success) problems.push(...issueLines('ldap', ldap.error));
  if (problems.length > 0 || !ldap.success || ldap.data.connection !== 'direct') throw new ConfigError(path, problems);
  return {
    server: parsed.data.server,
    token: parsed.data.token,
    name: parsed.data.name ?? hostname(),
    ldap: ldap.data,
    concurrency: parsed.data.concurrency,
    logLevel: parsed.data.logLevel,
  };
}
