/**
 * The one error type the toolbox throws on purpose.
 *
 * `message` is written for a technician (what went wrong, what to do); `code` is a stable
 * `TBX_ERR_*` identifier for logs and the API; `upstream` keeps what the remote service said
 * (status and its own error code) so the log can be matched with the vendor's, without ever
 * showing raw upstream text to the technician as the only explanation.
 */
export type UpstreamDetail = {
  /** Which service answered, e.g. `connectwise`, `graph`, `identity`. */
  service: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** The service's own error code, e.g. `Authorization_RequestDenied`, `InvalidObject`. */
  code?: string;
  /** The service's own message, kept for the log. Never contains our secrets. */
  message?: string;
  /** The operation we attempted, e.g. `GET /service/tickets/{id}`. */
  operation?: string;
};

export type ToolboxErrorOptions = {
  code: string;
  message: string;
  /** HTTP status our own API or pages should answer with. */
  httpStatus?: number;
  upstream?: UpstreamDetail;
  /** True when trying again later may succeed (timeouts, 429, 5xx). */
  retryable?: boolean;
  /** Per-field problems of a request, for the form or the API client to show beside each field. */
  fields?: FieldProblem[];
  cause?: unknown;
};

/** One invalid input: `path` as the API names it (`fields.apiUrl`), `message` in plain words. */
export type FieldProblem = { path: string; message: string };

export class ToolboxError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly upstream: UpstreamDetail | undefined;
  readonly retryable: boolean;
  readonly fields: FieldProblem[];

  constructor(options: ToolboxErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ToolboxError';
    this.code = options.code;
    this.httpStatus = options.httpStatus ?? 500;
    this.upstream = options.upstream;
    this.retryable = options.retryable ?? false;
    this.fields = options.fields ?? [];
  }

  /** A log-safe summary: our code and message plus the upstream status and code. */
  toLog(): Record<string, unknown> {
    return { code: this.code, message: this.message, upstream: this.upstream, retryable: this.retryable };
  }
}

export const isToolboxError = (value: unknown): value is ToolboxError => value instanceof ToolboxError;

/**
 * A write whose outcome is not known: the on-prem agent took it and its answer was lost. The engine
 * handles it as an interrupted step (read the state, never blindly repeat); a step that collects
 * per-item failures must let it through rather than report it as one item that failed.
 */
export const OUTCOME_UNKNOWN_CODE = 'TBX_ERR_AGENT_OUTCOME_UNKNOWN';

export const isOutcomeUnknown = (error: unknown): boolean => isToolboxError(error) && error.code === OUTCOME_UNKNOWN_CODE;

/** Wraps anything thrown into a ToolboxError without losing the original as `cause`. */
export function toToolboxError(error: unknown, fallbackCode = 'TBX_ERR_INTERNAL'): ToolboxError {
  if (isToolboxError(error)) return error;
  return new ToolboxError({
    code: fallbackCode,
    message: 'Something unexpected went wrong inside the toolbox. The details are in the service log.',
    cause: error,
  });
}
