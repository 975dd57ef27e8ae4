import { isIP } from 'node:net';
import { z } from 'zod';
import { microsoftBlockSchema, oidcBlockSchema } from './sign-in-providers-schema.js';

/** `192.0.2.1`, `2001:db8::1`, or a subnet `10.0.0.0/8`, `fd00::/8`. */
function isAddressOrSubnet(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}

/**
 * The shape of the configuration file before connector-specific blocks are checked. Connector
 * settings (`psa`, each entry of `directories`) are validated by the connector's own schema in
 * `load-config.ts`, so a new connector brings its own settings without touching this file.
 */
const idList = z.array(z.union([z.string().min(1), z.number().int().positive()]).transform(String));

/**
 * The general settings the admin console can set too (when the file does not): the same bounds in
 * both places, so the console accepts exactly what the file would.
 */
export const launchTtlMinutesSchema = z
  .number()
  .int('Enter whole minutes.')
  .min(1, 'At least 1 minute.')
  .max(24 * 60, 'At most 1440 minutes (a day).');
export const psaTimeoutMsSchema = z
  .number()
  .int('Enter whole milliseconds.')
  .min(500, 'At least 500 ms.')
  .max(120_000, 'At most 120000 ms.');
export const sessionTtlHoursSchema = z
  .number()
  .min(0.25, 'At least 0.25 hours (15 minutes).')
  .max(24 * 30, 'At most 720 hours (30 days).');

/** Retention: how many days launches, finished jobs and finished executions are kept (docs/operations.md). */
export const launchRetentionDaysSchema = z.number().int('Enter whole days.').min(1, 'At least 1 day.').max(3650, 'At most 3650 days.');
export const jobRetentionDaysSchema = z.number().int('Enter whole days.').min(1, 'At least 1 day.').max(3650, 'At most 3650 days.');
/** 0 keeps executions for ever (the default): they are the record of what was changed for whom. */
export const executionRetentionDaysSchema = z
  .number()
  .int('Enter whole days.')
  .min(0, 'At least 0 (0 keeps them for ever).')
  .max(36500, 'At most 36500 days.');

/** Defaults when neither the file nor the console sets them. */
export const GENERAL_DEFAULTS = {
  launchTtlMinutes: 30,
  psaTimeoutMs: 10_000,
  sessionTtlHours: 12,
  launchRetentionDays: 30,
  jobRetentionDays: 7,
  executionRetentionDays: 0,
} as const;

export const configFileSchema = z.strictObject({
  database: z.string().min(1).optional().describe('postgres://… URL or a SQLite file path'),
  jobEngine: z.enum(['store', 'pg-boss']).optional().describe('store (the only one on SQLite) or pg-boss (PostgreSQL; the default there)'),
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(0).max(65535).optional(),
  dataDir: z.string().min(1).optional(),
  trustedProxies: z
    .array(
      z
        .string()
        .trim()
        .refine(isAddressOrSubnet, 'must be an IP address or a subnet such as 10.0.0.0/8 (the reverse proxy in front of the toolbox)'),
    )
    .default([])
    .describe('Reverse proxies whose X-Forwarded-For is believed'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  screenpop: z
    .strictObject({
      secret: z.string().min(8, 'must be at least 8 characters').optional(),
    })
    .optional(),
  psa: z.looseObject({ kind: z.string().min(1) }).optional(),
  directories: z
    .array(
      z.looseObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes, e.g. "contoso"'),
        kind: z.string().min(1),
        name: z.string().min(1).optional(),
        psaCompanyIds: idList.default([]),
        allowPrivilegedTargets: z.boolean().default(false),
        /** Per form, the customer's defaults; each form's own schema checks them in load-config. */
        formDefaults: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .default([]),
  users: z
    .array(
      z.strictObject({
        email: z.email(),
        password: z.string().min(12, 'must be at least 12 characters'),
        role: z.enum(['admin', 'technician']).default('technician'),
        name: z.string().min(1).optional(),
      }),
    )
    .default([]),
  forms: z
    .strictObject({
      enabled: z.array(z.string()).optional(),
    })
    .optional(),
  launch: z
    .strictObject({
      ttlMinutes: launchTtlMinutesSchema.optional(),
      psaTimeoutMs: psaTimeoutMsSchema.optional(),
    })
    .optional(),
  session: z
    .strictObject({
      ttlHours: sessionTtlHoursSchema.optional(),
    })
    .optional(),
  retention: z
    .strictObject({
      launchesDays: launchRetentionDaysSchema.optional(),
      jobsDays: jobRetentionDaysSchema.optional(),
      executionsDays: executionRetentionDaysSchema.optional(),
    })
    .optional(),
  metrics: z
    .strictObject({
      /** An `env:` reference; when set, /metrics needs `Authorization: Bearer <token>`. */
      bearerToken: z.string().min(16, 'must be at least 16 characters').optional(),
    })
    .optional(),
  /** The MSP's own Microsoft app: technician sign-in (and tenant consent). */
  microsoft: microsoftBlockSchema.optional(),
  /** Another OpenID provider for technician sign-in. */
  oidc: oidcBlockSchema.optional(),
  shutdown: z
    .strictObject({
      /** How long SIGTERM waits for requests and running steps before handing the rest back. */
      drainTimeoutSeconds: z.number().min(0).max(3600).optional(),
    })
    .optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
