import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { psaWordsOf } from '../../connectors/psa/psa-words.js';
import { redeemPodHandOff } from '../../domain/auth/pod-hand-off.js';
import { launchFromTicket } from '../../domain/launch/launch-from-ticket.js';
import { openTicketLauncher } from '../../domain/launch/open-ticket-launcher.js';
import { POD_PATH, podFrameAncestor } from '../../domain/launch/ticket-launcher-setup.js';
import type { AppEnv } from '../app-env.js';
import { readFormBody } from '../middleware/read-form-body.js';
import { hasValidFormToken } from '../middleware/require-form-token.js';
import { PodLayout } from '../views/pod-layout.js';
import { LauncherForms, LauncherProblem, launcherProblemStatus, launchRefusal } from '../views/ticket-launcher-view.js';
import { createLaunchDeps, ticketLauncherDeps } from './launch-deps.js';

/**
 * The pod's own session cookie. The pod lives inside the PSA's page, a third-party context where
 * the site's SameSite=Lax session cookie is never sent; so the pod has a session of its own, in a
 * cookie that is SameSite=None (sent to the framed page), Secure (required with None), Partitioned
 * (CHIPS: kept in a jar of the PSA site's own, so it works where third-party cookies are blocked,
 * and is useless anywhere else), HttpOnly, and scoped to /pod: every other page of the toolbox
 * keeps SameSite=Lax and never receives it.
 */
export const POD_SESSION_COOKIE = 'tbx_pod';

/** Only the ticket id goes back into the pod's URL after a sign-out. */
const podPath = (ticketId: unknown) => {
  const id = typeof ticketId === 'string' && /^[A-Za-z0-9._-]{1,40}$/.test(ticketId) ? ticketId : '';
  return id ? `${POD_PATH}?ticket_id=${encodeURIComponent(id)}` : POD_PATH;
};

function podFrame(c: Context<AppEnv>) {
  const services = c.get('services');
  const connector = services.settings.psaConnector();
  const launcher = connector?.ticketLauncher;
  const ancestor = podFrameAncestor(connector, services.settings.current().psa?.settings);
  return { connector, launcher, ancestor };
}

/**
 * The ConnectWise pod (`/pod`, framed by the PSA's site only) and its calls: trading the sign-in
 * window's one-time code for the pod's session, opening a form (as a screen pop would, in a new
 * tab), signing out. Everything here authenticates with the pod's cookie, never the site's.
 */
export const podRoutes = new Hono<AppEnv>()
  // `/pod/*` covers `/pod` itself too.
  .use(`${POD_PATH}/*`, async (c, next) => {
    c.set('auth', await c.get('services').sessions.resolve(getCookie(c, POD_SESSION_COOKIE)));
    c.header('Cache-Control', 'no-store');
    await next();
  })
  .get(POD_PATH, async (c) => {
    const services = c.get('services');
    const { connector, launcher, ancestor } = podFrame(c);
    const words = psaWordsOf(services.connectors.psa, connector?.kind);
    if (launcher?.opens !== 'frame' || !ancestor) {
      // Not frameable at all (frame-ancestors stays 'none'): there is no PSA site to allow.
      return c.html(
        <PodLayout title="No pod" data={{}}>
          <h1>The toolbox has no pod for this PSA</h1>
          <p>
            {connector
              ? `${words.name} opens the toolbox with a link, not a pod: see Admin → Screen-pop URLs.`
              : 'The toolbox is not connected to a PSA yet: an administrator sets it up under Admin → PSA connection.'}
          </p>
        </PodLayout>,
        409,
      );
    }
    c.set('frameAncestor', ancestor);
    // Framed, the pod's opener policy does not matter (only a top-level page's does); opened on its
    // own, a same-origin policy would cut the sign-in window's way back to it.
    c.set('openerPolicy', 'unsafe-none');
    const auth = c.get('auth');
    const rawTicket = c.req.query('ticket_id')?.trim() ?? '';
    const data: Record<string, string> = {
      'host-origin': ancestor,
      'host-protocol': launcher.frameProtocol ?? '',
      'ticket-id': rawTicket,
      'signed-in': auth ? 'yes' : 'no',
    };
    if (!auth) {
      // Nothing is read from the PSA before the technician is signed in.
      return c.html(
        <PodLayout title="Sign in" data={data}>
          <h1 class="pod-title">Sign in to open forms for this {words.ticket.one}</h1>
          <p class="muted" data-pod-member hidden />
          <button type="button" class="primary" data-pod-sign-in>
            Sign in to the toolbox
          </button>
          <p class="muted">A sign-in window of the toolbox opens; this pod reloads once you are signed in.</p>
        </PodLayout>,
      );
    }
    data['user-email'] = auth.user.email;
    data['user-name'] = auth.user.name;
    data['member-identifier'] = services.settings.current().technicians[auth.user.id]?.identifier ?? '';
    const result = await openTicketLauncher(ticketLauncherDeps(services), c.req.query(), auth.user.id);
    return c.html(
      <PodLayout
        title={result.kind === 'ready' ? `Forms for ${result.ticket.number}` : 'Ticket launcher'}
        data={data}
        user={auth.user}
        csrfToken={auth.session.csrfToken}
        ticketId={rawTicket}
      >
        <section class="launcher" aria-labelledby="launcher-title">
          {result.kind === 'ready' ? (
            <LauncherForms
              result={result}
              words={words}
              action={`${POD_PATH}/launches`}
              csrfToken={auth.session.csrfToken}
              pod
              isAdmin={false}
            />
          ) : (
            <LauncherProblem result={result} words={words} isAdmin={false} />
          )}
        </section>
      </PodLayout>,
      result.kind === 'ready' ? 200 : launcherProblemStatus(result),
    );
  })
  .post(`${POD_PATH}/session`, async (c) => {
    const services = c.get('services');
    const body = await readFormBody(c);
    const redeemed = await redeemPodHandOff(
      { store: services.store, clock: services.clock, sessionTtlHours: services.settings.current().general.sessionTtlHours.value },
      typeof body.code === 'string' ? body.code : '',
    );
    if (!redeemed) {
      return c.json(
        { error: { code: 'TBX_ERR_POD_SIGN_IN', message: 'The sign-in expired or was used already. Press Sign in again.' } },
        400,
      );
    }
    setCookie(c, POD_SESSION_COOKIE, redeemed.token, {
      httpOnly: true,
      secure: true,
      sameSite: 'None',
      partitioned: true,
      path: POD_PATH,
      maxAge: Math.round(services.settings.current().general.sessionTtlHours.value * 3600),
    });
    services.logger.info({ event: 'pod-signed-in', userId: redeemed.user.id }, 'signed in to the pod');
    return c.json({ signedIn: true });
  })
  .post(`${POD_PATH}/launches`, async (c) => {
    const services = c.get('services');
    const auth = c.get('auth');
    if (!auth) return c.json({ error: { code: 'TBX_ERR_SIGNED_OUT', message: 'Your sign-in has ended: reload the pod.' } }, 401);
    const body = await readFormBody(c);
    if (!hasValidFormToken(c, body)) {
      return c.json({ error: { code: 'TBX_ERR_CSRF', message: 'The pod expired: reload it and try again. Nothing was opened.' } }, 403);
    }
    const connector = services.settings.psaConnector();
    if (!connector)
      return c.json({ error: { code: 'TBX_ERR_PSA_NOT_CONFIGURED', message: 'The toolbox is not connected to the PSA.' } }, 503);
    const result = await launchFromTicket(
      { ...createLaunchDeps(services, connector), reads: services.ticketLauncherReads },
      body,
      'pod',
      auth.user.id,
    );
    if (result.kind === 'created') return c.json({ location: `/launches/${result.launchId}` });
    const refusal = launchRefusal(result);
    if (result.kind === 'busy') c.header('Retry-After', String(result.retryAfterSeconds));
    return c.json(
      { error: { code: `TBX_ERR_LAUNCH_${result.kind.toUpperCase().replaceAll('-', '_')}`, message: refusal.message } },
      refusal.status,
    );
  })
  .post(`${POD_PATH}/sign-out`, async (c) => {
    const services = c.get('services');
    const auth = c.get('auth');
    const body = await readFormBody(c);
    // As /logout: the session ends whatever the form carries (the Origin check refuses other sites).
    if (auth) await services.store.sessions.delete(auth.session.id);
    deleteCookie(c, POD_SESSION_COOKIE, { path: POD_PATH, secure: true, sameSite: 'None', partitioned: true });
    return c.redirect(podPath(body.ticket_id), 303);
  });
