/** One line of a systems check: what was tried, whether it worked, and what to do if not. */
export type SystemsCheckResult = {
  /** Short name of the check, e.g. "API keys accepted". */
  name: string;
  ok: boolean;
  /** What happened, in words an admin understands. */
  message: string;
  /** What to do about a failure. */
  hint?: string;
  /** Upstream status or code, for the log. */
  upstreamCode?: string;
};
