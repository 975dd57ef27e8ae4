import { type EntityName, findField } from './autotask-entity-info.js';
import { compileFilter, FilterError } from './autotask-filter.js';
import { validation } from './autotask-http.js';
import type { AtRecord } from './autotask-seed.js';

/**
 * `POST {Entity}/query`, `GET {Entity}/query?search=`, `GET {Entity}/query/next` and
 * `{Entity}/query/count` (reference §6, §7): the body's top-level keys in either case
 * (`MaxRecords` in Postman, `maxRecords` in the swagger), at most 500 rows a page, rows in id
 * order, and an absolute `nextPageUrl` that carries everything needed for the next page, so it can
 * be followed with a plain GET.
 */
export const MAX_RECORDS = 500;

export type QueryBody = { filter: unknown; maxRecords: number; includeFields?: string[] };

/** The id cursor inside a `nextPageUrl`. */
type PageCursor = { lastId: number };

function keyOf(body: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(body).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : body[key];
}

export function parseQueryBody(entity: EntityName, raw: unknown): QueryBody {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw validation('The query body must be a JSON object with a filter.');
  const body = raw as Record<string, unknown>;
  const max = keyOf(body, 'MaxRecords');
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RECORDS)) {
    throw validation(`MaxRecords must be a whole number from 1 to ${MAX_RECORDS}.`);
  }
  const include = keyOf(body, 'IncludeFields');
  let includeFields: string[] | undefined;
  if (include !== undefined && include !== null) {
    if (!Array.isArray(include) || include.some((f) => typeof f !== 'string'))
      throw validation('IncludeFields must be an array of field names.');
    if (include.length > 0) {
      includeFields = include.map((name: string) => {
        const field = findField(entity, name);
        if (!field) throw validation(`Unable to find ${name} in the ${entity} entity.`);
        return field.name;
      });
    }
  }
  return { filter: keyOf(body, 'filter'), maxRecords: typeof max === 'number' ? max : MAX_RECORDS, includeFields };
}

function matching(entity: EntityName, rows: Iterable<AtRecord>, body: QueryBody): AtRecord[] {
  try {
    const predicate = compileFilter(entity, body.filter);
    return [...rows].filter((row) => predicate(row)).sort((a, b) => a.id - b.id);
  } catch (error) {
    if (error instanceof FilterError) throw validation(error.message);
    throw error;
  }
}

const pick = (row: AtRecord, fields: string[] | undefined): Record<string, unknown> => {
  if (!fields) return row;
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = row[field] ?? null;
  return out;
};

export function runQuery(options: {
  entity: EntityName;
  rows: Iterable<AtRecord>;
  body: QueryBody;
  /** The original search document, carried in `nextPageUrl`. */
  search: unknown;
  cursor?: PageCursor;
  /** `https://host/ATServicesRest/V1.0`: where `nextPageUrl` points. */
  apiBase: string;
}): { items: Record<string, unknown>[]; pageDetails: Record<string, unknown> } {
  const { entity, body } = options;
  const all = matching(entity, options.rows, body);
  if (body.includeFields && all.length > body.maxRecords && !body.includeFields.includes('id')) {
    // Paging needs the id (reference §7, [AT-help]).
    throw validation('IncludeFields must include id when a query returns more than one page.');
  }
  const lastId = options.cursor?.lastId ?? -1;
  const remaining = all.filter((row) => row.id > lastId);
  const page = remaining.slice(0, body.maxRecords);
  const last = page[page.length - 1];
  const nextPageUrl =
    remaining.length > page.length && last
      ? `${options.apiBase}/${entity}/query/next?paging=${encodeURIComponent(JSON.stringify({ lastId: last.id }))}&search=${encodeURIComponent(JSON.stringify(options.search))}`
      : null;
  return {
    items: page.map((row) => pick(row, body.includeFields)),
    pageDetails: { count: page.length, requestCount: body.maxRecords, prevPageUrl: null, nextPageUrl },
  };
}

export function countQuery(entity: EntityName, rows: Iterable<AtRecord>, body: QueryBody): { queryCount: number } {
  return { queryCount: matching(entity, rows, body).length };
}

/** Reads `paging` and `search` back out of a `nextPageUrl`. */
export function parseNextPage(url: URL): { cursor: PageCursor; search: unknown } {
  try {
    const paging = JSON.parse(url.searchParams.get('paging') ?? '') as { lastId?: unknown };
    const search = JSON.parse(url.searchParams.get('search') ?? '') as unknown;
    if (typeof paging?.lastId !== 'number') throw new Error('no cursor');
    return { cursor: { lastId: paging.lastId }, search };
  } catch {
    throw validation('The paging information of this next-page URL is not valid.');
  }
}

/** `GET {Entity}/query?search={url-encoded JSON}` */
export function parseSearchParam(url: URL): unknown {
  const search = url.searchParams.get('search');
  if (search === null) throw validation('A query needs a search parameter holding the filter JSON.');
  try {
    return JSON.parse(search) as unknown;
  } catch {
    throw validation('The search parameter is not valid JSON.');
  }
}
