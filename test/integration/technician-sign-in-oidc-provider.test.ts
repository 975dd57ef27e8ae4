import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Provider from 'oidc-provider';
import { cookieOf } from '../helpers/http-cookies.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Technician sign-in against a standards-compliant OpenID provider from the npm registry
 * (`oidc-provider`), on loopback, so the client is not only checked against our own simulator
 * (issue 13 §4; reference microsoft-identity.md §5: `conformIdTokenClaims: false` puts the claims
 * in the ID token; dev interactions sign in by POSTing /interaction/:uid).
 */
const ACCOUNTS: Record<string, { email: string; name: string; groups: string[] }> = {
  'ada-admin': { email: 'ada@msp.example', name: 'Ada Admin', groups: ['toolbox-admins', 'toolbox-technicians'] },
  'tom-tech': { email: 'tom@msp.example', name: 'Tom Tech', groups: ['toolbox-technicians'] },
  'nora-none': { email: 'nora@msp.example', name: 'Nora None', groups: ['marketing'] },
};
const CLIENT = { client_id: 'toolbox', client_secret: 'a-long-test-client-secret-for-oidc-provider' };

/** The provider, twice: claims in the ID token (as Entra does), and only in UserInfo (the spec's default). */
const providers: Record<'idToken' | 'userInfo', { issuer: string; server?: Server }> = {
  idToken: { issuer: '' },
  userInfo: { issuer: '' },
};

/** A free loopback port: the issuer must name the port the provider listens on. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startProvider(conformIdTokenClaims: boolean): Promise<{ issuer: string; server: Server }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      { ...CLIENT, redirect_uris: [`${TEST_ORIGIN}/auth/oidc/callback`], response_types: ['code'], grant_types: ['authorization_code'] },
    ],
    findAccount: async (_ctx, id) => {
      const account = ACCOUNTS[id];
      return account ? { accountId: id, claims: async () => ({ sub: id, email_verified: true, ...account }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    conformIdTokenClaims,
    pkce: { required: () => true },
    cookies: { keys: ['a-test-cookie-signing-key'] },
  });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { issuer, server };
}

before(async () => {
  providers.idToken = await startProvider(false);
  providers.userInfo = await startProvider(true);
});

after(async () => {
  for (const { server } of Object.values(providers)) await new Promise((resolve) => server?.close(resolve));
});

const oidcConfig = (issuer: string) => ({
  oidc: {
    issuer,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    label: 'Test IdP',
    scopes: ['openid', 'profile', 'email', 'groups'],
    roles: { admin: ['toolbox-admins'], technician: ['toolbox-technicians'] },
  },
});

/** The provider's side of the browser: a cookie jar, the dev login and consent pages. */
async function signInAtProvider(authorizeUrl: string, accountId: string): Promise<URL> {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair!.indexOf('=');
      jar.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
    return response;
  };
  let url = authorizeUrl;
  for (let step = 0; step < 12; step++) {
    if (url.startsWith(TEST_ORIGIN)) return new URL(url);
    const response = await send(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url).toString();
      continue;
    }
    const page = await response.text();
    assert.equal(response.status, 200, page.slice(0, 500));
    const prompt = /name="prompt" value="(login|consent)"/.exec(page)?.[1];
    assert.ok(prompt, `no dev interaction form at ${url}`);
    const body = new URLSearchParams(prompt === 'login' ? { prompt, login: accountId, password: 'any' } : { prompt });
    const posted = await send(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.ok(posted.status >= 300 && posted.status < 400, `the ${prompt} form answered ${posted.status}`);
    url = new URL(posted.headers.get('location')!, url).toString();
  }
  assert.fail('the provider did not redirect back');
}

async function signInWithOidc(toolbox: TestToolbox, accountId: string, next = '/') {
  const login = await (await toolbox.request(`/login?next=${encodeURIComponent(next)}`)).text();
  const href = /<a class="button primary" href="(\/auth\/oidc\/start[^"]*)">Sign in with Test IdP<\/a>/.exec(login)?.[1];
  assert.ok(href, 'no Sign in with Test IdP button');
  const start = await toolbox.request(href);
  assert.equal(start.status, 302, await start.clone().text());
  const pendingCookie = cookieOf(start, 'tbx_signin')!;
  const back = await signInAtProvider(start.headers.get('location')!, accountId);
  const callbackPath = `${back.pathname}${back.search}`;
  const callback = await toolbox.request(callbackPath, { cookie: pendingCookie });
  return { callback, callbackPath, pendingCookie, session: cookieOf(callback, 'tbx_session'), html: await callback.clone().text() };
}

for (const database of TEST_DATABASES) {
  describe(`technician sign-in with oidc-provider (${database.name})`, { skip: database.skip }, () => {
    test('admin and technician by the groups claim, a user with neither refused, the next page kept, a replayed callback refused', async () => {
      const { issuer } = providers.idToken;
      const store = await database.open();
      const toolbox = await createTestToolbox({
        store,
        config: oidcConfig(issuer),
        // The provider is a real server on loopback: the toolbox reaches it over the network.
        upstreams: { [issuer]: (request) => fetch(request) },
      });
      try {
        const tech = await signInWithOidc(toolbox, 'tom-tech', '/launches/some-launch?x=1');
        assert.equal(tech.callback.status, 303, tech.html);
        assert.equal(tech.callback.headers.get('location'), '/launches/some-launch?x=1');
        const techUser = await store.users.findByExternalIdentity(`oidc:${issuer}`, 'tom-tech');
        assert.equal(techUser?.role, 'technician');
        assert.equal(techUser?.email, 'tom@msp.example');
        assert.equal(techUser?.source, 'oidc');

        const admin = await signInWithOidc(toolbox, 'ada-admin');
        assert.equal(admin.callback.status, 303, admin.html);
        assert.equal((await store.users.findByEmail('ada@msp.example'))?.role, 'admin');
        assert.equal((await toolbox.request('/admin', { cookie: admin.session })).status, 200);

        const nobody = await signInWithOidc(toolbox, 'nora-none');
        assert.equal(nobody.callback.status, 403);
        assert.match(nobody.html, /none of the groups or roles that give access/);
        assert.equal(nobody.session, undefined);

        // The same callback again, with a copy of the pending cookie: the provider refuses the used code.
        const replay = await toolbox.request(tech.callbackPath, { cookie: tech.pendingCookie });
        assert.equal(replay.status, 400);
        assert.equal(cookieOf(replay, 'tbx_session'), undefined);
        assert.doesNotMatch(toolbox.logText(), new RegExp(CLIENT.client_secret));
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });

    test('the groups claim only in UserInfo (a provider conforming to the spec’s lean ID tokens)', async () => {
      const { issuer } = providers.userInfo;
      const store = await database.open();
      const toolbox = await createTestToolbox({ store, config: oidcConfig(issuer), upstreams: { [issuer]: (request) => fetch(request) } });
      try {
        const admin = await signInWithOidc(toolbox, 'ada-admin');
        assert.equal(admin.callback.status, 303, admin.html);
        assert.equal((await store.users.findByExternalIdentity(`oidc:${issuer}`, 'ada-admin'))?.role, 'admin');
        const nobody = await signInWithOidc(toolbox, 'nora-none');
        assert.equal(nobody.callback.status, 403);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });
  });
}
