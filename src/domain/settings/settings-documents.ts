import { z } from 'zod';
import {
  executionRetentionDaysSchema,
  jobRetentionDaysSchema,
  launchRetentionDaysSchema,
  launchTtlMinutesSchema,
  psaTimeoutMsSchema,
  sessionTtlHoursSchema,
} from '../../config/config-schema.js';

/**
 * The settings documents the admin console keeps in the store (`settings` table), one JSON value
 * per key. Secrets are sealed with the secret box (associated data `settings:<key>:<field>`), so
 * a database dump holds none in clear. Everything here is checked again when read, so a document
 * written by another version, or by hand, cannot smuggle in a bad value.
 */
export const SETTINGS_KEYS = {
  psa: 'psa',
  directoryPrefix: 'directory:',
  companyMappings: 'company-mappings',
  forms: 'forms',
  screenpop: 'screenpop',
  technicianMappings: 'technician-mappings',
  general: 'general',
  signIn: 'sign-in',
  microsoftApp: 'microsoft-app',
} as const;

export const directoryKey = (id: string) => `${SETTINGS_KEYS.directoryPrefix}${id}`;

/** Associated data that binds a sealed setting to its document and field. */
export const settingSecretAad = (key: string, field: string) => `settings:${key}:${field}`;

/** Non-secret settings as entered, and secrets sealed. */
const connectionShape = {
  kind: z.string().min(1),
  fields: z.record(z.string(), z.union([z.string(), z.number()])),
  secrets: z.record(z.string(), z.string()),
};

export const psaDocumentSchema = z.object(connectionShape);
export type PsaDocument = z.infer<typeof psaDocumentSchema>;

export const directoryDocumentSchema = z.object({
  ...connectionShape,
  id: z.string(),
  name: z.string(),
  allowPrivilegedTargets: z.boolean().default(false),
  formDefaults: z.record(z.string(), z.unknown()).default({}),
});
export type DirectoryDocument = z.infer<typeof directoryDocumentSchema>;

/**
 * PSA kind → PSA company id → directory id. A company id means something only in its PSA, so each
 * mapping is kept under the PSA it was made in: only the PSA connected now has its mappings
 * applied; the others are shown as belonging to a previous PSA (and apply again if it comes back).
 */
export const companyMappingsDocumentSchema = z.object({ byPsa: z.record(z.string(), z.record(z.string(), z.string())) });
export type CompanyMappingsDocument = z.infer<typeof companyMappingsDocumentSchema>;

export const formsDocumentSchema = z.object({ enabled: z.array(z.string()) });

export const screenpopDocumentSchema = z.object({ secret: z.string().nullable() });

/** General settings the file leaves out; absent keys mean "the default". */
export const generalDocumentSchema = z.strictObject({
  launchTtlMinutes: launchTtlMinutesSchema.optional(),
  psaTimeoutMs: psaTimeoutMsSchema.optional(),
  sessionTtlHours: sessionTtlHoursSchema.optional(),
  launchRetentionDays: launchRetentionDaysSchema.optional(),
  jobRetentionDays: jobRetentionDaysSchema.optional(),
  executionRetentionDays: executionRetentionDaysSchema.optional(),
});
export type GeneralDocument = z.infer<typeof generalDocumentSchema>;

/** Who may use the local e-mail and password form (local-sign-in-policy.ts). */
export const signInDocumentSchema = z.strictObject({
  localAccounts: z.enum(['everyone', 'admins']),
});

export const technicianMappingSchema = z.object({
  /** The PSA the member belongs to: a mapping of another PSA is not used (nor its member id sent). */
  psaKind: z.string(),
  memberId: z.string(),
  identifier: z.string(),
  name: z.string(),
  /** `auto`: matched by email; `manual`: an admin chose it (and auto-matching leaves it alone). */
  source: z.enum(['auto', 'manual']),
});
export type TechnicianMapping = z.infer<typeof technicianMappingSchema>;

/** Toolbox user id → PSA member. */
export const technicianMappingsDocumentSchema = z.object({ mappings: z.record(z.string(), technicianMappingSchema) });

/**
 * The MSP's multi-tenant app entered in the console (the file's `microsoft` block wins). The
 * client secret or the certificate's private key is sealed under `secrets` (clientSecret,
 * privateKey); the certificate itself is public (it is uploaded to the app registration).
 */
export const microsoftAppDocumentSchema = z.object({
  clientId: z.string(),
  tenantId: z.string(),
  credential: z.enum(['secret', 'certificate']),
  certificate: z.string().optional(),
  authorityHost: z.string(),
  graphUrl: z.string(),
  roles: z.object({ admin: z.array(z.string()), technician: z.array(z.string()) }),
  secrets: z.record(z.string(), z.string()),
});
export type MicrosoftAppDocument = z.infer<typeof microsoftAppDocumentSchema>;
