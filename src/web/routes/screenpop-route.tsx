import { Hono } from 'hono';
import type { PsaScreenPopVariables } from '../../connectors/psa/types.js';
import { createLaunch } from '../../domain/launch/create-launch.js';
import type { FormRegistry } from '../../forms/form-registry.js';
import { screenPopTemplate } from '../../forms/screen-pop-template.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import type { AppEnv } from '../app-env.js';
import { ProblemPage } from '../views/layout.js';
import { createLaunchDeps } from './launch-deps.js';

/**
 * `GET /hooks/screenpop`: the link 1Stream opens. It checks the shared secret first (no PSA call
 * at all without it; with no secret set up, no screen pop at all), then the parameters and the
 * form, then whether the PSA and directory connections can take the launch's calls soon enough
 * (if not: 503 with Retry-After, nothing recorded), creates the launch, and answers 303 at once:
 * the PSA reads run while the browser follows the redirect.
 */
export const screenPopRoute = new Hono<AppEnv>().get('/hooks/screenpop', async (c) => {
  const services = c.get('services');
  const { config } = services;
  const settings = services.settings.current();
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');

  const secret = settings.screenpop.secret;
  if (!secret) {
    // Anyone who can reach the toolbox could otherwise make it read PSA tickets and contacts.
    return c.html(
      <ProblemPage title="Screen pops are off until a webhook secret is set">
        <p>This toolbox answers screen pops only when they carry its webhook secret (the 1Stream Client API Key), and none is set yet.</p>
        <p>
          An administrator sets one in the admin console under <a href="/admin/screenpop">Screen-pop URLs</a> (or as{' '}
          <code>screenpop.secret</code> in the configuration file) and enters the same value in 1Stream; then copy the screen-pop URLs again
          from that page.
        </p>
      </ProblemPage>,
      503,
    );
  }
  const given = c.req.header('x-toolbox-secret') ?? c.req.query('secret') ?? '';
  if (!given || !constantTimeEquals(given, secret)) {
    return c.html(
      <ProblemPage title="This screen-pop link is not authorised">
        <p>
          The link {given ? 'carries a secret that does not match' : 'carries no secret'}. This toolbox requires the 1Stream Client API Key,
          sent as the <code>x-toolbox-secret</code> header or the <code>secret</code> query parameter.
        </p>
        <p>Ask your administrator to copy the screen-pop URLs again from the toolbox, with the secret.</p>
      </ProblemPage>,
      401,
    );
  }

  const psaConnector = services.settings.psaConnector();
  if (!psaConnector) {
    return c.html(
      <ProblemPage title="The toolbox is not connected to the PSA yet">
        <p>
          Screen pops need the PSA connection to read the ticket, company and contact. An administrator sets it up in the admin console
          under <a href="/admin/psa">PSA connection</a>; then this link works as it is.
        </p>
      </ProblemPage>,
      503,
    );
  }

  const result = await createLaunch(createLaunchDeps(services, psaConnector), c.req.query(), c.get('auth')?.user.id ?? null);

  switch (result.kind) {
    case 'busy':
      c.header('Retry-After', String(result.retryAfterSeconds));
      return c.html(
        <ProblemPage title="The toolbox is busy: try again in a few seconds">
          <p>
            Too many screen pops arrived at once, and {result.busy === 'psa' ? 'the PSA' : 'Microsoft 365'} could not be asked about this
            one soon enough. Nothing was recorded for it.
          </p>
          <p>
            Reload this page in {result.retryAfterSeconds} {result.retryAfterSeconds === 1 ? 'second' : 'seconds'}, or click the screen pop
            again.
          </p>
        </ProblemPage>,
        503,
      );
    case 'created':
      return c.redirect(`/launches/${result.launchId}`, 303);
    case 'invalid':
      return c.html(
        <ProblemPage title="This screen-pop link is missing something">
          <ul class="problems">
            {result.problems.map((p) => (
              <li>
                <code>{p.param}</code>: {p.message}
              </li>
            ))}
          </ul>
          <p>A screen-pop URL looks like this:</p>
          <pre>{screenPopTemplate(config.publicUrl, 'password_reset', psaConnector.screenPop)}</pre>
          <p>
            <code>company_id</code> and <code>contact_id</code> are required; <code>ticket_id</code> is optional. 1Stream fills in the{' '}
            <code>@</code> variables.
          </p>
        </ProblemPage>,
        400,
      );
    case 'unknown-form':
      return c.html(
        <ProblemPage title={`There is no form called "${result.formName}"`}>
          <p>These are the forms and their screen-pop URLs:</p>
          <FormList
            publicUrl={config.publicUrl}
            variables={psaConnector.screenPop}
            enabled={settings.forms.enabled}
            forms={services.forms}
          />
        </ProblemPage>,
        404,
      );
    case 'form-disabled':
      return c.html(
        <ProblemPage title={`${result.label} is not enabled`}>
          {settings.forms.source === 'file' ? (
            <p>
              An administrator has to enable it: add <code>{result.formName}</code> to <code>forms.enabled</code> in the configuration file
              (<code>{config.configPath ?? 'TOOLBOX_CONFIG'}</code>) and restart the toolbox. See docs/configuration.md.
            </p>
          ) : (
            <p>
              An administrator enables it in the admin console's <a href={`/admin/forms#form-${result.formName}`}>forms catalogue</a>, which
              also shows what the form needs. Then this link works as it is.
            </p>
          )}
        </ProblemPage>,
        403,
      );
  }
});

function FormList(props: { publicUrl: string; variables: PsaScreenPopVariables; enabled: string[]; forms: FormRegistry }) {
  return (
    <table class="forms">
      <thead>
        <tr>
          <th scope="col">Form</th>
          <th scope="col">State</th>
          <th scope="col">Screen-pop URL</th>
        </tr>
      </thead>
      <tbody>
        {props.forms.list.map((form) => (
          <tr>
            <td>
              {form.label} (<code>{form.name}</code>)
            </td>
            <td>{props.enabled.includes(form.name) ? 'enabled' : 'not enabled'}</td>
            <td>
              <code class="url">{screenPopTemplate(props.publicUrl, form.name, props.variables)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
