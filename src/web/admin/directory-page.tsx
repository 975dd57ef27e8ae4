import { type Context, Hono } from 'hono';
import { checkSummaryText } from '../../connectors/systems-check.js';
import type { AgentView as HubAgentView } from '../../domain/agents/agent-hub.js';
import type { DirectoryCheckDocument } from '../../domain/settings/directory-check-document.js';
import type { FieldProblem } from '../../lib/toolbox-error.js';
import { createDirectoryAgentToken, listDirectoryAgents } from '../api/operations/agent-operations.js';
import {
  type DirectoryView,
  deleteDirectory,
  getDirectory,
  getDirectoryCheck,
  runDirectoryCheckOperation,
  updateDirectory,
} from '../api/operations/directory-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { ConnectionFieldset, ConnectionReadOnly, connectionBodyFromForm } from './connection-fieldset.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';
import { CheckResults } from './directory-views.js';
import { type DefaultsForm, FormDefaultsFields, formDefaultsFromForm } from './form-defaults-fields.js';

type DetailState = {
  notice?: string;
  error?: string;
  /** Problems of the connection form. */
  problems?: FieldProblem[];
  values?: { name: string; fields: Record<string, string>; allowPrivilegedTargets: boolean };
  /** Problems of the defaults form, and what the admin submitted (shown again after a refusal). */
  defaultsProblems?: FieldProblem[];
  defaultsRaw?: Record<string, string>;
  /** A just-created agent token: shown this once. */
  newAgentToken?: string;
};

type AgentsView = {
  agents: AgentView[];
  tokens: { hint: string; createdAt: string; createdBy: string | null; revokedAt: string | null }[];
};
type AgentView = Omit<HubAgentView, 'directoryId'>;
const utc = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;

/** The on-prem agents of a directory reached through one: their state, and its tokens. */
function AgentsSection(props: { auth: Auth; base: string; id: string; view: AgentsView; newToken?: string | undefined }) {
  const active = props.view.tokens.filter((token) => !token.revokedAt);
  return (
    <section class="card" aria-labelledby="agents-title">
      <h2 id="agents-title">On-prem agent</h2>
      <p class="muted">
        The agent runs on a server in the customer’s network, connects out to the toolbox and keeps the domain’s credentials
        (docs/active-directory.md). Start it with <code>npm run agent -- --config agent.yaml</code>.
      </p>
      {props.view.agents.length === 0 ? (
        <p>No agent has connected yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Agent</th>
              <th>State</th>
              <th>Last seen</th>
              <th>Version</th>
              <th>Domain controller</th>
            </tr>
          </thead>
          <tbody>
            {props.view.agents.map((agent) => (
              <tr>
                <td>{agent.agentName}</td>
                <td class={agent.connected ? 'status-succeeded' : 'status-failed'}>{agent.connected ? 'connected' : 'offline'}</td>
                <td>{utc(agent.lastSeenAt)}</td>
                <td>{agent.version}</td>
                <td>{agent.dcReachable ? 'reachable' : `not reachable: ${agent.dcMessage ?? 'no detail'}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.newToken ? (
        <p role="status">
          The new token, shown only now (the toolbox keeps its hash): <code>{props.newToken}</code>. Put it in the agent’s agent.yaml as{' '}
          <code>token</code> and restart the agent.
        </p>
      ) : null}
      <p>
        {active.length === 0
          ? 'No token created here (a pre-shared agentToken in the configuration works too).'
          : `Tokens in use: ${active.map((token) => `…${token.hint} (created ${utc(token.createdAt)}${token.createdBy ? ` by ${token.createdBy}` : ''})`).join(', ')}.`}
      </p>
      <form method="post" action={`${props.base}/agent-tokens`}>
        <CsrfField auth={props.auth} />
        <button type="submit" name="rotate" value="off">
          Create a token
        </button>{' '}
        <button type="submit" name="rotate" value="on">
          Rotate: new token, the others stop working
        </button>
      </form>
    </section>
  );
}

const problemFor = (problems: FieldProblem[] | undefined, path: string) =>
  problems
    ?.filter((problem) => {
      const bare = problem.path.replace(/^body\./, '');
      return bare === path || bare.startsWith(`${path}.`);
    })
    .map((problem) => {
      const bare = problem.path.replace(/^body\./, '');
      return bare === path ? problem.message : `${bare.slice(path.length + 1)}: ${problem.message}`;
    })
    .join(' ') || undefined;

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function FormDefaultsSection(props: { auth: Auth; directory: DirectoryView; forms: DefaultsForm[]; state: DetailState }) {
  const { directory } = props;
  const readOnly = directory.source === 'file';
  return (
    <section class="card" aria-labelledby="defaults-title">
      <h2 id="defaults-title">Form defaults for this customer</h2>
      <p class="muted">
        What each form starts with when a technician opens it for one of this customer’s companies. Empty means the form’s own defaults.
      </p>
      {readOnly ? (
        props.forms.map((form) => (
          <>
            <h3>{form.label}</h3>
            {directory.formDefaults[form.name] ? (
              <pre>{pretty(directory.formDefaults[form.name])}</pre>
            ) : (
              <p class="muted">The form’s own defaults.</p>
            )}
          </>
        ))
      ) : (
        <form method="post" action={`/admin/directories/${encodeURIComponent(directory.id)}/defaults`}>
          <CsrfField auth={props.auth} />
          <input type="hidden" name="revision" value={directory.revision ?? ''} />
          {props.forms.map((form) => (
            <FormDefaultsFields
              form={form}
              values={
                props.state.defaultsRaw
                  ? Object.fromEntries(
                      Object.entries(props.state.defaultsRaw)
                        .filter(([name]) => name.startsWith(`d.${form.name}.`))
                        .map(([name, value]) => [name.slice(`d.${form.name}.`.length), value]),
                    )
                  : ((directory.formDefaults[form.name] ?? {}) as Record<string, unknown>)
              }
              problems={props.state.defaultsProblems}
            />
          ))}
          <div class="row">
            <button type="submit" class="primary">
              Save the defaults
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The forms that take per-customer defaults, with their schemas. */
function defaultsForms(c: Context<AppEnv>): DefaultsForm[] {
  return c
    .get('services')
    .forms.list.flatMap((form) =>
      form.form.defaultsSchema ? [{ name: form.name, label: form.form.label, schema: form.form.defaultsSchema }] : [],
    );
}

function DirectoryPage(props: {
  c: Context<AppEnv>;
  auth: Auth;
  directory: DirectoryView;
  check: DirectoryCheckDocument | null;
  agents: AgentsView | null;
  state: DetailState;
}) {
  const services = props.c.get('services');
  const { directory, state } = props;
  const connector = services.connectors.directory[directory.kind];
  const base = `/admin/directories/${encodeURIComponent(directory.id)}`;
  const forms = defaultsForms(props.c);
  const nameError = problemFor(state.problems, 'name');
  return (
    <AdminLayout title={directory.name} active="/admin/directories" auth={props.auth} notice={state.notice} error={state.error}>
      <p>
        <a href="/admin/directories">All directories</a>
      </p>
      <section class="card" aria-labelledby="connection-title">
        <h2 id="connection-title">
          {directory.label} <SourceBadge source={directory.source} />
        </h2>
        <dl class="settings">
          <dt>Directory id</dt>
          <dd>
            <code>{directory.id}</code>
          </dd>
          <dt>PSA companies mapped</dt>
          <dd>
            {directory.companyIds.length === 0 ? (
              <>
                None yet. <a href="/admin/companies">Map companies</a> so screen pops for them find this tenant.
              </>
            ) : (
              directory.companyIds.join(', ')
            )}
          </dd>
          {directory.updatedAt ? (
            <>
              <dt>Last saved</dt>
              <dd>
                {directory.updatedAt.slice(0, 16).replace('T', ' ')} UTC by {directory.updatedBy ?? 'unknown'}
              </dd>
            </>
          ) : null}
        </dl>
        {directory.source === 'file' || !connector ? (
          <>
            <p>
              The configuration file defines this directory, so it is shown here read-only. Change it in the file (
              <code>{services.config.configPath ?? 'TOOLBOX_CONFIG'}</code>) and restart.
            </p>
            <ConnectionReadOnly fields={connector?.fields ?? []} values={directory.fields} secretsSet={directory.secretsSet} />
            <p>Admin accounts may be targeted: {directory.allowPrivilegedTargets ? 'yes' : 'no'}</p>
          </>
        ) : (
          <form method="post" action={base} class="connection-form">
            <h3>Connection</h3>
            <CsrfField auth={props.auth} />
            <input type="hidden" name="revision" value={directory.revision ?? ''} />
            <div class="field">
              <label for="dir-name">Customer name</label>
              <input
                id="dir-name"
                name="name"
                type="text"
                value={state.values?.name ?? directory.name}
                autocomplete="off"
                aria-describedby={nameError ? 'dir-name-error' : undefined}
                aria-invalid={nameError ? 'true' : undefined}
              />
              {nameError ? (
                <p class="error" id="dir-name-error">
                  {nameError}
                </p>
              ) : null}
            </div>
            <ConnectionFieldset
              fields={connector.fields}
              values={state.values?.fields ?? directory.fields}
              secretsSet={directory.secretsSet}
              problems={state.problems ?? []}
              idPrefix="dir"
            />
            <label class="choice" for="dir-allowPrivilegedTargets">
              <input
                type="checkbox"
                id="dir-allowPrivilegedTargets"
                name="allowPrivilegedTargets"
                value="on"
                checked={state.values?.allowPrivilegedTargets ?? directory.allowPrivilegedTargets}
              />
              <span>Allow forms to act on users who hold an admin role (off is safer)</span>
            </label>
            <div class="row">
              <button type="submit" class="primary">
                Save the connection
              </button>
            </div>
          </form>
        )}
      </section>

      <section class="card" aria-labelledby="check-title">
        <h2 id="check-title">Systems check</h2>
        <p class="muted">
          Signs in to the tenant and tests each application permission the forms need and the Exchange Online role, with the settings saved
          above.
        </p>
        <form method="post" action={`${base}/check`}>
          <CsrfField auth={props.auth} />
          <button type="submit" class="primary">
            Run the systems check
          </button>
        </form>
        {props.check ? (
          <>
            <p class={props.check.ok ? 'status-succeeded' : 'status-failed'}>
              <span class="badge">{props.check.ok ? 'no failures' : 'failed'}</span> {checkSummaryText(props.check.results)}. Last run{' '}
              {props.check.ranAt.slice(0, 16).replace('T', ' ')} UTC by {props.check.ranBy}.
            </p>
            <CheckResults check={props.check} />
          </>
        ) : (
          <p>Not run yet.</p>
        )}
      </section>

      {props.agents ? (
        <AgentsSection auth={props.auth} base={base} id={directory.id} view={props.agents} newToken={state.newAgentToken} />
      ) : null}

      {forms.length > 0 ? <FormDefaultsSection auth={props.auth} directory={directory} forms={forms} state={state} /> : null}

      {directory.source === 'console' ? (
        <section class="card" aria-labelledby="remove-title">
          <h2 id="remove-title">Remove this directory</h2>
          <p>
            Screen pops for its companies will then say the company is not mapped.
            {directory.companyIds.length > 0
              ? ` Its ${directory.companyIds.length} company mapping${directory.companyIds.length === 1 ? '' : 's'} set in the console go with it.`
              : ''}
          </p>
          <form method="post" action={`${base}/remove`}>
            <CsrfField auth={props.auth} />
            <input type="hidden" name="revision" value={directory.revision ?? ''} />
            <button type="submit">Remove {directory.name}</button>
          </form>
        </section>
      ) : null}
    </AdminLayout>
  );
}

const NOTICES: Record<string, string> = {
  created: 'Added. Run the systems check to see that the app registration has what the forms need.',
  saved: 'Saved.',
  defaults: 'The form defaults were saved.',
  checked: 'The systems check ran; its results are below.',
};

async function render(c: Context<AppEnv>, id: string, state: DetailState, status: 200 | 400 | 403 | 404 | 409 = 200) {
  const auth = c.get('auth')!;
  const found = await runConsoleAction<DirectoryView>(c, auth, getDirectory, { params: { id } });
  if (!found.ok) {
    if (found.error.httpStatus !== 404) throw found.error;
    return c.html(
      <AdminLayout title="Directory not found" active="/admin/directories" auth={auth} error={found.error.message}>
        <p>
          <a href="/admin/directories">All directories</a>
        </p>
      </AdminLayout>,
      404,
    );
  }
  const check = await runConsoleAction<{ check: DirectoryCheckDocument | null }>(c, auth, getDirectoryCheck, { params: { id } });
  const agents =
    found.value.fields.connection === 'agent' ? await runConsoleAction<AgentsView>(c, auth, listDirectoryAgents, { params: { id } }) : null;
  return c.html(
    <DirectoryPage
      c={c}
      auth={auth}
      directory={found.value}
      check={check.ok ? check.value.check : null}
      agents={agents?.ok ? agents.value : null}
      state={state}
    />,
    status,
  );
}

const expired = { error: 'The form had expired. Nothing was changed; try again.' };

/** `/admin/directories/{id}`: one tenant's connection, systems check, form defaults and removal. */
export const directoryPage = new Hono<AppEnv>()
  .get('/admin/directories/:id', (c) => {
    const notice = NOTICES[c.req.query('notice') ?? ''];
    return render(c, c.req.param('id'), notice ? { notice } : {});
  })
  .post('/admin/directories/:id', async (c) => {
    const id = c.req.param('id');
    const form = await readConsoleForm(c);
    if (!form) return render(c, id, expired, 403);
    const connection = connectionBodyFromForm(form);
    const values = { name: form.name ?? '', fields: connection.fields, allowPrivilegedTargets: form.allowPrivilegedTargets === 'on' };
    const result = await runConsoleAction(c, c.get('auth')!, updateDirectory, {
      params: { id },
      body: { name: values.name, ...connection, allowPrivilegedTargets: values.allowPrivilegedTargets, revision: form.revision ?? '' },
    });
    if (result.ok) return c.redirect(`/admin/directories/${encodeURIComponent(id)}?notice=saved`, 303);
    return render(c, id, { error: result.error.message, problems: result.error.fields, values }, result.error.httpStatus as 400);
  })
  .post('/admin/directories/:id/defaults', async (c) => {
    const id = c.req.param('id');
    const form = await readConsoleForm(c);
    if (!form) return render(c, id, expired, 403);
    const formDefaults = formDefaultsFromForm(defaultsForms(c), form);
    const result = await runConsoleAction(c, c.get('auth')!, updateDirectory, {
      params: { id },
      body: { formDefaults, revision: form.revision ?? '' },
    });
    if (result.ok) return c.redirect(`/admin/directories/${encodeURIComponent(id)}?notice=defaults`, 303);
    return render(
      c,
      id,
      {
        error: result.error.fields.length > 0 ? 'Some defaults need attention (see below). Nothing was saved.' : result.error.message,
        defaultsProblems: result.error.fields,
        defaultsRaw: form,
      },
      result.error.httpStatus as 400,
    );
  })
  .post('/admin/directories/:id/check', async (c) => {
    const id = c.req.param('id');
    const form = await readConsoleForm(c);
    if (!form) return render(c, id, expired, 403);
    const result = await runConsoleAction(c, c.get('auth')!, runDirectoryCheckOperation, { params: { id } });
    if (result.ok) return c.redirect(`/admin/directories/${encodeURIComponent(id)}?notice=checked`, 303);
    return render(c, id, { error: result.error.message }, result.error.httpStatus as 400);
  })
  .post('/admin/directories/:id/agent-tokens', async (c) => {
    const id = c.req.param('id');
    const form = await readConsoleForm(c);
    if (!form) return render(c, id, expired, 403);
    const result = await runConsoleAction<{ token: string }>(c, c.get('auth')!, createDirectoryAgentToken, {
      params: { id },
      body: { rotate: form.rotate === 'on' },
    });
    // Rendered, not redirected: the token is shown once and never put in a URL.
    if (result.ok) return render(c, id, { newAgentToken: result.value.token });
    return render(c, id, { error: result.error.message }, result.error.httpStatus as 400);
  })
  .post('/admin/directories/:id/remove', async (c) => {
    const id = c.req.param('id');
    const form = await readConsoleForm(c);
    if (!form) return render(c, id, expired, 403);
    const result = await runConsoleAction(c, c.get('auth')!, deleteDirectory, {
      params: { id },
      query: form.revision ? { revision: form.revision } : {},
    });
    if (result.ok) return c.redirect('/admin/directories?notice=removed', 303);
    return render(c, id, { error: result.error.message }, result.error.httpStatus as 400);
  });
