import { z } from 'zod';
import { signInRedirectUri } from '../../../connectors/sign-in/sign-in-providers.js';
import { checkTenantAgain, createConsentLink, sentLinkStatus } from '../../../domain/microsoft-app/connect-tenant.js';
import { consentCallbackUrl } from '../../../domain/microsoft-app/msp-app.js';
import { saveMicrosoftApp } from '../../../domain/settings/save-microsoft-app.js';
import { ToolboxError } from '../../../lib/toolbox-error.js';
import type { Services } from '../../../services.js';
import { defineOperation } from '../api-operation.js';

const TAG = 'Microsoft 365';

const rolesSchema = z.object({
  admin: z.array(z.string()).describe('Entra group object ids or app role values that sign in as admin'),
  technician: z.array(z.string()).describe('Entra group object ids or app role values that sign in as technician'),
});

export const microsoftAppViewSchema = z.object({
  configured: z.boolean(),
  source: z.enum(['file', 'console']).nullable().describe('Where the app in force comes from; the file’s is read-only'),
  clientId: z.string().nullable(),
  tenantId: z.string().nullable().describe('The MSP’s own tenant'),
  credential: z.enum(['secret', 'certificate']).nullable(),
  secretSet: z.boolean().describe('Whether a client secret or private key is stored; its value is never returned'),
  certificate: z
    .object({ thumbprintSha1: z.string(), thumbprintSha256: z.string(), subject: z.string(), notBefore: z.string(), notAfter: z.string() })
    .nullable()
    .describe('The certificate the toolbox signs in with (its end date is the credential’s)'),
  authorityHost: z.string().nullable(),
  graphUrl: z.string().nullable(),
  roles: rolesSchema,
  signInOffered: z.boolean().describe('Whether the sign-in page offers “Sign in with Microsoft” (roles set)'),
  consentRedirectUri: z.string().describe('Register as a web redirect URI of the app'),
  signInRedirectUri: z.string().describe('Register as a web redirect URI of the app'),
  revision: z.string().nullable().describe('Send back as `revision` when saving, to detect concurrent edits'),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});

const lines = z.array(z.string()).default([]);
export const saveMicrosoftAppBodySchema = z.strictObject({
  clientId: z.string().describe('The app’s application (client) ID'),
  tenantId: z.string().describe('The MSP’s own tenant ID, where the app is registered'),
  credential: z.enum(['secret', 'certificate']).describe('Which credential the toolbox signs in with; a certificate is preferred'),
  clientSecret: z.string().optional().describe('Write-only; leave out (or empty) to keep the stored one'),
  privateKey: z.string().optional().describe('PEM, write-only; leave out (or empty) to keep the stored one'),
  certificate: z.string().optional().describe('PEM of the certificate uploaded to the app; leave out to keep the stored one'),
  authorityHost: z.string().optional().describe('Default https://login.microsoftonline.com'),
  graphUrl: z.string().optional().describe('Default https://graph.microsoft.com'),
  roles: z
    .object({ admin: lines, technician: lines })
    .default({ admin: [], technician: [] })
    .describe('Who may sign in with Microsoft, as what; both empty: Microsoft sign-in is not offered'),
  revision: z.string().nullable().optional().describe('The revision read; null when creating'),
});

/** The app in force as the API and the console show it: never a secret. */
export function describeMicrosoftApp(services: Services): z.infer<typeof microsoftAppViewSchema> {
  const current = services.settings.current().microsoftApp;
  const config = current?.config;
  const info = config?.certificateInfo;
  return {
    configured: !!current,
    source: current?.source ?? null,
    clientId: config?.clientId ?? null,
    tenantId: config?.tenantId ?? null,
    credential: current ? (current.app.credential.kind === 'secret' ? 'secret' : 'certificate') : null,
    secretSet: !!(config?.clientSecret || config?.privateKey),
    certificate: info
      ? {
          thumbprintSha1: info.thumbprintSha1,
          thumbprintSha256: info.thumbprintSha256,
          subject: info.subject,
          notBefore: info.notBefore,
          notAfter: info.notAfter,
        }
      : null,
    authorityHost: config?.authorityHost ?? null,
    graphUrl: config?.graphUrl ?? null,
    roles: config?.roles ?? { admin: [], technician: [] },
    signInOffered: !!config?.roles,
    consentRedirectUri: consentCallbackUrl(services.config.publicUrl),
    signInRedirectUri: signInRedirectUri(services.config.publicUrl, 'microsoft'),
    revision: current?.revision ?? null,
    updatedAt: current?.updatedAt ?? null,
    updatedBy: current?.updatedBy ?? null,
  };
}

const notSetUp = () =>
  new ToolboxError({
    code: 'TBX_ERR_MSP_APP_NOT_CONFIGURED',
    httpStatus: 409,
    message: 'No MSP app is set up yet. Save one first (PUT /api/admin/microsoft/app, or the console’s Microsoft 365 page).',
  });

const checkLineSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  outcome: z.string().optional(),
  message: z.string(),
  hint: z.string().optional(),
  upstreamCode: z.string().optional(),
});
const checkSchema = z.object({ ranAt: z.string(), ranBy: z.string(), ok: z.boolean(), results: z.array(checkLineSchema) });

const roleStepSchema = z.object({
  role: z.string(),
  templateId: z.string(),
  why: z.string(),
  state: z.enum(['assigned', 'already', 'manual']),
  detail: z.string().optional(),
});
const connectedTenantSchema = z.object({
  ok: z.literal(true),
  directoryId: z.string(),
  displayName: z.string(),
  tenantId: z.string(),
  verifiedDomains: z.array(z.string()),
  reconnected: z.boolean(),
  check: checkSchema.describe('The tenant’s systems check'),
  roles: z.array(roleStepSchema).describe('The Entra roles the enabled forms need on the app, and whether the toolbox assigned them'),
  manualSteps: z.array(z.string()).describe('Exact steps for what the toolbox could not do itself'),
  missingPermissions: z.array(z.object({ form: z.string(), permissions: z.array(z.string()) })),
});
const refusalSchema = z.object({ ok: z.literal(false), title: z.string(), message: z.string(), upstreamCode: z.string().optional() });

export const getMicrosoftApp = defineOperation({
  id: 'getMicrosoftApp',
  method: 'get',
  path: '/api/admin/microsoft/app',
  tag: TAG,
  summary: 'The MSP’s multi-tenant app in force (never a secret: only whether one is set, and the certificate’s thumbprint and end date)',
  access: 'admin',
  response: microsoftAppViewSchema,
  async handler({ services }) {
    return describeMicrosoftApp(services);
  },
});

export const saveMicrosoftAppOperation = defineOperation({
  id: 'saveMicrosoftApp',
  method: 'put',
  path: '/api/admin/microsoft/app',
  tag: TAG,
  summary: 'Save the MSP app (refused while the configuration file sets it; secrets are write-only and encrypted at rest)',
  access: 'admin',
  body: saveMicrosoftAppBodySchema,
  response: z.object({ revision: z.string() }),
  async handler({ services, body, actor }) {
    return saveMicrosoftApp(
      { config: services.config, store: services.store, settings: services.settings, secretBox: services.secretBox, clock: services.clock },
      body,
      actor,
    );
  },
});

export const checkMicrosoftApp = defineOperation({
  id: 'checkMicrosoftApp',
  method: 'post',
  path: '/api/admin/microsoft/app/check',
  tag: TAG,
  summary: 'Run the app’s own check (credential, multi-tenant, redirect URI, permissions, end dates), as the console’s “Check the app”',
  access: 'admin',
  response: checkSchema,
  async handler({ services, actor }) {
    const check = await services.microsoftApp.checkApp(actor);
    if (!check) throw notSetUp();
    return check;
  },
});

export const createConsentLinkOperation = defineOperation({
  id: 'createConsentLink',
  method: 'post',
  path: '/api/admin/microsoft/consent-links',
  tag: TAG,
  summary: 'Make an admin-consent link to connect a customer tenant',
  description:
    'The link works once, for three days, bound to the calling user (not to a session): send it to the customer’s admin, who need not be signed in here. Read what came of it with getConsent.',
  access: 'admin',
  status: 201,
  response: z.object({
    consentId: z.string().describe('Read the result with GET /api/admin/microsoft/consents/{consentId}'),
    url: z.string(),
    expiresAt: z.string(),
  }),
  async handler({ services, caller, actor }) {
    const link = await createConsentLink(services.microsoftApp.connectDeps, { toSend: true, actor: { ...actor, userId: caller.user.id } });
    if (!link?.consentId) throw notSetUp();
    return { consentId: link.consentId, url: link.url, expiresAt: link.expiresAt };
  },
});

export const getConsent = defineOperation({
  id: 'getConsent',
  method: 'get',
  path: '/api/admin/microsoft/consents/{id}',
  tag: TAG,
  summary: 'What came of a consent link to send (made through the API or the console): pending, the connected tenant, or the refusal',
  access: 'admin',
  params: z.object({ id: z.string() }),
  response: z.object({
    consentId: z.string(),
    status: z.enum(['pending', 'expired', 'connected', 'refused']).describe('expired: the link passed its three days unanswered'),
    createdAt: z.string(),
    createdBy: z.string(),
    completedAt: z.string().nullable(),
    result: z.union([connectedTenantSchema, refusalSchema]).nullable(),
  }),
  async handler({ services, params }) {
    const record = await services.store.consentResults.get(params.id);
    if (!record) {
      throw new ToolboxError({
        code: 'TBX_ERR_NOT_FOUND',
        httpStatus: 404,
        message: `There is no consent link "${params.id}" (results are kept for 7 days). Make a new one with POST /api/admin/microsoft/consent-links.`,
      });
    }
    const result = record.result as z.infer<typeof connectedTenantSchema> | z.infer<typeof refusalSchema> | null;
    return {
      consentId: record.consentId,
      status: sentLinkStatus(record, services.clock.now()),
      createdAt: record.createdAt,
      createdBy: record.userEmail,
      completedAt: record.completedAt,
      result,
    };
  },
});

export const checkTenantAgainOperation = defineOperation({
  id: 'checkTenantAgain',
  method: 'post',
  path: '/api/admin/microsoft/tenants/{id}/check-again',
  tag: TAG,
  summary: 'Check a tenant connected with the MSP app again: its systems check, the roles the forms need, the permissions missing',
  access: 'admin',
  params: z.object({ id: z.string().describe('The directory id of the tenant') }),
  response: connectedTenantSchema,
  async handler({ services, params, actor }) {
    await services.settings.ensureFresh();
    const result = await checkTenantAgain(services.microsoftApp.connectDeps, params.id, actor);
    if (!result) {
      throw new ToolboxError({
        code: 'TBX_ERR_NOT_FOUND',
        httpStatus: 404,
        message: `There is no tenant "${params.id}" connected with the MSP app. Directories with their own app registration are checked with POST /api/admin/directories/{id}/check.`,
      });
    }
    return result;
  },
});

export const microsoftAppOperations = [
  getMicrosoftApp,
  saveMicrosoftAppOperation,
  checkMicrosoftApp,
  createConsentLinkOperation,
  getConsent,
  checkTenantAgainOperation,
];
