import { type Context, Hono } from 'hono';
import type { PsaConnector } from '../../connectors/psa/types.js';
import { ownEntry } from '../../lib/own-entry.js';
import type { FieldProblem } from '../../lib/toolbox-error.js';
import { savePsaConnectionOperation } from '../api/operations/psa-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { ConnectionFieldset, ConnectionReadOnly, connectionBodyFromForm } from './connection-fieldset.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';

type PsaPageState = {
  notice?: string;
  error?: string;
  problems?: FieldProblem[];
  /** What was submitted, to show again after a refusal: the kind chosen and its (non-secret) fields. */
  submitted?: { kind: string; values: Record<string, string> };
};

/** Each kind's inputs are named `<kind>.fields.<name>`: one form holds every kind's fieldset. */
const namePrefixOf = (kind: string) => `${kind}.`;

function KindFieldset(props: {
  connector: PsaConnector<unknown>;
  chosen: boolean;
  values: Record<string, string | number>;
  secretsSet: string[];
  problems: FieldProblem[];
}) {
  const { connector } = props;
  return (
    // Without script every kind's fields are shown and only the chosen kind's are used; app.js
    // shows the chosen kind's alone (and disables the others, so they are not sent).
    <fieldset class="psa-kind-fields" data-psa-kind={connector.kind} id={`psa-fields-${connector.kind}`}>
      <legend>{connector.label} settings</legend>
      {props.chosen ? null : <p class="hint">Used only when {connector.label} is the PSA chosen above.</p>}
      <ConnectionFieldset
        fields={connector.fields}
        values={props.values}
        secretsSet={props.secretsSet}
        problems={props.problems}
        idPrefix={`psa-${connector.kind}`}
        namePrefix={namePrefixOf(connector.kind)}
      />
    </fieldset>
  );
}

function PsaPage(props: { c: Context<AppEnv>; auth: Auth; state: PsaPageState }) {
  const services = props.c.get('services');
  const effective = services.settings.current();
  const psa = effective.psa;
  const connectors = Object.values(services.connectors.psa);
  // The kind shown as chosen: what was just submitted, else the one connected, else the first.
  const kind = props.state.submitted?.kind ?? psa?.kind ?? connectors[0]!.kind;
  const connector = ownEntry(services.connectors.psa, psa?.kind ?? '') ?? connectors[0]!;
  const valuesOf = (option: PsaConnector<unknown>) =>
    props.state.submitted?.kind === option.kind ? props.state.submitted.values : psa?.kind === option.kind ? psa.fields : {};
  return (
    <AdminLayout title="PSA connection" active="/admin/psa" auth={props.auth} notice={props.state.notice} error={props.state.error}>
      <p class="muted">
        The toolbox reads tickets, companies and contacts from the PSA and writes the result of each form back as an internal note. Use a
        dedicated API user with its own security role, as for 1Stream.
      </p>
      <section class="card" aria-labelledby="psa-state">
        <h2 id="psa-state">
          {psa ? `${psa.label}` : 'Not connected yet'} {psa ? <SourceBadge source={psa.source} /> : null}
        </h2>
        {psa?.updatedAt ? (
          <p class="muted">
            Last saved {psa.updatedAt.slice(0, 16).replace('T', ' ')} UTC by {psa.updatedBy ?? 'unknown'}.
          </p>
        ) : null}
        {psa?.source === 'file' ? (
          <>
            <p>
              The configuration file sets this connection, so it is shown here read-only. Change it in the file (
              <code>{services.config.configPath ?? 'TOOLBOX_CONFIG'}</code>) and restart.
            </p>
            <ConnectionReadOnly fields={connector.fields} values={psa.fields} secretsSet={psa.secretsSet} />
          </>
        ) : (
          <form method="post" action="/admin/psa" class="connection-form" data-psa-form>
            <CsrfField auth={props.auth} />
            <input type="hidden" name="revision" value={psa?.revision ?? ''} />
            <div class="field">
              <label for="psa-kind">PSA</label>
              <select id="psa-kind" name="kind" aria-describedby={psa ? 'psa-kind-help' : undefined}>
                {connectors.map((option) => (
                  <option value={option.kind} selected={option.kind === kind}>
                    {option.label}
                  </option>
                ))}
              </select>
              {psa ? (
                <p class="hint" id="psa-kind-help">
                  Switching to another PSA keeps what was mapped under {psa.label} (companies, technicians) but no longer uses it: the same
                  ids in another PSA are other records. Screen pops opened before the switch, and ticket notes still waiting to be written,
                  are not sent to the new PSA.
                </p>
              ) : null}
            </div>
            {connectors.map((option) => (
              <KindFieldset
                connector={option}
                chosen={option.kind === kind}
                values={valuesOf(option)}
                secretsSet={psa?.kind === option.kind ? psa.secretsSet : []}
                problems={option.kind === kind ? (props.state.problems ?? []) : []}
              />
            ))}
            <div class="row">
              <button type="submit" class="primary">
                Save connection
              </button>
              {psa ? <a href="/admin/psa/check">Run the systems check</a> : null}
            </div>
          </form>
        )}
      </section>
    </AdminLayout>
  );
}

export const psaPage = new Hono<AppEnv>()
  .get('/admin/psa', (c) => {
    const notice = c.req.query('notice') === 'saved' ? 'Saved. Run the systems check to see that it works.' : undefined;
    return c.html(<PsaPage c={c} auth={c.get('auth')!} state={{ ...(notice ? { notice } : {}) }} />);
  })
  .post('/admin/psa', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) return c.html(<PsaPage c={c} auth={auth} state={{ error: 'The form had expired. Nothing was saved; try again.' }} />, 403);
    const kind = form.kind ?? '';
    // Only the chosen kind's inputs: the other fieldsets on the page belong to other PSAs.
    const connection = connectionBodyFromForm(form, namePrefixOf(kind));
    const result = await runConsoleAction(c, auth, savePsaConnectionOperation, {
      body: { kind, ...connection, revision: form.revision ? form.revision : null },
    });
    if (result.ok) return c.redirect('/admin/psa?notice=saved', 303);
    return c.html(
      <PsaPage
        c={c}
        auth={auth}
        state={{ error: result.error.message, problems: result.error.fields, submitted: { kind, values: connection.fields } }}
      />,
      result.error.httpStatus as 400,
    );
  });
