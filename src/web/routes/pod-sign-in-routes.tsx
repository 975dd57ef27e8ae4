import { type Context, Hono } from 'hono';
import { psaWordsOf } from '../../connectors/psa/psa-words.js';
import { issuePodHandOff } from '../../domain/auth/pod-hand-off.js';
import type { AppEnv } from '../app-env.js';
import { readFormBody } from '../middleware/read-form-body.js';
import { Layout } from '../views/layout.js';
import { attemptSignIn, LoginPage, newLoginCsrf, providerButtons } from './auth-routes.js';

/** The pod's random tag for this sign-in, echoed back so it knows the answer is for it. */
const readNonce = (value: unknown) => (typeof value === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(value) ? value : '');
/** The e-mail address the PSA says is signed in there: a suggestion for the form, nothing more. */
const readHint = (value: unknown) => (typeof value === 'string' && value.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(value) ? value : '');

function podSignInPath(nonce: string, hint: string, as?: 'current' | 'other') {
  const query = new URLSearchParams({ n: nonce, ...(hint ? { hint } : {}), ...(as ? { as } : {}) });
  return `/login/pod?${query}`;
}

function psaName(c: Context<AppEnv>) {
  return psaWordsOf(c.get('services').connectors.psa, c.get('services').settings.current().psa?.kind).name;
}

function PodLoginForm(props: { c: Context<AppEnv>; nonce: string; hint: string; csrf: string; error?: string; email?: string }) {
  return (
    <LoginPage
      csrf={props.csrf}
      action="/login/pod"
      hidden={{ n: props.nonce, hint: props.hint }}
      email={props.email ?? props.hint}
      error={props.error}
      intro={`Sign in to use the Technician Toolbox inside ${psaName(props.c)}. This window closes by itself once you are signed in.`}
      // After a Microsoft/OIDC round trip in this window, back here to hand the code to the pod.
      providers={providerButtons(props.c, podSignInPath(props.nonce, props.hint, 'current'))}
    />
  );
}

/**
 * The pod's sign-in window (a window of the toolbox's own, with its address bar: technicians type
 * their password where they can see whose page it is, never inside the PSA's). Signed in, it
 * hands a one-time code to the pod that opened it and closes (public/pod.js). The PSA's view of who
 * is signed in there (`hint`) only fills in the e-mail field, and asks before the toolbox's
 * current user is used for someone else's PSA session.
 */
export const podSignInRoutes = new Hono<AppEnv>()
  .use('/login/pod', async (c, next) => {
    // The window must keep its link to the pod that opened it (see framing-policy.ts).
    c.set('openerPolicy', 'unsafe-none');
    c.header('Cache-Control', 'no-store');
    await next();
  })
  .get('/login/pod', async (c) => {
    const services = c.get('services');
    const auth = c.get('auth');
    const nonce = readNonce(c.req.query('n'));
    const hint = readHint(c.req.query('hint'));
    const as = c.req.query('as');
    if (!auth || as === 'other') return c.html(<PodLoginForm c={c} nonce={nonce} hint={hint} csrf={newLoginCsrf(c)} />);
    if (hint && as !== 'current' && hint.toLowerCase() !== auth.user.email.toLowerCase()) {
      return c.html(
        <Layout title="Which account?">
          <section class="card narrow" aria-labelledby="which-title">
            <h1 id="which-title">Which account?</h1>
            <p>
              You are signed in to the toolbox as <strong>{auth.user.name}</strong> ({auth.user.email}), and {psaName(c)} says{' '}
              <strong>{hint}</strong> is signed in there.
            </p>
            <div class="row">
              <a class="button primary" href={podSignInPath(nonce, hint, 'current')}>
                Continue as {auth.user.name}
              </a>
              <a class="button" href={podSignInPath(nonce, hint, 'other')}>
                Sign in as someone else
              </a>
            </div>
          </section>
        </Layout>,
      );
    }
    const code = await issuePodHandOff({ store: services.store, clock: services.clock }, auth.user.id);
    return c.html(
      <Layout title="Signed in" scripts={['/assets/pod.js']}>
        <section class="card narrow" aria-labelledby="signed-in-title" data-pod-hand-off={code} data-pod-nonce={nonce}>
          <h1 id="signed-in-title">Signed in as {auth.user.name}</h1>
          <p role="status" id="hand-off-status">
            Returning you to {psaName(c)}…
          </p>
          <p class="muted">
            If this window stays open, close it and press <strong>Sign in</strong> in the toolbox pod again.
          </p>
        </section>
      </Layout>,
    );
  })
  .post('/login/pod', async (c) => {
    const body = await readFormBody(c);
    const nonce = readNonce(body.n);
    const hint = readHint(body.hint);
    const attempt = await attemptSignIn(c, body, (props) => <PodLoginForm c={c} nonce={nonce} hint={hint} {...props} />);
    if (!attempt.ok) return attempt.response;
    // Whoever signed in just now is who the pod gets: no "which account?" question after this.
    return c.redirect(podSignInPath(nonce, hint, 'current'), 303);
  });
