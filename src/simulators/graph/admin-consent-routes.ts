import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { DemoTenant, DemoUser } from '../../demo/demo-data.js';
import { type RegisteredCertificate, registerCertificate } from './client-assertion.js';

/**
 * The MSP's one multi-tenant app (reference microsoft-identity.md §1–§3), as the identity
 * platform and Graph see it: the application object in the MSP's own tenant (credentials, redirect
 * URIs, `signInAudience`, the permissions it requests), the v2 `adminconsent` endpoint that puts a
 * service principal of it into a customer tenant with every requested application permission
 * (`/.default`), Graph's `servicePrincipals`/`applications` reads and Entra role assignments.
 * Texts marked *unverified* follow the reference's best knowledge of the real messages.
 */
export type SimMspApp = {
  /** The MSP's own tenant (key or id), where the application object lives. */
  homeTenant: string;
  clientId: string;
  displayName?: string;
  clientSecret?: string;
  /** The secret's end date (ISO), as `passwordCredentials[].endDateTime` shows it. */
  secretEndDateTime?: string;
  /** Public certificates (PEM) uploaded to the app; their dates come from the certificates. */
  certificates?: string[];
  /** `web.redirectUris`: exact match, except that the port is ignored on loopback. */
  redirectUris: string[];
  /** Default `AzureADMultipleOrgs`. */
  signInAudience?: string;
  /**
   * The application permissions in `requiredResourceAccess` (Graph's by name, plus Exchange
   * Online's `Exchange.ManageAsApp`): admin consent with `/.default` grants all of them.
   */
  requiredPermissions: string[];
};

export type AdminConsentOptions = {
  mspApp?: SimMspApp;
  /** Tenants (key or id) whose admin declines on the consent page: the callback gets AADSTS65004. */
  declineConsentTenants?: string[];
  /** Tenants (key or id) already holding the MSP app's service principal at start (a demo's pre-consented tenant). */
  consentedTenants?: string[];
  /**
   * Show the sign-in and consent page a browser uses (pick the admin account, see the permissions,
   * Accept or Cancel), as Entra does. Off by default: API-level tests get the answer at once, the
   * admin taken from the path's tenant or, for /organizations, from `domain_hint`.
   */
  consentPage?: boolean;
};

export type SimServicePrincipal = { id: string; appId: string; displayName: string; grantedPermissions: string[]; accountEnabled: boolean };
export type SimRoleAssignment = { id: string; principalId: string; roleDefinitionId: string; directoryScopeId: string };

/** What the token endpoint learns about a client id that is the MSP app's. */
export type MspTokenClient =
  | { refusal: { status: number; error: string; aadsts: number; description: string } }
  | { clientSecret: string | undefined; certificates: RegisteredCertificate[]; grantedPermissions: string[] };

type Helpers = {
  findTenant(idOrDomain: string): DemoTenantLike | undefined;
  graphError(c: Context, status: number, code: string, message: string): Response;
  lacksPermission(c: Context, permissions: string[]): Response | undefined;
  tenantOf(c: Context): DemoTenantLike;
};
type DemoTenantLike = Pick<DemoTenant, 'key' | 'tenantId' | 'displayName' | 'verifiedDomains'> & {
  users: Pick<DemoUser, 'userPrincipalName' | 'displayName' | 'accountEnabled' | 'directoryRoles'>[];
};

/**
 * Who may grant tenant-wide consent to Graph application permissions (reference §2, "Who
 * consents"): Privileged Role Administrator or Global Administrator. Others get AADSTS90094.
 */
const CONSENTING_ROLES = new Set(['Global Administrator', 'Privileged Role Administrator']);
const canConsent = (user: DemoTenantLike['users'][number]) =>
  user.accountEnabled && (user.directoryRoles ?? []).some((role) => CONSENTING_ROLES.has(role));

export const GRAPH_RESOURCE_APP_ID = '00000003-0000-0000-c000-000000000000';
export const EXCHANGE_RESOURCE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
const APPLICATION_READ = ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const ROLE_ASSIGNMENT_READ = [
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.Read.All',
];
const ROLE_ASSIGNMENT_WRITE = ['RoleManagement.ReadWrite.Directory'];
/** Built-in role template ids (reference §3): the ones a role assignment may name here. */
export const ENTRA_ROLE_TEMPLATES: Record<string, string> = {
  '29232cdf-9323-42fd-ade2-1d097af3e4de': 'Exchange Administrator',
  '31392ffb-586c-42d1-9346-e59415a2cc4e': 'Exchange Recipient Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': 'Privileged Authentication Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
};

/** Roles that let an app run Exchange Online's app-only commands (reference §3; Global Reader and the security roles read only). */
const EXCHANGE_CAPABLE_ROLES = new Set([
  '29232cdf-9323-42fd-ade2-1d097af3e4de', // Exchange Administrator
  '31392ffb-586c-42d1-9346-e59415a2cc4e', // Exchange Recipient Administrator
  '729827e3-9c14-49f7-bb1b-9608f156bbb8', // Helpdesk Administrator
  '62e90394-69f5-4237-9190-012177145e10', // Global Administrator
]);

export type AdminConsent = ReturnType<typeof createAdminConsent>;

export function createAdminConsent(
  options: AdminConsentOptions,
  findTenant: (idOrDomain: string) => DemoTenantLike | undefined,
  allTenants: () => DemoTenantLike[] = () => [],
) {
  const app = options.mspApp;
  const certificates = (app?.certificates ?? []).map(registerCertificate);
  /** Per tenant id: the MSP app's service principal there. */
  const servicePrincipals = new Map<string, SimServicePrincipal>();
  /** Tenants whose service principal was deleted (consent revoked): a token request says so differently. */
  const deleted = new Set<string>();
  const roleAssignments = new Map<string, SimRoleAssignment[]>();
  const inList = (tenant: DemoTenantLike, list: string[] | undefined) =>
    (list ?? []).some((k) => k.toLowerCase() === tenant.key || k.toLowerCase() === tenant.tenantId);

  const consent = (tenant: DemoTenantLike): SimServicePrincipal | undefined => {
    if (!app) return undefined;
    const existing = servicePrincipals.get(tenant.tenantId);
    // Tenant-wide consent with /.default grants every requested permission (and replaces earlier grants).
    const sp = existing ?? {
      id: randomUUID(),
      appId: app.clientId,
      displayName: app.displayName ?? 'Technician Toolbox',
      grantedPermissions: [],
      accountEnabled: true,
    };
    sp.grantedPermissions = [...app.requiredPermissions];
    servicePrincipals.set(tenant.tenantId, sp);
    deleted.delete(tenant.tenantId);
    return sp;
  };

  // The MSP's own tenant holds the app's service principal from the start (the app was granted
  // consent there when it was registered), as do tenants a demo names as pre-consented.
  const home = app ? findTenant(app.homeTenant) : undefined;
  if (app && !home) throw new Error(`mspApp.homeTenant "${app.homeTenant}" is not one of the simulator's tenants.`);
  if (home) consent(home);
  for (const key of options.consentedTenants ?? []) {
    const tenant = findTenant(key);
    if (tenant) consent(tenant);
  }

  const redirectAllowed = (redirectUri: string) => {
    if (!app) return false;
    return app.redirectUris.some((registered) => {
      if (registered === redirectUri) return true;
      // Loopback: the port is ignored (reference §1, "Redirect URIs").
      try {
        const a = new URL(registered);
        const b = new URL(redirectUri);
        const loopback = (u: URL) => u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
        return (
          loopback(a) &&
          loopback(b) &&
          a.protocol === b.protocol &&
          a.hostname === b.hostname &&
          a.pathname === b.pathname &&
          a.search === b.search
        );
      } catch {
        return false;
      }
    });
  };

  return {
    /** For the token endpoint: undefined when `clientId` is not the MSP app's. */
    tokenClient(tenant: DemoTenantLike, clientId: string): MspTokenClient | undefined {
      if (!app || clientId !== app.clientId) return undefined;
      const sp = servicePrincipals.get(tenant.tenantId);
      if (!sp) {
        return deleted.has(tenant.tenantId)
          ? {
              refusal: {
                status: 401,
                error: 'invalid_client',
                aadsts: 7000229,
                description: `The client application ${clientId} is missing service principal in the tenant ${tenant.tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
              },
            }
          : {
              refusal: {
                status: 400,
                error: 'unauthorized_client',
                aadsts: 700016,
                description: `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
              },
            };
      }
      if (!sp.accountEnabled) {
        return {
          refusal: {
            status: 400,
            error: 'unauthorized_client',
            aadsts: 7000112,
            description: `Application '${clientId}'(${sp.displayName}) is disabled.`,
          },
        };
      }
      return { clientSecret: app.clientSecret, certificates, grantedPermissions: [...sp.grantedPermissions] };
    },

    /**
     * For Exchange Online: the MSP app needs an Exchange admin role on its service principal in
     * the tenant (reference §3); undefined for any other app.
     */
    hasExchangeRole(tenantId: string, clientId: string): boolean | undefined {
      if (!app || clientId !== app.clientId) return undefined;
      const sp = servicePrincipals.get(tenantId);
      const roles = (roleAssignments.get(tenantId) ?? []).filter((a) => a.principalId === sp?.id).map((a) => a.roleDefinitionId);
      return roles.some((id) => EXCHANGE_CAPABLE_ROLES.has(id));
    },

    /**
     * The Entra roles (by name) held by the MSP app's service principal in the tenant; undefined
     * for any other app (an app registration of the tenant's own, modelled as a User Administrator).
     */
    directoryRolesOf(tenantId: string, clientId: string): string[] | undefined {
      if (!app || clientId !== app.clientId) return undefined;
      const sp = servicePrincipals.get(tenantId);
      return (roleAssignments.get(tenantId) ?? [])
        .filter((a) => a.principalId === sp?.id)
        .flatMap((a) => ENTRA_ROLE_TEMPLATES[a.roleDefinitionId] ?? []);
    },

    /** Test and demo controls, and what tests assert on. */
    control: {
      servicePrincipal: (tenant: string) => {
        const t = findTenant(tenant);
        const sp = t ? servicePrincipals.get(t.tenantId) : undefined;
        return sp ? structuredClone(sp) : undefined;
      },
      roleAssignments: (tenant: string) => {
        const t = findTenant(tenant);
        return structuredClone((t && roleAssignments.get(t.tenantId)) ?? []);
      },
      /** The customer deletes the enterprise app (or its admin removes consent): the service principal is gone. */
      revokeConsent(tenant: string) {
        const t = findTenant(tenant);
        if (!t || !servicePrincipals.delete(t.tenantId)) return false;
        deleted.add(t.tenantId);
        roleAssignments.delete(t.tenantId);
        return true;
      },
      /** The customer's admin assigns a role to the app's service principal in the Entra admin center. */
      assignRoleByHand(tenant: string, roleTemplateId: string) {
        const t = findTenant(tenant);
        const sp = t ? servicePrincipals.get(t.tenantId) : undefined;
        if (!t || !sp) return false;
        const list = roleAssignments.get(t.tenantId) ?? [];
        list.push({ id: randomUUID(), principalId: sp.id, roleDefinitionId: roleTemplateId, directoryScopeId: '/' });
        roleAssignments.set(t.tenantId, list);
        return true;
      },
      /** The customer removes some application permissions: tokens are still issued, without those roles. */
      removePermissions(tenant: string, permissions: string[]) {
        const t = findTenant(tenant);
        const sp = t ? servicePrincipals.get(t.tenantId) : undefined;
        if (sp) sp.grantedPermissions = sp.grantedPermissions.filter((p) => !permissions.includes(p));
      },
    },

    /** `graph` already checks the bearer token (the simulator's `authenticate`) before these routes. */
    register(root: Hono, graph: Hono, helpers: Helpers) {
      // ---- Identity platform: the v2 admin consent endpoint (reference §2) ----
      /**
       * Checks a consent request as Entra does before anything is shown: errors found before the
       * redirect URI is trusted show on Entra's own page and never redirect. Returns the checked
       * request, or the Response to send.
       */
      const checkRequest = (c: Context, query: URLSearchParams) => {
        const clientId = query.get('client_id') ?? '';
        const redirectUri = query.get('redirect_uri') ?? '';
        const state = query.get('state');
        const pathTenant = c.req.param('tenant')?.toLowerCase() ?? '';
        if (pathTenant === 'common') {
          // *unverified* code and text: the reference says only that `common` is never valid here.
          return entraErrorPage(
            c,
            90130,
            'The admin consent endpoint does not support /common. Use the tenant id, a verified domain or /organizations.',
          );
        }
        if (!app || clientId !== app.clientId) {
          return entraErrorPage(
            c,
            700016,
            `Application with identifier '${clientId}' was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
          );
        }
        if (!redirectAllowed(redirectUri)) {
          return entraErrorPage(
            c,
            50011,
            `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
          );
        }
        const back = (params: Record<string, string | null>) => {
          const target = new URL(redirectUri);
          for (const [name, value] of Object.entries(params)) if (value !== null) target.searchParams.set(name, value);
          return c.redirect(target.toString(), 302);
        };
        const scope = query.get('scope');
        if (!scope) {
          return back({
            error: 'invalid_request',
            error_description: "AADSTS900144: The request body must contain the following parameter: 'scope'.",
            admin_consent: 'True',
            state,
          });
        }
        const hint = query.get('domain_hint');
        // The tenants whose admin may sign in: the path's, or for /organizations any (narrowed by domain_hint).
        const pathTenantFound = pathTenant === 'organizations' ? undefined : findTenant(pathTenant);
        if (pathTenant !== 'organizations' && !pathTenantFound) return entraErrorPage(c, 90002, `Tenant '${pathTenant}' not found.`);
        const hinted = hint ? findTenant(hint) : undefined;
        const candidates = pathTenantFound ? [pathTenantFound] : hinted ? [hinted] : allTenants();
        return { app, scope, state, back, pathTenant, candidates, hinted: pathTenantFound ?? hinted };
      };

      /** The admin's tenant consents (or, listed in declineConsentTenants, declines): back to the app. */
      const finish = (checked: Exclude<ReturnType<typeof checkRequest>, Response>, tenant: DemoTenantLike) => {
        if (inList(tenant, options.declineConsentTenants)) {
          // The reference (§2): failures still carry admin_consent=True; test for `error`.
          return checked.back({
            error: 'access_denied',
            error_description: 'AADSTS65004: User declined to consent to access the app.',
            admin_consent: 'True',
            tenant: tenant.tenantId,
            state: checked.state,
          });
        }
        consent(tenant);
        return checked.back({ admin_consent: 'True', tenant: tenant.tenantId, scope: checked.scope, state: checked.state });
      };

      root.get('/:tenant/v2.0/adminconsent', (c) => {
        const query = new URL(c.req.url).searchParams;
        const checked = checkRequest(c, query);
        if (checked instanceof Response) return checked;
        if (options.consentPage) return consentPage(c, checked.app, query, checked.candidates);
        // API level: who signs in is the path's tenant, or for /organizations the admin's home
        // realm, read from `domain_hint` (the page asks for the account instead).
        if (!checked.hinted) {
          return entraErrorPage(
            c,
            90002,
            'Simulator: say which tenant’s admin signs in with domain_hint=<tenant domain or id> on an /organizations link.',
          );
        }
        return finish(checked, checked.hinted);
      });

      // The consent page's form: Accept (with the admin account chosen) or Cancel.
      root.post('/:tenant/v2.0/adminconsent', async (c) => {
        const form = new URLSearchParams(await c.req.text());
        const checked = checkRequest(c, form);
        if (checked instanceof Response) return checked;
        if (form.get('action') !== 'accept') {
          // Cancel on the consent page: the documented decline (reference §2, §4 "Errors").
          return checked.back({
            error: 'access_denied',
            error_description: 'AADSTS65004: User declined to consent to access the app.',
            admin_consent: 'True',
            state: checked.state,
          });
        }
        const login = (form.get('login') ?? '').trim().toLowerCase();
        const tenant = checked.candidates.find((t) => t.users.some((u) => u.userPrincipalName.toLowerCase() === login));
        const user = tenant?.users.find((u) => u.userPrincipalName.toLowerCase() === login);
        if (!tenant || !user) {
          return entraErrorPage(
            c,
            50034,
            checked.pathTenant === 'organizations'
              ? `The user account ${login} does not exist in any directory this link accepts.`
              : `The user account ${login} does not exist in the directory of tenant '${checked.pathTenant}'.`,
          );
        }
        if (!canConsent(user)) {
          return entraErrorPage(
            c,
            90094,
            `The grant requires admin permission. ${user.userPrincipalName} is not a Global Administrator or Privileged Role Administrator of ${tenant.displayName}.`,
          );
        }
        return finish(checked, tenant);
      });

      // ---- Graph: the app's objects and role assignments, each in the token's own tenant ----
      const appIdFilter = (c: Context): string | Response | undefined => {
        const filter = c.req.query('$filter');
        if (filter === undefined) return undefined;
        const match = /^appId eq '([0-9a-fA-F-]{36})'$/.exec(filter.trim());
        if (!match)
          return helpers.graphError(
            c,
            400,
            'Request_UnsupportedQuery',
            'Unsupported or invalid query filter clause specified for property of resource.',
          );
        return (match[1] as string).toLowerCase();
      };

      graph.get('/servicePrincipals', (c) => {
        const denied = helpers.lacksPermission(c, APPLICATION_READ);
        if (denied) return denied;
        const appId = appIdFilter(c);
        if (appId instanceof Response) return appId;
        const sp = servicePrincipals.get(helpers.tenantOf(c).tenantId);
        const list = sp && (appId === undefined || sp.appId.toLowerCase() === appId) ? [sp] : [];
        return c.json({
          '@odata.context': `${new URL(c.req.url).origin}/v1.0/$metadata#servicePrincipals`,
          value: list.map((s) => ({
            id: s.id,
            appId: s.appId,
            displayName: s.displayName,
            accountEnabled: s.accountEnabled,
            servicePrincipalType: 'Application',
            appOwnerOrganizationId: home?.tenantId ?? null,
          })),
        });
      });

      graph.get('/applications', (c) => {
        const denied = helpers.lacksPermission(c, APPLICATION_READ);
        if (denied) return denied;
        const appId = appIdFilter(c);
        if (appId instanceof Response) return appId;
        // Only the MSP's own tenant has the application object; customers have only a service principal.
        const here =
          !!app &&
          !!home &&
          helpers.tenantOf(c).tenantId === home.tenantId &&
          (appId === undefined || appId === app.clientId.toLowerCase());
        const select = c.req
          .query('$select')
          ?.split(',')
          .map((f) => f.trim());
        const full = app ? applicationObject(app, certificates) : {};
        return c.json({
          '@odata.context': `${new URL(c.req.url).origin}/v1.0/$metadata#applications`,
          value: here ? [select ? Object.fromEntries(select.map((f) => [f, full[f] ?? null])) : full] : [],
        });
      });

      graph.get('/roleManagement/directory/roleAssignments', (c) => {
        const denied = helpers.lacksPermission(c, ROLE_ASSIGNMENT_READ);
        if (denied) return denied;
        const filter = c.req.query('$filter');
        const match = filter === undefined ? null : /^principalId eq '([0-9a-fA-F-]{36})'$/.exec(filter.trim());
        if (filter !== undefined && !match) {
          return helpers.graphError(
            c,
            400,
            'Request_UnsupportedQuery',
            'Unsupported or invalid query filter clause specified for property of resource.',
          );
        }
        const list = (roleAssignments.get(helpers.tenantOf(c).tenantId) ?? []).filter(
          (a) => !match || a.principalId === match[1]?.toLowerCase(),
        );
        return c.json({
          '@odata.context': `${new URL(c.req.url).origin}/v1.0/$metadata#roleManagement/directory/roleAssignments`,
          value: list,
        });
      });

      graph.post('/roleManagement/directory/roleAssignments', async (c) => {
        const denied = helpers.lacksPermission(c, ROLE_ASSIGNMENT_WRITE);
        if (denied) return denied;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(await c.req.text()) as Record<string, unknown>;
        } catch {
          return helpers.graphError(
            c,
            400,
            'BadRequest',
            'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
          );
        }
        const tenant = helpers.tenantOf(c);
        const principalId = String(body.principalId ?? '').toLowerCase();
        const roleDefinitionId = String(body.roleDefinitionId ?? '').toLowerCase();
        const directoryScopeId = String(body.directoryScopeId ?? '');
        if (!principalId || !roleDefinitionId || !directoryScopeId) {
          return helpers.graphError(
            c,
            400,
            'Request_BadRequest',
            'A value is required for property principalId, roleDefinitionId and directoryScopeId of resource unifiedRoleAssignment.',
          );
        }
        const sp = servicePrincipals.get(tenant.tenantId);
        // The simulator's directory knows only the app's own service principal as a principal here.
        if (!sp || sp.id !== principalId) return resourceNotFound(c, helpers, principalId);
        if (!ENTRA_ROLE_TEMPLATES[roleDefinitionId]) return resourceNotFound(c, helpers, roleDefinitionId);
        if (directoryScopeId !== '/') {
          return helpers.graphError(
            c,
            400,
            'Request_BadRequest',
            `Invalid value specified for property 'directoryScopeId' of resource 'unifiedRoleAssignment'.`,
          );
        }
        const list = roleAssignments.get(tenant.tenantId) ?? [];
        if (list.some((a) => a.principalId === principalId && a.roleDefinitionId === roleDefinitionId)) {
          // *unverified* text; Graph refuses a duplicate assignment with 400.
          return helpers.graphError(
            c,
            400,
            'Request_BadRequest',
            'A conflicting object with one or more of the specified property values is present in the directory.',
          );
        }
        const assignment: SimRoleAssignment = { id: randomUUID(), principalId, roleDefinitionId, directoryScopeId };
        list.push(assignment);
        roleAssignments.set(tenant.tenantId, list);
        return c.json(
          {
            '@odata.context': `${new URL(c.req.url).origin}/v1.0/$metadata#roleManagement/directory/roleAssignments/$entity`,
            ...assignment,
          },
          201,
        );
      });
    },
  };
}

function applicationObject(app: SimMspApp, certificates: RegisteredCertificate[]): Record<string, unknown> {
  return {
    id: `app-${app.clientId}`,
    appId: app.clientId,
    displayName: app.displayName ?? 'Technician Toolbox',
    signInAudience: app.signInAudience ?? 'AzureADMultipleOrgs',
    web: { redirectUris: [...app.redirectUris] },
    requiredResourceAccess: [
      {
        resourceAppId: GRAPH_RESOURCE_APP_ID,
        resourceAccess: app.requiredPermissions.filter((p) => !p.startsWith('Exchange.')).map((p) => ({ id: p, type: 'Role' })),
      },
      {
        resourceAppId: EXCHANGE_RESOURCE_APP_ID,
        resourceAccess: app.requiredPermissions.filter((p) => p.startsWith('Exchange.')).map((p) => ({ id: p, type: 'Role' })),
      },
    ].filter((r) => r.resourceAccess.length > 0),
    keyCredentials: certificates.map((cert) => ({
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      customKeyIdentifier: cert.sha1.toString('hex').toUpperCase(),
      startDateTime: new Date(cert.x509.validFrom).toISOString(),
      endDateTime: new Date(cert.x509.validTo).toISOString(),
      displayName: cert.x509.subject.replaceAll('\n', ', '),
    })),
    passwordCredentials: app.clientSecret
      ? [
          {
            keyId: `secret-${app.clientId}`,
            hint: app.clientSecret.slice(0, 3),
            endDateTime: app.secretEndDateTime ?? '2099-01-01T00:00:00Z',
            secretText: null,
          },
        ]
      : [],
  };
}

function resourceNotFound(c: Context, helpers: Helpers, id: string): Response {
  return helpers.graphError(
    c,
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/**
 * Entra's sign-in and consent page, as a browser sees it: which admin account signs in (the
 * tenants' Global and Privileged Role Administrators the link accepts), the application
 * permissions requested (all of `requiredResourceAccess`, as `/.default` asks), Accept and Cancel.
 * The request's parameters go back in hidden fields, so the POST is checked like the GET.
 */
function consentPage(c: Context, app: SimMspApp, query: URLSearchParams, candidates: DemoTenantLike[]): Response {
  const admins = candidates.flatMap((tenant) => tenant.users.filter(canConsent).map((user) => ({ tenant, user })));
  const hidden = [...query.entries()]
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const name = escapeHtml(app.displayName ?? 'Technician Toolbox');
  const resources = [
    { label: 'Microsoft Graph', permissions: app.requiredPermissions.filter((p) => !p.startsWith('Exchange.')) },
    { label: 'Office 365 Exchange Online', permissions: app.requiredPermissions.filter((p) => p.startsWith('Exchange.')) },
  ].filter((r) => r.permissions.length > 0);
  const account =
    admins.length > 0
      ? `<p><label for="consent-login">Sign in as</label>
<select id="consent-login" name="login">${admins
          .map(
            ({ tenant, user }) =>
              `<option value="${escapeHtml(user.userPrincipalName)}">${escapeHtml(user.displayName)} (${escapeHtml(user.userPrincipalName)}), ${escapeHtml(tenant.displayName)}</option>`,
          )
          .join('')}</select></p>`
      : '<p id="consent-no-admin">No Global Administrator or Privileged Role Administrator of this tenant is known to the simulator: only Cancel is possible.</p>';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Permissions requested</title></head><body><main>
<h1>Permissions requested</h1>
<p>Simulated Microsoft sign-in and admin consent. <strong id="consent-app">${name}</strong> (application ${escapeHtml(app.clientId)}) asks for these application permissions in your organisation:</p>
${resources
  .map(
    (r) =>
      `<h2>${escapeHtml(r.label)}</h2><ul class="consent-permissions">${r.permissions.map((p) => `<li>${escapeHtml(p)} (application)</li>`).join('')}</ul>`,
  )
  .join('\n')}
<form method="post" id="consent-form">${account}
${hidden}<p>Accepting grants these permissions for your whole organisation.</p>
<button type="submit" id="consent-accept" name="action" value="accept"${admins.length > 0 ? '' : ' disabled'}>Accept</button> <button type="submit" id="consent-cancel" name="action" value="cancel">Cancel</button></form>
</main></body></html>`;
  return c.html(html);
}

/** Entra's sign-in error page: no redirect, the code and the text in the page. */
function entraErrorPage(c: Context, aadsts: number, description: string): Response {
  const html = `<!doctype html><html lang="en"><head><title>Sign in to your account</title></head><body><main><h1>Sorry, but we’re having trouble signing you in.</h1><p id="error">AADSTS${aadsts}: ${escapeHtml(description)}</p><p>Request Id: ${randomUUID()}</p></main></body></html>`;
  return c.html(html, 400);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
