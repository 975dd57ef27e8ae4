import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { demoTenants } from '../../src/demo/demo-data.js';
import type { MspApp } from '../../src/domain/microsoft-app/msp-app.js';
import { type Clock, createManualClock } from '../../src/lib/clock.js';
import { createConnectWiseSimulator } from '../../src/simulators/connectwise/connectwise-simulator.js';
import { createGraphSimulator, type GraphSimulator } from '../../src/simulators/graph/graph-simulator.js';
import { TEST_MSP_CLIENT_ID, TEST_MSP_TENANT } from '../helpers/msp-tenant.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, GRAPH_ORIGIN, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

// Issue 13 §2: a customer tenant connected with one admin-consent link for the MSP's app, against
// the identity platform and Graph simulator, next to a tenant that keeps its own app registration.
const contoso = demoTenants.find((tenant) => tenant.key === 'contoso')!;
const fabrikam = demoTenants.find((tenant) => tenant.key === 'fabrikam')!;
const adatum = demoTenants.find((tenant) => tenant.key === 'adatum')!;
const CALLBACK = `${TEST_ORIGIN}/admin/microsoft/consent-callback`;
const mspTenant = TEST_MSP_TENANT;
const mspApp: MspApp = {
  clientId: TEST_MSP_CLIENT_ID,
  tenantId: mspTenant.tenantId,
  credential: { kind: 'secret', secret: 'msp-app-secret-value' },
  authorityHost: GRAPH_ORIGIN,
  graphUrl: GRAPH_ORIGIN,
};
const ALL_PERMISSIONS = [
  'User.ReadWrite.All',
  'User.RevokeSessions.All',
  'RoleManagement.Read.Directory',
  'UserAuthenticationMethod.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'Organization.Read.All',
  'Domain.Read.All',
  'Application.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Exchange.ManageAsApp',
];

const simulator = (requiredPermissions = ALL_PERMISSIONS, clock?: Clock, secretEndDateTime?: string) =>
  createGraphSimulator({
    ...(clock ? { clock } : {}),
    tenants: [...structuredClone(demoTenants), mspTenant],
    mspApp: {
      homeTenant: 'northwind',
      clientId: mspApp.clientId,
      clientSecret: 'msp-app-secret-value',
      redirectUris: [CALLBACK],
      requiredPermissions,
      ...(secretEndDateTime ? { secretEndDateTime } : {}),
    },
    declineConsentTenants: ['adatum'],
  });

for (const database of TEST_DATABASES) {
  describe(`Connecting a tenant with the MSP app (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let graph: GraphSimulator;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    // One clock for the toolbox and Microsoft, so a test can let the tokens run out.
    const clock = createManualClock(Date.now());

    /** "Connect a Microsoft 365 tenant": the link on the page, as the admin's browser gets it. */
    const makeLink = async (session = admin) => {
      const page = await toolbox.request('/admin/microsoft/connect', { cookie: session.cookie, form: { _csrf: session.csrf } });
      assert.equal(page.status, 200);
      const html = await page.text();
      const match =
        /id="consent-link" type="text" readonly="" value="([^"]+)"/.exec(html) ?? /id="consent-link"[^>]*value="([^"]+)"/.exec(html);
      assert.ok(match, 'the page shows the consent link');
      return new URL(match[1]!.replaceAll('&amp;', '&'));
    };
    /** The customer's admin opens the link at Microsoft (signing in to `domain`), and comes back. */
    const consentAt = async (link: URL, domain: string) => {
      link.searchParams.set('domain_hint', domain);
      const answer = await graph.handler(new Request(link));
      return answer;
    };
    const callback = async (location: string, session = admin) => {
      const back = new URL(location);
      const page = await toolbox.request(`${back.pathname}${back.search}`, { cookie: session.cookie });
      return { status: page.status, html: await page.text() };
    };

    before(async () => {
      store = await database.open();
      // The app's secret ends in 20 days: inside the 30 days' warning.
      graph = simulator(ALL_PERMISSIONS, clock, new Date(clock.now() + 20 * 24 * 3600_000).toISOString());
      toolbox = await createTestToolbox({
        store,
        // Fabrikam keeps its own app registration (the demo's configuration); Contoso comes by consent.
        config: {
          directories: [
            {
              id: 'fabrikam',
              kind: 'entra',
              name: 'Fabrikam',
              psaCompanyIds: ['fabrikam'],
              tenantId: fabrikam.tenantId,
              clientId: fabrikam.clientId,
              clientSecret: fabrikam.clientSecret,
              authorityHost: GRAPH_ORIGIN,
              graphUrl: GRAPH_ORIGIN,
            },
          ],
          forms: { enabled: ['password_reset', 'reset_mfa', 'group_membership'] },
        },
        simulators: { cw: createConnectWiseSimulator({}), graph },
        mspApp,
        clock,
      });
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('the link: the v2 adminconsent endpoint for /organizations, our client id, /.default, the callback, a state', async () => {
      const link = await makeLink();
      assert.equal(link.origin + link.pathname, `${GRAPH_ORIGIN}/organizations/v2.0/adminconsent`);
      assert.equal(link.searchParams.get('client_id'), mspApp.clientId);
      assert.equal(link.searchParams.get('redirect_uri'), CALLBACK);
      assert.equal(link.searchParams.get('scope'), `${GRAPH_ORIGIN}/.default`);
      assert.ok((link.searchParams.get('state') ?? '').length >= 40);
    });

    test('consent: the tenant is recorded with its name and domains, checked, and the app gets the roles the forms need', async () => {
      const answer = await consentAt(await makeLink(), contoso.verifiedDomains[0]!);
      assert.equal(answer.status, 302);
      const result = await callback(answer.headers.get('location')!);
      assert.equal(result.status, 200, result.html);
      assert.match(result.html, new RegExp(`${contoso.displayName} is connected`));
      for (const domain of contoso.verifiedDomains) assert.ok(result.html.includes(domain), domain);
      const directory = toolbox.services.settings.current().directories.find((d) => d.id === 'contosodental');
      assert.ok(directory, 'recorded as directory "contosodental" (its default domain)');
      assert.equal(directory.kind, 'entra');
      assert.deepEqual(directory.view.fields, { credential: 'msp-app', tenantId: contoso.tenantId });
      assert.deepEqual(directory.view.secretsSet, [], 'no secret stored for the tenant');
      // The systems check ran with the MSP app's credential and was kept.
      const check = toolbox.services.settings.current().directories.length;
      assert.equal(check, 2);
      const checkPage = await toolbox.api('GET', '/api/admin/directories/contosodental/check', { session: admin });
      const saved = ((await checkPage.json()) as { check: { ok: boolean; results: { name: string; ok: boolean; outcome?: string }[] } })
        .check;
      assert.equal(saved.results.find((line) => line.name === 'Sign-in to the tenant')?.ok, true);
      // Checked again after the roles were assigned: Exchange Online now accepts the app's commands.
      // (As far as a read-only command can tell: the line stays "not verifiable", never a failure.)
      const exchange = saved.results.find((line) => line.name === 'Exchange Online commands') as { ok: boolean; outcome?: string };
      assert.equal(exchange.outcome, 'unverified', JSON.stringify(exchange));
      // Roles: assigned on the app's service principal in Contoso, the ones the enabled forms need.
      const sp = graph.adminConsent.servicePrincipal('contoso')!;
      const roleIds = graph.adminConsent.roleAssignments('contoso').map((a) => [a.principalId, a.roleDefinitionId]);
      assert.deepEqual(
        roleIds.sort(),
        [
          [sp.id, '29232cdf-9323-42fd-ade2-1d097af3e4de'],
          [sp.id, 'c4e39bd9-1100-46d3-8c65-fb160da0071f'],
          [sp.id, 'fe930be7-5e62-47db-91af-98c3a49a38b1'],
        ].sort(),
      );
      assert.match(result.html, /Exchange Administrator: assigned by the toolbox/);
      // Both tenants work side by side: the consented one through the MSP app, Fabrikam through its own.
      const contosoUser = await toolbox.services.directories.get('contosodental')!.client.findUsersByEmail(contoso.users[0]!.mail!);
      assert.equal(contosoUser[0]?.id, contoso.users[0]!.id);
      const fabrikamUser = await toolbox.services.directories.get('fabrikam')!.client.findUsersByEmail(fabrikam.users[0]!.mail!);
      assert.equal(fabrikamUser[0]?.id, fabrikam.users[0]!.id);
      const tokenClients = graph.state.tokensIssued.map((t) => `${t.tenantId}:${t.clientId}`);
      assert.ok(tokenClients.includes(`${contoso.tenantId}:${mspApp.clientId}`));
      assert.ok(tokenClients.includes(`${fabrikam.tenantId}:${fabrikam.clientId}`));
      // Company mapping suggests the PSA company whose contacts use the tenant's verified domains.
      const mappings = (await (await toolbox.api('GET', '/api/admin/company-mappings', { session: admin })).json()) as {
        unmapped: { suggestion: { directoryId: string } | null }[];
      };
      assert.ok(
        mappings.unmapped.some((company) => company.suggestion?.directoryId === 'contosodental'),
        JSON.stringify(mappings.unmapped),
      );
      // The same answer again (a replay): refused, nothing changed.
      const replay = await callback(answer.headers.get('location')!);
      assert.equal(replay.status, 400);
      assert.match(replay.html, /already used or not made here/);
    });

    test('declined: said in words with Microsoft’s code, nothing recorded', async () => {
      const answer = await consentAt(await makeLink(), adatum.verifiedDomains[0]!);
      const result = await callback(answer.headers.get('location')!);
      assert.equal(result.status, 400);
      assert.match(result.html, /The customer’s admin declined/);
      assert.match(result.html, /AADSTS65004/);
      assert.equal(
        toolbox.services.settings.current().directories.some((d) => d.id === 'adatum'),
        false,
      );
    });

    test('a link to send: the customer’s admin answers without a sign-in here, the console lists what came of it; it outlasts the hour of a link opened here', async () => {
      const made = await toolbox.request('/admin/microsoft/connect', { cookie: admin.cookie, form: { _csrf: admin.csrf, send: '1' } });
      const html = await made.text();
      assert.equal(made.status, 200);
      assert.match(html, /Link to send \(works once, until/);
      assert.doesNotMatch(html, /Open the consent page/, 'a link to send is not opened here');
      const link = new URL(/id="consent-link"[^>]*value="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&'));
      assert.match(await (await toolbox.request('/admin/microsoft', { cookie: admin.cookie })).text(), /Waiting for the customer’s admin/);
      // Two hours later (a link opened here would have expired), in the customer's own browser: no toolbox session.
      clock.advance(2 * 3600_000);
      const answer = await consentAt(link, contoso.verifiedDomains[0]!);
      const back = new URL(answer.headers.get('location')!);
      const customer = await toolbox.request(`${back.pathname}${back.search}`);
      const customerHtml = await customer.text();
      assert.equal(customer.status, 200, customerHtml);
      assert.match(customerHtml, /Contoso Dental is connected/);
      assert.doesNotMatch(customerHtml, /href="\/admin/, 'the customer sees no way into the console');
      const listed = await (await toolbox.request('/admin/microsoft', { cookie: admin.cookie })).text();
      assert.match(listed, /<h2 id="sent-links">Links sent<\/h2>/);
      assert.match(listed, /<a href="\/admin\/directories\/contosodental">Contoso Dental<\/a> is connected/);
      // A link opened by the admin themselves still needs their session.
      const own = await consentAt(await makeLink(), contoso.verifiedDomains[0]!);
      const anonymous = await toolbox.request(
        `${new URL(own.headers.get('location')!).pathname}${new URL(own.headers.get('location')!).search}`,
      );
      assert.equal(anonymous.status, 400);
      assert.match(await anonymous.text(), /make it through the API|link to send/i);
    });

    test('a redirect URI that is not registered stops at Microsoft: no callback at all', async () => {
      const link = await makeLink();
      link.searchParams.set('redirect_uri', 'https://elsewhere.example/admin/microsoft/consent-callback');
      const answer = await consentAt(link, contoso.verifiedDomains[0]!);
      assert.equal(answer.status, 400);
      assert.equal(answer.headers.get('location'), null);
      assert.match(await answer.text(), /AADSTS50011/);
    });

    test('a forged state, a state of another session, and no state are refused', async () => {
      const forged = await callback(`${CALLBACK}?admin_consent=True&tenant=${contoso.tenantId}&state=made-up-state-value`);
      assert.equal(forged.status, 400);
      assert.match(forged.html, /already used or not made here/);
      const other = await toolbox.signIn(DEMO_ADMIN);
      const answer = await consentAt(await makeLink(other), contoso.verifiedDomains[0]!);
      const elsewhere = await callback(answer.headers.get('location')!, admin);
      assert.equal(elsewhere.status, 400);
      assert.match(elsewhere.html, /made for another sign-in/);
      const none = await callback(`${CALLBACK}?admin_consent=True&tenant=${contoso.tenantId}`);
      assert.match(none.html, /has no state/);
      // A link answered after its hour is refused, and used up.
      const late = await consentAt(await makeLink(), contoso.verifiedDomains[0]!);
      clock.advance(61 * 60_000);
      const expired = await callback(late.headers.get('location')!);
      assert.equal(expired.status, 400);
      assert.match(expired.html, /This consent link has expired/);
    });

    test('a revoked consent shows in the tenant’s systems check', async () => {
      assert.ok(graph.adminConsent.revokeConsent('contoso'));
      // Tokens issued before keep working until they expire, as with Entra; the next one is refused.
      clock.advance(2 * 3600_000);
      const response = await toolbox.api('POST', '/api/admin/directories/contosodental/check', {
        session: admin,
        headers: { origin: TEST_ORIGIN },
      });
      const check = (await response.json()) as {
        ok: boolean;
        results: { name: string; ok: boolean; message: string; upstreamCode?: string }[];
      };
      assert.equal(check.ok, false);
      const signIn = check.results.find((line) => line.name === 'Sign-in to the tenant')!;
      assert.equal(signIn.ok, false);
      assert.match(`${signIn.upstreamCode ?? ''} ${signIn.message}`, /7000229/);
      // And on the console overview, with what to do.
      const overview = await (await toolbox.request('/admin', { cookie: admin.cookie })).text();
      assert.match(overview, /Contoso Dental: the MSP app’s consent was revoked or its enterprise application removed/);
    });

    test('the app’s own check: credential, multi-tenant, redirect URI, permissions; a secret ending within 30 days warns on the overview', async () => {
      const page = await toolbox.request('/admin/microsoft/check', { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      const html = await page.text();
      assert.equal(page.status, 200);
      const saved = await toolbox.services.store.settings.get('msp-app-check');
      const doc = saved!.value as { ok: boolean; results: { name: string; ok: boolean; outcome?: string; message: string }[] };
      const byName = new Map(doc.results.map((line) => [line.name, line]));
      assert.equal(byName.get('MSP app credential')?.ok, true);
      assert.equal(byName.get('Multi-tenant app')?.ok, true);
      assert.equal(byName.get('Consent redirect URI')?.ok, true);
      assert.equal(byName.get('Permissions the forms need')?.ok, true, byName.get('Permissions the forms need')?.message);
      const secret = doc.results.find((line) => line.name.startsWith('Client secret'))!;
      assert.equal(secret.outcome, 'warning');
      assert.match(secret.message, /in (19|20) days/);
      assert.match(html, /Client secret/);
      const overview = await (await toolbox.request('/admin', { cookie: admin.cookie })).text();
      assert.match(overview, /MSP app — Client secret .*: Expires on \d{4}-\d{2}-\d{2}, in (19|20) days/);
    });
  });
}

describe('Connecting a tenant whose consent does not include role management', () => {
  test('the roles are listed as exact steps with “check again”, and missing permissions are named per form', async () => {
    const database = TEST_DATABASES[0]!;
    const store = await database.open();
    const graph = simulator([
      'User.ReadWrite.All',
      'Organization.Read.All',
      'Application.Read.All',
      'RoleManagement.Read.Directory',
      'Exchange.ManageAsApp',
    ]);
    const toolbox = await createTestToolbox({
      store,
      config: { directories: [], forms: { enabled: ['password_reset', 'reset_mfa', 'group_membership'] } },
      simulators: { cw: createConnectWiseSimulator({}), graph },
      mspApp,
    });
    try {
      const admin = await toolbox.signIn(DEMO_ADMIN);
      const page = await toolbox.request('/admin/microsoft/connect', { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      const link = new URL(/id="consent-link"[^>]*value="([^"]+)"/.exec(await page.text())![1]!.replaceAll('&amp;', '&'));
      link.searchParams.set('domain_hint', contoso.verifiedDomains[0]!);
      const answer = await graph.handler(new Request(link));
      const back = new URL(answer.headers.get('location')!);
      const result = await toolbox.request(`${back.pathname}${back.search}`, { cookie: admin.cookie });
      const html = await result.text();
      assert.equal(result.status, 200, html);
      assert.equal(graph.adminConsent.roleAssignments('contoso').length, 0);
      assert.match(html, /User Administrator: to be assigned by an admin/);
      assert.match(html, /Roles &amp; admins → User Administrator → Add assignments/);
      assert.match(html, /Reset MFA needs UserAuthenticationMethod.ReadWrite.All/);
      assert.match(html, /Check again/);
      // Without the role, Exchange Online refuses the app (the permission alone is not enough).
      assert.match(html, /Exchange Administrator: to be assigned by an admin/);
      const check = (await (await toolbox.api('GET', '/api/admin/directories/contosodental/check', { session: admin })).json()) as {
        check: { results: { name: string; ok: boolean; outcome?: string }[] };
      };
      const exchange = check.check.results.find((line) => line.name === 'Exchange Online commands');
      assert.equal(exchange?.ok, false);
      assert.equal(exchange?.outcome, undefined, 'a failure, not merely unverifiable');
      // Until then a password reset is refused by Graph, and the toolbox says which role is missing.
      const client = toolbox.services.directories.get('contosodental')!.client;
      const plainUser = contoso.users.find((user) => !user.directoryRoles?.length)!;
      const newPassword = { password: 'Correct-Horse-Battery-42', forceChangeNextSignIn: true };
      await assert.rejects(client.resetPassword(plainUser.id, newPassword), (error: Error) => {
        assert.match(error.message, /User Administrator/);
        return true;
      });
      // The customer's admin follows the steps for two of the roles; "Check again" sees them.
      graph.adminConsent.assignRoleByHand('contoso', 'fe930be7-5e62-47db-91af-98c3a49a38b1');
      await client.resetPassword(plainUser.id, newPassword);
      graph.adminConsent.assignRoleByHand('contoso', '29232cdf-9323-42fd-ade2-1d097af3e4de');
      const again = await toolbox.request('/admin/microsoft/tenants/contosodental/check-again', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf },
      });
      const againHtml = await again.text();
      assert.equal(again.status, 200);
      assert.match(againHtml, /User Administrator: already assigned/);
      assert.match(againHtml, /Exchange Administrator: already assigned/);
      assert.match(againHtml, /Authentication Administrator: to be assigned by an admin/);
      const rechecked = (await (await toolbox.api('GET', '/api/admin/directories/contosodental/check', { session: admin })).json()) as {
        check: { results: { name: string; ok: boolean; outcome?: string }[] };
      };
      assert.equal(rechecked.check.results.find((line) => line.name === 'Exchange Online commands')?.outcome, 'unverified');
      // Not for a directory that does not use the MSP app.
      const elsewhere = await toolbox.request('/admin/microsoft/tenants/nowhere/check-again', {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf },
      });
      assert.equal(elsewhere.status, 404);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});

describe('The MSP app’s own check, for an app set up wrong', () => {
  test('a single-tenant app, a redirect URI for another address and a missing permission fail, each with what to do', async () => {
    const database = TEST_DATABASES[0]!;
    const store = await database.open();
    const graph = createGraphSimulator({
      tenants: [...structuredClone(demoTenants), mspTenant],
      mspApp: {
        homeTenant: 'northwind',
        clientId: mspApp.clientId,
        clientSecret: 'msp-app-secret-value',
        redirectUris: ['https://old-toolbox.example/admin/microsoft/consent-callback'],
        signInAudience: 'AzureADMyOrg',
        requiredPermissions: ['User.ReadWrite.All', 'Application.Read.All'],
      },
    });
    const toolbox = await createTestToolbox({
      store,
      config: { directories: [], forms: { enabled: ['password_reset', 'reset_mfa'] } },
      simulators: { cw: createConnectWiseSimulator({}), graph },
      mspApp,
    });
    try {
      const admin = await toolbox.signIn(DEMO_ADMIN);
      const doc = await toolbox.services.microsoftApp.checkApp({ userId: 'test', email: 'admin@test', requestId: null });
      const byName = new Map(doc!.results.map((line) => [line.name, line]));
      assert.equal(byName.get('Multi-tenant app')?.ok, false);
      assert.match(byName.get('Multi-tenant app')!.hint!, /Multitenant/);
      assert.equal(byName.get('Consent redirect URI')?.ok, false);
      assert.match(byName.get('Consent redirect URI')!.hint!, new RegExp(CALLBACK.replaceAll('/', '\\/')));
      assert.equal(byName.get('Permissions the forms need')?.ok, false);
      assert.match(byName.get('Permissions the forms need')!.message, /UserAuthenticationMethod\.ReadWrite\.All \(Reset MFA\)/);
      const overview = await (await toolbox.request('/admin', { cookie: admin.cookie })).text();
      assert.match(overview, /MSP app — Multi-tenant app/);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });

  test('with Microsoft sign-in offered its callback must be registered too; with no form enabled the permissions are not compared', async () => {
    const store = await TEST_DATABASES[0]!.open();
    const graph = createGraphSimulator({
      tenants: [...structuredClone(demoTenants), mspTenant],
      mspApp: {
        homeTenant: 'northwind',
        clientId: mspApp.clientId,
        clientSecret: 'msp-app-secret-value',
        // The consent callback only: the admin forgot the sign-in one.
        redirectUris: [CALLBACK],
        requiredPermissions: ['User.ReadWrite.All', 'Application.Read.All'],
      },
    });
    const toolbox = await createTestToolbox({
      store,
      config: {
        directories: [],
        forms: { enabled: [] },
        microsoft: {
          clientId: mspApp.clientId,
          clientSecret: 'msp-app-secret-value',
          tenantId: mspTenant.tenantId,
          authorityHost: GRAPH_ORIGIN,
          graphUrl: GRAPH_ORIGIN,
          roles: { admin: ['Toolbox.Admin'], technician: [] },
        },
      },
      simulators: { cw: createConnectWiseSimulator({}), graph },
    });
    try {
      const doc = await toolbox.services.microsoftApp.checkApp({ userId: 'test', email: 'admin@test', requestId: null });
      const byName = new Map(doc!.results.map((line) => [line.name, line]));
      assert.equal(byName.get('Consent redirect URI')?.ok, true);
      const signIn = byName.get('Sign-in redirect URI');
      assert.equal(signIn?.ok, false, 'the sign-in callback is checked when sign-in is offered');
      assert.match(signIn!.hint!, new RegExp(`${TEST_ORIGIN.replaceAll('/', '\\/')}\\/auth\\/microsoft\\/callback`));
      const permissions = byName.get('Permissions the forms need')!;
      assert.deepEqual([permissions.ok, permissions.outcome], [false, 'unverified']);
      assert.match(permissions.message, /No form is enabled yet/);
      // On the overview: the missing callback needs attention; the permissions line (not verifiable) does not.
      const { attention } = await toolbox.services.microsoftApp.status();
      assert.ok(
        attention.some((text) => /Sign-in redirect URI/.test(text)),
        attention.join('\n'),
      );
      assert.ok(!attention.some((text) => /Permissions the forms need/.test(text)), attention.join('\n'));
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});
