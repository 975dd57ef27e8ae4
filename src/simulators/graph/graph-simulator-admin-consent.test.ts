import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_MSP_TENANT } from '../../../test/helpers/msp-tenant.js';
import { demoTenants } from '../../demo/demo-data.js';
import { createGraphSimulator, type GraphSimulatorOptions } from './graph-simulator.js';

// In-process: the MSP's multi-tenant app, admin consent into a customer tenant, and what Graph
// and the token endpoint then answer (reference microsoft-identity.md §2–§3).
const BASE = 'http://graph.test';
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;
const MSP_CLIENT = '7d9e8f10-2222-4333-8444-555566667777';
const MSP_SECRET = 'msp-app-secret-value';
const CALLBACK = 'https://toolbox.example/admin/microsoft/consent-callback';
const mspTenant = TEST_MSP_TENANT;

const simulator = (options: GraphSimulatorOptions = {}) =>
  createGraphSimulator({
    tenants: [...structuredClone(demoTenants), mspTenant],
    mspApp: {
      homeTenant: 'northwind',
      clientId: MSP_CLIENT,
      clientSecret: MSP_SECRET,
      redirectUris: [CALLBACK],
      requiredPermissions: [
        'User.ReadWrite.All',
        'Organization.Read.All',
        'Application.Read.All',
        'RoleManagement.ReadWrite.Directory',
        'Exchange.ManageAsApp',
      ],
    },
    ...options,
  });

async function token(sim: ReturnType<typeof simulator>, tenant: string, secret = MSP_SECRET) {
  const response = await sim.handler(
    new Request(`${BASE}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: MSP_CLIENT,
        client_secret: secret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const roles = (accessToken: unknown) =>
  (JSON.parse(Buffer.from(String(accessToken).split('.')[1]!, 'base64url').toString()) as { roles: string[] }).roles;

function consentUrl(tenant: string, extra: Record<string, string> = {}) {
  const url = new URL(`${BASE}/${tenant}/v2.0/adminconsent`);
  url.search = new URLSearchParams({
    client_id: MSP_CLIENT,
    redirect_uri: CALLBACK,
    state: 'st-1',
    scope: 'https://graph.microsoft.com/.default',
    ...extra,
  }).toString();
  return url.toString();
}

type GraphBody = { value: Record<string, unknown>[]; error: { code: string }; roleDefinitionId?: string };

async function graph(sim: ReturnType<typeof simulator>, accessToken: string, path: string, init: RequestInit = {}) {
  const response = await sim.handler(
    new Request(`${BASE}/v1.0${path}`, {
      ...init,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', ...init.headers },
    }),
  );
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as GraphBody };
}

describe('Graph simulator: the MSP app and admin consent', () => {
  it('refuses the MSP app in a tenant that has not consented (AADSTS700016), and issues tokens in its own tenant', async () => {
    const sim = simulator();
    const before = await token(sim, contoso.tenantId);
    assert.equal(before.status, 400);
    assert.equal(before.body.error, 'unauthorized_client');
    assert.deepEqual(before.body.error_codes, [700016]);
    const home = await token(sim, mspTenant.tenantId);
    assert.equal(home.status, 200);
    assert.equal((await token(sim, mspTenant.tenantId, 'wrong')).body.error, 'invalid_client');
  });

  it('consents for the tenant the admin belongs to: callback parameters, service principal, roles in the token', async () => {
    const sim = simulator();
    const response = await sim.handler(new Request(consentUrl('organizations', { domain_hint: contoso.verifiedDomains[0]! })));
    assert.equal(response.status, 302);
    const back = new URL(response.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, CALLBACK);
    assert.equal(back.searchParams.get('admin_consent'), 'True');
    assert.equal(back.searchParams.get('tenant'), contoso.tenantId);
    assert.equal(back.searchParams.get('state'), 'st-1');
    assert.equal(back.searchParams.get('error'), null);
    const sp = sim.adminConsent.servicePrincipal('contoso');
    assert.equal(sp?.appId, MSP_CLIENT);
    const issued = await token(sim, contoso.tenantId);
    assert.equal(issued.status, 200);
    assert.deepEqual(roles(issued.body.access_token).sort(), [
      'Application.Read.All',
      'Organization.Read.All',
      'RoleManagement.ReadWrite.Directory',
      'User.ReadWrite.All',
    ]);
    // The token sees the customer's tenant, and its service principal, by the app id.
    const org = await graph(sim, String(issued.body.access_token), '/organization');
    assert.equal(org.body.value[0]?.displayName, contoso.displayName);
    const sps = await graph(sim, String(issued.body.access_token), `/servicePrincipals?$filter=appId eq '${MSP_CLIENT}'`);
    assert.equal(sps.body.value[0]?.id, sp?.id);
    // Fabrikam did not consent.
    assert.equal((await token(sim, fabrikam.tenantId)).status, 400);
  });

  it('declined: error=access_denied with AADSTS65004, still admin_consent=True, no service principal', async () => {
    const sim = simulator({ declineConsentTenants: ['contoso'] });
    const response = await sim.handler(new Request(consentUrl(contoso.tenantId)));
    const back = new URL(response.headers.get('location')!);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.match(back.searchParams.get('error_description') ?? '', /^AADSTS65004:/);
    assert.equal(back.searchParams.get('admin_consent'), 'True');
    assert.equal(back.searchParams.get('state'), 'st-1');
    assert.equal(sim.adminConsent.servicePrincipal('contoso'), undefined);
  });

  it('a redirect URI that is not registered, an unknown app and /common show Entra’s page and never redirect', async () => {
    const sim = simulator();
    for (const [url, code] of [
      [consentUrl(contoso.tenantId, { redirect_uri: 'https://evil.example/cb' }), 'AADSTS50011'],
      [consentUrl(contoso.tenantId, { client_id: '11111111-2222-4333-8444-555555555555' }), 'AADSTS700016'],
      [consentUrl('common'), 'AADSTS'],
    ] as const) {
      const response = await sim.handler(new Request(url));
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
      assert.match(await response.text(), new RegExp(code));
    }
    assert.equal(sim.adminConsent.servicePrincipal('contoso'), undefined);
  });

  it('role assignments need RoleManagement.ReadWrite.Directory, name the app’s service principal, and are not duplicated', async () => {
    const sim = simulator();
    await sim.handler(new Request(consentUrl(contoso.tenantId)));
    const accessToken = String((await token(sim, contoso.tenantId)).body.access_token);
    const sp = sim.adminConsent.servicePrincipal('contoso')!;
    const body = JSON.stringify({ principalId: sp.id, roleDefinitionId: '29232cdf-9323-42fd-ade2-1d097af3e4de', directoryScopeId: '/' });
    const created = await graph(sim, accessToken, '/roleManagement/directory/roleAssignments', { method: 'POST', body });
    assert.equal(created.status, 201);
    assert.equal(created.body.roleDefinitionId, '29232cdf-9323-42fd-ade2-1d097af3e4de');
    const again = await graph(sim, accessToken, '/roleManagement/directory/roleAssignments', { method: 'POST', body });
    assert.equal(again.status, 400);
    const listed = await graph(sim, accessToken, `/roleManagement/directory/roleAssignments?$filter=principalId eq '${sp.id}'`);
    assert.equal(listed.body.value.length, 1);
    sim.adminConsent.removePermissions('contoso', ['RoleManagement.ReadWrite.Directory']);
    const reduced = String((await token(sim, contoso.tenantId)).body.access_token);
    const denied = await graph(sim, reduced, '/roleManagement/directory/roleAssignments', {
      method: 'POST',
      body: JSON.stringify({ principalId: sp.id, roleDefinitionId: 'fe930be7-5e62-47db-91af-98c3a49a38b1', directoryScopeId: '/' }),
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'Authorization_RequestDenied');
  });

  it('password resets with the MSP app need an Entra role on its service principal: none after consent, then as Microsoft’s matrix says', async () => {
    const sim = simulator();
    await sim.handler(new Request(consentUrl(contoso.tenantId)));
    const accessToken = String((await token(sim, contoso.tenantId)).body.access_token);
    const sp = sim.adminConsent.servicePrincipal('contoso')!;
    const plain = contoso.users.find((user) => !user.directoryRoles?.length)!;
    const globalAdmin = contoso.users.find((user) => user.directoryRoles?.includes('Global Administrator'))!;
    const reset = (userId: string) =>
      graph(sim, accessToken, `/users/${userId}`, {
        method: 'PATCH',
        body: JSON.stringify({ passwordProfile: { password: 'Correct-Horse-Battery-42', forceChangePasswordNextSignIn: true } }),
      });
    const assign = (roleDefinitionId: string) =>
      graph(sim, accessToken, '/roleManagement/directory/roleAssignments', {
        method: 'POST',
        body: JSON.stringify({ principalId: sp.id, roleDefinitionId, directoryScopeId: '/' }),
      });
    // Consent grants User.ReadWrite.All, not a role: Graph refuses the reset.
    const refused = await reset(plain.id);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'Authorization_RequestDenied');
    // User Administrator: a user without roles, not a Global Administrator.
    assert.equal((await assign('fe930be7-5e62-47db-91af-98c3a49a38b1')).status, 201);
    assert.equal((await reset(plain.id)).status, 204);
    assert.equal((await reset(globalAdmin.id)).status, 403);
    // Privileged Authentication Administrator: anyone.
    assert.equal((await assign('7be44c8a-adaf-4e2a-84d6-ab2649e08a13')).status, 201);
    assert.equal((await reset(globalAdmin.id)).status, 204);
  });

  it('revoked consent: the token request fails with AADSTS7000229; the application object is read in the MSP tenant only', async () => {
    const sim = simulator();
    await sim.handler(new Request(consentUrl(contoso.tenantId)));
    assert.equal(sim.adminConsent.revokeConsent('contoso'), true);
    const refused = await token(sim, contoso.tenantId);
    assert.equal(refused.body.error, 'invalid_client');
    assert.deepEqual(refused.body.error_codes, [7000229]);
    const home = String((await token(sim, mspTenant.tenantId)).body.access_token);
    const apps = await graph(sim, home, `/applications?$filter=appId eq '${MSP_CLIENT}'&$select=signInAudience,web,passwordCredentials`);
    const application = apps.body.value[0] as { signInAudience: string; web: { redirectUris: string[] }; passwordCredentials: unknown[] };
    assert.equal(application.signInAudience, 'AzureADMultipleOrgs');
    assert.deepEqual(application.web.redirectUris, [CALLBACK]);
    assert.equal(application.passwordCredentials.length, 1);
  });
});

describe('Graph simulator: the admin consent page a browser uses', () => {
  const page = async (sim: ReturnType<typeof simulator>, url: string) => {
    const response = await sim.handler(new Request(url));
    return { status: response.status, html: await response.text() };
  };
  /** Submits the page's form as a browser does: the hidden fields, the account, the button pressed. */
  const submit = (sim: ReturnType<typeof simulator>, url: string, fields: Record<string, string>) => {
    const link = new URL(url);
    const body = new URLSearchParams(link.searchParams);
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    return sim.handler(
      new Request(`${link.origin}${link.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }),
    );
  };
  const contosoAdmin = contoso.users.find((u) => u.directoryRoles?.includes('Global Administrator'))!;
  const fabrikamAdmin = fabrikam.users.find((u) => u.directoryRoles?.includes('Global Administrator'))!;

  it('GET shows the admins to pick from, the permissions requested, Accept and Cancel, and consents nothing yet', async () => {
    const sim = simulator({ consentPage: true });
    const organizations = await page(sim, consentUrl('organizations'));
    assert.equal(organizations.status, 200);
    assert.match(organizations.html, /<html lang="en">/);
    assert.match(organizations.html, /<h1>Permissions requested<\/h1>/);
    assert.match(organizations.html, /<label for="consent-login">Sign in as<\/label>/);
    // /organizations: every tenant's consenting admins; never a user without the role.
    assert.ok(organizations.html.includes(`value="${contosoAdmin.userPrincipalName}"`));
    assert.ok(organizations.html.includes(`value="${fabrikamAdmin.userPrincipalName}"`));
    assert.ok(!organizations.html.includes('value="megan.bowen@contosodental.example"'));
    for (const permission of ['User.ReadWrite.All', 'RoleManagement.ReadWrite.Directory', 'Exchange.ManageAsApp']) {
      assert.match(organizations.html, new RegExp(`<li>${permission.replaceAll('.', '\\.')} \\(application\\)</li>`));
    }
    assert.match(organizations.html, /Office 365 Exchange Online/);
    assert.match(organizations.html, /id="consent-accept"[^>]*>Accept</);
    assert.match(organizations.html, /id="consent-cancel"[^>]*>Cancel</);
    assert.match(organizations.html, /<input type="hidden" name="state" value="st-1">/);
    // A tenant's own link: that tenant's admins only.
    const own = await page(sim, consentUrl(contoso.tenantId));
    assert.ok(own.html.includes(`value="${contosoAdmin.userPrincipalName}"`));
    assert.ok(!own.html.includes(fabrikamAdmin.userPrincipalName));
    assert.equal(sim.adminConsent.servicePrincipal('contoso'), undefined);
  });

  it('Accept consents for the chosen admin’s tenant and redirects with the callback parameters', async () => {
    const sim = simulator({ consentPage: true });
    const response = await submit(sim, consentUrl('organizations'), { login: fabrikamAdmin.userPrincipalName, action: 'accept' });
    assert.equal(response.status, 302);
    const back = new URL(response.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, CALLBACK);
    assert.equal(back.searchParams.get('admin_consent'), 'True');
    assert.equal(back.searchParams.get('tenant'), fabrikam.tenantId);
    assert.equal(back.searchParams.get('state'), 'st-1');
    assert.equal(back.searchParams.get('scope'), 'https://graph.microsoft.com/.default');
    assert.equal(back.searchParams.get('error'), null);
    assert.equal(sim.adminConsent.servicePrincipal('fabrikam')?.appId, MSP_CLIENT);
    assert.equal(sim.adminConsent.servicePrincipal('contoso'), undefined);
    assert.equal((await token(sim, fabrikam.tenantId)).status, 200);
  });

  it('Cancel redirects with access_denied AADSTS65004 (still admin_consent=True); a non-admin or another tenant’s admin is refused', async () => {
    const sim = simulator({ consentPage: true });
    const cancelled = await submit(sim, consentUrl('organizations'), { login: contosoAdmin.userPrincipalName, action: 'cancel' });
    assert.equal(cancelled.status, 302);
    const back = new URL(cancelled.headers.get('location')!);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.match(back.searchParams.get('error_description') ?? '', /^AADSTS65004:/);
    assert.equal(back.searchParams.get('admin_consent'), 'True');
    assert.equal(back.searchParams.get('state'), 'st-1');
    const nonAdmin = await submit(sim, consentUrl(contoso.tenantId), { login: 'megan.bowen@contosodental.example', action: 'accept' });
    assert.equal(nonAdmin.status, 400);
    assert.equal(nonAdmin.headers.get('location'), null);
    assert.match(await nonAdmin.text(), /AADSTS90094/);
    const otherTenant = await submit(sim, consentUrl(contoso.tenantId), { login: fabrikamAdmin.userPrincipalName, action: 'accept' });
    assert.equal(otherTenant.status, 400);
    assert.match(await otherTenant.text(), /AADSTS50034/);
    assert.equal(sim.adminConsent.servicePrincipal('contoso'), undefined);
    assert.equal(sim.adminConsent.servicePrincipal('fabrikam'), undefined);
  });

  it('escapes what the link carries; a wrong redirect URI is still Entra’s error page, on GET and on POST', async () => {
    const sim = simulator({ consentPage: true });
    const hostile = await page(sim, consentUrl('organizations', { state: '"><script>alert(1)</script>' }));
    assert.equal(hostile.status, 200);
    assert.ok(!hostile.html.includes('<script>'), 'the state is written into the page unescaped');
    assert.match(hostile.html, /value="&#34;&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;"/);
    const evil = consentUrl('organizations', { redirect_uri: 'https://evil.example/cb?<b>x</b>' });
    const get = await page(sim, evil);
    assert.equal(get.status, 400);
    assert.match(get.html, /AADSTS50011/);
    assert.ok(!get.html.includes('<b>x</b>'));
    const post = await submit(sim, evil, { login: contosoAdmin.userPrincipalName, action: 'accept' });
    assert.equal(post.status, 400);
    assert.equal(post.headers.get('location'), null);
    assert.equal(sim.adminConsent.servicePrincipal('contoso'), undefined);
  });
});
