import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { resolveSession } from '../../domain/auth/resolve-session.js';
import type { AppEnv } from '../app-env.js';

export const SESSION_COOKIE = 'tbx_session';

/** Puts the signed-in user (if any) on the request. Pages decide themselves whether they need one. */
export function sessionAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const services = c.get('services');
    const auth = await resolveSession(
      { store: services.store, clock: services.clock, sessionTtlHours: services.config.session.ttlHours },
      getCookie(c, SESSION_COOKIE),
    );
    c.set('auth', auth);
    await next();
  };
}
