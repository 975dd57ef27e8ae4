/**
 * How the simulated Halo answers. Halo is an ASP.NET application; the reference could not confirm
 * its error bodies (§7, "plan for JSON or plain text"), so the simulator uses both on purpose:
 * - request binding failures (a body that is not an array, a string where an integer belongs, a
 *   query value that is not a number) get ASP.NET Core's validation problem details;
 * - Halo's own refusals (unknown ticket, unknown outcome) get a plain-text message;
 * - token errors follow OAuth (`{"error":"invalid_client"}`, reference §2).
 * A connector that reads all three is ready for whichever the real server sends.
 */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });

export const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });

/** IIS answers an unknown path outside the API with an HTML page. */
export const htmlNotFound = () =>
  new Response('<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body></body></html>', {
    status: 404,
    headers: { 'content-type': 'text/html' },
  });

/** Thrown by a route when ASP.NET's model binding would refuse the request. */
export class ValidationProblem extends Error {
  constructor(readonly errors: Record<string, string[]>) {
    super('One or more validation errors occurred.');
  }
}

/** Thrown by a route for Halo's own refusals: 400 (or another status) with a plain-text body. */
export class HaloRefusal extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

let traceCounter = 0;

export function problemResponse(problem: ValidationProblem): Response {
  traceCounter++;
  return json(
    400,
    {
      type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
      title: problem.message,
      status: 400,
      traceId: `00-${traceCounter.toString(16).padStart(32, '0')}-${'0'.repeat(15)}1-00`,
      errors: problem.errors,
    },
    { 'content-type': 'application/problem+json; charset=utf-8' },
  );
}

export const oauthError = (status: number, error: string, description?: string) =>
  json(status, description ? { error, error_description: description } : { error }, { 'cache-control': 'no-store' });

/** A query parameter Halo declares as `int`: absent, or digits (with an optional minus). */
export function intParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d{1,10}$/.test(raw.trim()) || Math.abs(Number(raw)) > 2 ** 31 - 1) {
    throw new ValidationProblem({ [name]: [`The value '${raw}' is not valid.`] });
  }
  return Number(raw);
}

/** A query parameter Halo declares as `bool`: absent, `true` or `false` (any case). */
export function boolParam(params: URLSearchParams, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const lower = raw.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ValidationProblem({ [name]: [`The value '${raw}' is not valid.`] });
}

/** The conversion error System.Text.Json reports for a JSON value of the wrong type. */
export const conversionError = (path: string, type: string) =>
  new ValidationProblem({ [path]: [`The JSON value could not be converted to ${type}. Path: ${path} | LineNumber: 0.`] });

/** A JSON body field Halo declares as `integer/int32`: absent, or a JSON number that is a whole number. */
export function intField(record: Record<string, unknown>, name: string, path: string): number | undefined {
  const value = record[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1) {
    throw conversionError(`${path}.${name}`, 'System.Int32');
  }
  return value;
}

export function boolField(record: Record<string, unknown>, name: string, path: string): boolean | undefined {
  const value = record[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw conversionError(`${path}.${name}`, 'System.Boolean');
  return value;
}

export function stringField(record: Record<string, unknown>, name: string, path: string): string | undefined {
  const value = record[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw conversionError(`${path}.${name}`, 'System.String');
  return value;
}

/**
 * A POST body: Halo's POST endpoints take an array of records even for one (reference §4, §8).
 * Anything else is refused as ASP.NET refuses a body it cannot bind to `List<T>`.
 */
export async function readArrayBody(request: Request, model: string): Promise<Record<string, unknown>[]> {
  const raw = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ValidationProblem({ $: [`'${raw.slice(0, 1)}' is an invalid start of a value. Path: $ | LineNumber: 0.`] });
  }
  if (!Array.isArray(body)) {
    throw conversionError('$', `System.Collections.Generic.List\`1[Halo.Models.${model}]`);
  }
  return body.map((item, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw conversionError(`$[${index}]`, `Halo.Models.${model}`);
    return item as Record<string, unknown>;
  });
}
