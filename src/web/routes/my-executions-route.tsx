import { type Context, Hono } from 'hono';
import type { ChangeReview } from '../../forms/types.js';
import { readConsoleForm, runConsoleAction } from '../admin/console-action.js';
import { listExecutionsOperation, rerunExecutionOperation, reviewRerunOperation } from '../api/operations/execution-operations.js';
import type { AppEnv, Auth } from '../app-env.js';
import { ExecutionList } from '../views/execution-list-view.js';
import { Layout } from '../views/layout.js';
import { ReviewPanel } from '../views/review-panel.js';

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
        forms={[...c.get('services').forms.list]}
        result={result.ok ? result.value : null}
        offerRerun
      />
    </Layout>,
    (problem?.status ?? (result.ok ? 200 : result.error.httpStatus)) as 200,
  );
}

/**
 * "Run again", step one: what it would change now, and one button naming the action. Nothing runs
 * until that button is pressed, and then only if the review still says the same.
 */
async function rerunReviewPage(c: Context<AppEnv>, auth: Auth, stale = false) {
  const id = c.req.param('id') ?? '';
  const result = await runConsoleAction<{ changes: string[]; when: string | null; action: string; reviewToken: string }>(
    c,
    auth,
    reviewRerunOperation,
    { params: { id } },
  );
  const back = auth.user.role === 'admin' ? `/admin/executions/${id}` : '/executions';
  c.header('Cache-Control', 'no-store');
  const user = { name: auth.user.name, email: auth.user.email, role: auth.user.role };
  if (!result.ok)
    return c.html(
      <Layout title="This cannot be run again" user={user} csrfToken={auth.session.csrfToken}>
        <h1>This cannot be run again</h1>
        <p class="error" role="alert">
          {result.error.message}
        </p>
        <p>
          <a href={back}>Back</a>
        </p>
      </Layout>,
      result.error.httpStatus as 409,
    );
  const review: ChangeReview = { changes: result.value.changes, when: result.value.when ?? undefined, action: result.value.action };
  return c.html(
    <Layout title="Run again: check before it runs" user={user} csrfToken={auth.session.csrfToken}>
      <h1>Run again</h1>
      <p class="muted">
        A new execution with the same inputs, run by you now. A generated password is generated anew and shown to you once.
      </p>
      <ReviewPanel
        review={review}
        action={`/executions/${id}/rerun`}
        token={result.value.reviewToken}
        values={{}}
        csrfToken={auth.session.csrfToken}
        stale={stale}
        changeHref={back}
      />
    </Layout>,
    200,
  );
}

/**
 * `/executions`: a technician's own executions, with the same filters as the admin log, and "Run
 * again" (`/executions/{id}/rerun`: a review first, then the POST that runs it). Administrators
 * have `/admin/executions`, whose "Run again" leads here too.
 */
export const myExecutionsRoute = new Hono<AppEnv>()
  .get('/executions', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.redirect('/login?next=%2Fexecutions', 303);
    return myExecutionsPage(c, auth);
  })
  .get('/executions/:id/rerun', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.redirect(`/login?next=${encodeURIComponent(`/executions/${c.req.param('id')}/rerun`)}`, 303);
    return rerunReviewPage(c, auth);
  })
  .post('/executions/:id/rerun', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.text('Sign in again.', 401);
    const form = await readConsoleForm(c);
    if (!form) return myExecutionsPage(c, auth, { message: 'The form had expired. Nothing was run; try again.', status: 403 });
    // No review confirmed (an old page, a bookmarked button): show it; nothing runs unseen.
    if (!form._review) return c.redirect(`/executions/${encodeURIComponent(c.req.param('id'))}/rerun`, 303);
    const result = await runConsoleAction<{ executionId: string }>(c, auth, rerunExecutionOperation, {
      params: { id: c.req.param('id') },
      body: { reviewToken: form._review },
    });
    if (result.ok) return c.redirect(`/executions/${result.value.executionId}`, 303);
    if (result.error.code === 'TBX_ERR_RERUN_REVIEW_CHANGED') return rerunReviewPage(c, auth, true);
    return myExecutionsPage(c, auth, { message: result.error.message, status: result.error.httpStatus });
  });
