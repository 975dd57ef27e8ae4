import { Hono } from 'hono';
import type { FieldProblem } from '../../lib/toolbox-error.js';
import { savePsaConnectionOperation } from '../api/operations/psa-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField, SourceBadge } from './admin-layout.js';
import { ConnectionFieldset, ConnectionReadOnly, connectionBodyFromForm } from './connection-fieldset.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';

type PsaPageState = { notice?: string; error?: string; problems?: FieldProblem[]; values?: Record<string, string> };

function PsaPage(props: { c: import('hono').Context<AppEnv>; auth: Auth; state: PsaPageState }) {
  const services = props.c.get('services');
  const effective = services.settings.current();
  const psa = effective.psa;
  const connectors = Object.values(services.connectors.psa);
  const kind = psa?.kind ?? connectors[0]!.kind;
  const connector = services.connectors.psa[kind]!;
  return (
    <AdminLayout title="PSA connection" active="/admin/psa" auth={props.auth} notice={props.state.notice} error={props.state.error}>
      <p class="muted">
        The toolbox reads tickets, companies and contacts from the PSA and writes the result of each form back as an internal note. Use a
        dedicated API member with its own security role, as for 1Stream.
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
          <form method="post" action="/admin/psa" class="connection-form">
            <CsrfField auth={props.auth} />
            <input type="hidden" name="revision" value={psa?.revision ?? ''} />
            {connectors.length > 1 ? (
              <div class="field">
                <label for="psa-kind">PSA</label>
                <select id="psa-kind" name="kind">
                  {connectors.map((option) => (
                    <option value={option.kind} selected={option.kind === kind}>
                      {option.label}
                    </option>
                  ))}
                </select>
              </div>
            ) : (
              <input type="hidden" name="kind" value={kind} />
            )}
            <ConnectionFieldset
              fields={connector.fields}
              values={props.state.values ?? psa?.fields ?? {}}
              secretsSet={psa?.secretsSet ?? []}
              problems={props.state.problems ?? []}
              idPrefix="psa"
            />
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
    const connection = connectionBodyFromForm(form);
    const result = await runConsoleAction(c, auth, savePsaConnectionOperation, {
      body: { kind: form.kind ?? '', ...connection, revision: form.revision ? form.revision : null },
    });
    if (result.ok) return c.redirect('/admin/psa?notice=saved', 303);
    return c.html(
      <PsaPage c={c} auth={auth} state={{ error: result.error.message, problems: result.error.fields, values: connection.fields }} />,
      result.error.httpStatus as 400,
    );
  });
