import { z } from 'zod';

/**
 * Accepts a bare host ("api-na.myconnectwise.net"), an origin, or a full URL such as 1Stream's
 * "Endpoint" field (`https://api-na.myconnectwise.net/v4_6_release/apis/3.0/`) and keeps only the
 * origin: the codebase comes from discovery (or the `codebase` override), never from a pasted path.
 */
const origin = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .transform((value, ctx) => {
      const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
      let url: URL;
      try {
        url = new URL(withScheme);
      } catch {
        ctx.issues.push({ code: 'custom', message: `${what} must be a URL such as https://na.myconnectwise.net`, input: value });
        return z.NEVER;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        ctx.issues.push({ code: 'custom', message: `${what} must start with https://`, input: value });
        return z.NEVER;
      }
      return url.origin;
    });

export const connectWiseSettingsSchema = z.strictObject({
  /** Browser host, used for ticket links and the codebase lookup, e.g. https://na.myconnectwise.net */
  siteUrl: origin('siteUrl'),
  /** API host, e.g. https://api-na.myconnectwise.net (cloud API calls need the `api-` host). */
  apiUrl: origin('apiUrl'),
  /** The company id typed at the ConnectWise login screen. */
  companyId: z.string().trim().min(1, 'companyId is required'),
  publicKey: z.string().trim().min(1, 'publicKey is required'),
  privateKey: z.string().min(1, 'privateKey is required'),
  /** The integration's clientId from developer.connectwise.com; required on every call since 2019. */
  clientId: z.string().trim().min(1, 'clientId is required'),
  /**
   * The model version pinned in Accept. It is a PSA release (2019.1 or later), not the "3.0" in the
   * URL: `3.0.0` makes the server answer "does not support the API version '0.0'".
   */
  apiVersion: z
    .string()
    .trim()
    .regex(/^20\d{2}\.\d{1,2}$/, 'apiVersion must be a ConnectWise PSA release such as 2025.1 (not 3.0)')
    .default('2025.1'),
  timeoutMs: z.coerce.number().int().min(50).max(120_000).default(8000),
  /** Skips discovery, e.g. `v2025_1/`. Slashes are normalised to one trailing slash. */
  codebase: z
    .string()
    .trim()
    .transform((value) => `${value.replace(/^\/+|\/+$/g, '')}/`)
    .pipe(z.string().regex(/^[A-Za-z0-9_.]+\/$/, 'codebase looks like v2025_1/ or v4_6_release/'))
    .optional(),
});

export type ConnectWiseSettings = z.output<typeof connectWiseSettingsSchema>;
export type ConnectWiseSettingsInput = z.input<typeof connectWiseSettingsSchema>;
