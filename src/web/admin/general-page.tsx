import { type Context, Hono } from 'hono';
import type { GeneralSetting } from '../../domain/settings/live-settings.js';
import { type LocalSignInPolicy, readLocalSignInPolicy } from '../../domain/settings/local-sign-in-policy.js';
import type { FieldProblem } from '../../lib/toolbox-error.js';
import { saveGeneralSettingsOperation } from '../api/operations/general-operations.js';
import { saveSignInPolicy } from '../api/operations/sign-in-policy-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';

const SETTINGS = [
  {
    key: 'launchTtlMinutes',
    label: 'Screen-pop lifetime (minutes)',
    help: 'How long a screen-pop link stays usable after the click. Default 30.',
    file: 'launch.ttlMinutes',
    step: '1',
  },
  {
    key: 'psaTimeoutMs',
    label: 'PSA wait (milliseconds)',
    help: 'How long the form waits for the ticket, company and contact before saying the PSA is slow. Default 10000.',
    file: 'launch.psaTimeoutMs',
    step: '100',
  },
  {
    key: 'sessionTtlHours',
    label: 'Sign-in lifetime (hours)',
    help: 'How long a sign-in lasts, extended while in use. Default 12. Applies to sign-ins in use at their next extension.',
    file: 'session.ttlHours',
    step: '0.25',
  },
  {
    key: 'launchRetentionDays',
    label: 'Keep screen pops (days)',
    help: 'Screen pops hold the contact details read from the PSA; they are deleted this many days after the click. Execution lists then show the company by its id. Default 30.',
    file: 'retention.launchesDays',
    step: '1',
    group: 'retention',
  },
  {
    key: 'jobRetentionDays',
    label: 'Keep finished background jobs (days)',
    help: 'Finished and failed jobs of the job queue are deleted after this many days. Default 7.',
    file: 'retention.jobsDays',
    step: '1',
    group: 'retention',
  },
  {
    key: 'executionRetentionDays',
    label: 'Keep executions (days)',
    help: 'Finished executions (what was changed for whom, with their steps) are deleted this many days after they finished. 0 keeps them for ever (the default).',
    file: 'retention.executionsDays',
    step: '1',
    group: 'retention',
  },
] as const;

type State = { notice?: string; error?: string; problems?: FieldProblem[]; values?: Record<string, string> };

/** The "Sign-in" card: who may use the local e-mail and password form. */
function SignInPolicyCard(props: { c: Context<AppEnv>; auth: Auth; policy: LocalSignInPolicy }) {
  const { microsoft, oidc } = props.c.get('services').signInProviders();
  const providers = [microsoft, oidc].filter((p) => p !== undefined);
  return (
    <section class="card" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign-in</h2>
      {providers.length === 0 ? (
        <p class="muted">
          Technicians sign in with toolbox accounts. To let them sign in with Microsoft or another provider, configure{' '}
          <code>microsoft</code> or <code>oidc</code> (docs/microsoft-365.md); then toolbox passwords can be turned off for them here.
        </p>
      ) : (
        <form method="post" action="/admin/general/sign-in">
          <CsrfField auth={props.auth} />
          <fieldset>
            <legend>Toolbox passwords (the e-mail and password form)</legend>
            <div class="field">
              <input type="radio" id="local-everyone" name="localAccounts" value="everyone" checked={props.policy === 'everyone'} />{' '}
              <label for="local-everyone">Everyone may use them</label>
            </div>
            <div class="field">
              <input type="radio" id="local-admins" name="localAccounts" value="admins" checked={props.policy === 'admins'} />{' '}
              <label for="local-admins">
                Only local admin accounts (break-glass); technicians use {providers.map((p) => p.buttonLabel).join(' or ')}
              </label>
            </div>
          </fieldset>
          <button type="submit" class="primary">
            Save
          </button>
        </form>
      )}
    </section>
  );
}

function GeneralPage(props: { c: Context<AppEnv>; auth: Auth; state: State; policy: LocalSignInPolicy }) {
  const services = props.c.get('services');
  const general = services.settings.current().general;
  const editable = SETTINGS.filter((setting) => general[setting.key].source !== 'file');
  return (
    <AdminLayout title="General settings" active="/admin/general" auth={props.auth} notice={props.state.notice} error={props.state.error}>
      <p class="muted">
        The database, the listen address, the public URL, the data directory and the log level are set where the toolbox starts
        (configuration file and environment, docs/configuration.md): changing them needs a restart.
      </p>
      <section class="card" aria-labelledby="general-title">
        <h2 id="general-title">Lifetimes and waits</h2>
        <form method="post" action="/admin/general">
          <CsrfField auth={props.auth} />
          <input type="hidden" name="revision" value={general.revision ?? ''} />
          {SETTINGS.map((setting, index) => {
            const current: GeneralSetting = general[setting.key];
            const id = `general-${setting.key}`;
            const problem = props.state.problems?.find((p) => p.path.replace(/^body\./, '') === setting.key)?.message;
            const startsRetention = 'group' in setting && !(index > 0 && 'group' in (SETTINGS[index - 1] ?? {}));
            return (
              <>
                {startsRetention ? (
                  <h3 id="general-retention">
                    Retention <span class="muted">(deleted once an hour; docs/operations.md)</span>
                  </h3>
                ) : null}
                <div class="field">
                  <label for={id}>{setting.label}</label>
                  <input
                    id={id}
                    name={setting.key}
                    type="number"
                    step={setting.step}
                    value={props.state.values?.[setting.key] ?? String(current.value)}
                    readonly={current.source === 'file'}
                    aria-describedby={`${id}-help${problem ? ` ${id}-error` : ''}`}
                    aria-invalid={problem ? 'true' : undefined}
                  />
                  <p class="hint" id={`${id}-help`}>
                    {setting.help}{' '}
                    {current.source === 'file' ? (
                      <>
                        Set by <code>{setting.file}</code> in the configuration file. <SourceBadge source="file" />
                      </>
                    ) : current.source === 'console' ? (
                      <SourceBadge source="console" />
                    ) : (
                      <span class="muted">(default)</span>
                    )}
                  </p>
                  {problem ? (
                    <p class="error" id={`${id}-error`}>
                      {problem}
                    </p>
                  ) : null}
                </div>
              </>
            );
          })}
          {editable.length > 0 ? (
            <button type="submit" class="primary">
              Save
            </button>
          ) : (
            <p class="muted">The configuration file sets all of these.</p>
          )}
        </form>
      </section>
      <SignInPolicyCard c={props.c} auth={props.auth} policy={props.policy} />
    </AdminLayout>
  );
}

export const generalPage = new Hono<AppEnv>()
  .get('/admin/general', async (c) =>
    c.html(
      <GeneralPage
        c={c}
        auth={c.get('auth')!}
        policy={await readLocalSignInPolicy(c.get('services').store)}
        state={c.req.query('notice') === 'saved' ? { notice: 'Saved. It applies at once.' } : {}}
      />,
    ),
  )
  .post('/admin/general/sign-in', async (c) => {
    const auth = c.get('auth')!;
    const services = c.get('services');
    const form = await readConsoleForm(c);
    const policy = await readLocalSignInPolicy(services.store);
    if (!form)
      return c.html(
        <GeneralPage c={c} auth={auth} policy={policy} state={{ error: 'The form had expired. Nothing was saved; try again.' }} />,
        403,
      );
    const wanted = form.localAccounts === 'admins' ? 'admins' : 'everyone';
    const result = await runConsoleAction(c, auth, saveSignInPolicy, { body: { localAccounts: wanted } });
    if (!result.ok)
      return c.html(
        <GeneralPage c={c} auth={auth} policy={policy} state={{ error: result.error.message }} />,
        result.error.httpStatus as 409,
      );
    return c.redirect('/admin/general?notice=saved', 303);
  })
  .post('/admin/general', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form)
      return c.html(
        <GeneralPage
          c={c}
          auth={auth}
          policy={await readLocalSignInPolicy(c.get('services').store)}
          state={{ error: 'The form had expired. Nothing was saved; try again.' }}
        />,
        403,
      );
    const general = c.get('services').settings.current().general;
    const body: Record<string, unknown> = { revision: form.revision ? form.revision : null };
    for (const setting of SETTINGS) {
      // Only what the console may change, and only when it differs: an unchanged default stays "default".
      if (general[setting.key].source === 'file') continue;
      const raw = (form[setting.key] ?? '').trim();
      if (raw === '') body[setting.key] = null;
      else if (Number(raw) !== general[setting.key].value) body[setting.key] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    }
    const result = await runConsoleAction(c, auth, saveGeneralSettingsOperation, { body });
    if (result.ok) return c.redirect('/admin/general?notice=saved', 303);
    return c.html(
      <GeneralPage
        c={c}
        auth={auth}
        policy={await readLocalSignInPolicy(c.get('services').store)}
        state={{ error: result.error.message, problems: result.error.fields, values: form }}
      />,
      result.error.httpStatus as 400,
    );
  });
