import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
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
  /** One of the two credentials: the secret's Value, or `certificate` + `privateKey` (see {@link readClientCertificate}). */
  clientSecret: z.string().optional(),
  /**
   * The certificate uploaded to the app registration (Certificates & secrets → Certificates), as
   * PEM. Not secret. May be left out when `privateKey` holds the key and the certificate together.
   */
  certificate: z.string().optional(),
  /** The certificate's private key, PEM (PKCS#8 or PKCS#1, unencrypted, RSA). Secret. */
  privateKey: z.string().optional(),
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

/** What the toolbox knows about a certificate credential, computed from it (never typed in). */
export type ClientCertificateInfo = {
  /** Hex, upper case: what MSAL sends as `x5t#S256`. */
  thumbprintSha256: string;
  /** Hex, upper case: the "Thumbprint" column of the app registration's certificate list. */
  thumbprintSha1: string;
  subject: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
};

/**
 * The credential: after validation exactly one of the two, a client secret, or a certificate with
 * its private key (both normalised to PEM) and what is computed from it (`certificateInfo`).
 */
export type EntraCredential = {
  clientSecret?: string;
  certificate?: string;
  privateKey?: string;
  certificateInfo?: ClientCertificateInfo;
};

const given = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

export const entraSettingsSchema = baseSchema.transform((settings, ctx) => {
  const { clientSecret, certificate, privateKey, ...rest } = settings;
  const base = { ...rest, exchangeUrl: settings.exchangeUrl ?? defaultExchangeUrl(settings.graphUrl) };
  const credential = readCredential(clientSecret, certificate, privateKey);
  if ('problem' in credential) {
    ctx.issues.push({ code: 'custom', path: [credential.problem.field], message: credential.problem.message, input: settings });
    return z.NEVER;
  }
  return { ...base, ...credential };
});

type CredentialProblem = { problem: { field: 'clientSecret' | 'certificate' | 'privateKey'; message: string } };

function readCredential(
  clientSecret: string | undefined,
  certificate: string | undefined,
  privateKey: string | undefined,
): EntraCredential | CredentialProblem {
  const withSecret = given(clientSecret);
  const withCertificate = given(certificate) || given(privateKey);
  if (withSecret && withCertificate) {
    return {
      problem: {
        field: 'clientSecret',
        message:
          'Give either a client secret or a certificate, not both: clear clientSecret to sign in with the certificate (certificate + privateKey), or clear certificate and privateKey to keep the secret.',
      },
    };
  }
  if (withSecret) return { clientSecret };
  if (!withCertificate) {
    return {
      problem: {
        field: 'clientSecret',
        message:
          'Enter the client secret, or sign in with a certificate instead: its private key (privateKey) and the certificate uploaded to the app registration (certificate).',
      },
    };
  }
  const read = readClientCertificate(certificate, privateKey);
  if ('problem' in read) return read;
  return { certificate: read.certificatePem, privateKey: read.privateKeyPem, certificateInfo: read.info };
}

export type EntraSettings = z.output<typeof entraSettingsSchema>;

/**
 * A tenant connected through the MSP's multi-tenant app (admin consent, docs/microsoft-365.md):
 * it names only its tenant; the client id, credential, authority and Graph URL are the MSP app's,
 * given to the connector at run time (DirectoryConnectorDeps.mspApp). No secret is stored per tenant.
 */
export const entraMspAppSettingsSchema = z.strictObject({
  credential: z.literal('msp-app'),
  tenantId: baseSchema.shape.tenantId,
  exchangeUrl: baseSchema.shape.exchangeUrl,
  timeoutMs: baseSchema.shape.timeoutMs,
});
export type EntraMspAppSettings = z.output<typeof entraMspAppSettingsSchema>;

const usesMspApp = (value: unknown) =>
  typeof value === 'object' && value !== null && (value as Record<string, unknown>).credential === 'msp-app';
/** `credential: own` (the console's choice) is the default: the own-app schema never sees the key. */
const withoutOwnChoice = (value: unknown) => {
  if (typeof value !== 'object' || value === null || (value as Record<string, unknown>).credential !== 'own') return value;
  const { credential: _own, ...rest } = value as Record<string, unknown>;
  return rest;
};

/**
 * What an `entra` directory entry may hold: its own app registration (clientId + secret or
 * certificate; every configuration written before issue 13), or `credential: msp-app`. The
 * entry's own fields decide which schema reads it, so each keeps its own field-level messages.
 */
export const entraConnectionSchema = z.unknown().transform((value, ctx): EntraSettings | EntraMspAppSettings => {
  const parsed = usesMspApp(value) ? entraMspAppSettingsSchema.safeParse(value) : entraSettingsSchema.safeParse(withoutOwnChoice(value));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.issues.push({ ...issue, input: value } as never);
    return z.NEVER;
  }
  return parsed.data;
});
export type EntraConnectionSettings = z.output<typeof entraConnectionSchema>;
/** What a configuration file may contain: defaults may be left out. */
export type EntraSettingsInput = z.input<typeof entraSettingsSchema>;

type PemBlock = { label: string; der: Buffer };

/**
 * PEM blocks in pasted text. Tolerant on purpose: a browser's single-line input drops the line
 * breaks of a pasted PEM, and e-mail or chat may re-wrap it, so the base64 body is read with all
 * whitespace removed instead of line by line.
 */
function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)) {
    const body = (match[2] ?? '').replace(/\s+/g, '');
    // Encrypted PKCS#1 keys carry "Proc-Type:" headers: not base64, reported as encrypted below.
    blocks.push({ label: match[1] ?? '', der: /^[A-Za-z0-9+/]*={0,2}$/.test(body) ? Buffer.from(body, 'base64') : Buffer.alloc(0) });
  }
  return blocks;
}

const PEM_HOW_TO =
  'Paste the PEM text (it starts with -----BEGIN …-----); a .pfx file converts to PEM with: openssl pkcs12 -in app.pfx -nodes -out app.pem';

type CertificateRead =
  | { certificatePem: string; privateKeyPem: string; info: ClientCertificateInfo }
  | { problem: { field: 'certificate' | 'privateKey'; message: string } };

/**
 * Reads a certificate credential as an admin has it after creating one for an app registration:
 * the key and certificate as two PEM texts (openssl req -x509 -keyout … -out …), or one PEM
 * holding both (az ad sp create-for-rbac --create-cert, Key Vault's PEM download, openssl pkcs12
 * -nodes), pasted into `privateKey`. Checks what Entra and MSAL will need: an unencrypted RSA key
 * of at least 2048 bits (client assertions are signed PS256; jsonwebtoken refuses smaller RSA
 * keys) that belongs to the certificate. The certificate's dates are not checked here: an
 * expired certificate must not stop the service from starting; the systems check and the sign-in
 * error say so instead.
 */
export function readClientCertificate(certificateText: string | undefined, privateKeyText: string | undefined): CertificateRead {
  const fail = (field: 'certificate' | 'privateKey', message: string): CertificateRead => ({ problem: { field, message } });
  if (!given(privateKeyText)) {
    return fail(
      'privateKey',
      'The certificate’s private key is required to sign in with a certificate (PEM, -----BEGIN PRIVATE KEY-----). It never leaves the toolbox; only the certificate is uploaded to the app registration.',
    );
  }
  const keyBlocks = pemBlocks(privateKeyText);
  const keyBlock = keyBlocks.find((block) => /PRIVATE KEY$/.test(block.label));
  if (!keyBlock) {
    return fail('privateKey', `No private key found. ${PEM_HOW_TO}`);
  }
  if (keyBlock.label === 'ENCRYPTED PRIVATE KEY' || keyBlock.der.length === 0) {
    return fail(
      'privateKey',
      'The private key is protected by a password. Export it without one (openssl pkey -in key.pem -out key-plain.pem) and paste that; the toolbox encrypts it at rest itself.',
    );
  }
  let key: KeyObject;
  try {
    const type = keyBlock.label === 'RSA PRIVATE KEY' ? 'pkcs1' : keyBlock.label === 'PRIVATE KEY' ? 'pkcs8' : undefined;
    if (!type) {
      return fail(
        'privateKey',
        `The private key is ${keyBlock.label.replace(' PRIVATE KEY', '')}, which cannot sign in to Microsoft 365: create the certificate with an RSA key (2048 bits or more).`,
      );
    }
    key = createPrivateKey({ key: keyBlock.der, format: 'der', type });
  } catch {
    return fail('privateKey', `The private key could not be read; it may be cut short. ${PEM_HOW_TO}`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    return fail(
      'privateKey',
      `The private key is ${key.asymmetricKeyType?.toUpperCase() ?? 'not RSA'}, which cannot sign in to Microsoft 365: create the certificate with an RSA key (2048 bits or more).`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) {
    return fail('privateKey', `The RSA key has ${bits} bits; Microsoft 365 sign-in needs 2048 or more. Create a new certificate.`);
  }

  // The certificate: from its own field, else from the PEM pasted as the key. A chain may come
  // along (leaf and issuers); the one whose public key matches the private key is the credential.
  const fromField = given(certificateText);
  const certificateBlocks = pemBlocks(fromField ? certificateText : privateKeyText).filter((block) => block.label === 'CERTIFICATE');
  const certificateField = fromField ? 'certificate' : 'privateKey';
  if (certificateBlocks.length === 0) {
    return fromField
      ? fail('certificate', `No certificate found. ${PEM_HOW_TO}`)
      : fail(
          'certificate',
          'The certificate is required with the private key: paste the certificate you uploaded to the app registration (PEM, -----BEGIN CERTIFICATE-----), or paste the key and the certificate together in privateKey.',
        );
  }
  let parsed: X509Certificate[];
  try {
    parsed = certificateBlocks.map((block) => new X509Certificate(block.der));
  } catch {
    return fail(certificateField, `The certificate could not be read; it may be cut short. ${PEM_HOW_TO}`);
  }
  const match = parsed.find((candidate) => candidate.checkPrivateKey(key));
  if (!match) {
    return fail(
      certificateField,
      'The private key does not belong to this certificate. Paste the certificate and the private key that were created together (the thumbprint in the app registration must be this certificate’s).',
    );
  }
  return {
    certificatePem: match.toString(),
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    info: {
      thumbprintSha256: match.fingerprint256.replaceAll(':', ''),
      thumbprintSha1: match.fingerprint.replaceAll(':', ''),
      subject: match.subject.replaceAll('\n', ', '),
      notBefore: new Date(match.validFrom).toISOString(),
      notAfter: new Date(match.validTo).toISOString(),
    },
  };
}
