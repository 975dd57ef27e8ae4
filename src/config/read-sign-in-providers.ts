import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { readClientCertificate } from '../connectors/directory/entra/entra-settings.js';
import type { MicrosoftAppConfig, microsoftBlockSchema, OidcProviderConfig, oidcBlockSchema } from './sign-in-providers-schema.js';

/**
 * The `microsoft` block after its schema: exactly one credential, the certificate read from its
 * PEM text or file and checked against the key (the same checks as an `entra` directory's).
 * Problems are added to `problems` (named by key) so the loader reports everything at once.
 */
export function readMicrosoftBlock(
  block: z.output<typeof microsoftBlockSchema>,
  configDir: string,
  problems: string[],
): MicrosoftAppConfig | undefined {
  const base = {
    clientId: block.clientId.toLowerCase(),
    tenantId: block.tenantId.toLowerCase(),
    authorityHost: block.authorityHost,
    graphUrl: block.graphUrl,
    roles: block.roles && block.roles.admin.length + block.roles.technician.length > 0 ? block.roles : undefined,
  };
  if (block.clientSecret && block.certificate) {
    problems.push('microsoft.clientSecret: give either clientSecret or certificate { privateKey, certificate }, not both.');
    return undefined;
  }
  if (block.clientSecret) return { ...base, clientSecret: block.clientSecret };
  if (!block.certificate) {
    problems.push(
      'microsoft.clientSecret: the MSP app needs a credential: clientSecret (an env: reference), or certificate { privateKey, certificate } (preferred).',
    );
    return undefined;
  }
  let certificateText = block.certificate.certificate;
  if (!certificateText.includes('-----BEGIN')) {
    const path = resolve(configDir, certificateText);
    try {
      certificateText = readFileSync(path, 'utf8');
    } catch (error) {
      problems.push(
        `microsoft.certificate.certificate: is neither PEM text nor a readable file (${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
      return undefined;
    }
  }
  const read = readClientCertificate(certificateText, block.certificate.privateKey);
  if ('problem' in read) {
    problems.push(`microsoft.certificate.${read.problem.field}: ${read.problem.message}`);
    return undefined;
  }
  return { ...base, certificate: read.certificatePem, privateKey: read.privateKeyPem, certificateInfo: read.info };
}

export function readOidcBlock(block: z.output<typeof oidcBlockSchema>): OidcProviderConfig {
  return {
    issuer: block.issuer,
    clientId: block.clientId,
    ...(block.clientSecret ? { clientSecret: block.clientSecret } : {}),
    label: block.label,
    scopes: block.scopes.includes('openid') ? block.scopes : ['openid', ...block.scopes],
    rolesClaim: block.rolesClaim,
    roles: block.roles,
  };
}
