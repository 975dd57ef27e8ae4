import type { Clock } from '../../lib/clock.js';
import type { AutotaskApiUser } from './autotask-auth.js';
import type { AutotaskData } from './autotask-seed.js';
import type { HourlyThreshold, ThreadLimiter } from './autotask-throttle.js';

/** What one request looked like, for tests to assert on. Secrets never appear here. */
export type AutotaskRequestLogEntry = {
  method: string;
  /** Relative to `…/V1.0/` for API calls (`Tickets/1001`), else the full path. */
  path: string;
  query: Record<string, string>;
  /** Request headers, lower-case names; the Secret header's value is replaced by `[redacted]`. */
  headers: Record<string, string>;
  body?: unknown;
  /** True when the three auth headers were accepted. */
  authOk: boolean;
  status: number;
};

/** The simulated database and the knobs a test may turn while it runs. */
export type AutotaskSimulatorState = AutotaskData & {
  apiUser: AutotaskApiUser;
  requests: AutotaskRequestLogEntry[];
  /** Delay before every answer (on top of the threshold's own latency). */
  latencyMs: number;
  /** Added latency at 50 % and 75 % of the hourly threshold, as Autotask does (reference §8). */
  usageLatencyMs: [number, number];
  threshold: HourlyThreshold;
  threads: ThreadLimiter;
  /** A GET of a missing id answers `200 {"item": null}` instead of 404 (reference §3: unverified which one). */
  missingAsNull: boolean;
  /** The method `query/next` accepts: GET per the reference, POST as some clients report. */
  nextPageMethod: 'GET' | 'POST';
  /** The ticket category setting "Require titles on ticket notes". */
  requireNoteTitle: boolean;
  /** Requests the API user's security level may not make (403). */
  forbidden: { method?: string; path: string | RegExp }[];
  /** What zone discovery answers; by default the simulator's own address. */
  zone: { zoneName: string; url?: string; webUrl?: string };
  clock: Clock;
};
