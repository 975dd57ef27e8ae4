import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';

/**
 * The exceptions a route asks for to the app's security headers, applied after them. Framing:
 * every page answers `frame-ancestors 'none'` and `X-Frame-Options: DENY`, except a response whose
 * route set `frameAncestor` (the pod, framed by the PSA's own site only): its CSP names that one
 * origin, and X-Frame-Options is left out (it cannot name an origin, and browsers that know
 * frame-ancestors ignore it anyway). Opener: every page isolates itself from windows of other
 * sites (`Cross-Origin-Opener-Policy: same-origin`), except the pod's sign-in window, which must
 * still reach the pod that opened it.
 */
export function framingPolicy(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const ancestor = c.get('frameAncestor');
    if (ancestor) {
      const csp = c.res.headers.get('Content-Security-Policy');
      if (csp) c.res.headers.set('Content-Security-Policy', csp.replace("frame-ancestors 'none'", `frame-ancestors ${ancestor}`));
      c.res.headers.delete('X-Frame-Options');
    }
    if (c.get('openerPolicy') === 'unsafe-none') c.res.headers.set('Cross-Origin-Opener-Policy', 'unsafe-none');
  };
}
