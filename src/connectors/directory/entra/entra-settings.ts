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

/** Microsoft's Graph hosts and the Exchange Online host of the same cloud. */
const EXCHANGE_BY_GRAPH_ORIGIN: Record<string, string> = {
  'https://graph.microsoft.com': 'https://outlook.office365.com',
  'https://graph.microsoft.us': 'https://outlook.office365.us',
  'https://dod-graph.microsoft.us': 'https://outlook-dod.office365.us',
  'https://microsoftgraph.chinacloudapi.cn': 'https://partner.outlook.cn',
};

/**
 * The Exchange Online URL when `exchangeUrl` is not set: the Exchange host of the Graph URL's
 * Microsoft cloud (worldwide → https://outlook.office365.com), and for any other Graph URL (a
 * simulator, such as the demo sandbox's, which sets only `authorityHost` and `graphUrl`) the Graph
 * URL's origin, so Graph and Exchange calls reach the same place.
 */
export function defaultExchangeUrl(graphUrl: string): string {
  const origin = new URL(graphUrl).origin;
  return EXCHANGE_BY_GRAPH_ORIGIN[origin] ?? origin;
}

const baseSchema = z.strictObject({
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
  /**
   * Exchange Online's admin REST endpoint, for distribution lists and mail-enabled security groups
   * (`{exchangeUrl}/adminapi/beta/{tenant}/InvokeCommand`). Its token is asked for with the scope
   * `{origin}/.default`. Default: see {@link defaultExchangeUrl} (the worldwide cloud's
   * https://outlook.office365.com; a non-Microsoft Graph URL's own origin).
   */
  exchangeUrl: httpsUrl('The Exchange Online URL').optional(),
  timeoutMs: z.number().int().min(1_000).max(120_000).default(10_000),
});

export const entraSettingsSchema = baseSchema.transform((settings) => ({
  ...settings,
  exchangeUrl: settings.exchangeUrl ?? defaultExchangeUrl(settings.graphUrl),
}));

export type EntraSettings = z.output<typeof entraSettingsSchema>;
/** What a configuration file may contain: defaults may be left out. */
export type EntraSettingsInput = z.input<typeof entraSettingsSchema>;
