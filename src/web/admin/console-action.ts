import type { Context } from 'hono';
import { fieldProblemText } from '../../lib/field-label.js';
import { isToolboxError, ToolboxError } from '../../lib/toolbox-error.js';
import type { ApiOperation } from '../api/api-operation.js';
import type { AppEnv, Auth } from '../app-env.js';
import { readFormBody } from '../middleware/read-form-body.js';
import { hasValidFormToken } from '../middleware/require-form-token.js';

/** The console form's fields (urlencoded), after the CSRF token check; undefined when it fails. */
export async function readConsoleForm(c: Context<AppEnv>): Promise<Record<string, string> | undefined> {
  const body = await readFormBody(c, { all: false });
  if (!hasValidFormToken(c, body)) return undefined;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string' && name !== '_csrf') fields[name] = value;
  return fields;
}

/** All values of a repeated field (checkbox lists). */
export async function readConsoleFormAll(c: Context<AppEnv>): Promise<Record<string, string[]> | undefined> {
  const body = await readFormBody(c, { all: true });
  if (!hasValidFormToken(c, body as Record<string, unknown>)) return undefined;
  const fields: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === '_csrf') continue;
    const values = Array.isArray(value) ? value : [value];
    fields[name] = values.filter((item): item is string => typeof item === 'string');
  }
  return fields;
}

export type ConsoleActionResult<R> = { ok: true; value: R } | { ok: false; error: ToolboxError };

/**
 * Runs an API operation for a console page, as the signed-in admin: the console does nothing the
 * API cannot. The body goes through the operation's own schema, so the console and the API
 * accept and refuse exactly the same things. Known errors come back for the page to show.
 */
export async function runConsoleAction<R>(
  c: Context<AppEnv>,
  auth: Auth,
  operation: ApiOperation,
  input: { params?: unknown; query?: unknown; body?: unknown } = {},
): Promise<ConsoleActionResult<R>> {
  const parse = (schema: ApiOperation['body'], value: unknown, where: string) => {
    if (!schema) return value;
    const result = schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const fields = result.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message }));
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: `Some values need attention. ${fields.map((field) => fieldProblemText(field.path, field.message)).join(' ')}`,
      fields,
    });
  };
  // The pages are guarded already; the operation's own rule is checked again, as the API does.
  if (operation.access === 'admin' && auth.user.role !== 'admin') {
    return {
      ok: false,
      error: new ToolboxError({ code: 'TBX_ERR_FORBIDDEN', httpStatus: 403, message: 'Only administrators may do this.' }),
    };
  }
  try {
    const value = await operation.handler({
      services: c.get('services'),
      caller: { user: auth.user, via: 'session' },
      actor: { userId: auth.user.id, email: auth.user.email, requestId: c.get('requestId') ?? null },
      params: parse(operation.params, input.params, 'params'),
      query: parse(operation.query, input.query, 'query'),
      body: parse(operation.body, input.body, 'body'),
      c,
    });
    return { ok: true, value: value as R };
  } catch (error) {
    if (isToolboxError(error)) return { ok: false, error };
    throw error;
  }
}

/** The message for one field from a failed action (`fields.apiUrl` → its message), for inline errors. */
export function fieldError(result: ConsoleActionResult<unknown> | undefined, path: string): string | undefined {
  if (!result || result.ok) return undefined;
  return result.error.fields.find((field) => field.path === path || field.path === `body.${path}`)?.message;
}
