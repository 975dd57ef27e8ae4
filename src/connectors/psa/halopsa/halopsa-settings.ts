import { z } from 'zod';

/**
 * The Halo instance's base URL. Its API is at `{url}/api` and its token endpoint at
 * `{url}/auth/token` (configuration contract), so a pasted `…/api` or `…/auth` is cut back to the
 * instance. A path is kept otherwise: a self-hosted Halo may live under one.
 */
const instanceUrl = z
  .string()
  .trim()
  .min(1, 'url is required')
  .transform((value, ctx) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      ctx.issues.push({ code: 'custom', message: 'url must be the Halo address, such as https://yourcompany.halopsa.com', input: value });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.issues.push({ code: 'custom', message: 'url must start with https://', input: value });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.issues.push({ code: 'custom', message: 'url must not carry a user name or password', input: value });
      return z.NEVER;
    }
    const path = url.pathname
      .replace(/\/+$/, '')
      .replace(/\/(api|auth)(\/.*)?$/i, '')
      .replace(/\/+$/, '');
    return `${url.origin}${path}`;
  });

export const haloPsaSettingsSchema = z
  .strictObject({
    /** The Halo instance, e.g. https://yourcompany.halopsa.com. */
    url: instanceUrl,
    /** The API application's Client ID (1Stream: "API Key"). */
    clientId: z.string().trim().min(1, 'clientId is required'),
    /** The API application's Client Secret (1Stream: "API Private Key"). */
    clientSecret: z.string().min(1, 'clientSecret is required'),
    /**
     * `hosted` (yourcompany.halopsa.com, which needs `tenant`) or `self-hosted`. Optional: without
     * it, a `tenant` given means a hosted instance, as before the console asked.
     */
    hosting: z.enum(['hosted', 'self-hosted']).optional(),
    /** Hosted Halo's tenant name, sent as `?tenant=` on the token request; absent for self-hosted. */
    tenant: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value ? value : undefined))
      .pipe(
        z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'tenant is the tenant name only, e.g. yourcompany (not a URL)')
          .optional(),
      ),
    /**
     * The outcome (action type) of the toolbox's notes. Outcomes are each tenant's own (reference
     * §4): without an id the note is sent with the stock "Private Note" outcome by name.
     */
    noteOutcomeId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
    timeoutMs: z.coerce.number().int().min(50).max(120_000).default(8000),
  })
  .superRefine((settings, ctx) => {
    if (settings.hosting === 'hosted' && !settings.tenant) {
      ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'tenant is required for an instance hosted by Halo, e.g. yourcompany' });
    }
    if (settings.hosting === 'self-hosted' && settings.tenant) {
      ctx.addIssue({
        code: 'custom',
        path: ['tenant'],
        message: 'tenant is only for an instance hosted by Halo: leave it out for a self-hosted one',
      });
    }
  })
  // The configuration contract's keys alone (url, clientId, clientSecret, tenant?) say the hosting
  // by the tenant: derived here, so the console shows a file's tenant instead of hiding it.
  .transform((settings) => ({
    ...settings,
    hosting: settings.hosting ?? (settings.tenant ? ('hosted' as const) : ('self-hosted' as const)),
  }));

export type HaloPsaSettings = z.output<typeof haloPsaSettingsSchema>;
export type HaloPsaSettingsInput = z.input<typeof haloPsaSettingsSchema>;
