import type { MspApp } from '../../../domain/microsoft-app/msp-app.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import { type EntraConnectionSettings, type EntraSettings, entraSettingsSchema } from './entra-settings.js';
import { ENTRA_ERROR_CODES } from './graph-errors.js';

/**
 * The settings a tenant connected through the MSP app signs in with: its tenant, the MSP app's
 * client id, credential, authority and Graph URL. Read through the same schema as an own app
 * registration, so a certificate gets the same checks and thumbprints. A directory with its own
 * app registration is returned as it is.
 */
export function resolveEntraSettings(
  settings: EntraConnectionSettings,
  mspApp: MspApp | undefined,
): EntraSettings | { problem: ToolboxError } {
  if (!('credential' in settings)) return settings;
  if (!mspApp) {
    return {
      problem: new ToolboxError({
        code: ENTRA_ERROR_CODES.auth,
        httpStatus: 503,
        message: `Tenant ${settings.tenantId} was connected with the MSP app, but no MSP app is configured (the "microsoft" block). Add the app's client id and credential under Settings or in the configuration file.`,
      }),
    };
  }
  const credential =
    mspApp.credential.kind === 'secret'
      ? { clientSecret: mspApp.credential.secret }
      : { certificate: mspApp.credential.certificatePem, privateKey: mspApp.credential.privateKeyPem };
  const parsed = entraSettingsSchema.safeParse({
    tenantId: settings.tenantId,
    clientId: mspApp.clientId,
    ...credential,
    authorityHost: mspApp.authorityHost,
    graphUrl: mspApp.graphUrl,
    ...(settings.exchangeUrl ? { exchangeUrl: settings.exchangeUrl } : {}),
    timeoutMs: settings.timeoutMs,
  });
  if (!parsed.success) {
    return {
      problem: new ToolboxError({
        code: ENTRA_ERROR_CODES.auth,
        httpStatus: 503,
        message: `The MSP app's settings cannot be used: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      }),
    };
  }
  return parsed.data;
}
