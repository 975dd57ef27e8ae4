import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../lib/logger.js';
import type { AppEnv } from '../app-env.js';

/** Query parameters whose values never reach the log. */
// `code` and `state`: an OAuth callback's authorization code and its CSRF value (sign-in).
const REDACTED_QUERY = new Set(['secret', 'password', 'token', 'code', 'state']);

/** The path and query as logged: secrets replaced, so a screen-pop secret in the URL stays out. */
export function redactUrl(url: URL): string {
  if (!url.search) return url.pathname;
  const params = new URLSearchParams(url.search);
  for (const key of [...params.keys()]) if (REDACTED_QUERY.has(key.toLowerCase())) params.set(key, '[redacted]');
  return `${url.pathname}?${params.toString()}`;
}

/** One access-log line per request: method, redacted URL, status, duration, request id, user id. */
export function requestLogger(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    if (!logger.isLevelEnabled('info')) return;
    const url = new URL(c.req.url);
    if (url.pathname === '/healthz' || url.pathname.startsWith('/assets/')) return;
    logger.info(
      {
        req: { id: c.get('requestId'), method: c.req.method, url: redactUrl(url) },
        res: { status: c.res.status },
        userId: c.get('auth')?.user.id,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };
}
