/**
 * The answer shapes of the Autotask REST API (reference §2, §7, §8): JSON bodies, `{errors: [...]}`
 * for everything that goes wrong except authentication (401 with an empty body), and datetimes in
 * UTC written without a `Z`.
 */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });

export const errorsBody = (status: number, messages: string[], headers: Record<string, string> = {}) =>
  json(status, { errors: messages }, headers);

/** Any auth failure: 401, no body, and a Basic challenge (reference §2, [3rd-party]). */
export const unauthorized = () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic Realm="Autotask REST API"' } });

/**
 * Thrown by a route to answer with `{errors}`. Autotask reports validation failures as HTTP 500
 * (reference §8), which is why `validation()` is the usual way to build one.
 */
export class AutotaskSimError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(messages.join(' '));
  }
}

export const validation = (...messages: string[]) => new AutotaskSimError(500, messages);

export const notFound = (entity: string, id: number | string) => new AutotaskSimError(404, [`${entity} with id ${id} was not found.`]);

/** `2026-01-01T00:00:00.000`: UTC, no zone designator (reference §6). */
export const autotaskDate = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '');

/** The answer a route-level 404 gets: the ASP.NET message for a URL no controller serves. */
export const routeNotFound = (url: URL) => errorsBody(404, [`No HTTP resource was found that matches the request URI '${url.href}'.`]);

export const methodNotAllowed = (method: string) => errorsBody(405, [`The requested resource does not support http method '${method}'.`]);

export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validation('The request body is not valid JSON.');
  }
}
