import { type Context, Hono } from 'hono';
import type { FormCatalogueEntry, RequirementState } from '../../domain/forms-catalogue/describe-forms-catalogue.js';
import { loadFormsCatalogue, setEnabledFormsOperation, setFormEnabledOperation } from '../api/operations/form-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { readConsoleForm, readConsoleFormAll, runConsoleAction } from './console-action.js';

const STATE_WORDS: Record<RequirementState, { word: string; className: string }> = {
  pass: { word: 'pass', className: 'step-ok' },
  fail: { word: 'fail', className: 'step-failed' },
  'not-run': { word: 'not run', className: 'status-not-run' },
  unverified: { word: 'not verifiable', className: 'status-unverified' },
  'not-checked': { word: 'not checked yet', className: 'step-warning' },
  'not-reported': { word: 'not reported', className: 'step-warning' },
};

/** What a form still lacks, in a few words, each with the console page that fixes it. */
function Missing(props: { form: FormCatalogueEntry }) {
  const { needs } = props.form;
  const items: { text: string; href: string; link: string }[] = [];
  if (!needs.psa.ok) items.push({ text: needs.psa.detail, href: '/admin/psa', link: 'Connect the PSA' });
  if (!needs.directories.ok) items.push({ text: needs.directories.detail, href: '/admin/directories', link: 'Add a directory' });
  if (!needs.companyMappings.ok) items.push({ text: needs.companyMappings.detail, href: '/admin/companies', link: 'Map companies' });
  for (const directory of needs.permissions) {
    if (directory.checkedAt === null || !directory.offered) continue;
    const missing = directory.items.filter((item) => (item.state === 'fail' || item.state === 'not-run') && !item.partial);
    if (missing.length > 0) {
      items.push({
        text: `${directory.directoryName}: ${missing.map((item) => item.label).join(', ')}`,
        href: `/admin/directories/${encodeURIComponent(directory.directoryId)}`,
        link: 'See its check',
      });
    }
  }
  const unchecked = needs.permissions.filter((directory) => directory.checkedAt === null && directory.offered);
  return (
    <>
      {items.length > 0 ? (
        <ul class="needs compact">
          {items.map((item) => (
            <li>
              {item.text} <a href={item.href}>{item.link}</a>
            </li>
          ))}
        </ul>
      ) : null}
      {unchecked.length > 0 ? (
        <p>
          Not checked yet: {unchecked.map((directory) => directory.directoryName).join(', ')}. Run the systems check on the{' '}
          <a href="/admin/directories">directories page</a> to see whether each tenant grants these.
        </p>
      ) : null}
    </>
  );
}

/**
 * Where the form is not offered, or offered without some of its steps, because of what a
 * directory kind can do (not what it was granted): said openly, never folded away.
 */
function Offer(props: { form: FormCatalogueEntry }) {
  const notOffered = props.form.needs.permissions.filter((directory) => !directory.offered);
  const trimmed = props.form.needs.permissions.filter((directory) => directory.offered && directory.leftOut.length > 0);
  if (notOffered.length === 0 && trimmed.length === 0) return null;
  return (
    <ul class="needs compact">
      {notOffered.map((directory) => (
        <li>
          Not offered for {directory.directoryName}: {directory.notOffered}
        </li>
      ))}
      {trimmed.map((directory) => (
        <li>
          For {directory.directoryName}, without {directory.leftOut.map((step) => step.what).join('; ')}:{' '}
          {[...new Set(directory.leftOut.map((step) => step.reason))].join(' ')}
        </li>
      ))}
    </ul>
  );
}

/** Per directory, each permission the form needs and what the last check said: folded away. */
function PermissionDetails(props: { form: FormCatalogueEntry }) {
  const { form } = props;
  const offeredTo = form.needs.permissions.filter((directory) => directory.offered);
  return (
    <details class="form-needs">
      <summary>
        What it needs <span class="visually-hidden">for {form.label}</span>
      </summary>
      <ul class="needs-list">
        {(offeredTo[0]?.items ?? []).map((item) => (
          <li>
            {item.label}
            {item.partial ? <span class="muted"> (only for {item.partial})</span> : null}
          </li>
        ))}
      </ul>
      {offeredTo
        .filter((directory) => directory.checkedAt !== null)
        .map((directory) => (
          <div class="directory-needs">
            <p>
              <strong>{directory.directoryName}</strong>{' '}
              <span class="muted">· last systems check {directory.checkedAt!.slice(0, 16).replace('T', ' ')} UTC</span>
            </p>
            <ul class="needs-states">
              {directory.items.map((item) => (
                <li class={STATE_WORDS[item.state].className}>
                  <span class="badge">{STATE_WORDS[item.state].word}</span> {item.label}
                  {item.state === 'fail' && item.hint ? <span class="hint">{item.hint}</span> : null}
                </li>
              ))}
            </ul>
          </div>
        ))}
    </details>
  );
}

async function FormsPage(props: { c: Context<AppEnv>; auth: Auth; notice?: string | undefined; error?: string | undefined }) {
  const services = props.c.get('services');
  const catalogue = await loadFormsCatalogue(services);
  const configPath = services.config.configPath ?? 'TOOLBOX_CONFIG';
  const readOnly = catalogue.source === 'file';
  return (
    <AdminLayout title="Forms" active="/admin/forms" auth={props.auth} notice={props.notice} error={props.error}>
      <p class="muted">
        Each form opens from its own screen-pop link in 1Stream (see <a href="/admin/screenpop">Screen-pop URLs</a>). A form that is not
        enabled answers its link with a page that sends the technician's admin here. Each form's fields, steps and permissions are described
        in <code>docs/forms.md</code>.
      </p>
      {readOnly ? (
        <p>
          <SourceBadge source="file" /> The configuration file lists the enabled forms, so they are read-only here: change{' '}
          <code>forms.enabled</code> in <code>{configPath}</code> and restart.
        </p>
      ) : catalogue.source === 'default' ? (
        <p>No form is enabled yet: tick each one on purpose, once what it needs is in place, and save.</p>
      ) : (
        <p>
          <SourceBadge source="console" />
        </p>
      )}
      <form method="post" action="/admin/forms" class="forms-table">
        <CsrfField auth={props.auth} />
        <input type="hidden" name="revision" value={catalogue.revision ?? ''} />
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Enabled</th>
              <th scope="col">Form</th>
              <th scope="col">Ready</th>
              <th scope="col">Missing</th>
            </tr>
          </thead>
          <tbody>
            {catalogue.forms.map((form) => (
              <tr id={`form-${form.name}`}>
                <td class="nowrap">
                  <input
                    type="checkbox"
                    id={`enable-${form.name}`}
                    name="enabled"
                    value={form.name}
                    checked={form.enabled}
                    disabled={readOnly}
                  />{' '}
                  <label for={`enable-${form.name}`} class="visually-hidden">
                    Enable {form.label}
                  </label>
                </td>
                <td>
                  <strong>{form.label}</strong> <code>{form.name}</code>
                </td>
                <td class="nowrap">
                  <span class={form.ready ? 'status-succeeded' : 'status-partial'}>
                    <span class="badge">{form.ready ? 'ready' : 'not ready'}</span>
                  </span>
                </td>
                <td>
                  {form.ready ? <span class="muted">Nothing, as far as the last systems checks tell.</span> : <Missing form={form} />}
                  <Offer form={form} />
                  <PermissionDetails form={form} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {readOnly ? null : (
          <div class="row">
            <button type="submit" class="primary">
              Save the enabled forms
            </button>
            <span class="muted">A form can be enabled before it is ready; a run then fails at the missing piece and says so.</span>
          </div>
        )}
      </form>
    </AdminLayout>
  );
}

const labelsOf = (c: Context<AppEnv>, names: string[]) => names.map(c.get('services').forms.labelOf).join(', ') || 'none';

export const formsPage = new Hono<AppEnv>()
  .get('/admin/forms', async (c) => {
    const form = c.get('services').forms.get(c.req.query('form') ?? '');
    const change = c.req.query('notice');
    const notice =
      change === 'saved'
        ? `Saved. Enabled: ${labelsOf(c, (c.req.query('enabled') ?? '').split(',').filter(Boolean))}.`
        : form && (change === 'enabled' || change === 'disabled')
          ? `${form.label} ${change}.`
          : undefined;
    return c.html(<FormsPage c={c} auth={c.get('auth')!} notice={notice} />);
  })
  // The page's one form: every ticked form enabled, every other one disabled, in one save.
  .post('/admin/forms', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleFormAll(c);
    if (!form) return c.html(<FormsPage c={c} auth={auth} error="The form had expired. Nothing was changed; try again." />, 403);
    const revision = form.revision?.[0] ?? '';
    const result = await runConsoleAction<{ enabled: string[] }>(c, auth, setEnabledFormsOperation, {
      body: { enabled: form.enabled ?? [], revision: revision === '' ? null : revision },
    });
    if (result.ok) return c.redirect(`/admin/forms?notice=saved&enabled=${encodeURIComponent(result.value.enabled.join(','))}`, 303);
    return c.html(<FormsPage c={c} auth={auth} error={result.error.message} />, result.error.httpStatus as 400);
  })
  // One form on or off (kept for links and scripts that post a single form).
  .post('/admin/forms/:name', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<FormsPage c={c} auth={auth} error="The form had expired. Nothing was changed; try again." />, 403);
    const name = c.req.param('name');
    const enabled = form.enabled === 'true';
    const result = await runConsoleAction(c, auth, setFormEnabledOperation, { params: { name }, body: { enabled } });
    if (result.ok) {
      return c.redirect(
        `/admin/forms?notice=${enabled ? 'enabled' : 'disabled'}&form=${encodeURIComponent(name)}#form-${encodeURIComponent(name)}`,
        303,
      );
    }
    return c.html(<FormsPage c={c} auth={auth} error={result.error.message} />, result.error.httpStatus as 400);
  });
