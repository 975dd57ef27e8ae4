import { z } from 'zod';

/**
 * The shape of the configuration file before connector-specific blocks are checked. Connector
 * settings (`psa`, each entry of `directories`) are validated by the connector's own schema in
 * `load-config.ts`, so a new connector brings its own settings without touching this file.
 */
const idList = z.array(z.union([z.string().min(1), z.number().int().positive()]).transform(String));

export const configFileSchema = z.strictObject({
  database: z.string().min(1).optional().describe('postgres://… URL or a SQLite file path'),
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(0).max(65535).optional(),
  dataDir: z.string().min(1).optional(),
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
      ttlMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(30),
      psaTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
    })
    .optional(),
  session: z
    .strictObject({
      ttlHours: z
        .number()
        .min(0.25)
        .max(24 * 30)
        .default(12),
    })
    .optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
