import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { ProblemPage } from '../views/layout.js';

/**
 * Guards every console page: signed out → the sign-in page (and back); a technician → 403 with
 * a page that says so. The API has its own check (JSON answers) in mount-api.
 */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const auth = c.get('auth');
  if (!auth) {
    if (c.req.method !== 'GET') return c.text('Sign in again.', 401);
    return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
  }
  if (auth.user.role !== 'admin') {
    return c.html(
      <ProblemPage
        title="Administrators only"
        user={{ name: auth.user.name, email: auth.user.email, role: auth.user.role }}
        csrfToken={auth.session.csrfToken}
      >
        <p>
          The admin console is for administrators. Your own launches and executions are on the <a href="/">start page</a>.
        </p>
      </ProblemPage>,
      403,
    );
  }
  c.header('Cache-Control', 'no-store');
  await next();
};
