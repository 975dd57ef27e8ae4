import { type Context, Hono } from 'hono';
import type { FieldProblem } from '../../lib/toolbox-error.js';
import { createDirectory, type DirectoryView, listDirectories } from '../api/operations/directory-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { ConnectionFieldset, connectionBodyFromForm } from './connection-fieldset.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';
import { AppRegistrationNeeds, CheckState } from './directory-views.js';

type ListState = {
  notice?: string;
  error?: string;
  problems?: FieldProblem[];
  /** What the admin typed into the add form, shown again after a refusal (never a secret). */
  values?: { id: string; name: string; fields: Record<string, string>; allowPrivilegedTargets: boolean };
};

type Listing = { directories: DirectoryView[]; connectors: { kind: string; label: string }[] };

const problemFor = (problems: FieldProblem[] | undefined, path: string) =>
  problems?.find((problem) => problem.path.replace(/^body\./, '') === path)?.message;

function FieldError(props: { id: string; message: string | undefined }) {
  return props.message ? (
    <p class="error" id={props.id}>
      {props.message}
    </p>
  ) : null;
}

function DirectoriesPage(props: { c: Context<AppEnv>; auth: Auth; listing: Listing; state: ListState }) {
  const services = props.c.get('services');
  const { directories } = props.listing;
  const connectors = Object.values(services.connectors.directory);
  const connector = connectors[0]!;
  const guides = connectors.map((candidate) => candidate.setupGuide);
  const values = props.state.values;
  const idError = problemFor(props.state.problems, 'id');
  const nameError = problemFor(props.state.problems, 'name');
  return (
    <AdminLayout title="Directories" active="/admin/directories" auth={props.auth} notice={props.state.notice} error={props.state.error}>
      <p class="muted">
        A directory is one customer’s Microsoft 365 tenant (reached with the MSP app or the tenant’s own app registration) or on-premises
        Active Directory domain (directly or through the on-prem agent). The forms find the customer’s users there. Map PSA companies to
        directories under <a href="/admin/companies">Company mapping</a>; a hybrid customer gets both.
      </p>
      {directories.length === 0 ? (
        <section class="card" aria-labelledby="directories-empty">
          <h2 id="directories-empty">No directories yet</h2>
          {guides.map((guide) => (
            <AppRegistrationNeeds guide={guide} />
          ))}
        </section>
      ) : (
        <table class="data">
          <caption class="muted">
            {directories.length} director{directories.length === 1 ? 'y' : 'ies'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Tenant</th>
              <th scope="col">Set in</th>
              <th scope="col">Mapped</th>
              <th scope="col">Last systems check</th>
            </tr>
          </thead>
          <tbody>
            {directories.map((directory) => (
              <tr>
                <td>
                  <a href={`/admin/directories/${encodeURIComponent(directory.id)}`}>{directory.name}</a>{' '}
                  <span class="muted">({directory.id})</span>
                </td>
                <td>
                  <code>{String(directory.fields.tenantId ?? '')}</code>
                </td>
                <td>
                  <SourceBadge source={directory.source} />
                </td>
                <td>
                  {directory.companyIds.length} compan{directory.companyIds.length === 1 ? 'y' : 'ies'} mapped
                </td>
                <td>
                  <CheckState check={directory.lastCheck} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <section class="card" aria-labelledby="connect-with-msp-app">
        <h2 id="connect-with-msp-app">Connect with the MSP app</h2>
        <p class="muted">One admin-consent link per customer: no app registration in the customer’s tenant.</p>
        <form method="post" action="/admin/microsoft/connect">
          <CsrfField auth={props.auth} />
          <button type="submit" class="primary">
            Connect a Microsoft 365 tenant
          </button>
        </form>
      </section>
      <section class="card" aria-labelledby="add-directory">
        <h2 id="add-directory">Add a Microsoft 365 tenant</h2>
        <p class="muted">
          The customer name, a short id, the tenant, the application (client) ID and its client secret (or a certificate) are all it takes:
          Microsoft's own sign-in and Graph hosts are the defaults. <em>Advanced settings</em> are only for national clouds.
        </p>
        <form method="post" action="/admin/directories" class="connection-form">
          <CsrfField auth={props.auth} />
          {connectors.length > 1 ? (
            <div class="field">
              <label for="new-kind">Kind</label>
              <select id="new-kind" name="kind">
                {connectors.map((option) => (
                  <option value={option.kind}>{option.label}</option>
                ))}
              </select>
            </div>
          ) : (
            <input type="hidden" name="kind" value={connector.kind} />
          )}
          <div class="field">
            <label for="new-name">Customer name</label>
            <input
              id="new-name"
              name="name"
              type="text"
              value={values?.name ?? ''}
              autocomplete="off"
              aria-describedby={nameError ? 'new-name-help new-name-error' : 'new-name-help'}
              aria-invalid={nameError ? 'true' : undefined}
            />
            <p class="hint" id="new-name-help">
              As technicians know the customer, e.g. Contoso Dental.
            </p>
            <FieldError id="new-name-error" message={nameError} />
          </div>
          <div class="field">
            <label for="new-id">Directory id</label>
            <input
              id="new-id"
              name="id"
              type="text"
              value={values?.id ?? ''}
              autocomplete="off"
              spellcheck={false}
              aria-describedby={idError ? 'new-id-help new-id-error' : 'new-id-help'}
              aria-invalid={idError ? 'true' : undefined}
            />
            <p class="hint" id="new-id-help">
              A short name for logs and the API: lowercase letters, digits and dashes, e.g. contoso. It cannot be changed later.
            </p>
            <FieldError id="new-id-error" message={idError} />
          </div>
          <ConnectionFieldset
            fields={connector.fields}
            values={values?.fields ?? {}}
            secretsSet={[]}
            problems={props.state.problems ?? []}
            idPrefix="new"
          />
          <label class="choice" for="new-allowPrivilegedTargets">
            <input
              type="checkbox"
              id="new-allowPrivilegedTargets"
              name="allowPrivilegedTargets"
              value="on"
              checked={values?.allowPrivilegedTargets ?? false}
            />
            <span>Allow forms to act on users who hold an admin role (off is safer)</span>
          </label>
          <div class="row">
            <button type="submit" class="primary">
              Add the tenant
            </button>
          </div>
        </form>
      </section>
      {directories.length > 0 ? (
        <details class="advanced">
          <summary>What the app registration needs</summary>
          {guides.map((guide) => (
            <AppRegistrationNeeds guide={guide} />
          ))}
        </details>
      ) : null}
    </AdminLayout>
  );
}

async function render(c: Context<AppEnv>, state: ListState, status: 200 | 400 | 403 | 409 = 200) {
  const auth = c.get('auth')!;
  const listed = await runConsoleAction<Listing>(c, auth, listDirectories);
  if (!listed.ok) throw listed.error;
  return c.html(<DirectoriesPage c={c} auth={auth} listing={listed.value} state={state} />, status);
}

const NOTICES: Record<string, string> = { removed: 'The directory was removed, with its company mappings.' };

/** `/admin/directories`: the customers' tenants, their last check, and the form to add one. */
export const directoriesPage = new Hono<AppEnv>()
  .get('/admin/directories', (c) => {
    const notice = NOTICES[c.req.query('notice') ?? ''];
    return render(c, notice ? { notice } : {});
  })
  .post('/admin/directories', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return render(c, { error: 'The form had expired. Nothing was saved; try again.' }, 403);
    const connection = connectionBodyFromForm(form);
    const id = (form.id ?? '').trim();
    const name = form.name ?? '';
    const allowPrivilegedTargets = form.allowPrivilegedTargets === 'on';
    const result = await runConsoleAction<{ id: string }>(c, auth, createDirectory, {
      body: { id, kind: form.kind ?? '', name, ...connection, allowPrivilegedTargets },
    });
    if (result.ok) return c.redirect(`/admin/directories/${encodeURIComponent(result.value.id)}?notice=created`, 303);
    return render(
      c,
      {
        error: result.error.message,
        problems: result.error.fields,
        values: { id, name, fields: connection.fields, allowPrivilegedTargets },
      },
      result.error.httpStatus as 400,
    );
  });
