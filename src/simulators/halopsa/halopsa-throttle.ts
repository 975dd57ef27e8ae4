import type { Clock } from '../../lib/clock.js';
import { text } from './halopsa-responses.js';

/**
 * Halo's rate limit. No official figure exists (reference §7): one client library claims "500
 * requests / 3 min" answered with 429, so the simulator keeps a fixed window of a configurable
 * request budget shared by every call (the token request too) and answers 429 past it, with
 * `Retry-After` in seconds unless told to leave it out (a client must cope without it).
 */
export type HaloRateLimit = { requests: number; windowMs: number; retryAfterHeader?: boolean };

export function createHaloThrottle(clock: Clock, limit: () => HaloRateLimit | undefined) {
  let window = { start: clock.now(), used: 0 };
  return {
    /** Counts one request; the 429 to send when it is over the budget. */
    take(): Response | undefined {
      const current = limit();
      if (!current) return undefined;
      const now = clock.now();
      if (now - window.start >= current.windowMs) window = { start: now, used: 0 };
      window.used++;
      if (window.used <= current.requests) return undefined;
      const seconds = Math.max(1, Math.ceil((window.start + current.windowMs - now) / 1000));
      const headers: Record<string, string> = current.retryAfterHeader === false ? {} : { 'retry-after': String(seconds) };
      return text(429, 'API rate limit exceeded. Please wait before making further requests.', headers);
    },
    reset(): void {
      window = { start: clock.now(), used: 0 };
    },
  };
}
