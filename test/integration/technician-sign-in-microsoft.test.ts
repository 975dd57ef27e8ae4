import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoTenants } from '../../src/demo/demo-data.js';
import type { GraphSimulatorOptions } from '../../src/simulators/graph/graph-simulator.js';
import { cookieOf } from '../helpers/http-cookies.js';
import { createRsaTestCertificate } from '../helpers/rsa-test-certificate.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, GRAPH_ORIGIN, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Technicians sign in with Microsoft (issue 13 §3), end to end against the identity simulator:
 * the login page's button, authorize, the code redeemed with PKCE, the ID token verified (JWKS,
 * issuer, audience, nonce, tid), roles from app roles and groups, the user and session in the
 * store, and the screen pop's form reached after the round trip.
 */
const contoso = demoTenants.find((t) => t.key === 'contoso')!;
const TECH = 'megan.bowen@contosodental.example';
const ADMIN = 'diego.admin@contosodental.example';
const NOBODY = 'it-admin@contosodental.example';
const GROUP_TECH = 'dsiciliani@contosodental.example';
const userId = (upn: string) => contoso.users.find((u) => u.userPrincipalName === upn)!.id;
/** A group of GROUP_TECH's that NOBODY is not in. */
const techGroup = contoso.groups.find((g) => g.memberIds.includes(userId(GROUP_TECH)) && !g.memberIds.includes(userId(NOBODY)))!;

const graphOptions = (): GraphSimulatorOptions => ({
  signIn: {
    redirectUris: { contoso: [`${TEST_ORIGIN}/auth/microsoft/callback`] },
    appRoleAssignments: { contoso: { [TECH]: ['Toolbox.Technician'], [ADMIN]: ['Toolbox.Admin', 'Toolbox.Technician'] } },
    groupsClaim: true,
  },
});
const microsoftConfig = {
  microsoft: {
    clientId: contoso.clientId,
    clientSecret: contoso.clientSecret,
    tenantId: contoso.tenantId,
    authorityHost: GRAPH_ORIGIN,
    graphUrl: GRAPH_ORIGIN,
    roles: { admin: ['Toolbox.Admin'], technician: ['Toolbox.Technician', techGroup.id] },
  },
};

const pathOf = (location: string) => {
  const url = new URL(location);
  assert.equal(url.origin, TEST_ORIGIN);
  return `${url.pathname}${url.search}`;
};

type RoundTrip = { callback: Response; callbackPath: string; pendingCookie: string; session: string | undefined; html: string };

/** A browser clicking "Sign in with Microsoft" on /login?next=…, signed in as `user` at the simulator. */
async function signInWithMicrosoft(
  toolbox: TestToolbox,
  user: string,
  options: { next?: string; loginPage?: string; changeCallback?: (query: URLSearchParams) => void } = {},
): Promise<RoundTrip> {
  const login = await (await toolbox.request(options.loginPage ?? `/login?next=${encodeURIComponent(options.next ?? '/')}`)).text();
  const href = /<a class="button primary" href="(\/auth\/microsoft\/start[^"]*)">Sign in with Microsoft<\/a>/.exec(login)?.[1];
  assert.ok(href, 'the login page has no Sign in with Microsoft button');
  assert.ok(login.indexOf('Sign in with Microsoft') < login.indexOf('name="password"'), 'Microsoft is offered before the local form');
  const start = await toolbox.request(href.replaceAll('&amp;', '&').replaceAll('&#x26;', '&').replaceAll('&#38;', '&'));
  assert.equal(start.status, 302);
  const pendingCookie = cookieOf(start, 'tbx_signin')!;
  const authorize = new URL(start.headers.get('location')!);
  assert.equal(authorize.origin + authorize.pathname, `${GRAPH_ORIGIN}/${contoso.tenantId}/oauth2/v2.0/authorize`);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('nonce') && authorize.searchParams.get('state'));
  toolbox.graph.signIn.autoSignIn(user);
  const back = await toolbox.graph.handler(new Request(authorize));
  assert.equal(back.status, 302, await back.clone().text());
  const callbackUrl = new URL(back.headers.get('location')!);
  options.changeCallback?.(callbackUrl.searchParams);
  const callbackPath = pathOf(callbackUrl.toString());
  const callback = await toolbox.request(callbackPath, { cookie: pendingCookie });
  return { callback, callbackPath, pendingCookie, session: cookieOf(callback, 'tbx_session'), html: await callback.clone().text() };
}

for (const database of TEST_DATABASES) {
  describe(`technician sign-in with Microsoft (${database.name})`, { skip: database.skip }, () => {
    test('a technician lands on the screen pop’s form; an admin gets the console; users are keyed on tid+oid; groups count', async () => {
      const store = await database.open();
      const toolbox = await createTestToolbox({ store, config: microsoftConfig, graph: graphOptions() });
      try {
        // A screen pop clicked while signed out: /login?next=<the launch>, kept across the round trip.
        const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset');
        const launchPath = pop.headers.get('location')!;
        const anonymous = await toolbox.request(launchPath);
        assert.equal(anonymous.headers.get('location'), `/login?next=${encodeURIComponent(launchPath)}`);

        const tech = await signInWithMicrosoft(toolbox, TECH, { next: launchPath });
        assert.equal(tech.callback.status, 303, tech.html);
        assert.equal(tech.callback.headers.get('location'), launchPath);
        assert.ok(tech.session);
        const form = await toolbox.request(launchPath, { cookie: tech.session });
        assert.equal(form.status, 200);
        assert.match(await form.text(), /Megan Bowen|password/i);
        const techUser = await store.users.findByExternalIdentity(
          `microsoft:${contoso.tenantId}`,
          contoso.users.find((u) => u.userPrincipalName === TECH)!.id,
        );
        assert.equal(techUser?.email, TECH);
        assert.equal(techUser?.role, 'technician');
        assert.equal((await toolbox.request('/admin', { cookie: tech.session })).status, 403);

        const admin = await signInWithMicrosoft(toolbox, ADMIN);
        assert.equal(admin.callback.status, 303);
        assert.equal(admin.callback.headers.get('location'), '/');
        assert.equal((await store.users.findByEmail(ADMIN))?.role, 'admin', 'admin wins over technician');
        assert.equal((await toolbox.request('/admin', { cookie: admin.session })).status, 200);
        assert.match(
          await (await toolbox.request('/admin/users', { cookie: admin.session })).text(),
          /signed in with Microsoft \(role from Entra\)/,
        );

        // A group object id in roles.technician: the groups claim is enough.
        const viaGroup = await signInWithMicrosoft(toolbox, GROUP_TECH);
        assert.equal(viaGroup.callback.status, 303, viaGroup.html);
        const groupUser = contoso.users.find((u) => u.userPrincipalName === GROUP_TECH)!;
        assert.equal((await store.users.findByExternalIdentity(`microsoft:${contoso.tenantId}`, groupUser.id))?.role, 'technician');

        // Neither an app role nor a listed group: a readable refusal, no session, no user.
        const nobody = await signInWithMicrosoft(toolbox, NOBODY);
        assert.equal(nobody.callback.status, 403);
        assert.match(nobody.html, /not been given access to the Technician Toolbox/);
        assert.equal(nobody.session, undefined);
        assert.equal(await store.users.findByEmail(NOBODY), undefined);
        assert.doesNotMatch(toolbox.logText(), new RegExp(contoso.clientSecret));
        // Neither the authorization code nor the state reaches the access log.
        const callbackQuery = new URLSearchParams(tech.callbackPath.split('?')[1]);
        for (const name of ['code', 'state']) assert.ok(!toolbox.logText().includes(callbackQuery.get(name)!), `${name} in the log`);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });

    test('two screen pops opened in two tabs before signing in: each tab comes back to its own form, each sign-in once', async () => {
      const store = await database.open();
      const toolbox = await createTestToolbox({ store, config: microsoftConfig, graph: graphOptions() });
      try {
        // One browser: its cookie jar is the one pending-sign-in cookie, updated by each answer.
        let jar: string | undefined;
        const startTab = async (next: string) => {
          const start = await toolbox.request(`/auth/microsoft/start?next=${encodeURIComponent(next)}`, jar ? { cookie: jar } : {});
          assert.equal(start.status, 302);
          jar = cookieOf(start, 'tbx_signin') ?? jar;
          return new URL(start.headers.get('location')!);
        };
        const finishTab = async (authorize: URL) => {
          toolbox.graph.signIn.autoSignIn(TECH);
          const back = await toolbox.graph.handler(new Request(authorize));
          const callback = await toolbox.request(pathOf(back.headers.get('location')!), { cookie: jar! });
          const updated = callback.headers.getSetCookie().find((value) => value.startsWith('tbx_signin='));
          if (updated) jar = updated.split(';')[0];
          return callback;
        };
        const first = await startTab('/launches/first-tab');
        const second = await startTab('/launches/second-tab');
        assert.notEqual(first.searchParams.get('state'), second.searchParams.get('state'));
        // The first tab finishes first although the second started last.
        const firstBack = await finishTab(first);
        assert.equal(firstBack.status, 303, await firstBack.clone().text());
        assert.equal(firstBack.headers.get('location'), '/launches/first-tab');
        const secondBack = await finishTab(second);
        assert.equal(secondBack.status, 303, await secondBack.clone().text());
        assert.equal(secondBack.headers.get('location'), '/launches/second-tab');
        assert.match(secondBack.headers.getSetCookie().join('\n'), /tbx_signin=;/, 'nothing left under way');
        // The first tab's callback again: used, nothing to finish.
        const replay = await finishTab(first);
        assert.equal(replay.status, 400);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });

    test('refused: another tenant’s token, a bad signature, a wrong nonce or state, a replayed callback, a declined sign-in', async () => {
      const store = await database.open();
      const toolbox = await createTestToolbox({ store, config: microsoftConfig, graph: graphOptions() });
      try {
        const refused = async (trip: RoundTrip, pattern: RegExp) => {
          assert.equal(trip.callback.status, 400, trip.html);
          assert.match(trip.html, pattern);
          assert.equal(trip.session, undefined);
        };
        toolbox.graph.signIn.tamperNextIdToken({ claims: { tid: '00000000-0000-4000-8000-00000000dead' } });
        await refused(await signInWithMicrosoft(toolbox, TECH), /account from another organisation/);
        toolbox.graph.signIn.tamperNextIdToken({ unpublishedKey: true });
        await refused(await signInWithMicrosoft(toolbox, TECH), /did not pass the toolbox’s checks/);
        toolbox.graph.signIn.tamperNextIdToken({ claims: { nonce: 'not-the-nonce' } });
        await refused(await signInWithMicrosoft(toolbox, TECH), /did not pass the toolbox’s checks/);
        toolbox.graph.signIn.tamperNextIdToken({ claims: { aud: 'another-app' } });
        await refused(await signInWithMicrosoft(toolbox, TECH), /did not pass the toolbox’s checks/);
        toolbox.graph.signIn.tamperNextIdToken({
          claims: { exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 4200 },
        });
        await refused(await signInWithMicrosoft(toolbox, TECH), /did not pass the toolbox’s checks/);
        assert.equal(await store.users.findByEmail(TECH), undefined, 'a refused sign-in created the user');
        // Clocks four minutes apart are tolerated (Microsoft's validator allows five); ten are not.
        const now = Math.floor(Date.now() / 1000);
        toolbox.graph.signIn.tamperNextIdToken({ claims: { nbf: now + 240, iat: now + 240 } });
        const skewed = await signInWithMicrosoft(toolbox, TECH);
        assert.equal(skewed.callback.status, 303, skewed.html);
        toolbox.graph.signIn.tamperNextIdToken({ claims: { nbf: now + 600, iat: now + 600 } });
        await refused(await signInWithMicrosoft(toolbox, TECH), /did not pass the toolbox’s checks/);
        await refused(
          await signInWithMicrosoft(toolbox, TECH, { changeCallback: (query) => query.set('state', 'forged-state') }),
          /did not start/,
        );

        // Replays: the browser's cookie is gone after the callback; a copied cookie meets a used code.
        const ok = await signInWithMicrosoft(toolbox, TECH);
        assert.equal(ok.callback.status, 303);
        assert.match(ok.callback.headers.getSetCookie().join('\n'), /tbx_signin=;/, 'the pending sign-in is not cleared');
        const withoutCookie = await toolbox.request(ok.callbackPath);
        assert.equal(withoutCookie.status, 400);
        assert.match(await withoutCookie.text(), /not started in this browser, took too long, or was already used/);
        const copied = await toolbox.request(ok.callbackPath, { cookie: ok.pendingCookie });
        assert.equal(copied.status, 400);
        assert.match(await copied.text(), /refused to complete the sign-in/);
        assert.equal(cookieOf(copied, 'tbx_session'), undefined);
        assert.match(toolbox.logText(), /invalid_grant/);

        toolbox.graph.signIn.declineNext();
        const declined = await signInWithMicrosoft(toolbox, TECH);
        assert.equal(declined.callback.status, 400);
        assert.match(declined.html, /cancelled or declined/);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });

    test('local accounts turned off for technicians: the local form refuses them, local admins (break-glass) still sign in', async () => {
      const store = await database.open();
      const toolbox = await createTestToolbox({ store, config: microsoftConfig, graph: graphOptions() });
      try {
        const admin = await toolbox.signIn(DEMO_ADMIN);
        const page = await (await toolbox.request('/admin/general', { cookie: admin.cookie })).text();
        assert.match(page, /Only local admin accounts \(break-glass\); technicians use Sign in with Microsoft/);
        const saved = await toolbox.request('/admin/general/sign-in', {
          cookie: admin.cookie,
          form: { _csrf: admin.csrf, localAccounts: 'admins' },
        });
        assert.equal(saved.status, 303, await saved.clone().text());
        const audit = await store.audit.list({ action: 'sign-in.local-accounts' }, { limit: 5, offset: 0 });
        assert.equal(audit.total, 1);
        assert.deepEqual(await (await toolbox.api('GET', '/api/admin/sign-in', { session: admin })).json(), {
          localAccounts: 'admins',
          providers: ['microsoft'],
        });

        await assert.rejects(toolbox.signIn(DEMO_SIGN_IN), /403/);
        const form = await toolbox.request('/login');
        const loginCookie = cookieOf(form, 'tbx_login')!;
        const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
        const refused = await toolbox.request('/login', { cookie: loginCookie, form: { _csrf: csrf, next: '/', ...DEMO_SIGN_IN } });
        assert.equal(refused.status, 403);
        assert.match(await refused.text(), /Toolbox passwords are turned off for technicians here\. Use “Sign in with Microsoft”/);
        assert.equal(cookieOf(refused, 'tbx_session'), undefined);
        // A wrong password still reads as a wrong password: the setting does not tell accounts apart.
        await assert.rejects(toolbox.signIn({ email: DEMO_SIGN_IN.email, password: 'not-the-password' }), /401/);

        assert.ok((await toolbox.signIn(DEMO_ADMIN)).cookie, 'the break-glass admin is locked out');
        assert.equal((await signInWithMicrosoft(toolbox, TECH)).callback.status, 303);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });

    test('the ConnectWise pod’s sign-in window offers Microsoft too, and hands the pod its code after the round trip', async () => {
      const store = await database.open();
      const toolbox = await createTestToolbox({ store, config: microsoftConfig, graph: graphOptions() });
      try {
        const trip = await signInWithMicrosoft(toolbox, TECH, {
          loginPage: '/login/pod?n=pod-nonce-123&hint=megan.bowen%40contosodental.example',
        });
        assert.equal(trip.callback.status, 303, trip.html);
        const back = trip.callback.headers.get('location')!;
        assert.equal(back, '/login/pod?n=pod-nonce-123&hint=megan.bowen%40contosodental.example&as=current');
        const handOff = await (await toolbox.request(back, { cookie: trip.session })).text();
        assert.match(handOff, /data-pod-hand-off="[^"]+"/);
        assert.match(handOff, /data-pod-nonce="pod-nonce-123"/);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });

    test('a disabled user’s session ends at once, and they cannot sign in again', async () => {
      const store = await database.open();
      const toolbox = await createTestToolbox({ store, config: microsoftConfig, graph: graphOptions() });
      try {
        const tech = await signInWithMicrosoft(toolbox, TECH);
        assert.equal((await toolbox.request('/', { cookie: tech.session })).status, 200);
        const admin = await toolbox.signIn(DEMO_ADMIN);
        const user = (await store.users.findByEmail(TECH))!;
        const patched = await toolbox.api('PATCH', `/api/admin/users/${user.id}`, { session: admin, body: { disabled: true } });
        assert.equal(patched.status, 200, await patched.clone().text());
        const after = await toolbox.request('/', { cookie: tech.session });
        assert.notEqual(after.status, 200);
        const again = await signInWithMicrosoft(toolbox, TECH);
        assert.equal(again.callback.status, 403);
        assert.match(again.html, /account is disabled/);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });
  });
}

describe('technician sign-in with Microsoft: signing keys', () => {
  const sqlite = TEST_DATABASES[0]!;
  test('after a key rollover the JWKS is fetched again for the unknown kid; not more often than the cooldown', async () => {
    const store = await sqlite.open();
    const toolbox = await createTestToolbox({ store, config: microsoftConfig, graph: graphOptions(), signInJwksCooldownMs: 0 });
    try {
      assert.equal((await signInWithMicrosoft(toolbox, TECH)).callback.status, 303);
      const reads = toolbox.graph.signIn.jwksReads();
      assert.equal((await signInWithMicrosoft(toolbox, TECH)).callback.status, 303);
      assert.equal(toolbox.graph.signIn.jwksReads(), reads, 'the keys are cached between sign-ins');
      toolbox.graph.signIn.rollKeys();
      const rolled = await signInWithMicrosoft(toolbox, TECH);
      assert.equal(rolled.callback.status, 303, rolled.html);
      assert.equal(toolbox.graph.signIn.jwksReads(), reads + 1);
    } finally {
      await toolbox.close();
    }
    // With the production cooldown (5 minutes), a rollover right after a fetch is not chased: refused, not a refetch storm.
    const slow = await createTestToolbox({ store, config: microsoftConfig, graph: graphOptions() });
    try {
      assert.equal((await signInWithMicrosoft(slow, TECH)).callback.status, 303);
      const reads = slow.graph.signIn.jwksReads();
      slow.graph.signIn.rollKeys();
      assert.equal((await signInWithMicrosoft(slow, TECH)).callback.status, 400);
      assert.equal((await signInWithMicrosoft(slow, TECH)).callback.status, 400);
      assert.equal(slow.graph.signIn.jwksReads(), reads, 'an unknown kid within the cooldown fetched the keys again');
    } finally {
      await slow.close();
      await store.drop();
    }
  });

  test('group overage: the toolbox reads the groups from Graph with the app’s own token', async () => {
    const store = await sqlite.open();
    const options = graphOptions();
    options.signIn!.groupOverageLimit = 1;
    const toolbox = await createTestToolbox({ store, config: microsoftConfig, graph: options });
    try {
      const trip = await signInWithMicrosoft(toolbox, GROUP_TECH);
      assert.equal(trip.callback.status, 303, trip.html);
      assert.equal((await store.users.findByExternalIdentity(`microsoft:${contoso.tenantId}`, userId(GROUP_TECH)))?.role, 'technician');
      const calls = toolbox.graph.state.requests.filter((r) => r.path.endsWith('/getMemberObjects'));
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.tokenTenantId, contoso.tenantId);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });

  test('with a certificate credential (PS256 client assertion, x5t#S256, aud the token endpoint) instead of a secret', async () => {
    const store = await sqlite.open();
    const certificate = createRsaTestCertificate();
    const { clientSecret: _secret, ...withoutSecret } = microsoftConfig.microsoft;
    const toolbox = await createTestToolbox({
      store,
      config: {
        microsoft: { ...withoutSecret, certificate: { privateKey: certificate.privateKeyPem, certificate: certificate.certificatePem } },
      },
      graph: { ...graphOptions(), appCertificates: { contoso: [certificate.certificatePem] } },
    });
    try {
      const trip = await signInWithMicrosoft(toolbox, TECH);
      assert.equal(trip.callback.status, 303, trip.html);
      assert.doesNotMatch(toolbox.logText(), /BEGIN PRIVATE KEY/);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });

  test('without Microsoft or OIDC sign-in, toolbox passwords cannot be turned off (nobody could sign in)', async () => {
    const store = await sqlite.open();
    const toolbox = await createTestToolbox({ store });
    try {
      const admin = await toolbox.signIn(DEMO_ADMIN);
      assert.doesNotMatch(await (await toolbox.request('/login')).text(), /\/auth\//);
      const refused = await toolbox.api('PUT', '/api/admin/sign-in', { session: admin, body: { localAccounts: 'admins' } });
      assert.equal(refused.status, 409);
      assert.match(await refused.text(), /configure `microsoft` \(with roles\) or `oidc` first/);
      assert.ok(await toolbox.signIn(DEMO_SIGN_IN));
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});
