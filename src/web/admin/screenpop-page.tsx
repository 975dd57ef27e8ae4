import { type Context, Hono } from 'hono';
import { MASKED_SECRET } from '../../domain/screenpop/reveal-screenpop-urls.js';
import { SCREENPOP_SECRET_MIN_LENGTH } from '../../domain/screenpop/set-screenpop-secret.js';
import type { FieldProblem } from '../../lib/toolbox-error.js';
import { describeScreenpop, revealScreenpopUrlsOperation, setScreenpopSecretOperation } from '../api/operations/screenpop-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';
import { TicketLauncherCard } from './ticket-launcher-card.js';

const NOTICES: Record<string, string> = {
  'secret-set': 'Webhook secret saved. From now on a screen pop without it is refused: enter the same value in 1Stream.',
  'secret-cleared': 'Webhook secret cleared. Screen pops are refused until a new one is set.',
};

function ScreenpopPage(props: {
  c: Context<AppEnv>;
  auth: Auth;
  notice?: string | undefined;
  error?: string | undefined;
  problems?: FieldProblem[];
  /** The URLs with the secret, after an admin asked to see them (never on a plain page view). */
  revealed?: { name: string; url: string }[];
}) {
  const services = props.c.get('services');
  const view = describeScreenpop(services);
  const secretProblem = props.problems?.find((problem) => problem.path.replace(/^body\./, '') === 'secret')?.message;
  return (
    <AdminLayout title="Screen-pop URLs" active="/admin/screenpop" auth={props.auth} notice={props.notice} error={props.error}>
      <section class="card" aria-labelledby="urls-title">
        <h2 id="urls-title">The URLs to paste into 1Stream</h2>
        <p>
          In 1Stream: <strong>Administration → Manage Organization → Screen Pop URLs</strong>, set the <strong>Link Type</strong> to{' '}
          <strong>Custom</strong> and add one entry per form.{' '}
          {view.psa ? (
            <>
              For {view.psa.label}, 1Stream fills in <code>{view.psa.variables.ticket}</code>, <code>{view.psa.variables.company}</code> and{' '}
              <code>{view.psa.variables.contact}</code>.
            </>
          ) : null}{' '}
          Enabled forms come first; the others answer with a page saying they are not enabled (<a href="/admin/forms">Forms</a>).
        </p>
        {view.psa ? null : (
          <p class="warning" role="status">
            No PSA is connected yet, so there are no URLs to copy: they carry the PSA's own 1Stream variables. Connect it under{' '}
            <a href="/admin/psa">PSA connection</a> first.
          </p>
        )}
        {view.secret.set ? (
          <p class="warning" id="urls-secret-note">
            A webhook secret is set, so each URL must carry it to work: <strong>Copy with secret</strong> copies the URL with the secret in
            its <code>{view.secret.queryParameter}</code> parameter (shown here as {MASKED_SECRET}). The copied URL holds the secret: paste
            it only into 1Stream. Each copy is recorded in the audit log.
          </p>
        ) : null}
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Form</th>
              <th scope="col">State</th>
              <th scope="col">URL</th>
            </tr>
          </thead>
          <tbody>
            {view.forms.map((form) => {
              if (form.url === null) {
                return (
                  <tr>
                    <td>
                      {form.label} <code>{form.name}</code>
                    </td>
                    <td>{form.state}</td>
                    <td class="muted">once the PSA is connected</td>
                  </tr>
                );
              }
              const revealedUrl = props.revealed?.find((item) => item.name === form.name)?.url;
              const shown = revealedUrl ?? (view.secret.set ? `${form.url}&${view.secret.queryParameter}=${MASKED_SECRET}` : form.url);
              return (
                <tr>
                  <td>
                    {form.label} <code>{form.name}</code>
                  </td>
                  <td>{form.state}</td>
                  <td>
                    <div class="row copy-row">
                      <input
                        id={`url-${form.name}`}
                        class={revealedUrl ? 'url-copy secret-url' : 'url-copy'}
                        type="text"
                        readonly
                        value={shown}
                        aria-label={`Screen-pop URL of ${form.label}${view.secret.set ? (revealedUrl ? ', with the secret' : ', secret hidden') : ''}`}
                        aria-describedby={view.secret.set ? 'urls-secret-note' : undefined}
                        spellcheck={false}
                        autocomplete="off"
                      />
                      {view.secret.set && !revealedUrl ? (
                        // Without JavaScript the button shows the URLs with the secret on a page of their own;
                        // with it (app.js), it fetches this form's URL and copies it without showing it.
                        <form method="post" action="/admin/screenpop/reveal" data-copy-secret={form.name}>
                          <CsrfField auth={props.auth} />
                          <button type="submit">
                            Copy with secret <span class="visually-hidden">the URL of {form.label}</span>
                          </button>
                        </form>
                      ) : (
                        <button type="button" data-copy={`url-${form.name}`}>
                          Copy <span class="visually-hidden">the URL of {form.label}</span>
                        </button>
                      )}
                    </div>
                    {revealedUrl ? <span class="badge secret-badge">holds the secret</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section class="card" aria-labelledby="secret-title">
        <h2 id="secret-title">Webhook secret (the 1Stream Client API Key)</h2>
        <p>
          Required: the toolbox accepts a screen pop only when it carries this value, and refuses every screen pop while none is set, so
          nobody who merely reaches the toolbox can make it read your PSA (technicians still sign in either way). In 1Stream, under{' '}
          <strong>Administration → Manage Organization → Connected Account and CRM settings</strong>, enter the <strong>same value</strong>{' '}
          as the <strong>Client API Key</strong> of this connection. 1Stream sends it with each screen pop; the toolbox accepts it as the{' '}
          <code>{view.secret.header}</code> header or as a <code>{view.secret.queryParameter}</code> query parameter (e.g.{' '}
          <code>…&amp;form_name=password_reset&amp;secret=…</code> when a link has to carry it).
        </p>
        <p>
          State:{' '}
          <strong>
            {view.secret.set ? 'set: screen pops without it are refused' : 'not set: every screen pop is refused until one is set'}
          </strong>{' '}
          {view.secret.source !== 'none' ? <SourceBadge source={view.secret.source} /> : null}
        </p>
        {view.secret.source === 'file' ? (
          <p>
            The configuration file sets the secret (<code>screenpop.secret</code> in{' '}
            <code>{services.config.configPath ?? 'TOOLBOX_CONFIG'}</code>), so it is read-only here. Change it in the file and restart.
          </p>
        ) : (
          <>
            <form method="post" action="/admin/screenpop/secret">
              <CsrfField auth={props.auth} />
              <div class="field">
                <label for="screenpop-secret">{view.secret.set ? 'New secret' : 'Secret'}</label>
                <input
                  id="screenpop-secret"
                  name="secret"
                  type="password"
                  autocomplete="new-password"
                  required
                  minlength={SCREENPOP_SECRET_MIN_LENGTH}
                  placeholder={view.secret.set ? 'Stored. Type a new value to replace it.' : ''}
                  aria-describedby={`screenpop-secret-help${secretProblem ? ' screenpop-secret-error' : ''}`}
                  aria-invalid={secretProblem ? 'true' : undefined}
                />
                <p class="hint" id="screenpop-secret-help">
                  At least {SCREENPOP_SECRET_MIN_LENGTH} characters, no spaces; a long random value is best. It is stored encrypted and
                  never shown again.
                </p>
                {secretProblem ? (
                  <p class="error" id="screenpop-secret-error">
                    {secretProblem}
                  </p>
                ) : null}
              </div>
              <button type="submit" class="primary">
                {view.secret.set ? 'Replace the secret' : 'Set the secret'}
              </button>
            </form>
            {view.secret.set ? (
              <form method="post" action="/admin/screenpop/secret/clear">
                <CsrfField auth={props.auth} />
                <p class="muted">
                  Clear it only after removing the Client API Key in 1Stream, or screen pops keep sending a value nobody checks.
                </p>
                <button type="submit">Clear the secret</button>
              </form>
            ) : null}
          </>
        )}
      </section>
      <TicketLauncherCard setup={view.ticketLauncher} />
    </AdminLayout>
  );
}

const expired = 'The form had expired. Nothing was changed; try again.';

/** Both the set/replace form and the clear button go through the API operation, as automation would. */
async function saveSecret(c: Context<AppEnv>, clear: boolean) {
  const auth = c.get('auth')!;
  const form = await readConsoleForm(c);
  if (!form) return c.html(<ScreenpopPage c={c} auth={auth} error={expired} />, 403);
  const result = await runConsoleAction(c, auth, setScreenpopSecretOperation, { body: { secret: clear ? null : (form.secret ?? '') } });
  if (result.ok) return c.redirect(`/admin/screenpop?notice=${clear ? 'secret-cleared' : 'secret-set'}`, 303);
  return c.html(
    <ScreenpopPage c={c} auth={auth} error={result.error.message} problems={result.error.fields} />,
    result.error.httpStatus as 400,
  );
}

export const screenpopPage = new Hono<AppEnv>()
  .get('/admin/screenpop', (c) => c.html(<ScreenpopPage c={c} auth={c.get('auth')!} notice={NOTICES[c.req.query('notice') ?? '']} />))
  .post('/admin/screenpop/reveal', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<ScreenpopPage c={c} auth={auth} error={expired} />, 403);
    const result = await runConsoleAction<{ forms: { name: string; url: string }[] }>(c, auth, revealScreenpopUrlsOperation);
    // The page holds the secret now: no cache may keep it.
    c.header('Cache-Control', 'no-store');
    if (!result.ok) return c.html(<ScreenpopPage c={c} auth={auth} error={result.error.message} />, result.error.httpStatus as 409);
    return c.html(
      <ScreenpopPage
        c={c}
        auth={auth}
        revealed={result.value.forms}
        notice="These URLs hold the webhook secret: copy the ones you need into 1Stream, then leave or reload this page to hide them."
      />,
    );
  })
  .post('/admin/screenpop/secret', (c) => saveSecret(c, false))
  .post('/admin/screenpop/secret/clear', (c) => saveSecret(c, true));
