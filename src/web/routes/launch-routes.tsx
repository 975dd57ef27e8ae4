import { type Context, Hono } from 'hono';
import { psaWordsOf } from '../../connectors/psa/psa-words.js';
import { carriedValues, submitExecution } from '../../domain/execution/submit-execution.js';
import { checkLaunchCapacity } from '../../domain/launch/launch-capacity.js';
import { type OpenLaunchResult, openLaunch } from '../../domain/launch/open-launch.js';
import { reopenLaunch } from '../../domain/launch/reopen-launch.js';
import { OptionList } from '../../forms/option-list.js';
import type { FieldErrors, FormValues } from '../../forms/types.js';
import { plural } from '../../lib/plural.js';
import type { LaunchRecord } from '../../store/types.js';
import type { AppEnv, Auth } from '../app-env.js';
import { readFormBody } from '../middleware/read-form-body.js';
import { hasValidFormToken } from '../middleware/require-form-token.js';
import { LaunchPage, type LaunchPageProps } from '../views/launch-page.js';
import { ProblemPage } from '../views/layout.js';
import { ReviewPanel } from '../views/review-panel.js';

function layoutUser(auth: Auth) {
  return { name: auth.user.name, email: auth.user.email, role: auth.user.role };
}

/**
 * "Open the form for ticket #… again": a button (a POST, so a link preview cannot make launches)
 * that carries what was typed, except a password, into the new launch's form.
 */
function ReopenForm({ launch, csrfToken, values }: { launch: LaunchRecord; csrfToken: string; values?: FormValues | undefined }) {
  const kept = values ? carriedValues(values) : {};
  return (
    <form method="post" action={`/launches/${launch.id}/reopen`} class="row">
      <input type="hidden" name="_csrf" value={csrfToken} />
      {Object.entries(kept).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class="primary">
        {launch.ticketId ? `Open the form for ticket #${launch.ticketId} again` : 'Open the form again'}
      </button>
    </form>
  );
}

function renderOpenResult(
  c: Context<AppEnv>,
  auth: Auth,
  result: OpenLaunchResult,
  values?: FormValues,
  errors: FieldErrors = {},
  status?: 200 | 422,
  extra: Pick<LaunchPageProps, 'review' | 'notice'> = {},
) {
  const services = c.get('services');
  const common = { user: layoutUser(auth), csrfToken: auth.session.csrfToken };
  // The PSA this screen pop came from, in its own words (not necessarily the one connected now).
  const words = psaWordsOf(services.connectors.psa, 'launch' in result ? result.launch.psaKind : null);
  switch (result.kind) {
    case 'used':
      return c.redirect(`/executions/${result.executionId}?from=launch`, 303);
    case 'not-found':
      return c.html(
        <ProblemPage title="This screen pop does not exist" {...common}>
          <p>The link may be mistyped or from another toolbox. Click the screen-pop link in 1Stream again.</p>
        </ProblemPage>,
        404,
      );
    case 'expired': {
      const kept = values ? Object.keys(carriedValues(values)).length > 0 : false;
      return c.html(
        <ProblemPage title="This screen pop has expired" {...common}>
          <p>
            Screen pops are valid for {plural(services.settings.current().general.launchTtlMinutes.value, 'minute', 'minutes')}, so that a
            form never acts on old ticket data. Nothing was run.
          </p>
          <p>
            {kept
              ? 'Open it again with the ticket, company and contact read afresh; what you chose is kept (a typed password is not: type it again).'
              : 'Open it again with the ticket, company and contact read afresh.'}
          </p>
          <ReopenForm launch={result.launch} csrfToken={auth.session.csrfToken} values={values} />
        </ProblemPage>,
        410,
      );
    }
    case 'forbidden':
      return c.html(
        <ProblemPage title="This screen pop belongs to another technician" {...common}>
          <p>Each screen pop is tied to the technician who opened it first. Click the link in 1Stream yourself to get your own.</p>
        </ProblemPage>,
        403,
      );
    case 'psa-changed': {
      const inForce = services.settings.current().psa;
      return c.html(
        <ProblemPage title={`This screen pop came from ${words.name}`} {...common}>
          <p>
            {inForce ? `The toolbox is now connected to ${inForce.label}` : 'The toolbox is no longer connected to a PSA'}, so the{' '}
            {words.ticket.one}, {words.company.one} and {words.contact.one} ids of this screen pop would name other records. Nothing was
            run.
          </p>
          <p>
            {inForce
              ? `Click the screen-pop link in 1Stream again, from a call in ${psaWordsOf(services.connectors.psa, inForce.kind).name}.`
              : 'An administrator connects the PSA under Admin → PSA connection; then click the screen-pop link in 1Stream again.'}
          </p>
        </ProblemPage>,
        409,
      );
    }
    case 'psa-pending':
      return c.html(
        <ProblemPage title={`${words.name} is taking long to answer`} {...common}>
          <p>
            The {words.ticket.one}, {words.company.one} and {words.contact.one} have not arrived within{' '}
            {Math.round(services.settings.current().general.psaTimeoutMs.value / 1000)} seconds.{' '}
            <a href={`/launches/${result.launch.id}`}>Try this page again</a>; if it keeps happening, {words.name} may be slow or down.
          </p>
        </ProblemPage>,
        504,
      );
    case 'psa-failed':
      return c.html(
        <ProblemPage title={`The ${words.name} data for this screen pop could not be read`} {...common}>
          <ul class="problems">
            {result.failures.map((failure) => (
              <li>
                <strong>
                  {words[failure.read].one} {failure.id}
                </strong>
                : {failure.error.message}
                <small class="muted">
                  {' '}
                  ({failure.error.code}
                  {failure.error.upstreamStatus ? `, ${words.name} answered ${failure.error.upstreamStatus}` : ''}
                  {failure.error.upstreamCode ? ` ${failure.error.upstreamCode}` : ''})
                </small>
              </li>
            ))}
          </ul>
          <p>Check the ids in the screen-pop link, or ask an administrator to run the PSA systems check.</p>
        </ProblemPage>,
        502,
      );
    case 'no-directory':
      return c.html(
        <ProblemPage title={`${result.context.company.name} is not connected to a directory`} {...common}>
          <p>
            No Microsoft 365 tenant or Active Directory is mapped to {words.name} {words.company.one} {result.launch.companyId}. An
            administrator maps it in the admin console under{' '}
            {auth.user.role === 'admin' ? <a href="/admin/companies">Admin → Companies</a> : <strong>Admin → Companies</strong>}; then click
            the screen-pop link again.
          </p>
        </ProblemPage>,
        409,
      );
    case 'directory-failed':
      return c.html(
        <ProblemPage title={`${result.directory.config.name} could not be searched`} {...common}>
          <p>{result.message}</p>
          <p class="muted">({result.code})</p>
          <p>
            <a href={`/launches/${result.launch.id}`}>Try again</a>
          </p>
        </ProblemPage>,
        // An offline on-prem agent is the customer's side, said on the page: not the toolbox failing.
        result.code === 'TBX_ERR_AGENT_OFFLINE' ? 409 : 502,
      );
    case 'not-offered':
      return c.html(
        <ProblemPage title={`${result.label} is not offered for ${result.directory.config.name}`} {...common}>
          <p>{result.reason} Nothing was run.</p>
          <p>
            {result.context.company.name} is served by {result.directory.config.name}. Use another form, or make the change in the
            directory's own tools.
          </p>
        </ProblemPage>,
        409,
      );
    case 'ready': {
      const form = services.forms.get(result.launch.formName)?.form;
      if (!form || !result.formDirectory) {
        return c.html(
          <ProblemPage title="This form is no longer available" {...common}>
            <p>The toolbox was changed after this screen pop was created.</p>
          </ProblemPage>,
          404,
        );
      }
      c.header('Cache-Control', 'no-store');
      return c.html(
        <LaunchPage
          result={result}
          form={form}
          formDirectory={result.formDirectory}
          values={values ?? form.defaults(result.directory.config.formDefaults[result.launch.formName])}
          errors={errors}
          csrfToken={auth.session.csrfToken}
          user={layoutUser(auth)}
          review={extra.review}
          notice={extra.notice}
          psaWords={words}
        />,
        status ?? 200,
      );
    }
  }
}

/** A post whose CSRF token is missing or wrong: nothing was done, and what to do instead. */
function formRefused(c: Context<AppEnv>, auth: Auth, advice: string) {
  return c.html(
    <ProblemPage title="The form could not be accepted" user={layoutUser(auth)} csrfToken={auth.session.csrfToken}>
      <p>It expired or was sent from another site. {advice} Nothing was changed.</p>
    </ProblemPage>,
    403,
  );
}

function openDeps(c: Context<AppEnv>) {
  const services = c.get('services');
  return {
    launches: services.store.launches,
    executions: services.store.executions,
    launchReads: services.launchReads,
    directories: services.directories,
    forms: services.forms,
    accountRoles: services.accountRoles,
    clock: services.clock,
    psaKind: services.settings.current().psa?.kind ?? null,
    // A little more than the connector's own timeout, so its message (not ours) explains a slow PSA.
    waitMs: services.settings.current().general.psaTimeoutMs.value + 1000,
  };
}

/**
 * `/launches/{id}`: the pre-filled form (GET) and its submission (POST). Needs a signed-in
 * technician; without one, sign-in comes first and leads back here.
 */
export const launchRoutes = new Hono<AppEnv>()
  .get('/launches/:id/options/:source', async (c) => {
    // A fragment for a search box: the page fetches it as the technician types.
    const auth = c.get('auth');
    if (!auth) return c.html(<p role="alert">Your sign-in has ended: reload the page.</p>, 401);
    const field = (c.req.query('field') ?? '').replace(/[^a-z_]/g, '').slice(0, 40) || 'option';
    const kind = c.req.query('kind') === 'radio' ? 'radio' : 'checkbox';
    const result = await c
      .get('services')
      .loadOptions(c.req.param('id'), auth.user.id, c.req.param('source'), c.req.query('q') ?? '', { userId: c.req.query('user') });
    c.header('Cache-Control', 'no-store');
    switch (result.kind) {
      case 'ok':
        return c.html(<OptionList items={result.items} field={field} kind={kind} values={{}} empty="Nothing found." />);
      case 'too-short':
        return c.html(<p class="muted">Type at least two characters.</p>);
      case 'failed':
        return c.html(
          <p class="error" role="alert">
            {result.message}
          </p>,
          502,
        );
      case 'forbidden':
        return c.html(<p role="alert">This screen pop belongs to another technician.</p>, 403);
      case 'unknown-source':
        return c.html(<p role="alert">This form has no search of that name.</p>, 400);
      default:
        return c.html(<p role="alert">Nothing to search here.</p>, 404);
    }
  })
  .get('/launches/:id', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.redirect(`/login?next=${encodeURIComponent(`/launches/${c.req.param('id')}`)}`, 303);
    const result = await openLaunch(openDeps(c), c.req.param('id'), auth.user.id, { userId: c.req.query('user'), query: c.req.query('q') });
    return renderOpenResult(c, auth, result);
  })
  .post('/launches/:id', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.redirect(`/login?next=${encodeURIComponent(`/launches/${c.req.param('id')}`)}`, 303);
    const services = c.get('services');
    const body = await readFormBody(c);
    if (!hasValidFormToken(c, body)) return formRefused(c, auth, 'Go back, reload the form, and submit again.');
    const fields: FormValues = {};
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string' && key !== '_csrf') fields[key] = value;
    const launchId = c.req.param('id');
    // The page's script asks for the review as a fragment to show in place, and for a location
    // instead of a redirect (following one would fetch, and so spend, a one-time password).
    const inline = c.req.header('x-toolbox-review') === 'inline';
    const result = await submitExecution(
      {
        store: services.store,
        directories: services.directories,
        settings: services.settings,
        forms: services.forms,
        jobQueue: services.jobQueue,
        secretBox: services.secretBox,
        clock: services.clock,
        launchReads: services.launchReads,
      },
      launchId,
      auth.user,
      fields,
      auth.session.csrfToken,
    );
    const goTo = (location: string) => {
      if (!inline) return c.redirect(location, 303);
      c.header('x-toolbox-location', location);
      return c.body(null, 204);
    };
    switch (result.kind) {
      case 'started':
        return goTo(`/executions/${result.executionId}`);
      case 'used':
        return goTo(`/executions/${result.executionId}?from=resubmit`);
      case 'review': {
        c.header('Cache-Control', 'no-store');
        if (inline) {
          c.header('x-toolbox-review', 'shown');
          return c.html(
            <ReviewPanel
              review={result.review}
              token={result.token}
              values={result.values}
              stale={result.stale}
              action={`/launches/${launchId}`}
              csrfToken={auth.session.csrfToken}
              changeHref="#form-title"
            />,
          );
        }
        const reopened = await openLaunch(openDeps(c), launchId, auth.user.id, { userId: fields.user_id });
        return renderOpenResult(c, auth, reopened, result.values, {}, 200, { review: result });
      }
      case 'invalid': {
        const reopened = await openLaunch(openDeps(c), launchId, auth.user.id, { userId: fields.user_id });
        return renderOpenResult(c, auth, reopened, result.values, result.errors, 422);
      }
      case 'not-ready':
        return c.html(
          <ProblemPage title="This form cannot run" user={layoutUser(auth)} csrfToken={auth.session.csrfToken}>
            <p>{result.message}</p>
          </ProblemPage>,
          409,
        );
      case 'expired':
      case 'psa-changed': {
        const launch = await services.store.launches.get(launchId);
        if (!launch) return renderOpenResult(c, auth, { kind: 'not-found' });
        return renderOpenResult(c, auth, { kind: result.kind, launch }, fields);
      }
      default:
        return renderOpenResult(c, auth, { kind: result.kind } as OpenLaunchResult);
    }
  })
  .post('/launches/:id/reopen', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.redirect(`/login?next=${encodeURIComponent(`/launches/${c.req.param('id')}`)}`, 303);
    const services = c.get('services');
    const body = await readFormBody(c);
    if (!hasValidFormToken(c, body)) return formRefused(c, auth, 'Click the screen-pop link in 1Stream again.');
    const settings = services.settings.current();
    const result = await reopenLaunch(
      {
        launches: services.store.launches,
        launchReads: services.launchReads,
        clock: services.clock,
        psaKind: settings.psa?.kind ?? null,
        ttlMinutes: settings.general.launchTtlMinutes.value,
        availableForms: services.forms.names,
        enabledForms: settings.forms.enabled,
        capacity: (companyId, reads) =>
          checkLaunchCapacity(
            { psa: services.settings.psaLimit(), directory: services.settings.directoryLimitForCompany(companyId) },
            reads,
          ),
      },
      c.req.param('id'),
      auth.user.id,
    );
    if (result.kind === 'busy') {
      c.header('Retry-After', String(result.retryAfterSeconds));
      return c.html(
        <ProblemPage title="The toolbox is busy: try again in a few seconds" user={layoutUser(auth)} csrfToken={auth.session.csrfToken}>
          <p>Too many screen pops arrived at once to read this ticket again now. Go back and press the button again in a few seconds.</p>
        </ProblemPage>,
        503,
      );
    }
    if (result.kind === 'form-disabled')
      return c.html(
        <ProblemPage title="This form is not enabled any more" user={layoutUser(auth)} csrfToken={auth.session.csrfToken}>
          <p>An administrator switched it off after this screen pop. Ask them to enable it under Admin → Forms.</p>
        </ProblemPage>,
        409,
      );
    if (result.kind === 'psa-changed') {
      const launch = await services.store.launches.get(c.req.param('id'));
      return renderOpenResult(c, auth, launch ? { kind: 'psa-changed', launch } : { kind: 'not-found' });
    }
    if (result.kind !== 'created') return renderOpenResult(c, auth, { kind: result.kind } as OpenLaunchResult);
    const kept: FormValues = {};
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') kept[key] = value;
    const values = carriedValues(kept);
    // Nothing typed to keep: a plain redirect, so reloading the new form is harmless.
    if (Object.keys(values).length === 0) return c.redirect(`/launches/${result.launchId}`, 303);
    const opened = await openLaunch(openDeps(c), result.launchId, auth.user.id, { userId: values.user_id });
    if (opened.kind !== 'ready') return renderOpenResult(c, auth, opened);
    // The submitted fields are the whole form as it was (an unticked box is absent), so they
    // replace the defaults rather than merge with them.
    return renderOpenResult(c, auth, opened, values, {}, 200, {
      notice:
        'The ticket, company and contact were read again; what you had chosen is kept. A typed password is never kept: type it again.',
    });
  });
