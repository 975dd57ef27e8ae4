import { type Context, Hono } from 'hono';
import { checkLineState } from '../../connectors/systems-check.js';
import {
  type ConnectedTenant,
  type ConsentRefusal,
  completeConsent,
  createConsentLink,
  reviewTenant,
} from '../../domain/microsoft-app/connect-tenant.js';
import { consentCallbackUrl } from '../../domain/microsoft-app/msp-app.js';
import type { DirectoryCheckDocument } from '../../domain/settings/directory-check-document.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField } from './admin-layout.js';
import { readConsoleForm } from './console-action.js';

const actorOf = (c: Context<AppEnv>, auth: Auth) => ({
  userId: auth.user.id,
  email: auth.user.email,
  requestId: c.get('requestId') ?? null,
});

function ConnectCard(props: { auth: Auth; configured: boolean; callback: string; link?: { url: string; expiresAt: string } | undefined }) {
  return (
    <section class="card" aria-labelledby="connect-tenant">
      <h2 id="connect-tenant">Connect a Microsoft 365 tenant</h2>
      {props.configured ? (
        <>
          <p class="muted">
            Makes a one-time admin-consent link for the MSP app. Open it yourself (as the customer’s Global Administrator or through GDAP),
            or send it to the customer’s admin; they come back here, and the tenant is recorded, checked and given the roles the forms need.
          </p>
          <form method="post" action="/admin/microsoft/connect">
            <CsrfField auth={props.auth} />
            <button type="submit" class="primary">
              Connect a Microsoft 365 tenant
            </button>
          </form>
          {props.link ? (
            <div class="field">
              <label for="consent-link">
                Admin-consent link (works once, until {props.link.expiresAt.slice(0, 16).replace('T', ' ')} UTC)
              </label>
              <input id="consent-link" type="text" readonly value={props.link.url} />
              <p>
                <a href={props.link.url} rel="noreferrer">
                  Open the consent page
                </a>
              </p>
              <p class="hint">The link is tied to your session: the answer is accepted only while you are signed in here.</p>
            </div>
          ) : null}
        </>
      ) : (
        <p>
          No MSP app is set up yet. Register one multi-tenant app in your own tenant (see docs/microsoft-365.md, “Registering the MSP app”)
          with the redirect URI <code>{props.callback}</code>, then enter its client id and credential in the <code>microsoft</code>{' '}
          settings.
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
      <h2 id="app-check">The MSP app</h2>
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
  auth: Auth;
  configured: boolean;
  callback: string;
  link?: { url: string; expiresAt: string } | undefined;
  result?: ConnectedTenant | ConsentRefusal;
  error?: string;
  check?: DirectoryCheckDocument | null;
}) {
  return (
    <AdminLayout title="Microsoft 365 tenants" active="/admin/directories" auth={props.auth} error={props.error}>
      {props.result ? <TenantResult auth={props.auth} result={props.result} /> : null}
      <ConnectCard auth={props.auth} configured={props.configured} callback={props.callback} link={props.link} />
      <AppCheck auth={props.auth} check={props.check ?? null} configured={props.configured} />
    </AdminLayout>
  );
}

/** `/admin/microsoft`: the MSP app's consent link, its callback, and "check again" for a connected tenant. */
export const microsoftPage = new Hono<AppEnv>()
  .get('/admin/microsoft', async (c) => {
    const services = c.get('services');
    const { lastCheck } = await services.microsoftApp.status();
    return c.html(
      <MicrosoftPage
        auth={c.get('auth')!}
        configured={!!services.microsoftApp.app}
        callback={consentCallbackUrl(services.config.publicUrl)}
        check={lastCheck}
      />,
    );
  })
  .post('/admin/microsoft/check', async (c) => {
    const services = c.get('services');
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    const callback = consentCallbackUrl(services.config.publicUrl);
    if (!form)
      return c.html(
        <MicrosoftPage auth={auth} configured={!!services.microsoftApp.app} callback={callback} error="The form had expired; try again." />,
        403,
      );
    const check = await services.microsoftApp.checkApp(actorOf(c, auth));
    return c.html(<MicrosoftPage auth={auth} configured={!!services.microsoftApp.app} callback={callback} check={check} />);
  })
  .post('/admin/microsoft/connect', async (c) => {
    const services = c.get('services');
    const auth = c.get('auth')!;
    const callback = consentCallbackUrl(services.config.publicUrl);
    const form = await readConsoleForm(c);
    if (!form)
      return c.html(
        <MicrosoftPage auth={auth} configured={!!services.microsoftApp.app} callback={callback} error="The form had expired; try again." />,
        403,
      );
    const link = await createConsentLink(services.microsoftApp.connectDeps, { sessionId: auth.session.id, actor: actorOf(c, auth) });
    return c.html(<MicrosoftPage auth={auth} configured={!!link} callback={callback} link={link ?? undefined} />);
  })
  .get('/admin/microsoft/consent-callback', async (c) => {
    const services = c.get('services');
    const auth = c.get('auth')!;
    const query = c.req.query();
    const result = await completeConsent(services.microsoftApp.connectDeps, { sessionId: auth.session.id, actor: actorOf(c, auth) }, query);
    if (!result.ok) services.logger.warn({ reason: result.title, upstreamCode: result.upstreamCode }, 'tenant consent not completed');
    else services.logger.info({ directoryId: result.directoryId, tenantId: result.tenantId }, 'tenant connected with the MSP app');
    return c.html(
      <MicrosoftPage
        auth={auth}
        configured={!!services.microsoftApp.app}
        callback={consentCallbackUrl(services.config.publicUrl)}
        result={result}
      />,
      result.ok ? 200 : 400,
    );
  })
  .post('/admin/microsoft/tenants/:id/check-again', async (c) => {
    const services = c.get('services');
    const auth = c.get('auth')!;
    const id = c.req.param('id');
    const callback = consentCallbackUrl(services.config.publicUrl);
    const form = await readConsoleForm(c);
    const directory = services.settings.current().directories.find((d) => d.id === id);
    const tenantId = (directory?.settings as { tenantId?: string; credential?: string } | undefined) ?? {};
    if (!form || !directory || tenantId.credential !== 'msp-app' || !tenantId.tenantId) {
      return c.html(
        <MicrosoftPage
          auth={auth}
          configured={!!services.microsoftApp.app}
          callback={callback}
          error={form ? `There is no tenant “${id}” connected with the MSP app.` : 'The form had expired; try again.'}
        />,
        form ? 404 : 403,
      );
    }
    const review = await reviewTenant(services.microsoftApp.connectDeps, actorOf(c, auth), {
      directoryId: id,
      tenantId: tenantId.tenantId,
      displayName: directory.name,
    });
    const result: ConnectedTenant = {
      ok: true,
      directoryId: id,
      displayName: directory.name,
      tenantId: tenantId.tenantId,
      verifiedDomains: [],
      reconnected: true,
      ...review,
    };
    return c.html(<MicrosoftPage auth={auth} configured callback={callback} result={result} />);
  });
