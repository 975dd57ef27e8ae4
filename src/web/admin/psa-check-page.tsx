import { type Context, Hono } from 'hono';
import { type CheckOutcome, checkSummaryText } from '../../connectors/systems-check.js';
import { getPsaCheck, runPsaCheck } from '../api/operations/psa-check-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { AdminLayout, CsrfField } from './admin-layout.js';
import { CheckLineItem } from './check-line-view.js';
import { readConsoleForm, runConsoleAction } from './console-action.js';

type CheckLine = { name: string; ok: boolean; outcome?: CheckOutcome; message: string; hint?: string; upstreamCode?: string };
type CheckView = {
  configured: boolean;
  lastCheck: { ranAt: string; ranBy: string; passed: number; failed: number; results: CheckLine[] } | null;
  members: { count: number; active: number; pulledAt: string | null; pullError: string | null } | null;
};

const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function CheckPage(props: { auth: Auth; view: CheckView; notice?: string | undefined; error?: string | undefined }) {
  const { view } = props;
  return (
    <AdminLayout title="PSA systems check" active="/admin/psa" auth={props.auth} notice={props.notice} error={props.error}>
      {!view.configured ? (
        <section class="card" aria-labelledby="check-empty">
          <h2 id="check-empty">No PSA connection yet</h2>
          <p>
            There is nothing to check until the toolbox knows how to reach the PSA. <a href="/admin/psa">Set up the PSA connection</a>{' '}
            first, then come back here to check it and pull the PSA members.
          </p>
        </section>
      ) : (
        <>
          <p class="muted">
            The check tries each thing the toolbox needs from the PSA with the saved connection, in the PSA's own steps: how it is reached,
            the credentials, reading tickets, companies, contacts and members, and adding ticket notes. Nothing is written to the PSA. It
            also pulls the PSA members and maps toolbox users to them by email (choices made on the{' '}
            <a href="/admin/technicians">Technicians</a> page are kept).
          </p>
          <form method="post" action="/admin/psa/check" class="row">
            <CsrfField auth={props.auth} />
            <button type="submit" class="primary">
              Run the systems check
            </button>
          </form>
          <section class="card" aria-labelledby="check-results">
            <h2 id="check-results">{view.lastCheck ? 'Last check' : 'Not run yet'}</h2>
            {view.lastCheck ? (
              <>
                <p>
                  {minute(view.lastCheck.ranAt)} by {view.lastCheck.ranBy}: {checkSummaryText(view.lastCheck.results)}.
                </p>
                <ol class="steps">
                  {view.lastCheck.results.map((line) => (
                    <CheckLineItem line={line} codeLabel="The PSA answered" />
                  ))}
                </ol>
              </>
            ) : (
              <p>Run the check to see, line by line, what works with the saved connection.</p>
            )}
          </section>
          {view.members ? (
            <section class="card" aria-labelledby="check-members">
              <h2 id="check-members">PSA members</h2>
              {view.members.pulledAt ? (
                <p>
                  {view.members.count} members ({view.members.active} active) pulled {minute(view.members.pulledAt)}.{' '}
                  <a href="/admin/technicians">Map technicians to members</a>.
                </p>
              ) : (
                <p>No members have been pulled yet.</p>
              )}
              {view.members.pullError ? (
                <p class="error">
                  The last pull failed: {view.members.pullError}
                  {view.members.pulledAt ? ' The members pulled before are kept.' : ''}
                </p>
              ) : null}
            </section>
          ) : null}
        </>
      )}
    </AdminLayout>
  );
}

async function loadView(c: Context<AppEnv>, auth: Auth): Promise<CheckView> {
  const result = await runConsoleAction<CheckView>(c, auth, getPsaCheck);
  if (!result.ok) throw result.error;
  return result.value;
}

export const psaCheckPage = new Hono<AppEnv>()
  .get('/admin/psa/check', async (c) => {
    const auth = c.get('auth')!;
    const notice = c.req.query('notice') === 'ran' ? 'The systems check ran; the results are below.' : undefined;
    return c.html(<CheckPage auth={auth} view={await loadView(c, auth)} notice={notice} />);
  })
  .post('/admin/psa/check', async (c) => {
    const auth = c.get('auth')!;
    const form = await readConsoleForm(c);
    if (!form) {
      return c.html(
        <CheckPage auth={auth} view={await loadView(c, auth)} error="The form had expired. The check did not run; try again." />,
        403,
      );
    }
    const result = await runConsoleAction(c, auth, runPsaCheck);
    if (result.ok) return c.redirect('/admin/psa/check?notice=ran', 303);
    return c.html(<CheckPage auth={auth} view={await loadView(c, auth)} error={result.error.message} />, result.error.httpStatus as 400);
  });
