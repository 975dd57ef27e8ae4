import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { signIn } from '../../domain/auth/sign-in.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import { hashToken, newToken } from '../../lib/ids.js';
import type { AppEnv } from '../app-env.js';
import { hasValidFormToken } from '../middleware/require-form-token.js';
import { SESSION_COOKIE } from '../middleware/session-auth.js';
import { Layout } from '../views/layout.js';

const LOGIN_CSRF_COOKIE = 'tbx_login';

/** Only same-site paths are followed after sign-in, so the form cannot be used as an open redirect. */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

function LoginPage(props: { next: string; csrf: string; error?: string; email?: string }) {
  return (
    <Layout title="Sign in">
      <section class="card narrow" aria-labelledby="login-title">
        <h1 id="login-title">Sign in</h1>
        <p class="muted">
          {/* Only a screen pop leads here with a launch to come back to; any other page must not claim one. */}
          {props.next.startsWith('/launches/')
            ? 'Sign in to open the form. The screen pop you clicked is waiting and keeps loading meanwhile.'
            : 'Sign in with your Technician Toolbox account.'}
        </p>
        {props.error ? (
          <p class="error" role="alert" id="login-error">
            {props.error}
          </p>
        ) : null}
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="next" value={props.next} />
          <div class="field">
            <label for="email">E-mail</label>
            <input id="email" name="email" type="email" autocomplete="username" required value={props.email ?? ''} autofocus />
          </div>
          <div class="field">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
          </div>
          <button type="submit" class="primary">
            Sign in
          </button>
        </form>
      </section>
    </Layout>
  );
}

/**
 * Sign-in and sign-out. Before there is a session, CSRF on the login form is a double-submit
 * token: a random cookie echoed in a hidden field. Cookies are HttpOnly and SameSite=Lax (Lax, not
 * Strict, so the session rides along when 1Stream opens the screen pop from another site).
 */
export const authRoutes = new Hono<AppEnv>()
  .get('/login', (c) => {
    const secure = c.get('services').config.publicUrl.startsWith('https:');
    const csrf = newToken();
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'Lax', secure, path: '/login', maxAge: 3600 });
    c.header('Cache-Control', 'no-store');
    return c.html(<LoginPage next={safeNext(c.req.query('next'))} csrf={csrf} />);
  })
  .post('/login', async (c) => {
    const services = c.get('services');
    const secure = services.config.publicUrl.startsWith('https:');
    const body = await c.req.parseBody();
    const next = safeNext(typeof body.next === 'string' ? body.next : undefined);
    const cookieToken = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
    const formToken = typeof body._csrf === 'string' ? body._csrf : '';
    const retry = (status: 400 | 401 | 403, error: string, email?: string) => {
      const csrf = newToken();
      setCookie(c, LOGIN_CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'Lax', secure, path: '/login', maxAge: 3600 });
      return c.html(<LoginPage next={next} csrf={csrf} error={error} {...(email ? { email } : {})} />, status);
    };
    if (!cookieToken || !formToken || !constantTimeEquals(hashToken(cookieToken), hashToken(formToken))) {
      return retry(403, 'The sign-in form expired or came from another site. Try again.');
    }
    const email = typeof body.email === 'string' ? body.email : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!email || !password) return retry(400, 'Enter your e-mail and password.', email);
    const result = await signIn(
      { store: services.store, clock: services.clock, sessionTtlHours: services.settings.current().general.sessionTtlHours.value },
      email,
      password,
    );
    if (!result.ok) {
      services.logger.warn({ event: 'sign-in-failed' }, 'sign-in failed');
      return retry(401, 'That e-mail and password do not match an active toolbox user.', email);
    }
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' });
    setCookie(c, SESSION_COOKIE, result.token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure,
      path: '/',
      maxAge: Math.round(services.settings.current().general.sessionTtlHours.value * 3600),
    });
    services.logger.info({ event: 'signed-in', userId: result.user.id }, 'signed in');
    return c.redirect(next, 303);
  })
  .post('/logout', async (c) => {
    const services = c.get('services');
    const auth = c.get('auth');
    const body = await c.req.parseBody();
    if (auth && hasValidFormToken(c, body)) {
      await services.store.sessions.delete(auth.session.id);
      services.sessions.forget(auth.session.id);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
