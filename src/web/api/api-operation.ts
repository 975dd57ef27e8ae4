import type { Context } from 'hono';
import type { z } from 'zod';
import type { Actor } from '../../domain/settings/write-settings.js';
import type { Services } from '../../services.js';
import type { UserRecord } from '../../store/types.js';
import type { AppEnv } from '../app-env.js';

/** Who calls the API: a signed-in browser session or an API token, both acting as a user. */
export type ApiCaller = { user: UserRecord; via: 'session' | 'token'; tokenId?: string };

export type ApiContext<P, Q, B> = {
  services: Services;
  caller: ApiCaller;
  /** The caller as the audit log records them. */
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  /** The Hono context, for the few operations that answer with something other than JSON. */
  c: Context<AppEnv>;
};

/**
 * One operation of the JSON API. Its zod schemas validate the request and are also what
 * `/api/openapi.json` is generated from, so the document cannot drift from what is enforced.
 * The console's pages call the same `handler`, so every console action is an API operation.
 */
export type ApiOperation<P = unknown, Q = unknown, B = unknown, R = unknown> = {
  /** The OpenAPI operationId, e.g. `savePsaConnection`. */
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path, e.g. `/api/admin/directories/{id}`. */
  path: string;
  summary: string;
  description?: string;
  /** Groups operations in the document, e.g. `PSA connection`. */
  tag: string;
  /** `admin`: administrators only; `user`: any signed-in user (the handler limits what they see). */
  access: 'admin' | 'user';
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response: z.ZodType<R>;
  /** 200 unless said otherwise. */
  status?: 200 | 201;
  /** Set when the operation answers with something other than JSON (e.g. `text/csv`). */
  produces?: string;
  handler(ctx: ApiContext<P, Q, B>): Promise<R | Response>;
};

/** Keeps each operation's types while the registry holds them all as one list. */
export function defineOperation<P = undefined, Q = undefined, B = undefined, R = unknown>(
  operation: ApiOperation<P, Q, B, R>,
): ApiOperation<unknown, unknown, unknown, unknown> {
  return operation as unknown as ApiOperation<unknown, unknown, unknown, unknown>;
}
