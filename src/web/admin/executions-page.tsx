import { type Context, Hono } from 'hono';
import { companyNamesOf } from '../../domain/execution/company-names.js';
import { ticketLinkOf } from '../../domain/execution/ticket-link.js';
import type { ToolboxError } from '../../lib/toolbox-error.js';
import { getExecutionOperation, listExecutionsOperation, rerunExecutionOperation } from '../api/operations/execution-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { ExecutionList, shortTime } from '../views/execution-list-view.js';
import { AdminLayout } from './admin-layout.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';

type Detail = {
  id: string;
  form: string;
  status: string;
  ticketId: string | null;
  companyId: string;
  contactId: string;
  directoryId: string;
  target: { id: string; display: string };
  technician: { id: string; email: string };
  inputs: Record<string, unknown>;
  note: { status: string; error: string | null };
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  launchId: string | null;
  rerunOf: string | null;
  steps: {
    seq: number;
    label: string;
    status: string;
    message: string | null;
    upstreamCode: string | null;
    startedAt: string | null;
    durationMs: number | null;
  }[];
};

/** An input's value in one line: lists joined, objects as compact JSON. */
const inputText = (value: unknown) =>
  value === null || value === undefined || value === ''
    ? 'none'
    : typeof value === 'boolean'
      ? value
        ? 'yes'
        : 'no'
      : typeof value === 'string' || typeof value === 'number'
        ? String(value)
        : JSON.stringify(value);

async function technicianOptions(c: Context<AppEnv>) {
  const users = await c.get('services').store.users.list();
  return users.map((user) => ({ id: user.id, label: `${user.name} (${user.email})` }));
}

const listPage = async (c: Context<AppEnv>) => {
  const auth = c.get('auth')!;
  const values = c.req.query();
  const result = await runConsoleAction<Parameters<typeof ExecutionList>[0]['result']>(c, auth, listExecutionsOperation, { query: values });
  return c.html(
    <AdminLayout title="Executions" active="/admin/executions" auth={auth} error={result.ok ? undefined : result.error.message}>
      <p class="muted">
        Every form run from a screen pop or run again, newest first. Open one to see its steps, the ticket note, and to run it again.
      </p>
      <ExecutionList
        basePath="/admin/executions"
        detailPath="/admin/executions/"
        values={values}
        forms={[...c.get('services').forms.list]}
        technicians={await technicianOptions(c)}
        result={result.ok ? result.value : null}
      />
    </AdminLayout>,
    result.ok ? 200 : (result.error.httpStatus as 400),
  );
};

async function detailPage(c: Context<AppEnv>, auth: Auth, failure?: ToolboxError) {
  const id = c.req.param('id') ?? '';
  const result = await runConsoleAction<Detail>(c, auth, getExecutionOperation, { params: { id } });
  if (!result.ok)
    return c.html(
      <AdminLayout title="Execution not found" active="/admin/executions" auth={auth} error={result.error.message}>
        <p>
          <a href="/admin/executions">Back to the executions</a>
        </p>
      </AdminLayout>,
      result.error.httpStatus as 404,
    );
  const execution = result.value;
  const services = c.get('services');
  const formLabel = services.forms.labelOf;
  const record = (await services.store.executions.get(id))!;
  const companyName = (await companyNamesOf(services.store.launches, [record])).get(record.companyId);
  const ticket = ticketLinkOf({ settings: services.settings, psaConnectors: services.connectors.psa }, record);
  const ticketUrl = ticket.url;
  const finished = execution.status === 'succeeded' || execution.status === 'partial' || execution.status === 'failed';
  return c.html(
    <AdminLayout
      title={`${formLabel(execution.form)}: ${execution.target.display}`}
      active="/admin/executions"
      auth={auth}
      error={failure?.message}
    >
      <p>
        <a href="/admin/executions">Back to the executions</a>
      </p>
      <section class="card" aria-labelledby="execution-summary">
        <h2 id="execution-summary">
          <span class={`status-${execution.status}`}>
            <span class="badge">{execution.status}</span>
          </span>{' '}
          Summary
        </h2>
        {execution.error ? (
          <p class="error" role="alert">
            {execution.error}
          </p>
        ) : null}
        <dl class="settings">
          <dt>Form</dt>
          <dd>{formLabel(execution.form)}</dd>
          <dt>User</dt>
          <dd>{execution.target.display}</dd>
          <dt>Technician</dt>
          <dd>{execution.technician.email}</dd>
          <dt>Ticket</dt>
          <dd>
            {execution.ticketId ? (
              ticketUrl ? (
                <a href={ticketUrl} target="_blank" rel="noopener noreferrer">
                  #{execution.ticketId}
                </a>
              ) : (
                `#${execution.ticketId}`
              )
            ) : (
              'none (the screen pop had no ticket)'
            )}
            {execution.ticketId ? ` in ${ticket.words.name}` : ''}
            {execution.ticketId && !ticket.inForce ? ' (not the PSA connected now)' : ''}
          </dd>
          <dt>PSA company</dt>
          <dd>{companyName ? `${companyName} (${execution.companyId})` : execution.companyId}</dd>
          <dt>PSA contact</dt>
          <dd>{execution.contactId}</dd>
          <dt>Directory</dt>
          <dd>{execution.directoryId}</dd>
          <dt>Started from</dt>
          <dd>
            {execution.rerunOf ? (
              <>
                run again from <a href={`/admin/executions/${execution.rerunOf}`}>an earlier execution</a>
              </>
            ) : execution.launchId ? (
              <>
                screen pop (launch <code>{execution.launchId}</code>)
              </>
            ) : (
              'unknown'
            )}
          </dd>
          <dt>Created</dt>
          <dd>{shortTime(execution.createdAt)}</dd>
          <dt>Finished</dt>
          <dd>{execution.finishedAt ? shortTime(execution.finishedAt) : 'not yet'}</dd>
        </dl>
        {finished ? (
          <p class="row">
            <a class="button primary" href={`/executions/${execution.id}/rerun`}>
              Run again…
            </a>
            <small class="hint">
              Shows what it would change first. A new execution with the same inputs, run by you; a generated password is generated anew and
              shown to you once; a typed one cannot be repeated.
            </small>
          </p>
        ) : (
          <p class="muted">Still running: it can be run again once it has finished.</p>
        )}
      </section>
      <section class="card" aria-labelledby="execution-inputs">
        <h2 id="execution-inputs">Inputs</h2>
        <p class="muted">Passwords and other secrets are never stored, so they are not shown here.</p>
        {Object.keys(execution.inputs).length === 0 ? (
          <p class="muted">This form has no inputs besides the user.</p>
        ) : (
          <dl class="settings">
            {Object.entries(execution.inputs).map(([name, value]) => (
              <>
                <dt>{name}</dt>
                <dd>
                  <code>{inputText(value)}</code>
                </dd>
              </>
            ))}
          </dl>
        )}
      </section>
      <section class="card" aria-labelledby="execution-steps">
        <h2 id="execution-steps">Steps</h2>
        <table class="data steps-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Step</th>
              <th scope="col">Status</th>
              <th scope="col">Message</th>
              <th scope="col">Upstream code</th>
              <th scope="col">Started</th>
              <th scope="col">Took</th>
            </tr>
          </thead>
          <tbody>
            {execution.steps.map((step) => (
              <tr>
                <td>{step.seq}</td>
                <td>{step.label}</td>
                <td class={`step-${step.status}`}>
                  <span class="badge">{step.status}</span>
                </td>
                <td>{step.message ?? ''}</td>
                <td>{step.upstreamCode ? <code>{step.upstreamCode}</code> : ''}</td>
                <td>{step.startedAt ? `${step.startedAt.slice(11, 19)} UTC` : ''}</td>
                <td>{step.durationMs !== null ? `${step.durationMs} ms` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="execution-note">
        <h2 id="execution-note">Ticket note</h2>
        <p>
          Note status: <strong>{execution.note.status}</strong>
          {execution.note.error ? <span class="error"> · {execution.note.error}</span> : null}
        </p>
        {record.noteText ? <pre class="note">{record.noteText}</pre> : <p class="muted">No note text was composed for this execution.</p>}
      </section>
    </AdminLayout>,
    failure ? (failure.httpStatus as 409) : 200,
  );
}

/** `/admin/executions`: the execution log with filters, paging and CSV export; one execution's detail; run again. */
export const executionsPage = new Hono<AppEnv>()
  .get('/admin/executions', listPage)
  .get('/admin/executions/:id', (c) => detailPage(c, c.get('auth')!))
  .post('/admin/executions/:id/rerun', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form)
      return c.html(
        <AdminLayout
          title="The form had expired"
          active="/admin/executions"
          auth={auth}
          error="Nothing was run; reload the page and try again."
        >
          <p>
            <a href={`/admin/executions/${c.req.param('id')}`}>Back to the execution</a>
          </p>
        </AdminLayout>,
        403,
      );
    // Runs only a confirmed review; without one, the review comes first.
    if (!form._review) return c.redirect(`/executions/${encodeURIComponent(c.req.param('id'))}/rerun`, 303);
    const result = await runConsoleAction<{ executionId: string }>(c, auth, rerunExecutionOperation, {
      params: { id: c.req.param('id') },
      body: { reviewToken: form._review },
    });
    if (result.ok) return c.redirect(`/executions/${result.value.executionId}`, 303);
    return detailPage(c, auth, result.error);
  });
