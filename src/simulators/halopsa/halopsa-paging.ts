import { boolParam, intParam, json } from './halopsa-responses.js';

/** Halo serves at most this many rows a page, whatever `page_size` asks for (reference §5). */
export const MAX_PAGE_SIZE = 100;
/** The page size when `pageinate=true` comes without one. */
export const DEFAULT_PAGE_SIZE = 50;

/**
 * A list answer in Halo's envelope, keyed by the resource (`tickets`, `clients`, `users`):
 * `{"page_no":1,"page_size":50,"record_count":717,"clients":[…]}` with `pageinate=true`
 * (spelled that way), else every row with `record_count`. The envelope repeats the page size that
 * was asked for, not the 100 actually served: that is the trap the reference warns about
 * (homotechsual/HaloAPI #90), where a client asking for 1000 stops after the first 100.
 */
export function listResponse(params: URLSearchParams, key: string, rows: unknown[]): Response {
  const count = intParam(params, 'count');
  if (boolParam(params, 'pageinate') !== true) {
    const served = count !== undefined && count >= 0 ? rows.slice(0, count) : rows;
    return json(200, { record_count: rows.length, [key]: served });
  }
  const asked = intParam(params, 'page_size') ?? DEFAULT_PAGE_SIZE;
  const pageNo = intParam(params, 'page_no') ?? 1;
  const size = Math.max(1, Math.min(asked, MAX_PAGE_SIZE));
  // Halo answers a page number below 1 like page 1 (unverified); past the end, an empty page.
  const page = Math.max(1, pageNo);
  const served = rows.slice((page - 1) * size, page * size);
  return json(200, { page_no: page, page_size: asked, record_count: rows.length, [key]: served });
}
