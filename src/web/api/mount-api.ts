import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { resolveApiToken } from '../../domain/auth/resolve-api-token.js';
import { constantTimeEquals } from '../../lib/constant-time-equals.js';
import { type FieldProblem, isToolboxError } from '../../lib/toolbox-error.js';
import type { AppEnv } from '../app-env.js';
import type { ApiCaller, ApiOperation } from './api-operation.js';
import { buildOpenApi } from './build-openapi.js';

/** JSON errors: a stable code, a message a person can act on, and per-field problems when useful. */
export function apiError(c: Context<AppEnv>, status: number, code: string, message: string, fields?: FieldProblem[]) {
  return c.json({ error: { code, message, ...(fields && fields.length > 0 ? { fields } : {}) } }, status as 400);
}

function zodProblems(error: z.ZodError, prefix: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || prefix,
    message: issue.message,
  }));
}

/**
 * The caller of an API request: a bearer API token, or the browser session. A session caller
 * must also send its CSRF token in `x-csrf-token` on anything but GET: cookies ride along with
 * cross-site requests, tokens in headers do not. Token callers carry no cookies, so need none.
 */
async function resolveCaller(c: Context<AppEnv>): Promise<ApiCaller | { error: Response }> {
  const services = c.get('services');
  const authorization = c.req.header('authorization');
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const resolved = match ? await resolveApiToken(services, match[1]!) : undefined;
    if (!resolved) {
      return {
        error: apiError(
          c,
          401,
          'TBX_ERR_UNAUTHENTICATED',
          'The API token is unknown, revoked, or its user is disabled. Create a new token in the admin console.',
        ),
      };
    }
    return { user: resolved.user, via: 'token', tokenId: resolved.token.id };
  }
  const auth = c.get('auth');
  if (!auth) {
    return { error: apiError(c, 401, 'TBX_ERR_UNAUTHENTICATED', 'Sign in, or send an API token as "Authorization: Bearer tbx_…".') };
  }
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const given = c.req.header('x-csrf-token') ?? '';
    if (!given || !constantTimeEquals(given, auth.session.csrfToken)) {
      return {
        error: apiError(
          c,
          403,
          'TBX_ERR_CSRF',
          'With a browser session, send the page’s CSRF token in the x-csrf-token header (or use an API token). Nothing was changed.',
        ),
      };
    }
  }
  return { user: auth.user, via: 'session' };
}

async function readJson(c: Context<AppEnv>): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Registers every operation under its path, and the OpenAPI document at /api/openapi.json. */
export function mountApi(app: Hono<AppEnv>, operations: ApiOperation[], info: { version: string }): void {
  const document = buildOpenApi(operations, info);
  app.get('/api/openapi.json', (c) => c.json(document));

  for (const operation of operations) {
    const honoPath = operation.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(operation.method.toUpperCase(), honoPath, async (c) => {
      c.header('Cache-Control', 'no-store');
      const caller = await resolveCaller(c);
      if ('error' in caller) return caller.error;
      if (operation.access === 'admin' && caller.user.role !== 'admin') {
        return apiError(c, 403, 'TBX_ERR_FORBIDDEN', 'Only administrators may do this.');
      }
      const problems: FieldProblem[] = [];
      const parse = (schema: z.ZodType | undefined, value: unknown, where: string) => {
        if (!schema) return undefined;
        const result = schema.safeParse(value);
        if (result.success) return result.data;
        problems.push(...zodProblems(result.error, where));
        return undefined;
      };
      const params = parse(operation.params, c.req.param(), 'params');
      const query = parse(operation.query, c.req.query(), 'query');
      let body: unknown;
      if (operation.body) {
        const type = c.req.header('content-type') ?? '';
        if (!type.startsWith('application/json')) {
          return apiError(c, 415, 'TBX_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON with Content-Type: application/json.');
        }
        const json = await readJson(c);
        if (!json.ok) return apiError(c, 400, 'TBX_ERR_INVALID_JSON', 'The request body is not valid JSON.');
        body = parse(operation.body, json.value, 'body');
      }
      if (problems.length > 0) {
        return apiError(
          c,
          400,
          'TBX_ERR_VALIDATION',
          `The request is not valid: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
          problems,
        );
      }
      const services = c.get('services');
      try {
        const result = await operation.handler({
          services,
          caller,
          actor: { userId: caller.user.id, email: caller.user.email, requestId: c.get('requestId') ?? null },
          params,
          query,
          body,
          c,
        });
        if (result instanceof Response) return result;
        return c.json(result as object, (operation.status ?? 200) as 200);
      } catch (error) {
        if (!isToolboxError(error)) throw error;
        services.logger.warn({ err: error.toLog(), operation: operation.id, requestId: c.get('requestId') }, 'api operation refused');
        return apiError(c, error.httpStatus, error.code, error.message, error.fields);
      }
    });
  }
}
