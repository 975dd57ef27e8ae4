import { type Context, Hono } from 'hono';
import type { FormCatalogueEntry, FormsCatalogueView, RequirementState } from '../../domain/forms-catalogue/describe-forms-catalogue.js';
import { FORM_CATALOGUE } from '../../forms/catalogue.js';
import { loadFormsCatalogue, setFormEnabledOperation } from '../api/operations/form-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';

const STATE_WORDS: Record<RequirementState, { word: string; className: string }> = {
  pass: { word: 'pass', className: 'step-ok' },
  fail: { word: 'fail', className: 'step-failed' },
  'not-run': { word: 'not run', className: 'status-not-run' },
  unverified: { word: 'not verifiable', className: 'status-unverified' },
  'not-checked': { word: 'not checked yet', className: 'step-warning' },
  'not-reported': { word: 'not reported', className: 'step-warning' },
};

function Need(props: { ok: boolean; title: string; detail: string; href: string; linkText: string }) {
  return (
    <li class={props.ok ? 'step-ok' : 'step-failed'}>
      <span class="badge">{props.ok ? 'in place' : 'missing'}</span> {props.title}: {props.detail}{' '}
      {props.ok ? null : <a href={props.href}>{props.linkText}</a>}
    </li>
  );
}

function FormCard(props: { form: FormCatalogueEntry; catalogue: FormsCatalogueView; auth: Auth; configPath: string }) {
  const { form, catalogue } = props;
  const titleId = `form-${form.name}-title`;
  return (
    <section class="card form-card" id={`form-${form.name}`} aria-labelledby={titleId}>
      <h2 id={titleId}>
        {form.label} <code>{form.name}</code>{' '}
        <span class={form.enabled ? 'step-ok' : 'step-warning'}>
          <span class="badge">{!form.available ? 'not available yet' : form.enabled ? 'enabled' : 'not enabled'}</span>
        </span>
      </h2>
      {!form.available ? (
        <p>This version of the toolbox cannot run this form yet; its screen-pop link says so to the technician.</p>
      ) : (
        <>
          <p class="muted">
            {form.ready
              ? 'Everything it needs is in place, as far as the last systems checks tell.'
              : 'Some of what it needs is missing or not checked yet (below). It can be enabled anyway; a run then fails at the missing piece and says so.'}{' '}
            Each form's fields, steps and permissions are described in <code>docs/forms.md</code>.
          </p>
          <h3>What it needs</h3>
          <ul class="needs">
            <Need
              ok={form.needs.psa.ok}
              title="PSA connection"
              detail={form.needs.psa.detail}
              href="/admin/psa"
              linkText="Connect the PSA"
            />
            <Need
              ok={form.needs.directories.ok}
              title="A directory"
              detail={form.needs.directories.detail}
              href="/admin/directories"
              linkText="Add a directory"
            />
            <Need
              ok={form.needs.companyMappings.ok}
              title="Company mappings"
              detail={form.needs.companyMappings.detail}
              href="/admin/companies"
              linkText="Map companies"
            />
          </ul>
          <h3>Permissions it needs in each customer tenant</h3>
          <ul class="needs-list">
            {(form.needs.permissions[0]?.items ?? []).map((item) => (
              <li>
                {item.label}
                {item.partial ? <span class="muted"> (only for {item.partial})</span> : null}
              </li>
            ))}
          </ul>
          {form.needs.permissions.filter((directory) => directory.checkedAt === null).length > 0 ? (
            <p>
              Not checked yet:{' '}
              {form.needs.permissions
                .filter((directory) => directory.checkedAt === null)
                .map((directory) => directory.directoryName)
                .join(', ')}
              . Run the systems check on the <a href="/admin/directories">directories page</a> to see whether each tenant grants these.
            </p>
          ) : null}
          {form.needs.permissions
            .filter((directory) => directory.checkedAt !== null)
            .map((directory) => (
              <div class="directory-needs">
                <h3>
                  {directory.directoryName} <code>{directory.directoryId}</code>
                </h3>
                <p class="muted">Last systems check {directory.checkedAt!.slice(0, 16).replace('T', ' ')} UTC.</p>
                <table class="data">
                  <thead>
                    <tr>
                      <th scope="col">Needs</th>
                      <th scope="col">State</th>
                      <th scope="col">What the check said</th>
                    </tr>
                  </thead>
                  <tbody>
                    {directory.items.map((item) => (
                      <tr>
                        <td>{item.label}</td>
                        <td class={STATE_WORDS[item.state].className}>
                          <span class="badge">{STATE_WORDS[item.state].word}</span>
                        </td>
                        <td>
                          {item.message}
                          {item.state === 'fail' && item.hint ? <span class="hint">{item.hint}</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          {catalogue.source === 'file' ? (
            <p class="muted">
              The configuration file sets which forms are enabled (<code>forms.enabled</code> in <code>{props.configPath}</code>); change it
              there and restart.
            </p>
          ) : (
            <form method="post" action={`/admin/forms/${form.name}`}>
              <CsrfField auth={props.auth} />
              <input type="hidden" name="enabled" value={form.enabled ? 'false' : 'true'} />
              <button type="submit" class={form.enabled ? undefined : 'primary'}>
                {form.enabled ? 'Disable' : 'Enable'} {form.label}
              </button>
            </form>
          )}
        </>
      )}
    </section>
  );
}

async function FormsPage(props: { c: Context<AppEnv>; auth: Auth; notice?: string | undefined; error?: string | undefined }) {
  const services = props.c.get('services');
  const catalogue = await loadFormsCatalogue(services);
  const configPath = services.config.configPath ?? 'TOOLBOX_CONFIG';
  return (
    <AdminLayout title="Forms" active="/admin/forms" auth={props.auth} notice={props.notice} error={props.error}>
      <p class="muted">
        Each form opens from its own screen-pop link in 1Stream (see <a href="/admin/screenpop">Screen-pop URLs</a>). A form that is not
        enabled answers its link with a page that sends the technician's admin here.
      </p>
      {catalogue.source === 'file' ? (
        <p>
          <SourceBadge source="file" /> The configuration file lists the enabled forms, so they are read-only here.
        </p>
      ) : catalogue.source === 'default' ? (
        <p>No form is enabled yet: enable each one on purpose, once what it needs is in place.</p>
      ) : (
        <p>
          <SourceBadge source="console" />
        </p>
      )}
      {catalogue.forms.map((form) => (
        <FormCard form={form} catalogue={catalogue} auth={props.auth} configPath={configPath} />
      ))}
    </AdminLayout>
  );
}

export const formsPage = new Hono<AppEnv>()
  .get('/admin/forms', async (c) => {
    const form = FORM_CATALOGUE.find((candidate) => candidate.name === c.req.query('form'));
    const change = c.req.query('notice');
    const notice = form && (change === 'enabled' || change === 'disabled') ? `${form.label} ${change}.` : undefined;
    return c.html(<FormsPage c={c} auth={c.get('auth')!} notice={notice} />);
  })
  .post('/admin/forms/:name', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<FormsPage c={c} auth={auth} error="The form had expired. Nothing was changed; try again." />, 403);
    const name = c.req.param('name');
    const enabled = form.enabled === 'true';
    const result = await runConsoleAction(c, auth, setFormEnabledOperation, { params: { name }, body: { enabled } });
    if (result.ok) {
      return c.redirect(`/admin/forms?notice=${enabled ? 'enabled' : 'disabled'}&form=${encodeURIComponent(name)}#form-${name}`, 303);
    }
    return c.html(<FormsPage c={c} auth={auth} error={result.error.message} />, result.error.httpStatus as 400);
  });
