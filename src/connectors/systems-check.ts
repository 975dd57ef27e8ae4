/** One line of a systems check: what was tried, whether it worked, and what to do if not. */
export type SystemsCheckResult = {
  /** Short name of the check, e.g. "API keys accepted". */
  name: string;
  /** True only for a real pass: something was tried and worked. */
  ok: boolean;
  /**
   * Why a line that is not `ok` is not a failure either: `not-run` (skipped because an earlier
   * step failed), `unverified` (cannot be checked without changing something, or the answer could
   * not be read), `warning` (checked, and something optional is missing). Absent: `ok` decides.
   */
  outcome?: CheckOutcome;
  /** What happened, in words an admin understands. */
  message: string;
  /** What to do about a failure. */
  hint?: string;
  /** Upstream status or code, for the log. */
  upstreamCode?: string;
};

export type CheckOutcome = 'not-run' | 'unverified' | 'warning';

/** What a line says, in one word: only a real pass is `pass`. */
export type CheckLineState = 'pass' | 'fail' | CheckOutcome;

export function checkLineState(line: { ok: boolean; outcome?: CheckOutcome | undefined }): CheckLineState {
  if (line.ok) return 'pass';
  return line.outcome ?? 'fail';
}

/** Counts per state, for "5 passed, 1 failed, 2 not run, 2 not verifiable". */
export function countCheckStates(lines: { ok: boolean; outcome?: CheckOutcome | undefined }[]): Record<CheckLineState, number> {
  const counts: Record<CheckLineState, number> = { pass: 0, fail: 0, 'not-run': 0, unverified: 0, warning: 0 };
  for (const line of lines) counts[checkLineState(line)]++;
  return counts;
}

/** "5 passed, 1 failed, 2 not run": the states that occur, failed always said. */
export function checkSummaryText(lines: { ok: boolean; outcome?: CheckOutcome | undefined }[]): string {
  const counts = countCheckStates(lines);
  const parts = [`${counts.pass} passed`, `${counts.fail} failed`];
  if (counts['not-run']) parts.push(`${counts['not-run']} not run`);
  if (counts.unverified) parts.push(`${counts.unverified} not verifiable`);
  if (counts.warning) parts.push(`${counts.warning} warning${counts.warning === 1 ? '' : 's'}`);
  return parts.join(', ');
}
