import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Settings of one customer's Active Directory domain (configuration-contract.md, "Directories"):
 * `baseDn` and `connection: direct | agent`; direct: `url` (ldaps://, or ldap:// with StartTLS),
 * `username`, `password`, optional `caCertificate` (PEM text or a file path); agent: an optional
 * pre-shared `agentToken` (the agent holds the LDAP settings itself: see src/agent).
 * Secrets arrive already resolved (env: references); nothing here logs them.
 */
const DN = /^(?:[A-Za-z][A-Za-z0-9-]*=(?:[^,\\]|\\.)+)(?:,\s*[A-Za-z][A-Za-z0-9-]*=(?:[^,\\]|\\.)+)*$/;

const pemOrPath = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx) => {
    if (value.startsWith('-----BEGIN')) return value;
    try {
      const text = readFileSync(value, 'utf8');
      if (!text.includes('-----BEGIN CERTIFICATE-----')) {
        ctx.issues.push({
          code: 'custom',
          message: `caCertificate: ${value} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
          input: value,
        });
        return z.NEVER;
      }
      return text;
    } catch (error) {
      ctx.issues.push({
        code: 'custom',
        message: `caCertificate: the file ${value} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); give the PEM text or a readable file`,
        input: value,
      });
      return z.NEVER;
    }
  });

const ldapUrl = z
  .string()
  .trim()
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.issues.push({ code: 'custom', message: 'url must look like ldaps://dc1.contoso.example:636', input: value });
      return z.NEVER;
    }
    if (url.protocol !== 'ldaps:' && url.protocol !== 'ldap:') {
      ctx.issues.push({ code: 'custom', message: 'url must start with ldaps:// (port 636) or ldap:// (port 389, StartTLS)', input: value });
      return z.NEVER;
    }
    if (/^\d+\.\d+\.\d+\.\d+$|^\[/.test(url.hostname)) {
      ctx.issues.push({
        code: 'custom',
        message:
          'url must name the domain controller by its DNS name (e.g. dc1.contoso.example), which its certificate carries, not an IP address',
        input: value,
      });
      return z.NEVER;
    }
    return `${url.protocol}//${url.host}`;
  });

const common = {
  /** The domain (or the part of it the toolbox may touch), e.g. DC=contoso,DC=example. */
  baseDn: z.string().trim().regex(DN, 'baseDn is a distinguished name such as DC=contoso,DC=example'),
  timeoutMs: z.coerce.number().int().min(500).max(120_000).default(10_000),
};

export const activeDirectorySettingsSchema = z.discriminatedUnion('connection', [
  z.strictObject({
    connection: z.literal('direct'),
    ...common,
    url: ldapUrl,
    /** The toolbox's service account: a DN or user@domain, with delegated rights (docs/active-directory.md). */
    username: z.string().trim().min(1, 'username is required (a DN or user@domain)'),
    password: z.string().min(1, 'password is required'),
    caCertificate: pemOrPath.optional(),
  }),
  z.strictObject({
    connection: z.literal('agent'),
    ...common,
    /**
     * A token pre-shared with the on-prem agent (an env: reference); optional: tokens can also be
     * created in the admin console or with `npm run toolbox -- agent-token create`, which keep only their hash.
     */
    agentToken: z.string().min(32, 'agentToken must be at least 32 characters (e.g. `openssl rand -base64 32`)').optional(),
  }),
]);

export type ActiveDirectorySettings = z.output<typeof activeDirectorySettingsSchema>;
