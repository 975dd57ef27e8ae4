import { type Context, Hono } from 'hono';
import { FORM_CATALOGUE } from '../../forms/catalogue.js';
import { readConsoleForm, runConsoleAction } from '../admin/console-action.js';
import { listExecutionsOperation, rerunExecutionOperation } from '../api/operations/execution-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { ExecutionList } from '../views/execution-list-view.js';
import { Layout } from '../views/layout.js';

async function myExecutionsPage(c: Context<AppEnv>, auth: Auth, problem?: { message: string; status: number }) {
  const values = c.req.query();
  // The operation limits a technician to their own executions whatever the query says.
  const result = await runConsoleAction<Parameters<typeof ExecutionList>[0]['result']>(c, auth, listExecutionsOperation, {
    query: { ...values, technician: '' },
  });
  const error = problem?.message ?? (result.ok ? undefined : result.error.message);
  c.header('Cache-Control', 'no-store');
  return c.html(
    <Layout
      title="Your executions"
      user={{ name: auth.user.name, email: auth.user.email, role: auth.user.role }}
      csrfToken={auth.session.csrfToken}
    >
      <h1>Your executions</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <p class="muted">Every form you ran, newest first. Open one to see its steps and the ticket note; run it again from there.</p>
      <ExecutionList
        basePath="/executions"
        detailPath="/executions/"
        values={values}
        forms={[...FORM_CATALOGUE]}
        result={result.ok ? result.value : null}
        rerunCsrf={auth.session.csrfToken}
      />
    </Layout>,
    (problem?.status ?? (result.ok ? 200 : result.error.httpStatus)) as 200,
  );
}

/**
 * `/executions`: a technician's own executions, with the same filters as the admin log (and
 * `POST /executions/{id}/rerun` to run one of them again). Administrators have `/admin/executions`.
 */
export const myExecutionsRoute = new Hono<AppEnv>()
  .get('/executions', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.redirect('/login?next=%2Fexecutions', 303);
    return myExecutionsPage(c, auth);
  })
  .post('/executions/:id/rerun', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.text('Sign in again.', 401);
    const form = await readConsoleForm(c);
    if (!form) return myExecutionsPage(c, auth, { message: 'The form had expired. Nothing was run; try again.', status: 403 });
    const result = await runConsoleAction<{ executionId: string }>(c, auth, rerunExecutionOperation, { params: { id: c.req.param('id') } });
    if (result.ok) return c.redirect(`/executions/${result.value.executionId}`, 303);
    return myExecutionsPage(c, auth, { message: result.error.message, status: result.error.httpStatus });
  });
