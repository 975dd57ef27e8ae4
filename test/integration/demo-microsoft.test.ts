import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { DEMO_ADMIN, DEMO_MICROSOFT_SIGN_IN, DEMO_SCREENPOP_SECRET } from '../../src/demo/demo-config.js';
import { demoMspTenant, demoTenants } from '../../src/demo/demo-data.js';
import { type RunningToolbox, startToolbox } from '../../src/start-toolbox.js';
import { cookieOf, csrfIn } from '../helpers/http-cookies.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';

/**
 * Issue 13 "Done when": `npm start` with no set-up runs the demo's simulated MSP app (technicians
 * sign in with Microsoft beside the local demo sign-in) and a customer tenant pre-consented to it,
 * and `TOOLBOX_DEMO=console` walks the consent link flow against the simulator's pages. Over HTTP
 * as a browser would, on SQLite and on PostgreSQL (a database of its own, created for the run).
 */
const contoso = demoTenants.find((t) => t.key === 'contoso')!;
const fabrikam = demoTenants.find((t) => t.key === 'fabrikam')!;
const fabrikamAdmin = fabrikam.users.find((u) => u.directoryRoles?.includes('Global Administrator'))!;
const MEGAN = contoso.users.find((u) => u.userPrincipalName === 'megan.bowen@contosodental.example')!.id;

const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgSkip = TEST_DATABASES.find((d) => d.name === 'postgres')?.skip;

/** The demo's environment on one database: SQLite in a temporary data dir, or a fresh PostgreSQL database. */
async function demoEnvironment(database: 'sqlite' | 'postgres', extra: Record<string, string> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'toolbox-demo-microsoft-'));
  let dropDatabase = async () => {};
  const env: Record<string, string> = { TOOLBOX_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...extra };
  if (database === 'postgres') {
    const name = `demo_ms_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      const cleanup = new pg.Client({ connectionString: postgresUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    };
  }
  const toolbox = await startToolbox({ env });
  return {
    toolbox,
    async close() {
      await toolbox.close();
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const unescapeHtml = (text: string) => text.replaceAll('&amp;', '&').replaceAll('&#38;', '&').replaceAll('&#x26;', '&');
/** The hidden fields of a simulator page's form, as the browser would send them back. */
const hiddenFields = (html: string) =>
  new URLSearchParams(
    [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(
      (m) => [unescapeHtml(m[1]!), unescapeHtml(m[2]!).replaceAll('&#34;', '"')] as [string, string],
    ),
  );

/** Requests to the toolbox, never following redirects (the test follows them). */
const get = (toolbox: RunningToolbox, path: string, cookie?: string) =>
  fetch(`${toolbox.url}${path}`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });
const post = (toolbox: RunningToolbox, path: string, form: Record<string, string>, cookie?: string) =>
  fetch(`${toolbox.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: toolbox.url, ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(form),
  });
/** The simulator, in process: its pages as the browser gets them (it also listens over HTTPS for the toolbox). */
const simulator = (toolbox: RunningToolbox, url: string | URL, form?: URLSearchParams) =>
  toolbox.sandbox!.graph.handler(
    form
      ? new Request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })
      : new Request(url),
  );
const toolboxPath = (toolbox: RunningToolbox, location: string) => {
  const url = new URL(location, toolbox.url);
  assert.equal(url.origin, new URL(toolbox.config.publicUrl).origin, `a redirect away from the toolbox: ${location}`);
  return `${url.pathname}${url.search}`;
};

async function localSignIn(toolbox: RunningToolbox, who: { email: string; password: string }) {
  const page = await get(toolbox, '/login');
  const login = await post(
    toolbox,
    '/login',
    { _csrf: csrfIn(await page.text())!, email: who.email, password: who.password, next: '/' },
    cookieOf(page, 'tbx_login'),
  );
  const cookie = cookieOf(login, 'tbx_session');
  assert.ok(cookie, `local sign-in of ${who.email}`);
  const csrf = csrfIn(await (await get(toolbox, '/', cookie)).text());
  return { cookie, csrf: csrf! };
}

/** "Sign in with Microsoft" on the login page, the simulator's sign-in page, the account picked, back to the toolbox. */
async function microsoftSignIn(toolbox: RunningToolbox, upn: string) {
  const login = await (await get(toolbox, '/login')).text();
  const href = /<a class="button primary" href="(\/auth\/microsoft\/start[^"]*)">Sign in with Microsoft<\/a>/.exec(login)?.[1];
  assert.ok(href, 'the demo’s login page offers Sign in with Microsoft');
  assert.match(login, /name="password"/, 'the local demo sign-in is still there');
  const start = await get(toolbox, unescapeHtml(href));
  assert.equal(start.status, 302);
  const pending = cookieOf(start, 'tbx_signin')!;
  const authorize = new URL(start.headers.get('location')!);
  assert.equal(authorize.origin, new URL(toolbox.sandbox!.graphUrl).origin);
  assert.equal(authorize.pathname, `/${demoMspTenant.tenantId}/oauth2/v2.0/authorize`);
  const page = await simulator(toolbox, authorize);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.ok(html.includes(`value="${upn}"`), `${upn} is offered on the simulator's sign-in page`);
  const form = hiddenFields(html);
  form.set('login', upn);
  form.set('action', 'signin');
  const back = await simulator(toolbox, `${authorize.origin}${authorize.pathname}`, form);
  assert.equal(back.status, 302, await back.clone().text());
  const callback = await get(toolbox, toolboxPath(toolbox, back.headers.get('location')!), pending);
  return { callback, session: cookieOf(callback, 'tbx_session'), html: await callback.clone().text() };
}

async function waitForExecution(toolbox: RunningToolbox, id: string, cookie: string) {
  let execution: { status: string } | undefined;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    execution = (await (await get(toolbox, `/api/executions/${id}`, cookie)).json()) as typeof execution;
    if (execution && execution.status !== 'queued' && execution.status !== 'running') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return execution;
}

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`the demo's MSP app (${database})`, { skip: database === 'postgres' ? pgSkip : undefined }, () => {
    test('npm start: Microsoft sign-in beside the local one, roles from the token, and the pre-consented tenant’s password reset', async () => {
      const demo = await demoEnvironment(database);
      const { toolbox } = demo;
      try {
        const technician = await microsoftSignIn(toolbox, DEMO_MICROSOFT_SIGN_IN.technician);
        assert.equal(technician.callback.status, 303, technician.html);
        assert.ok(technician.session);
        assert.equal((await get(toolbox, '/admin', technician.session)).status, 403, 'the technician group gives the technician role');
        const admin = await microsoftSignIn(toolbox, DEMO_MICROSOFT_SIGN_IN.admin);
        assert.equal(admin.callback.status, 303, admin.html);
        assert.equal((await get(toolbox, '/admin', admin.session)).status, 200, 'the Toolbox.Admin app role gives the admin role');
        const refused = await microsoftSignIn(toolbox, DEMO_MICROSOFT_SIGN_IN.refused);
        assert.equal(refused.callback.status, 403);
        assert.equal(refused.session, undefined);
        // The local demo sign-in keeps working.
        await localSignIn(toolbox, DEMO_ADMIN);

        // Contoso is connected through the MSP app: its directory names only the tenant.
        const directory = toolbox.config.directories.find((d) => d.id === 'contoso');
        assert.deepEqual(
          {
            credential: (directory?.settings as { credential?: string } | undefined)?.credential,
            tenantId: (directory?.settings as { tenantId?: string } | undefined)?.tenantId,
          },
          { credential: 'msp-app', tenantId: contoso.tenantId },
        );
        // A screen pop of Contoso, the password reset, done with the MSP app's token, as the Microsoft-signed-in technician.
        const cookie = technician.session!;
        const pop = await get(
          toolbox,
          `/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset&secret=${DEMO_SCREENPOP_SECRET}`,
          cookie,
        );
        assert.equal(pop.status, 303);
        const formPath = pop.headers.get('location')!;
        const form = await (await get(toolbox, formPath, cookie)).text();
        assert.match(form, /Megan Bowen/);
        const submit = await post(
          toolbox,
          formPath,
          { _csrf: csrfIn(form)!, user_id: MEGAN, password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' },
          cookie,
        );
        assert.equal(submit.status, 303, await submit.text());
        const execution = await waitForExecution(toolbox, submit.headers.get('location')!.split('/').pop()!, cookie);
        assert.equal(execution?.status, 'succeeded', JSON.stringify(execution));
        const graph = toolbox.sandbox!.graph;
        assert.ok(graph.state.passwordChanges.some((change) => change.userId === MEGAN));
        const contosoClients = new Set(graph.state.tokensIssued.filter((t) => t.tenantId === contoso.tenantId).map((t) => t.clientId));
        assert.deepEqual([...contosoClients], [demoMspTenant.clientId], 'Contoso is reached with the MSP app only');
      } finally {
        await demo.close();
      }
    });

    test('TOOLBOX_DEMO=console: "Connect a Microsoft 365 tenant", the simulator’s consent page, Accept, back connected', async () => {
      const demo = await demoEnvironment(database, { TOOLBOX_DEMO: 'console' });
      const { toolbox } = demo;
      try {
        assert.equal(toolbox.config.directories.length, 0, 'nothing is set up');
        assert.equal(toolbox.services.microsoftApp.app(), undefined, 'no MSP app yet: the admin enters it');
        const admin = await localSignIn(toolbox, DEMO_ADMIN);
        // The MSP app, typed in as main prints it.
        const microsoft = toolbox.sandbox!.config.microsoft;
        const saved = await post(
          toolbox,
          '/admin/microsoft/app',
          {
            _csrf: admin.csrf,
            revision: '',
            'fields.clientId': microsoft.clientId,
            'fields.tenantId': microsoft.tenantId,
            'fields.credential': 'secret',
            'secrets.clientSecret': microsoft.clientSecret,
            'fields.rolesAdmin': microsoft.roles.admin.join('\n'),
            'fields.rolesTechnician': microsoft.roles.technician.join('\n'),
            'fields.authorityHost': microsoft.authorityHost,
            'fields.graphUrl': microsoft.graphUrl,
          },
          admin.cookie,
        );
        assert.equal(saved.status, 303, await saved.text());
        assert.equal(toolbox.services.microsoftApp.app()?.clientId, demoMspTenant.clientId);
        const microsoftPage = await (await get(toolbox, '/admin/microsoft', admin.cookie)).text();
        assert.match(microsoftPage, /Connect a Microsoft 365 tenant/);
        const connect = await post(toolbox, '/admin/microsoft/connect', { _csrf: admin.csrf }, admin.cookie);
        assert.equal(connect.status, 200);
        const link = /id="consent-link"[^>]*value="([^"]+)"/.exec(await connect.text())?.[1];
        assert.ok(link, 'the page shows the consent link');
        const consentUrl = new URL(unescapeHtml(link));
        assert.equal(consentUrl.origin, new URL(toolbox.sandbox!.graphUrl).origin);

        // The customer's admin opens the link: Entra's consent page, the admin picked, Accept.
        const page = await simulator(toolbox, consentUrl);
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(html, /Permissions requested/);
        assert.ok(html.includes(`value="${fabrikamAdmin.userPrincipalName}"`));
        const form = hiddenFields(html);
        form.set('login', fabrikamAdmin.userPrincipalName);
        form.set('action', 'accept');
        const accepted = await simulator(toolbox, `${consentUrl.origin}${consentUrl.pathname}`, form);
        assert.equal(accepted.status, 302, await accepted.clone().text());
        const callbackPath = toolboxPath(toolbox, accepted.headers.get('location')!);
        assert.match(callbackPath, /^\/admin\/microsoft\/consent-callback\?/);
        const callback = await get(toolbox, callbackPath, admin.cookie);
        const result = await callback.text();
        assert.equal(callback.status, 200, result);
        assert.match(result, new RegExp(`${fabrikam.displayName} is connected`));
        const directory = toolbox.services.settings
          .current()
          .directories.find((d) => (d.view.fields as { tenantId?: string }).tenantId === fabrikam.tenantId);
        assert.ok(directory, 'the tenant is a directory now');
        assert.equal((directory.view.fields as { credential?: string }).credential, 'msp-app');
        assert.equal(toolbox.sandbox!.graph.adminConsent.servicePrincipal('fabrikam')?.appId, demoMspTenant.clientId);

        // Cancel on the page: back with the decline, nothing more connected.
        const again = await post(toolbox, '/admin/microsoft/connect', { _csrf: admin.csrf }, admin.cookie);
        const second = new URL(unescapeHtml(/id="consent-link"[^>]*value="([^"]+)"/.exec(await again.text())![1]!));
        const cancelForm = hiddenFields(await (await simulator(toolbox, second)).text());
        cancelForm.set('action', 'cancel');
        const cancelled = await simulator(toolbox, `${second.origin}${second.pathname}`, cancelForm);
        const declined = await get(toolbox, toolboxPath(toolbox, cancelled.headers.get('location')!), admin.cookie);
        assert.match(await declined.text(), /cancelled or declined/);
        assert.equal(toolbox.services.settings.current().directories.length, 1);
      } finally {
        await demo.close();
      }
    });
  });
}
