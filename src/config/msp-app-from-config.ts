import type { MspApp } from '../domain/microsoft-app/msp-app.js';
import type { MicrosoftAppConfig } from './sign-in-providers-schema.js';

/**
 * The MSP app as the tenant side uses it (admin consent, tenants connected with `credential:
 * msp-app`), from the configuration's `microsoft` block: the same app technicians sign in with.
 * Undefined when the block is absent or holds no credential the schema accepted.
 */
export function mspAppFromConfig(microsoft: MicrosoftAppConfig | undefined): MspApp | undefined {
  if (!microsoft) return undefined;
  const credential = microsoft.clientSecret
    ? ({ kind: 'secret', secret: microsoft.clientSecret } as const)
    : microsoft.certificate && microsoft.privateKey
      ? ({ kind: 'certificate', privateKeyPem: microsoft.privateKey, certificatePem: microsoft.certificate } as const)
      : undefined;
  if (!credential) return undefined;
  return {
    clientId: microsoft.clientId,
    tenantId: microsoft.tenantId,
    credential,
    authorityHost: microsoft.authorityHost.replace(/\/+$/, ''),
    graphUrl: microsoft.graphUrl.replace(/\/+$/, ''),
  };
}
