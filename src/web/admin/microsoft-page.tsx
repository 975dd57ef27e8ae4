import { type Context, Hono } from 'hono';
import type { ConnectionField } from '../../connectors/connection-fields.js';
import { checkLineState } from '../../connectors/systems-check.js';
import {
  type ConnectedTenant,
  type ConsentRefusal,
  checkTenantAgain,
  completeConsent,
  createConsentLink,
} from '../../domain/microsoft-app/connect-tenant.js';
import type { DirectoryCheckDocument } from '../../domain/settings/directory-check-document.js';
import { MICROSOFT_APP_LABELS } from '../../domain/settings/microsoft-app-input.js';
import type { FieldProblem } from '../../lib/toolbox-error.js';
import type { ConsentResultRecord } from '../../store/types.js';
import { describeMicrosoftApp, saveMicrosoftAppOperation } from '../api/operations/microsoft-app-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { Layout } from '../views/layout.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { ConnectionFieldset, ConnectionReadOnly } from './connection-fieldset.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';
import { RegistrationCard, SentLinksCard } from './msp-app-cards.js';

/**
 * The MSP app's form, as connection fields (the same inputs as the PSA's and directories'): the
 * secret and the private key are write-only; the roles are one value per line.
 */
const APP_FIELDS: ConnectionField[] = [
  {
    name: 'clientId',
    label: MICROSOFT_APP_LABELS.clientId!,
    help: 'The multi-tenant app registered in your own tenant: Entra admin center → App registrations → the app → Overview.',
  },
  { name: 'tenantId', label: MICROSOFT_APP_LABELS.tenantId!, help: 'Your own tenant’s ID (Overview); technicians sign in against it.' },
  {
    name: 'credential',
    label: MICROSOFT_APP_LABELS.credential!,
    type: 'select',
    options: [
      { value: 'certificate', label: 'Certificate (preferred)' },
      { value: 'secret', label: 'Client secret' },
    ],
  },
  {
    name: 'privateKey',
    label: MICROSOFT_APP_LABELS.privateKey!,
    secret: true,
    type: 'multiline',
    help: 'PEM (-----BEGIN PRIVATE KEY-----), RSA 2048 bits or more, without a password. `npm run toolbox -- microsoft-certificate` makes one.',
    showWhen: { field: 'credential', values: ['certificate'] },
  },
  {
    name: 'certificate',
    label: MICROSOFT_APP_LABELS.certificate!,
    type: 'multiline',
    help: 'PEM of the certificate uploaded to the app (Certificates & secrets → Certificates).',
    showWhen: { field: 'credential', values: ['certificate'] },
  },
  {
    name: 'clientSecret',
    label: MICROSOFT_APP_LABELS.clientSecret!,
    secret: true,
    help: 'The secret’s value (Certificates & secrets → Client secrets), not its id.',
    showWhen: { field: 'credential', values: ['secret'] },
  },
  {
    name: 'rolesAdmin',
    label: MICROSOFT_APP_LABELS.admin!,
    type: 'multiline',
    help: 'Entra group object ids or app role values whose members sign in with Microsoft as admins; one per line.',
  },
  {
    name: 'rolesTechnician',
    label: MICROSOFT_APP_LABELS.technician!,
    type: 'multiline',
    help: 'The same for technicians. Both empty: “Sign in with Microsoft” is not offered.',
  },
  {
    name: 'authorityHost',
    label: MICROSOFT_APP_LABELS.authorityHost!,
    type: 'url',
    advanced: true,
    placeholder: 'https://login.microsoftonline.com',
    help: 'Another only for a sovereign cloud.',
  },
  {
    name: 'graphUrl',
    label: MICROSOFT_APP_LABELS.graphUrl!,
    type: 'url',
    advanced: true,
    placeholder: 'https://graph.microsoft.com',
    help: 'Another only for a sovereign cloud.',
  },
];
const SECRET_FIELDS = new Set(['clientSecret', 'privateKey']);

/** The domain's problem paths (`clientId`, `roles.admin`) as the fieldset names its inputs. */
const problemsForForm = (problems: FieldProblem[]): FieldProblem[] =>
  problems.map((problem) => {
    const path = problem.path.replace(/^body\./, '');
    const name = path === 'roles.admin' ? 'rolesAdmin' : path === 'roles.technician' ? 'rolesTechnician' : path.split('.')[0]!;
    return { path: `${SECRET_FIELDS.has(name) ? 'secrets' : 'fields'}.${name}`, message: problem.message };
  });

const oneList = (text: string | undefined) =>
  (text ?? '')
    .split(/[\r\n,]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

type AppFormState = { notice?: string; problems?: FieldProblem[]; submitted?: Record<string, string> };

function AppCard(props: { c: Context<AppEnv>; auth: Auth; state: AppFormState }) {
  const services = props.c.get('services');
  const view = describeMicrosoftApp(services);
  const values: Record<string, string> = props.state.submitted ?? {
    clientId: view.clientId ?? '',
    tenantId: view.tenantId ?? '',
    credential: view.credential ?? 'certificate',
    certificate: view.source === 'console' ? (services.settings.current().microsoftApp?.config.certificate ?? '') : '',
    rolesAdmin: view.roles.admin.join('\n'),
    rolesTechnician: view.roles.technician.join('\n'),
    ...(view.authorityHost && view.authorityHost !== 'https://login.microsoftonline.com' ? { authorityHost: view.authorityHost } : {}),
    ...(view.graphUrl && view.graphUrl !== 'https://graph.microsoft.com' ? { graphUrl: view.graphUrl } : {}),
  };
  const secretsSet = view.secretSet ? [view.credential === 'secret' ? 'clientSecret' : 'privateKey'] : [];
  return (
    <section class="card" aria-labelledby="msp-app">
      <h2 id="msp-app">The MSP app {view.source ? <SourceBadge source={view.source} /> : null}</h2>
      <p class="muted">
        One multi-tenant app registered in your own tenant: customer tenants consent to it, and technicians sign in with it. Register these
        web redirect URIs on it: <code>{view.consentRedirectUri}</code> and <code>{view.signInRedirectUri}</code>.
      </p>
      {view.updatedAt ? (
        <p class="muted">
          Last saved {view.updatedAt.slice(0, 16).replace('T', ' ')} UTC by {view.updatedBy ?? 'unknown'}.
        </p>
      ) : null}
      {view.certificate ? (
        <p>
          Certificate <code>{view.certificate.thumbprintSha1}</code>, valid until {view.certificate.notAfter.slice(0, 10)}.
        </p>
      ) : null}
      <p>{view.signInOffered ? 'Technicians may sign in with Microsoft.' : 'Microsoft sign-in is not offered (no roles set).'}</p>
      {view.source === 'file' ? (
        <>
          <p>
            The configuration file sets the MSP app (<code>microsoft</code>), so it is shown here read-only. Change it in the file (
            <code>{services.config.configPath ?? 'TOOLBOX_CONFIG'}</code>) and restart.
          </p>
          <ConnectionReadOnly
            fields={APP_FIELDS.filter((field) => field.name !== 'certificate')}
            values={{ ...values, rolesAdmin: view.roles.admin.join(', '), rolesTechnician: view.roles.technician.join(', ') }}
            secretsSet={secretsSet}
          />
        </>
      ) : (
        <form method="post" action="/admin/microsoft/app" class="connection-form">
          <CsrfField auth={props.auth} />
          <input type="hidden" name="revision" value={view.revision ?? ''} />
          <ConnectionFieldset
            fields={APP_FIELDS}
            values={values}
            secretsSet={secretsSet}
            problems={props.state.problems ?? []}
            idPrefix="msp-app"
          />
          <div class="row">
            <button type="submit" class="primary">
              Save the app
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

const actorOf = (c: Context<AppEnv>, auth: Auth) => ({
  userId: auth.user.id,
  email: auth.user.email,
  requestId: c.get('requestId') ?? null,
});

type ConsentLinkView = { url: string; expiresAt: string; toSend: boolean };

function ConnectCard(props: { auth: Auth; configured: boolean; link?: ConsentLinkView | undefined }) {
  const { link } = props;
  return (
    <section class="card" aria-labelledby="connect-tenant">
      <h2 id="connect-tenant">Connect a Microsoft 365 tenant</h2>
      {props.configured ? (
        <>
          <p class="muted">
            An admin-consent link for the MSP app: the customer’s Global Administrator (or you, through GDAP) accepts the permissions at
            Microsoft, and the tenant is recorded, checked and given the roles the forms need. Open it yourself, or make one to send.
          </p>
          <div class="row connect-actions">
            <form method="post" action="/admin/microsoft/connect">
              <CsrfField auth={props.auth} />
              <button type="submit" class="primary">
                Connect a Microsoft 365 tenant
              </button>
            </form>
            <form method="post" action="/admin/microsoft/connect">
              <CsrfField auth={props.auth} />
              <input type="hidden" name="send" value="1" />
              <button type="submit">Make a link to send to the customer’s admin</button>
            </form>
          </div>
          {link ? (
            <div class="field">
              <label for="consent-link">
                {link.toSend ? 'Link to send' : 'Admin-consent link'} (works once, until {link.expiresAt.slice(0, 16).replace('T', ' ')}{' '}
                UTC)
              </label>
              <input id="consent-link" type="text" readonly value={link.url} />
              {link.toSend ? (
                <p class="hint">
                  Send it to the customer’s Global Administrator (e-mail or chat); they need no account here. What comes of it shows under
                  “Links sent” below.
                </p>
              ) : (
                <>
                  <p>
                    <a href={link.url} rel="noreferrer">
                      Open the consent page
                    </a>
                  </p>
                  <p class="hint">
                    Tied to your session: the answer is accepted only in this browser while you are signed in. To have the customer’s admin
                    answer, make a link to send.
                  </p>
                </>
              )}
            </div>
          ) : null}
        </>
      ) : (
        <p>
          No MSP app is set up yet. Register one multi-tenant app in your own tenant as “Registering the MSP app” below says, then enter its
          client id and credential under “The MSP app” (or in the configuration file’s <code>microsoft</code> block).
        </p>
      )}
    </section>
  );
}

function TenantResult(props: { auth: Auth; result: ConnectedTenant | ConsentRefusal }) {
  const { result } = props;
  if (!result.ok) {
    return (
      <section class="card" aria-labelledby="consent-result">
        <h2 id="consent-result">{result.title}</h2>
        <p>{result.message}</p>
        {result.upstreamCode ? <p class="muted">Microsoft’s reference: {result.upstreamCode}</p> : null}
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="consent-result">
      <h2 id="consent-result">
        {result.displayName} is {result.reconnected ? 'connected again' : 'connected'}
      </h2>
      <p>
        Tenant <code>{result.tenantId}</code>, directory{' '}
        <a href={`/admin/directories/${encodeURIComponent(result.directoryId)}`}>{result.directoryId}</a>. Verified domains:{' '}
        {result.verifiedDomains.join(', ')}.
      </p>
      <p>
        Systems check: {result.check.ok ? 'passed' : 'needs attention'} (
        <a href={`/admin/directories/${encodeURIComponent(result.directoryId)}`}>details</a>).
      </p>
      {result.roles.length > 0 ? (
        <>
          <h3>Entra roles for the app</h3>
          <ul>
            {result.roles.map((role) => (
              <li>
                {role.role}:{' '}
                {role.state === 'assigned'
                  ? 'assigned by the toolbox'
                  : role.state === 'already'
                    ? 'already assigned'
                    : 'to be assigned by an admin'}
                {role.detail ? <span class="muted"> ({role.detail})</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {result.manualSteps.length > 0 ? (
        <>
          <h3>Still to do in the customer’s tenant</h3>
          <ol>
            {result.manualSteps.map((step) => (
              <li>{step}</li>
            ))}
          </ol>
        </>
      ) : null}
      {result.missingPermissions.length > 0 ? (
        <>
          <h3>Permissions not granted</h3>
          <ul>
            {result.missingPermissions.map((entry) => (
              <li>
                {entry.form} needs {entry.permissions.join(', ')}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {result.manualSteps.length > 0 || result.missingPermissions.length > 0 ? (
        <form method="post" action={`/admin/microsoft/tenants/${encodeURIComponent(result.directoryId)}/check-again`}>
          <CsrfField auth={props.auth} />
          <button type="submit">Check again</button>
        </form>
      ) : null}
      <p>
        Next: <a href="/admin/companies">map the PSA companies</a> to this tenant; companies whose contacts use its verified domains are
        suggested there.
      </p>
    </section>
  );
}

function AppCheck(props: { auth: Auth; check: DirectoryCheckDocument | null; configured: boolean }) {
  if (!props.configured) return null;
  return (
    <section class="card" aria-labelledby="app-check">
      <h2 id="app-check">Checking the MSP app</h2>
      {props.check ? (
        <>
          <p class="muted">
            Last checked {props.check.ranAt.slice(0, 16).replace('T', ' ')} UTC by {props.check.ranBy}.
          </p>
          <ul>
            {props.check.results.map((line) => (
              <li class={checkLineState(line) === 'pass' ? undefined : 'warning'}>
                <strong>{line.name}</strong>: {line.message} {line.hint ? <span class="muted">{line.hint}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">Not checked yet.</p>
      )}
      <form method="post" action="/admin/microsoft/check">
        <CsrfField auth={props.auth} />
        <button type="submit">Check the app</button>
      </form>
    </section>
  );
}

function MicrosoftPage(props: {
  c: Context<AppEnv>;
  appForm?: AppFormState;
  auth: Auth;
  configured: boolean;
  link?: ConsentLinkView | undefined;
  sentLinks?: ConsentResultRecord[];
  result?: ConnectedTenant | ConsentRefusal;
  error?: string;
  check?: DirectoryCheckDocument | null;
}) {
  const registration = (
    <RegistrationCard registration={props.c.get('services').microsoftApp.registration()} configured={props.configured} />
  );
  return (
    <AdminLayout
      title="Microsoft 365 tenants"
      active="/admin/directories"
      auth={props.auth}
      error={props.error}
      notice={props.appForm?.notice}
    >
      {props.result ? <TenantResult auth={props.auth} result={props.result} /> : null}
      <ConnectCard auth={props.auth} configured={props.configured} link={props.link} />
      {props.configured ? <SentLinksCard links={props.sentLinks ?? []} now={props.c.get('services').clock.now()} /> : null}
      <AppCheck auth={props.auth} check={props.check ?? null} configured={props.configured} />
      {/* The steps come before the form while there is no app, after it once there is. */}
      {props.configured ? null : registration}
      <AppCard c={props.c} auth={props.auth} state={props.appForm ?? {}} />
      {props.configured ? registration : null}
    </AdminLayout>
  );
}

/**
 * The page with what the request carries: a route passes only what it changes. The app's last
 * check is read from the store unless the route just ran it, so every answer shows it.
 */
async function page(c: Context<AppEnv>, extra: Partial<Parameters<typeof MicrosoftPage>[0]> = {}) {
  const services = c.get('services');
  const check = 'check' in extra ? extra.check : (await services.microsoftApp.status()).lastCheck;
  const sentLinks = await services.store.consentResults.listRecent(new Date(services.clock.now()).toISOString(), 10);
  return (
    <MicrosoftPage
      c={c}
      auth={c.get('auth')!}
      configured={!!services.microsoftApp.app()}
      sentLinks={sentLinks}
      {...extra}
      check={check ?? null}
    />
  );
}

const EXPIRED = 'The form had expired; nothing was done. Try again.';

/** `/admin/microsoft`: the MSP app (entered here or in the file), its check, the consent link, and "check again" for a connected tenant. */
export const microsoftPage = new Hono<AppEnv>()
  .get('/admin/microsoft', async (c) => {
    const notice = c.req.query('notice') === 'saved' ? 'Saved. Run “Check the app” to see that it works.' : undefined;
    return c.html(await page(c, { appForm: notice ? { notice } : {} }));
  })
  .post('/admin/microsoft/app', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(await page(c, { error: EXPIRED }), 403);
    const credential = form['fields.credential'] ?? '';
    const body = {
      clientId: form['fields.clientId'] ?? '',
      tenantId: form['fields.tenantId'] ?? '',
      credential,
      clientSecret: form['secrets.clientSecret'] ?? '',
      privateKey: form['secrets.privateKey'] ?? '',
      certificate: form['fields.certificate'] ?? '',
      authorityHost: form['fields.authorityHost'] ?? '',
      graphUrl: form['fields.graphUrl'] ?? '',
      roles: { admin: oneList(form['fields.rolesAdmin']), technician: oneList(form['fields.rolesTechnician']) },
      revision: form.revision ? form.revision : null,
    };
    const result = await runConsoleAction(c, auth, saveMicrosoftAppOperation, { body });
    if (result.ok) return c.redirect('/admin/microsoft?notice=saved', 303);
    // Shown again as entered, secrets left out (a secret is never rendered back).
    const submitted = Object.fromEntries(
      Object.entries(form)
        .filter(([name]) => name.startsWith('fields.'))
        .map(([name, value]) => [name.slice('fields.'.length), value]),
    );
    return c.html(
      await page(c, { error: result.error.message, appForm: { problems: problemsForForm(result.error.fields), submitted } }),
      result.error.httpStatus as 400,
    );
  })
  .post('/admin/microsoft/check', async (c) => {
    const services = c.get('services');
    const form = await readConsoleForm(c);
    if (!form) return c.html(await page(c, { error: EXPIRED }), 403);
    const check = await services.microsoftApp.checkApp(actorOf(c, c.get('auth')!));
    return c.html(await page(c, { check }));
  })
  .post('/admin/microsoft/connect', async (c) => {
    const services = c.get('services');
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(await page(c, { error: EXPIRED }), 403);
    // A link to open oneself is bound to this session (its answer is accepted only here); a link to
    // send is completed by its state alone, and its result listed under "Links sent".
    const toSend = form.send === '1';
    const actor = actorOf(c, auth);
    const link = await createConsentLink(
      services.microsoftApp.connectDeps,
      toSend ? { toSend: true, actor } : { sessionId: auth.session.id, actor },
    );
    return c.html(await page(c, { configured: !!link, link: link ? { url: link.url, expiresAt: link.expiresAt, toSend } : undefined }));
  })
  .post('/admin/microsoft/tenants/:id/check-again', async (c) => {
    const services = c.get('services');
    const id = c.req.param('id');
    const form = await readConsoleForm(c);
    if (!form) return c.html(await page(c, { error: EXPIRED }), 403);
    const result = await checkTenantAgain(services.microsoftApp.connectDeps, id, actorOf(c, c.get('auth')!));
    if (!result) return c.html(await page(c, { error: `There is no tenant “${id}” connected with the MSP app.` }), 404);
    return c.html(await page(c, { result }));
  });

/**
 * The admin-consent callback, Microsoft's redirect back (`consentCallbackUrl`). Mounted before the
 * console's guard: a link made through the API is answered by the customer's admin, who is not
 * signed in here, and its one-use `state` alone completes it. A console link still needs the
 * admin session that made it (connect-tenant.ts checks which).
 */
export const consentCallbackRoute = new Hono<AppEnv>().get('/admin/microsoft/consent-callback', async (c) => {
  const services = c.get('services');
  const auth = c.get('auth');
  const admin = auth?.user.role === 'admin' ? auth : undefined;
  const result = await completeConsent(
    services.microsoftApp.connectDeps,
    admin ? { sessionId: admin.session.id, actor: actorOf(c, admin) } : { sessionId: null, actor: null },
    c.req.query(),
  );
  if (!result.ok) services.logger.warn({ reason: result.title, upstreamCode: result.upstreamCode }, 'tenant consent not completed');
  else services.logger.info({ directoryId: result.directoryId, tenantId: result.tenantId }, 'tenant connected with the MSP app');
  c.header('Cache-Control', 'no-store');
  if (admin) return c.html(await page(c, { result }), result.ok ? 200 : 400);
  return c.html(<ConsentAnswerPage result={result} />, result.ok ? 200 : 400);
});

/** What the customer's admin sees after consenting to a link made through the API: no console, no links into it. */
function ConsentAnswerPage(props: { result: ConnectedTenant | ConsentRefusal }) {
  const { result } = props;
  if (!result.ok) {
    return (
      <Layout title={result.title}>
        <section class="problem" aria-labelledby="consent-title">
          <h1 id="consent-title">{result.title}</h1>
          <p>{result.message}</p>
          {result.upstreamCode ? <p class="muted">Microsoft’s reference: {result.upstreamCode}</p> : null}
        </section>
      </Layout>
    );
  }
  return (
    <Layout title={`${result.displayName} is connected`}>
      <section class="card" aria-labelledby="consent-title">
        <h1 id="consent-title">{result.displayName} is connected</h1>
        <p>Thank you: your IT provider’s toolbox can now work in this tenant. You may close this page.</p>
        {result.manualSteps.length > 0 ? (
          <>
            <h2>Still to do in your tenant</h2>
            <ol>
              {result.manualSteps.map((step) => (
                <li>{step}</li>
              ))}
            </ol>
          </>
        ) : null}
      </section>
    </Layout>
  );
}
