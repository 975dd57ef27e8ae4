import type { Clock } from '../../lib/clock.js';
import { AutotaskSimError } from './autotask-http.js';

/**
 * Autotask's two limits (reference §8, [AT-help] ThreadLimiting and REST thresholds):
 *
 * - the request threshold: 10,000 requests in a rolling hour per DATABASE, shared by every
 *   integration of the tenant, reported at `/ThresholdInformation`, with latency added from 50 %
 *   and every call refused at 100 % until usage drops;
 * - the thread limit: at most 3 requests at once per tracking identifier (integration code) and
 *   object endpoint; a 4th is refused at once. ZoneInformation is exempt, ThresholdInformation is not.
 *
 * Both refusals are HTTP 429 with `{errors: [...]}`; the wording follows public reports
 * (WYRE-AI/autotask-mcp #107 and #169, msoukhomlinov/n8n-nodes-autotask #107), unverified.
 */
export class HourlyThreshold {
  readonly #clock: Clock;
  /** Request times, oldest first. */
  readonly #stamps: number[] = [];

  constructor(
    public limit: number,
    readonly timeframeMinutes: number,
    clock: Clock,
  ) {
    this.#clock = clock;
  }

  #prune(): void {
    const since = this.#clock.now() - this.timeframeMinutes * 60_000;
    let drop = 0;
    while (drop < this.#stamps.length && (this.#stamps[drop] as number) <= since) drop++;
    if (drop > 0) this.#stamps.splice(0, drop);
  }

  /** Requests in the current rolling timeframe. */
  count(): number {
    this.#prune();
    return this.#stamps.length;
  }

  /** Requests made by other integrations of the same database (they share the budget). */
  addExternal(count: number): void {
    const now = this.#clock.now();
    for (let i = 0; i < count; i++) this.#stamps.push(now);
  }

  /** Counts one request, or refuses it when the budget is spent (a refused call is not counted). */
  take(): void {
    if (this.count() >= this.limit) {
      throw new AutotaskSimError(429, [
        `The request threshold of ${this.limit} requests per ${this.timeframeMinutes} minutes has been exceeded for this Autotask database. API access is suspended until usage drops below the threshold.`,
      ]);
    }
    this.#stamps.push(this.#clock.now());
  }

  /** `GET /ThresholdInformation` */
  info() {
    return {
      externalRequestThreshold: this.limit,
      requestThresholdTimeframe: this.timeframeMinutes,
      currentTimeframeRequestCount: this.count(),
    };
  }
}

export class ThreadLimiter {
  readonly #active = new Map<string, number>();

  constructor(public limit = 3) {}

  active(key: string): number {
    return this.#active.get(key) ?? 0;
  }

  /** Takes a thread for this integration code and endpoint; the returned function gives it back. */
  acquire(key: string): () => void {
    const active = this.active(key);
    if (active >= this.limit) {
      throw new AutotaskSimError(429, [`Thread Threshold Exceeded: the API thread threshold of ${this.limit} threads has been exceeded.`]);
    }
    this.#active.set(key, active + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = this.active(key) - 1;
      if (now <= 0) this.#active.delete(key);
      else this.#active.set(key, now);
    };
  }
}

/**
 * The object endpoint a path counts against: its first segment (`Tickets/123/Notes` is Tickets,
 * `TicketNotes/query` is TicketNotes). Case-insensitive, as the routes are.
 */
export const endpointOf = (path: string) => (path.split('/').find(Boolean) ?? '').toLowerCase();
