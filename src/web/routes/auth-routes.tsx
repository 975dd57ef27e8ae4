import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { signIn } from '../../domain/auth/sign-in.js';
import type { SignInGate } from '../../domain/auth/sign-in-throttle.js';
import { localSignInAllowed, readLocalSignInPolicy } from '../../domain/settings/local-sign-in-policy.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import { hashToken, newToken } from '../../lib/ids.js';
import type { AppEnv } from '../app-env.js';
import { clientAddress } from '../middleware/client-address.js';
import { readFormBody } from '../middleware/read-form-body.js';
import { SESSION_COOKIE } from '../middleware/session-auth.js';
import { Layout } from '../views/layout.js';

const LOGIN_CSRF_COOKIE = 'tbx_login';

const PLACEHOLDER_ORIGIN = 'http://toolbox.invalid';

/**
 * Only a path on this site is followed after sign-in, so the form cannot be used as an open
 * redirect, and nothing but a plain path reaches the Location header. Browsers drop tabs and line
 * breaks from URLs and read `\\` as `/`, so `/<TAB>/evil.example` means `//evil.example`: any
 * control character or backslash is refused outright rather than cleaned. What is left is resolved
 * as the browser would and must stay on this site and not start with `//`; the result is the
 * resolved, percent-encoded form. Anything else: the start page.
 */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2000 || !next.startsWith('/') || next.startsWith('//')) return '/';
  for (let i = 0; i < next.length; i++) {
    const code = next.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return '/';
  }
  let url: URL;
  try {
    url = new URL(next, PLACEHOLDER_ORIGIN);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== PLACEHOLDER_ORIGIN || !path.startsWith('/') || path.startsWith('//')) return '/';
  return path;
}

export type LoginPageProps = {
  csrf: string;
  error?: string | undefined;
  email?: string | undefined;
  /** Where the form posts: `/login`, or `/login/pod` in the pod's sign-in window. */
  action?: string;
  /** Hidden fields the form carries back (`next` for /login; the pod's nonce and hint). */
  hidden: Record<string, string>;
  /** The line under the heading. */
  intro: string;
  /** "Sign in with Microsoft" and the like, offered above the local form. */
  providers?: { href: string; label: string }[];
};

export function LoginPage(props: LoginPageProps) {
  return (
    <Layout title="Sign in">
      <section class="card narrow" aria-labelledby="login-title">
        <h1 id="login-title">Sign in</h1>
        <p class="muted">{props.intro}</p>
        {props.error ? (
          <p class="error" role="alert" id="login-error">
            {props.error}
          </p>
        ) : null}
        {props.providers && props.providers.length > 0 ? (
          <>
            <ul class="sign-in-providers">
              {props.providers.map((provider) => (
                <li>
                  <a class="button primary" href={provider.href}>
                    {provider.label}
                  </a>
                </li>
              ))}
            </ul>
            <h2>Or with a toolbox account</h2>
          </>
        ) : null}
        <form method="post" action={props.action ?? '/login'}>
          <input type="hidden" name="_csrf" value={props.csrf} />
          {Object.entries(props.hidden).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
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

/** The outside sign-ins configured, Microsoft first, each carrying `next` across its round trip. */
export function providerButtons(c: Context<AppEnv>, next: string): { href: string; label: string }[] {
  const { microsoft, oidc } = c.get('services').signInProviders();
  return [microsoft, oidc]
    .filter((provider) => provider !== undefined)
    .map((provider) => ({ href: `/auth/${provider.kind}/start?next=${encodeURIComponent(next)}`, label: provider.buttonLabel }));
}

/** Only a screen pop leads to /login with a launch to come back to; any other page must not claim one. */
function loginIntro(next: string): string {
  return next.startsWith('/launches/')
    ? 'Sign in to open the form. The screen pop you clicked is waiting and keeps loading meanwhile.'
    : 'Sign in with your Technician Toolbox account.';
}

/** A fresh double-submit token for the sign-in form (the cookie is scoped to /login and below). */
export function newLoginCsrf(c: Context<AppEnv>): string {
  const secure = c.get('services').config.publicUrl.startsWith('https:');
  const csrf = newToken();
  setCookie(c, LOGIN_CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'Lax', secure, path: '/login', maxAge: 3600 });
  return csrf;
}

/**
 * A sign-in form's POST, whichever page it came from: the double-submit check, the lockout, the
 * password, then the session cookie. On failure, the answer to send (the form again, with why);
 * on success, nothing yet: the caller redirects.
 */
export async function attemptSignIn(
  c: Context<AppEnv>,
  body: Record<string, unknown>,
  renderForm: (props: { csrf: string; error: string; email?: string }) => JSX.Element,
): Promise<{ ok: true } | { ok: false; response: Response | Promise<Response> }> {
  const services = c.get('services');
  const secure = services.config.publicUrl.startsWith('https:');
  const cookieToken = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
  const formToken = typeof body._csrf === 'string' ? body._csrf : '';
  const retry = (status: 400 | 401 | 403 | 429, error: string, email?: string) => ({
    ok: false as const,
    response: c.html(renderForm({ csrf: newLoginCsrf(c), error, ...(email ? { email } : {}) }), status),
  });
  if (!cookieToken || !formToken || !constantTimeEquals(hashToken(cookieToken), hashToken(formToken))) {
    return retry(403, 'The sign-in form expired or came from another site. Try again.');
  }
  const email = typeof body.email === 'string' ? body.email : '';
  const password = typeof body.password === 'string' ? body.password : '';
  if (!email || !password) return retry(400, 'Enter your e-mail and password.', email);
  // Too many failures lock before the password is even checked (docs/admin.md, "Failed sign-ins").
  const address = clientAddress(c);
  const locked = (gate: SignInGate) => {
    if (!gate.locked) return undefined;
    c.header('Retry-After', String(gate.retryAfterSeconds));
    const minutes = Math.ceil(gate.retryAfterSeconds / 60);
    return retry(
      429,
      `Too many failed sign-ins. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, or ask an administrator to unlock your account (Admin → Users).`,
      email,
    );
  };
  const refused = locked(await services.signInThrottle.check(email, address));
  if (refused) return refused;
  const policy = await readLocalSignInPolicy(services.store);
  const result = await signIn(
    { store: services.store, clock: services.clock, sessionTtlHours: services.settings.current().general.sessionTtlHours.value },
    email,
    password,
    (user) => localSignInAllowed(policy, user),
  );
  if (!result.ok && result.localAccountsOff) {
    services.logger.info({ event: 'sign-in-local-off', address }, 'local sign-in refused: local accounts are limited to admins');
    await services.signInThrottle.recordSuccess(email, address);
    const ways = Object.values(services.signInProviders())
      .filter((p) => p !== undefined)
      .map((p) => `“${p.buttonLabel}”`);
    return retry(
      403,
      `Toolbox passwords are turned off for technicians here. Use ${ways.join(' or ') || 'your organisation’s sign-in'} above.`,
      email,
    );
  }
  if (!result.ok) {
    services.logger.warn({ event: 'sign-in-failed', address }, 'sign-in failed');
    await services.signInThrottle.recordFailure(email, address);
    // The failure that reached a limit already says so, rather than one more "wrong password".
    return (
      locked(await services.signInThrottle.check(email, address)) ??
      retry(401, 'That e-mail and password do not match an active toolbox user.', email)
    );
  }
  await services.signInThrottle.recordSuccess(email, address);
  deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' });
  setCookie(c, SESSION_COOKIE, result.token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: '/',
    maxAge: Math.round(services.settings.current().general.sessionTtlHours.value * 3600),
  });
  services.logger.info({ event: 'signed-in', userId: result.user.id }, 'signed in');
  return { ok: true };
}

/**
 * Sign-in and sign-out. Before there is a session, CSRF on the login form is a double-submit
 * token: a random cookie echoed in a hidden field. Cookies are HttpOnly and SameSite=Lax (Lax, not
 * Strict, so the session rides along when 1Stream opens the screen pop from another site).
 */
export const authRoutes = new Hono<AppEnv>()
  .get('/login', (c) => {
    c.header('Cache-Control', 'no-store');
    const next = safeNext(c.req.query('next'));
    return c.html(<LoginPage csrf={newLoginCsrf(c)} hidden={{ next }} intro={loginIntro(next)} providers={providerButtons(c, next)} />);
  })
  .post('/login', async (c) => {
    const body = await readFormBody(c);
    const next = safeNext(typeof body.next === 'string' ? body.next : undefined);
    const attempt = await attemptSignIn(c, body, (props) => (
      <LoginPage {...props} hidden={{ next }} intro={loginIntro(next)} providers={providerButtons(c, next)} />
    ));
    if (!attempt.ok) return attempt.response;
    return c.redirect(next, 303);
  })
  // Signing out ends the session in the store whatever the form carries: without a valid token a
  // cross-site page could at worst sign someone out (and the Origin check refuses cross-site posts
  // already), while a sign-out that only dropped the cookie would leave a copied cookie usable.
  .post('/logout', async (c) => {
    const services = c.get('services');
    const auth = c.get('auth');
    if (auth) await services.store.sessions.delete(auth.session.id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
