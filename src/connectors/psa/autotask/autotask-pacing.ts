import type { Clock } from '../../../lib/clock.js';

/**
 * Slowing down before Autotask's hourly request threshold (reference §8): 10,000 requests in a
 * rolling hour per DATABASE, shared by every integration of the MSP. At 100 % Autotask refuses
 * every call of every integration until usage drops, so the toolbox must never be the one that
 * gets there. Autotask itself adds latency from 50 % and 75 %; the toolbox adds its own pauses
 * from 80 %, longer from 90 %, and from 97 % sends nothing until usage drops (a refused call is
 * retryable: a ticket note waits for its scheduled retry, a screen pop says so).
 *
 * Usage is read from `GET /ThresholdInformation` at most once a minute (every 15 s when usage is
 * high) and, in between, estimated as the last reading plus the calls this client made since.
 * Other integrations' calls in between are not seen until the next reading.
 */
export const PACING = {
  slowFrom: 0.8,
  slowMs: 500,
  slowerFrom: 0.9,
  slowerMs: 2000,
  stopFrom: 0.97,
  refreshMs: 60_000,
  busyRefreshMs: 15_000,
  busyFrom: 0.75,
} as const;

export type ThresholdInfo = { threshold: number; timeframeMinutes: number; used: number };

export type PacingDecision =
  | { kind: 'go' }
  | { kind: 'wait'; ms: number; used: number; threshold: number }
  /** `refused`: Autotask itself said the threshold is used up (no reading says by how much). */
  | { kind: 'stop'; used: number; threshold: number; refused?: boolean };

/** What to do before a call, given the usage of the database. */
export function pacingFor(used: number, threshold: number): PacingDecision {
  if (!(threshold > 0)) return { kind: 'go' };
  const share = used / threshold;
  if (share >= PACING.stopFrom) return { kind: 'stop', used, threshold };
  if (share >= PACING.slowerFrom) return { kind: 'wait', ms: PACING.slowerMs, used, threshold };
  if (share >= PACING.slowFrom) return { kind: 'wait', ms: PACING.slowMs, used, threshold };
  return { kind: 'go' };
}

export class ThresholdPacer {
  readonly #clock: Clock;
  #reading: (ThresholdInfo & { at: number; refused?: boolean }) | undefined;
  #callsSince = 0;
  /** When a reading was last tried, successful or not: a failing one is not asked for after every call. */
  #triedAt: number | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A fresh reading from ThresholdInformation. */
  update(info: ThresholdInfo): void {
    this.#reading = { ...info, at: this.#clock.now() };
    this.#triedAt = this.#clock.now();
    this.#callsSince = 0;
  }

  /** A reading failed (the security level may not allow it): try again after the usual interval. */
  readingFailed(): void {
    this.#triedAt = this.#clock.now();
  }

  /** One more call of ours reached Autotask. */
  noteCall(): void {
    this.#callsSince++;
  }

  /** Autotask said the threshold is used up: stop until a new reading says otherwise. */
  exhausted(): void {
    const threshold = this.#reading?.threshold ?? 10_000;
    this.#reading = {
      threshold,
      timeframeMinutes: this.#reading?.timeframeMinutes ?? 60,
      used: threshold,
      at: this.#clock.now(),
      refused: true,
    };
    this.#callsSince = 0;
  }

  /** The estimated usage now, or undefined before the first reading. */
  estimate(): ThresholdInfo | undefined {
    if (!this.#reading) return undefined;
    const { threshold, timeframeMinutes, used } = this.#reading;
    return { threshold, timeframeMinutes, used: used + this.#callsSince };
  }

  decide(): PacingDecision {
    const estimate = this.estimate();
    if (!estimate) return { kind: 'go' };
    if (this.#reading?.refused) return { kind: 'stop', used: estimate.used, threshold: estimate.threshold, refused: true };
    return pacingFor(estimate.used, estimate.threshold);
  }

  /** Whether the reading is missing or old enough to ask again. */
  needsRefresh(): boolean {
    if (this.#triedAt === undefined) return true;
    const estimate = this.estimate();
    const busy = estimate !== undefined && estimate.used / estimate.threshold >= PACING.busyFrom;
    return this.#clock.now() - this.#triedAt >= (busy ? PACING.busyRefreshMs : PACING.refreshMs);
  }
}
