import { z } from 'zod';

/**
 * The `microsoft` and `oidc` blocks of the configuration file (docs/configuration.md,
 * "Technician sign-in"): the MSP's own Microsoft app and another OpenID provider. Their key names
 * are a contract (configuration-contract.md). The certificate's PEM or file and the credential
 * checks are read in load-config.ts, which knows where the file lives.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** https://, or http:// on loopback only (a test provider on this machine). */
function isHttpsOrLoopback(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

const httpsUrl = (what: string) =>
  z.url({ protocol: /^https$/, error: `${what} must be an https:// URL.` }).transform((value) => value.replace(/\/+$/, ''));

const roleList = z.array(z.string().trim().min(1, 'must not be empty')).default([]);

const rolesSchema = z.strictObject({ admin: roleList, technician: roleList });

export const microsoftBlockSchema = z.strictObject({
  clientId: z.string().trim().regex(GUID, 'is the MSP app’s application (client) ID, a GUID from its overview page.'),
  clientSecret: z.string().min(1).optional(),
  certificate: z
    .strictObject({
      /** PEM (PKCS#8 or PKCS#1, RSA ≥ 2048 bits); an `env:` reference. */
      privateKey: z.string().min(1, 'is the certificate’s private key (PEM), usually an env: reference.'),
      /** PEM text, or the path of a PEM file (relative to the configuration file). */
      certificate: z.string().min(1, 'is the certificate uploaded to the app registration: PEM text or the path of a .pem file.'),
    })
    .optional(),
  tenantId: z
    .string()
    .trim()
    .regex(GUID, 'is the MSP’s own tenant ID (a GUID: Entra admin center → Overview); technicians sign in against it.'),
  authorityHost: httpsUrl('authorityHost').default('https://login.microsoftonline.com'),
  graphUrl: httpsUrl('graphUrl').default('https://graph.microsoft.com'),
  roles: rolesSchema.optional(),
});

export const oidcBlockSchema = z.strictObject({
  issuer: z
    .string()
    .refine(isHttpsOrLoopback, 'must be an https:// URL (http:// only on 127.0.0.1 or localhost, for a test provider).')
    .transform((value) => value.replace(/\/+$/, '')),
  clientId: z.string().trim().min(1, 'is the client id registered with the provider.'),
  clientSecret: z.string().min(1).optional(),
  label: z.string().trim().min(1).max(40).default('SSO'),
  scopes: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'is not a valid scope name'),
    )
    .default(['openid', 'profile', 'email']),
  rolesClaim: z.string().trim().min(1).default('groups'),
  roles: rolesSchema.refine((roles) => roles.admin.length + roles.technician.length > 0, {
    message: 'list at least one value under admin or technician; otherwise nobody can sign in with this provider.',
  }),
});

export type SignInRoles = { admin: string[]; technician: string[] };

/**
 * The MSP's Microsoft app, validated. The credential is exactly one of a client secret or a
 * certificate (PEM normalised, with its thumbprints); its shape matches an `entra` directory's
 * settings, so the same token code can use it.
 */
export type MicrosoftAppConfig = {
  clientId: string;
  /** The MSP's own tenant (GUID, lower case). */
  tenantId: string;
  authorityHost: string;
  graphUrl: string;
  clientSecret?: string;
  certificate?: string;
  privateKey?: string;
  certificateInfo?: { thumbprintSha256: string; thumbprintSha1: string; subject: string; notBefore: string; notAfter: string };
  /** Who may sign in, as what; undefined: Microsoft sign-in is not offered. */
  roles: SignInRoles | undefined;
};

export type OidcProviderConfig = {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** The button reads "Sign in with {label}". */
  label: string;
  /** Always includes `openid`. */
  scopes: string[];
  rolesClaim: string;
  roles: SignInRoles;
};
