import { z } from 'zod';

/**
 * Settings of one customer tenant's Entra connection. Secrets arrive already resolved (from the
 * vault or environment) as plain strings; nothing here logs them.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

const httpsUrl = (what: string) =>
  z
    .url({ protocol: /^https$/, error: `${what} must be an https:// URL (the Microsoft token library refuses anything else).` })
    .transform((value) => value.replace(/\/+$/, ''));

export const entraSettingsSchema = z.strictObject({
  tenantId: z
    .string()
    .trim()
    .refine((value) => GUID.test(value) || DOMAIN.test(value), {
      message: 'Enter the tenant ID (a GUID) or one of the tenant’s verified domains, e.g. contoso.onmicrosoft.com.',
    }),
  clientId: z.string().trim().regex(GUID, 'The application (client) ID is a GUID shown on the app registration’s overview page.'),
  clientSecret: z.string().min(1, 'The client secret is required.'),
  authorityHost: httpsUrl('The authority host').default('https://login.microsoftonline.com'),
  graphUrl: httpsUrl('The Graph URL').default('https://graph.microsoft.com'),
  timeoutMs: z.number().int().min(1_000).max(120_000).default(10_000),
});

export type EntraSettings = z.output<typeof entraSettingsSchema>;
/** What a configuration file may contain: defaults may be left out. */
export type EntraSettingsInput = z.input<typeof entraSettingsSchema>;
