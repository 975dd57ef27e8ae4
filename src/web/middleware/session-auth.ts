import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { SessionResolver } from '../../domain/auth/resolve-session.js';
import type { AppEnv } from '../app-env.js';

export const SESSION_COOKIE = 'tbx_session';

/** Puts the signed-in user (if any) on the request. Pages decide themselves whether they need one. */
export function sessionAuth(sessions: SessionResolver): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('auth', await sessions.resolve(getCookie(c, SESSION_COOKIE)));
    await next();
  };
}
