import { constants, createHash, verify, X509Certificate } from 'node:crypto';

/**
 * Entra's checks of a certificate client assertion (RFC 7523 JWT, `client_assertion_type`
 * urn:ietf:params:oauth:client-assertion-type:jwt-bearer), as the simulator applies them to the
 * certificates registered on a tenant's app. The rules follow Microsoft's "certificate
 * credentials" page: header `alg` RS256 or PS256 with `x5t` (SHA-1) or `x5t#S256` (SHA-256
 * thumbprint, base64url); claims `aud` = the token endpoint, `iss` = `sub` = the client id, `jti`,
 * `exp`, optional `nbf`. Texts marked *unverified* are our best knowledge of Microsoft's wording;
 * the others were seen in Microsoft's answers quoted in public issue threads.
 */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A certificate as uploaded to an app registration (its public part only). */
export type RegisteredCertificate = { x509: X509Certificate; sha1: Buffer; sha256: Buffer };

export function registerCertificate(pem: string): RegisteredCertificate {
  const x509 = new X509Certificate(pem);
  return { x509, sha1: createHash('sha1').update(x509.raw).digest(), sha256: createHash('sha256').update(x509.raw).digest() };
}

export type AssertionRefusal = { status: number; error: string; aadsts: number; description: string };

/** Clock skew Entra tolerates on `nbf`/`exp` (*unverified*: five minutes is the common default). */
const CLOCK_SKEW_MS = 5 * 60_000;
const DOCS = 'Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .';

/** Returns undefined when the assertion authenticates `clientId`, else Entra's refusal. */
export function checkClientAssertion(input: {
  assertion: string;
  clientId: string;
  /** Whether `aud` names this tenant's token endpoint (any of the tenant's names). */
  audienceMatches: (aud: string) => boolean;
  certificates: RegisteredCertificate[];
  now: number;
}): AssertionRefusal | undefined {
  const malformed = (detail: string): AssertionRefusal => ({
    status: 400,
    error: 'invalid_request',
    aadsts: 50027,
    // "JWT token is invalid or malformed." is Microsoft's; the detail after it is *unverified*.
    description: `JWT token is invalid or malformed. ${detail}`,
  });
  const parts = input.assertion.split('.');
  if (parts.length !== 3) return malformed('The assertion is not a signed JWT (three dot-separated parts).');
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (!header || !claims) return malformed('The header or the payload is not base64url-encoded JSON.');

  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') return malformed(`The signing algorithm '${String(alg)}' is not supported (RS256, PS256).`);
  const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const x5t = typeof header.x5t === 'string' ? header.x5t : undefined;
  if (!x5tS256 && !x5t) {
    // Seen as "AADSTS50027: Invalid JWT token. No certificate thumbprint specified in token header."
    return {
      status: 400,
      error: 'invalid_request',
      aadsts: 50027,
      description: 'Invalid JWT token. No certificate thumbprint specified in token header.',
    };
  }
  const presented = Buffer.from((x5tS256 ?? x5t) as string, 'base64url');
  const thumbprint = presented.toString('hex').toUpperCase();
  const key = input.certificates.find((candidate) => (x5tS256 ? candidate.sha256 : candidate.sha1).equals(presented));
  const invalidSignature = (reason: string): AssertionRefusal => ({
    status: 401,
    error: 'invalid_client',
    aadsts: 700027,
    description: `Client assertion contains an invalid signature. [Reason - ${reason}, Thumbprint of key used by client: '${thumbprint}'${
      key ? `, Found key 'Start=${entraDate(key.x509.validFrom)}, End=${entraDate(key.x509.validTo)}'` : ''
    }, Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${input.clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${input.clientId}']`,
  });
  // "The key was not found." is Microsoft's text for a thumbprint not registered on the app.
  if (!key) return invalidSignature('The key was not found.');
  // An expired key credential: the reason text is *unverified* (Microsoft.Identity.Web also
  // reports AADSTS1000502 for certificates outside their validity window).
  if (Date.parse(key.x509.validTo) < input.now || Date.parse(key.x509.validFrom) > input.now)
    return invalidSignature('The key used is expired.');

  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const publicKey = key.x509.publicKey;
  let valid = false;
  try {
    valid =
      alg === 'PS256'
        ? verify(
            'sha256',
            signed,
            { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
            signature,
          )
        : verify('sha256', signed, publicKey, signature);
  } catch {
    valid = false;
  }
  // The reason is Microsoft's (seen with AADSTS50013); with AADSTS700027 it is *unverified*.
  if (!valid) return invalidSignature('The provided signature value did not match the expected signature value.');

  if (claims.iss !== input.clientId || claims.sub !== input.clientId) {
    return {
      status: 401,
      error: 'invalid_client',
      aadsts: 700021,
      // *unverified* text.
      description: `Client assertion application identifier doesn't match 'client_id' parameter. ${DOCS}`,
    };
  }
  if (typeof claims.aud !== 'string' || !input.audienceMatches(claims.aud)) {
    // Microsoft's text (seen with AADSTS700023).
    return {
      status: 401,
      error: 'invalid_client',
      aadsts: 700023,
      description: `Client assertion audience claim does not match Realm issuer. ${DOCS}`,
    };
  }
  if (typeof claims.jti !== 'string' || claims.jti === '') return malformed("The assertion has no 'jti' claim.");
  // No replay check on `jti`: MSAL re-sends the same assertion for its 10-minute lifetime, and
  // real Entra accepts that.
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.NaN;
  const nbf = typeof claims.nbf === 'number' ? claims.nbf * 1000 : 0;
  if (!Number.isFinite(exp)) return malformed("The assertion has no numeric 'exp' claim.");
  if (input.now + CLOCK_SKEW_MS < nbf || input.now - CLOCK_SKEW_MS > exp) {
    return {
      status: 401,
      error: 'invalid_client',
      aadsts: 700024,
      // Microsoft's format, as quoted in public issue threads.
      description: `Client assertion is not within its valid time range. Current time: ${new Date(input.now).toISOString()}, assertion valid from ${new Date(nbf).toISOString()}, expiry time of assertion ${new Date(exp).toISOString()}. ${DOCS}`,
    };
  }
  return undefined;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Entra prints key dates as MM/DD/YYYY HH:mm:ss (UTC). */
function entraDate(value: string): string {
  const date = new Date(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}
