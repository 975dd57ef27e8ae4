import { z } from 'zod';

/** Autotask's own zone lookup (reference §1); any webservicesN host answers it too. */
export const AUTOTASK_ZONE_DISCOVERY_URL = 'https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation';

/**
 * Accepts the full zone-information URL, or only a host or origin (`webservices5.autotask.net`,
 * a proxy, a simulator), to which the documented path is added. Query strings are dropped: the
 * `user` parameter is the connector's to add.
 */
const zoneDiscoveryUrl = z
  .string()
  .trim()
  .min(1, 'zoneDiscoveryUrl is empty: leave it out to use Autotask’s own')
  .transform((value, ctx) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      ctx.issues.push({ code: 'custom', message: `zoneDiscoveryUrl must be a URL such as ${AUTOTASK_ZONE_DISCOVERY_URL}`, input: value });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.issues.push({ code: 'custom', message: 'zoneDiscoveryUrl must start with https://', input: value });
      return z.NEVER;
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (/\/zoneinformation$/i.test(path)) return `${url.origin}${path}`;
    return `${url.origin}${path}/atservicesrest/v1.0/zoneInformation`.replace(/(\/atservicesrest\/v1\.0)+/i, '/atservicesrest/v1.0');
  });

export const autotaskSettingsSchema = z.strictObject({
  /** The API user's username (its "Key"), in e-mail form. 1Stream: "CRM Username". */
  username: z.string().trim().min(1, 'username is required'),
  /** The API user's secret. 1Stream: "CRM Password". */
  secret: z.string().min(1, 'secret is required'),
  /** The API tracking identifier of the integration ("Custom (Internal Integration)"). */
  integrationCode: z.string().trim().min(1, 'integrationCode is required'),
  zoneDiscoveryUrl: zoneDiscoveryUrl.default(AUTOTASK_ZONE_DISCOVERY_URL),
  timeoutMs: z.coerce.number().int().min(50).max(120_000).default(8000),
});

export type AutotaskSettings = z.output<typeof autotaskSettingsSchema>;
export type AutotaskSettingsInput = z.input<typeof autotaskSettingsSchema>;
