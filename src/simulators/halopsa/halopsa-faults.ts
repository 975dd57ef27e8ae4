import { json, text } from './halopsa-responses.js';

/**
 * Failure injection for tests and the demo, as the ConnectWise simulator has it: the next N
 * requests matching a path get a chosen status, or are carried out with their answer held back
 * (a lost answer, for a client whose timeout is shorter than the hold).
 */
export type PathPattern = string | RegExp;

export type FailureOptions = {
  method?: string;
  /** Seconds for Retry-After (429/503). */
  retryAfterSeconds?: number;
  /** The body to send; a string is sent as text, anything else as JSON. */
  body?: unknown;
};

type Failure = { pattern: PathPattern; status: number; remaining: number; options: FailureOptions };
type Hold = { pattern: PathPattern; method?: string; delayMs: number; remaining: number };

/**
 * A string pattern matches the whole path, case-insensitively (ASP.NET routes are), with `*`
 * standing for one path segment: `/api/Tickets/*`. A RegExp is tested as is.
 */
export function matchesPath(pattern: PathPattern, path: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(path);
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
    'i',
  );
  return regex.test(path);
}

const methodMatches = (wanted: string | undefined, method: string) => !wanted || wanted.toUpperCase() === method;

export function createHaloFaults() {
  const failures: Failure[] = [];
  const holds: Hold[] = [];
  return {
    failNext(pattern: PathPattern, status: number, times = 1, options: FailureOptions = {}): void {
      failures.push({ pattern, status, remaining: times, options });
    },
    holdAnswerNext(pattern: PathPattern, options: { method?: string; delayMs: number; times?: number }): void {
      holds.push({ pattern, method: options.method, delayMs: options.delayMs, remaining: options.times ?? 1 });
    },
    /** The injected answer for this request, if one is due. */
    take(method: string, path: string): Response | undefined {
      const failure = failures.find((f) => f.remaining > 0 && methodMatches(f.options.method, method) && matchesPath(f.pattern, path));
      if (!failure) return undefined;
      failure.remaining--;
      const headers: Record<string, string> = {};
      if (failure.options.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.options.retryAfterSeconds);
      const body = failure.options.body;
      if (failure.status === 401 && body === undefined) {
        return new Response(null, { status: 401, headers: { ...headers, 'www-authenticate': 'Bearer error="invalid_token"' } });
      }
      if (body === undefined) return text(failure.status, `Injected failure (${failure.status}).`, headers);
      return typeof body === 'string' ? text(failure.status, body, headers) : json(failure.status, body, headers);
    },
    /** How long to hold this request's answer after carrying it out; 0 for none. */
    holdFor(method: string, path: string): number {
      const hold = holds.find((h) => h.remaining > 0 && methodMatches(h.method, method) && matchesPath(h.pattern, path));
      if (!hold) return 0;
      hold.remaining--;
      return hold.delayMs;
    },
  };
}
