import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { SignInFailureCode, SignInPending } from '../../connectors/sign-in/oidc-sign-in-client.js';
import { SignInFailure } from '../../connectors/sign-in/oidc-sign-in-client.js';
import type { SignInProvider, SignInProviderKind } from '../../connectors/sign-in/sign-in-providers.js';
import { type ExternalSignInRefusal, externalSignIn } from '../../domain/auth/external-sign-in.js';
import { mapNewTechnician } from '../../domain/settings/auto-map-technicians.js';
import type { AppEnv } from '../app-env.js';
import { SESSION_COOKIE } from '../middleware/session-auth.js';
import { Layout } from '../views/layout.js';
import { safeNext } from './auth-routes.js';

/**
 * The round trip to Microsoft or another OpenID provider: `/auth/{kind}/start` sends the browser
 * there with a fresh state, nonce and PKCE verifier; `/auth/{kind}/callback` (query response mode)
 * takes it back. What must survive the trip (the three values, the provider and the `next` page,
 * e.g. the screen pop's form) rides in a sealed, HttpOnly, SameSite=Lax cookie scoped to /auth: it
 * binds the callback to the browser that started it, cannot be read or changed by anyone else, and
 * the sign-in it finishes is taken out of it at the callback, so a replayed callback finds nothing.
 * The cookie holds the few sign-ins this browser has under way, found by `state`: two screen pops
 * opened in two tabs before signing in each come back to their own form.
 */
const PENDING_COOKIE = 'tbx_signin';
const PENDING_PURPOSE = 'sign-in:pending';
/** Long enough to type a password and do MFA, short enough that a stale tab does not linger. */
const PENDING_MAX_AGE_S = 15 * 60;
/** Sign-ins kept at once (the oldest goes first); keeps the cookie well under 4 kB. */
const PENDING_MAX = 4;

type PendingCookie = SignInPending & { kind: SignInProviderKind; next: string; expiresAt: number };

/** The sign-ins under way in this browser, unexpired; nothing when the cookie is missing or not ours. */
function readPending(c: Context<AppEnv>): PendingCookie[] {
  const services = c.get('services');
  const sealed = getCookie(c, PENDING_COOKIE);
  if (!sealed) return [];
  try {
    const value = JSON.parse(services.secretBox.open(sealed, PENDING_PURPOSE)) as PendingCookie | PendingCookie[];
    const now = services.clock.now();
    return (Array.isArray(value) ? value : [value]).filter((pending) => pending.expiresAt >= now);
  } catch {
    return [];
  }
}

function writePending(c: Context<AppEnv>, list: PendingCookie[]): void {
  const services = c.get('services');
  if (list.length === 0) {
    deleteCookie(c, PENDING_COOKIE, { path: '/auth' });
    return;
  }
  setCookie(c, PENDING_COOKIE, services.secretBox.seal(JSON.stringify(list), PENDING_PURPOSE), {
    httpOnly: true,
    // Lax: the provider's redirect back is a top-level GET, which carries it (form_post would not).
    sameSite: 'Lax',
    secure: services.config.publicUrl.startsWith('https:'),
    path: '/auth',
    maxAge: PENDING_MAX_AGE_S,
  });
}

const KINDS: SignInProviderKind[] = ['microsoft', 'oidc'];

function providerOf(c: Context<AppEnv>): SignInProvider | undefined {
  const kind = c.req.param('kind') as SignInProviderKind;
  return KINDS.includes(kind) ? c.get('services').signInProviders()[kind] : undefined;
}

function SignInProblemPage(props: { title: string; message: string; retry?: string | undefined }) {
  return (
    <Layout title={props.title}>
      <section class="card narrow" aria-labelledby="problem-title">
        <h1 id="problem-title">{props.title}</h1>
        <p role="alert">{props.message}</p>
        <p>
          <a href={props.retry ?? '/login'}>Back to sign-in</a>
        </p>
      </section>
    </Layout>
  );
}

const FAILURE_TEXT: Record<SignInFailureCode, string> = {
  'provider-unreachable': 'could not be reached. Try again in a minute; if it keeps failing, an administrator finds the cause in the log.',
  'provider-error': 'did not sign you in.',
  'state-mismatch': 'sent back a sign-in this browser did not start. Start again from the sign-in page.',
  'token-refused': 'refused to complete the sign-in (the link may have been used already, or it took too long). Start again.',
  'id-token-invalid':
    'sent a sign-in that did not pass the toolbox’s checks. Nobody was signed in; an administrator finds the cause in the log.',
  'wrong-tenant': 'signed you in with an account from another organisation. Only the MSP’s own accounts can use the toolbox.',
};

function refusalText(reason: ExternalSignInRefusal, provider: SignInProvider): string {
  if (reason === 'email-in-use')
    return 'A toolbox account with your e-mail address exists already and cannot be linked to this sign-in (an admin account, or one linked to another account). Ask a toolbox administrator.';
  if (reason === 'disabled') return 'Your toolbox account is disabled. Ask a toolbox administrator to enable it.';
  if (reason === 'no-email')
    return `${provider.providerName} gave no e-mail address for your account, which the toolbox needs to know who you are. Ask your administrator to add one.`;
  return provider.kind === 'microsoft'
    ? 'You are signed in with Microsoft, but you have not been given access to the Technician Toolbox. Ask your administrator to assign you the toolbox’s technician or admin app role (or add you to its group) in Entra ID.'
    : `You are signed in with ${provider.providerName}, but your account has none of the groups or roles that give access to the Technician Toolbox. Ask your administrator.`;
}

export const externalSignInRoutes = new Hono<AppEnv>()
  .get('/auth/:kind/start', async (c) => {
    const services = c.get('services');
    const provider = providerOf(c);
    if (!provider) return c.html(<SignInProblemPage title="Not available" message="This sign-in is not set up here." />, 404);
    c.header('Cache-Control', 'no-store');
    const next = safeNext(c.req.query('next'));
    let started: Awaited<ReturnType<SignInProvider['start']>>;
    try {
      started = await provider.start();
    } catch (error) {
      const code = error instanceof SignInFailure ? error.code : 'provider-unreachable';
      services.logger.warn(
        { event: 'sign-in-start-failed', provider: provider.kind, code, detail: (error as Error).message },
        'external sign-in could not start',
      );
      return c.html(<SignInProblemPage title="Sign-in failed" message={`${provider.providerName} ${FAILURE_TEXT[code]}`} />, 502);
    }
    const pending: PendingCookie = {
      ...started.pending,
      kind: provider.kind,
      next,
      expiresAt: services.clock.now() + PENDING_MAX_AGE_S * 1000,
    };
    writePending(c, [pending, ...readPending(c)].slice(0, PENDING_MAX));
    return c.redirect(started.url, 302);
  })
  .get('/auth/:kind/callback', async (c) => {
    const services = c.get('services');
    c.header('Cache-Control', 'no-store');
    const provider = providerOf(c);
    if (!provider) return c.html(<SignInProblemPage title="Not available" message="This sign-in is not set up here." />, 404);
    // The sign-in this callback finishes, by its state; taken out whatever happens next (one use).
    const underway = readPending(c);
    const state = c.req.query('state');
    const pending = underway.find((entry) => entry.state === state && entry.kind === provider.kind);
    writePending(
      c,
      underway.filter((entry) => entry !== pending),
    );
    if (!pending && underway.some((entry) => entry.kind === provider.kind)) {
      // Sign-ins are under way here, but none with this state: a forged or mixed-up callback.
      services.logger.warn({ event: 'sign-in-state-mismatch', provider: provider.kind }, 'sign-in callback with an unknown state');
      return c.html(
        <SignInProblemPage title="Sign-in failed" message={`${provider.providerName} ${FAILURE_TEXT['state-mismatch']}`} />,
        400,
      );
    }
    if (!pending) {
      services.logger.warn(
        { event: 'sign-in-callback-without-start', provider: provider.kind },
        'sign-in callback without a pending sign-in',
      );
      return c.html(
        <SignInProblemPage
          title="Sign-in expired"
          message="This sign-in was not started in this browser, took too long, or was already used. Start again from the sign-in page."
        />,
        400,
      );
    }
    const retry = `/login?next=${encodeURIComponent(pending.next)}`;
    const query = new URL(c.req.url).searchParams;
    let identity: Awaited<ReturnType<SignInProvider['finish']>>;
    try {
      identity = await provider.finish(query, pending);
    } catch (error) {
      const failure = error instanceof SignInFailure ? error : new SignInFailure('id-token-invalid', (error as Error).message);
      services.logger.warn(
        {
          event: 'sign-in-failed',
          provider: provider.kind,
          code: failure.code,
          providerError: failure.providerError,
          detail: failure.detail,
        },
        'external sign-in failed',
      );
      const declined = failure.providerError === 'access_denied';
      return c.html(
        <SignInProblemPage
          title="Sign-in failed"
          message={
            declined
              ? `The sign-in at ${provider.providerName} was cancelled or declined.`
              : `${provider.providerName} ${FAILURE_TEXT[failure.code]}`
          }
          retry={retry}
        />,
        failure.code === 'provider-unreachable' ? 502 : 400,
      );
    }
    const sessionTtlHours = services.settings.current().general.sessionTtlHours.value;
    const result = await externalSignIn(
      {
        store: services.store,
        clock: services.clock,
        sessionTtlHours,
        mapToPsaMember: (actor) => mapNewTechnician({ store: services.store, settings: services.settings, clock: services.clock }, actor),
      },
      identity,
      provider.roles,
    );
    if (!result.ok) {
      services.logger.warn({ event: 'sign-in-refused', provider: provider.kind, reason: result.reason }, 'external sign-in refused');
      return c.html(<SignInProblemPage title="No access" message={refusalText(result.reason, provider)} retry={retry} />, 403);
    }
    setCookie(c, SESSION_COOKIE, result.token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: services.config.publicUrl.startsWith('https:'),
      path: '/',
      maxAge: Math.round(sessionTtlHours * 3600),
    });
    services.logger.info({ event: 'signed-in', userId: result.user.id, provider: provider.kind }, 'signed in');
    return c.redirect(pending.next, 303);
  });
