import { HaloRefusal, ValidationProblem } from './halopsa-responses.js';
import type { HaloRequestLogEntry, HaloStore } from './halopsa-store.js';

/** What a route handler gets: the request, its path below `/api` in segments, and the store. */
export type HaloRouteContext = {
  store: HaloStore;
  request: Request;
  url: URL;
  method: string;
  /** The path below `/api`, e.g. `['Tickets', '1001']`. */
  segments: string[];
  entry: HaloRequestLogEntry;
};

/** A path id: ASP.NET binds `{id}` to an int, and answers anything else as a validation error. */
export function pathId(raw: string | undefined): number {
  if (raw === undefined || !/^\d{1,10}$/.test(raw) || Number(raw) > 2 ** 31 - 1) {
    throw new ValidationProblem({ id: [`The value '${raw ?? ''}' is not valid.`] });
  }
  return Number(raw);
}

/** A record that is absent (or hidden from the API agent). The body of Halo's 404 is unverified. */
export const notFound = (what: string, id: number) => new HaloRefusal(`${what} ${id} not found.`, 404);

export const routeNotFound = () => new HaloRefusal('No HTTP resource was found that matches the request URI.', 404);

export const methodNotAllowed = () => new HaloRefusal('The requested resource does not support this http method.', 405);
