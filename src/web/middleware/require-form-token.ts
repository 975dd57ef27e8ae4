import type { Context } from 'hono';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import type { AppEnv } from '../app-env.js';

/**
 * The synchronizer token check behind every signed-in POST, on top of the Origin check: the form
 * carries the session's CSRF token, which a page on another site cannot read.
 */
export function hasValidFormToken(c: Context<AppEnv>, fields: Record<string, unknown>): boolean {
  const session = c.get('auth')?.session;
  const given = fields._csrf;
  return Boolean(session && typeof given === 'string' && given.length > 0 && constantTimeEquals(given, session.csrfToken));
}
