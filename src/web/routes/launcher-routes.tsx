import { Hono } from 'hono';
import { psaWordsOf } from '../../connectors/psa/psa-words.js';
import { launchFromTicket } from '../../domain/launch/launch-from-ticket.js';
import { openTicketLauncher } from '../../domain/launch/open-ticket-launcher.js';
import { LAUNCHER_PATH } from '../../domain/launch/ticket-launcher-setup.js';
import type { AppEnv } from '../app-env.js';
import { readFormBody } from '../middleware/read-form-body.js';
import { hasValidFormToken } from '../middleware/require-form-token.js';
import { Layout, ProblemPage } from '../views/layout.js';
import { LauncherForms, LauncherProblem, launcherProblemStatus, launchRefusal } from '../views/ticket-launcher-view.js';
import { createLaunchDeps, ticketLauncherDeps } from './launch-deps.js';

/**
 * `/launcher?ticket_id=…`: the page a PSA's ticket screen opens in a window (an Autotask LiveLink,
 * a HaloPSA custom button): the enabled forms for the ticket's company and contact (GET), and the
 * chosen one opened pre-filled, as a screen pop would (POST). Sign-in comes first: nothing is read
 * from the PSA for someone who is not signed in.
 */
export const launcherRoutes = new Hono<AppEnv>()
  .get(LAUNCHER_PATH, async (c) => {
    const auth = c.get('auth');
    const url = new URL(c.req.url);
    if (!auth) return c.redirect(`/login?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 303);
    const services = c.get('services');
    c.header('Cache-Control', 'no-store');
    const result = await openTicketLauncher(ticketLauncherDeps(services), c.req.query(), auth.user.id);
    const words = psaWordsOf(services.connectors.psa, services.settings.current().psa?.kind);
    const user = { name: auth.user.name, email: auth.user.email, role: auth.user.role };
    const isAdmin = auth.user.role === 'admin';
    return c.html(
      <Layout
        title={result.kind === 'ready' ? `Forms for ${result.ticket.number}` : 'Ticket launcher'}
        user={user}
        csrfToken={auth.session.csrfToken}
      >
        <section class="launcher" aria-labelledby="launcher-title">
          {result.kind === 'ready' ? (
            <LauncherForms
              result={result}
              words={words}
              action={LAUNCHER_PATH}
              csrfToken={auth.session.csrfToken}
              pod={false}
              isAdmin={isAdmin}
            />
          ) : (
            <LauncherProblem result={result} words={words} isAdmin={isAdmin} />
          )}
        </section>
      </Layout>,
      result.kind === 'ready' ? 200 : launcherProblemStatus(result),
    );
  })
  .post(LAUNCHER_PATH, async (c) => {
    const auth = c.get('auth');
    if (!auth) return c.redirect('/login', 303);
    const services = c.get('services');
    const user = { name: auth.user.name, email: auth.user.email, role: auth.user.role };
    const body = await readFormBody(c);
    if (!hasValidFormToken(c, body)) {
      return c.html(
        <ProblemPage title="The form could not be accepted" user={user} csrfToken={auth.session.csrfToken}>
          <p>It expired or was sent from another site. Open the launcher from the ticket again. Nothing was changed.</p>
        </ProblemPage>,
        403,
      );
    }
    const connector = services.settings.psaConnector();
    if (!connector) return c.redirect(LAUNCHER_PATH, 303);
    const result = await launchFromTicket(
      { ...createLaunchDeps(services, connector), reads: services.ticketLauncherReads },
      body,
      'launcher',
      auth.user.id,
    );
    if (result.kind === 'created') return c.redirect(`/launches/${result.launchId}`, 303);
    const refusal = launchRefusal(result);
    if (result.kind === 'busy') c.header('Retry-After', String(result.retryAfterSeconds));
    return c.html(
      <ProblemPage title="The form could not be opened" user={user} csrfToken={auth.session.csrfToken}>
        <p>{refusal.message}</p>
      </ProblemPage>,
      refusal.status,
    );
  });
