import { type Context, Hono } from 'hono';
import { revealSecret } from '../../domain/execution/reveal-secret.js';
import { ticketLinkOf } from '../../domain/execution/ticket-link.js';
import type { ExecutionRecord, StepRecord } from '../../store/types.js';
import type { AppEnv, Auth } from '../app-env.js';
import { ExecutionProgress, isFinished } from '../views/execution-view.js';
import { Layout, ProblemPage } from '../views/layout.js';
import { UsedLaunchNotice } from '../views/used-launch-notice.js';

async function loadOwned(
  c: Context<AppEnv>,
  auth: Auth,
): Promise<{ execution: ExecutionRecord; steps: StepRecord[] } | 'not-found' | 'forbidden'> {
  const { store } = c.get('services');
  const execution = await store.executions.get(c.req.param('id') ?? '');
  if (!execution) return 'not-found';
  if (execution.technicianUserId !== auth.user.id && auth.user.role !== 'admin') return 'forbidden';
  return { execution, steps: await store.executions.steps(execution.id) };
}

/** Only the technician who ran it sees the password; an admin reading the page does not. */
async function secretFor(c: Context<AppEnv>, auth: Auth, execution: ExecutionRecord, steps: StepRecord[]) {
  if (execution.technicianUserId !== auth.user.id) return { kind: 'none' as const };
  const services = c.get('services');
  return revealSecret({ store: services.store, secretBox: services.secretBox, clock: services.clock }, execution, {
    steps,
    secretStepKey: services.forms.workflows[execution.formName]?.secretStepKey,
  });
}

function ticketLink(c: Context<AppEnv>, execution: ExecutionRecord) {
  const services = c.get('services');
  return ticketLinkOf({ settings: services.settings, psaConnectors: services.connectors.psa }, execution);
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export const executionRoutes = new Hono<AppEnv>()
  .get('/executions/:id', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.redirect(`/login?next=${encodeURIComponent(`/executions/${c.req.param('id')}`)}`, 303);
    const loaded = await loadOwned(c, auth);
    const common = { user: { name: auth.user.name, email: auth.user.email, role: auth.user.role }, csrfToken: auth.session.csrfToken };
    if (loaded === 'not-found')
      return c.html(
        <ProblemPage title="This execution does not exist" {...common}>
          <p>Check the link.</p>
        </ProblemPage>,
        404,
      );
    if (loaded === 'forbidden')
      return c.html(
        <ProblemPage title="This execution belongs to another technician" {...common}>
          <p>Only the technician who ran it and administrators can see it.</p>
        </ProblemPage>,
        403,
      );
    const { execution, steps } = loaded;
    const workflow = c.get('services').forms.workflows[execution.formName];
    const from = c.req.query('from');
    c.header('Cache-Control', 'no-store');
    return c.html(
      <Layout title={workflow?.title ?? execution.formName} {...common} refreshWithoutScriptSeconds={isFinished(execution) ? undefined : 2}>
        <h1>
          {workflow?.title ?? execution.formName}: {execution.targetDisplay}
        </h1>
        <p class="muted">
          {execution.ticketId ? `${capitalise(ticketLink(c, execution).words.ticket.one)} #${execution.ticketId} · ` : ''}started{' '}
          {execution.createdAt.slice(0, 19).replace('T', ' ')} UTC by {execution.technicianEmail}
        </p>
        {from === 'launch' || from === 'resubmit' ? (
          <UsedLaunchNotice execution={execution} resubmitted={from === 'resubmit'} csrfToken={auth.session.csrfToken} />
        ) : null}
        <ExecutionProgress
          execution={execution}
          steps={steps}
          secret={await secretFor(c, auth, execution, steps)}
          ticket={ticketLink(c, execution)}
        />
      </Layout>,
    );
  })
  .get('/executions/:id/progress', async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.text('Sign in again.', 401);
    const loaded = await loadOwned(c, auth);
    if (loaded === 'not-found') return c.text('Not found', 404);
    if (loaded === 'forbidden') return c.text('Forbidden', 403);
    c.header('Cache-Control', 'no-store');
    return c.html(
      <ExecutionProgress
        execution={loaded.execution}
        steps={loaded.steps}
        secret={await secretFor(c, auth, loaded.execution, loaded.steps)}
        ticket={ticketLink(c, loaded.execution)}
      />,
    );
  });
