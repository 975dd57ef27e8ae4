/**
 * At most `limit` calls at once to one upstream connection, the rest waiting in a bounded queue
 * (first come, first served). It also estimates how long a call asked for now would wait, from
 * how long recent calls held their slot, so the screen pop can refuse a launch whose reads
 * could not start in time instead of accepting it and failing later.
 */
export type ConcurrencyLimitOptions = {
  /** Calls running at once. */
  limit: number;
  /** Calls waiting at most; one more is refused at once (never an unbounded queue). */
  maxQueue: number;
  now?: () => number;
};

/** A call refused because the queue of this connection is full. */
export class QueueFullError extends Error {
  constructor(limit: number, maxQueue: number) {
    super(`Too many calls are waiting for this connection (${limit} running, ${maxQueue} waiting)`);
    this.name = 'QueueFullError';
  }
}

type Waiter = { start: () => void; reject: (error: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void };

// How much one finished call moves the average hold time: recent calls count most, so the
// estimate follows a burst within a few dozen calls and forgets it as quickly.
const SMOOTHING = 0.2;

export class ConcurrencyLimit {
  readonly limit: number;
  readonly maxQueue: number;
  readonly #now: () => number;
  readonly #queue: Waiter[] = [];
  #active = 0;
  #holdMs = 0;
  // When each running call started, oldest first (a Map keeps insertion order).
  readonly #running = new Map<symbol, number>();
  // Calls promised but not asked for yet (`reserve`), by when the promise lapses, soonest first.
  readonly #reserved: number[] = [];

  constructor(options: ConcurrencyLimitOptions) {
    if (!(options.limit >= 1)) throw new RangeError('limit must be at least 1');
    this.limit = Math.floor(options.limit);
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue));
    this.#now = options.now ?? (() => performance.now());
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Calls reserved and not yet asked for. */
  get reserved(): number {
    const now = this.#now();
    while (this.#reserved.length > 0 && (this.#reserved[0] as number) <= now) this.#reserved.shift();
    return this.#reserved.length;
  }

  /**
   * Counts `count` calls about to be asked for as if they were waiting already: between admitting
   * work and its first call there are a few awaits, and a burst admitted in that gap would all see
   * an empty queue. Each call that then arrives takes one reservation; one never used lapses
   * after `ttlMs`.
   */
  reserve(count: number, ttlMs = 1_000): void {
    const until = this.#now() + ttlMs;
    for (let i = 0; i < count; i++) this.#reserved.push(until);
  }

  /** The smoothed time a call held its slot, in ms (0 before the first call ended). */
  get averageHoldMs(): number {
    return this.#holdMs;
  }

  /**
   * How long the last of `count` calls asked for now would wait before it starts: the calls ahead
   * of it, `limit` at a time, each holding a slot for the recent average, or for as long as the
   * oldest running call has run already when that is longer (a burst on a cold start, or an
   * upstream that just became slow, shows there before any call has finished).
   */
  expectedWaitMs(count = 1): number {
    const ahead = this.#active + this.#queue.length + this.reserved + count - this.limit;
    if (ahead <= 0) return 0;
    const oldest = this.#running.values().next();
    const holdMs = Math.max(this.#holdMs, oldest.done ? 0 : this.#now() - oldest.value);
    return Math.ceil(ahead / this.limit) * holdMs;
  }

  /** Whether `count` more calls fit in the queue and would start within `withinMs`. */
  admits(count: number, withinMs: number): boolean {
    const free = Math.max(0, this.limit - this.#active);
    if (this.#queue.length + Math.max(0, this.reserved + count - free) > this.maxQueue) return false;
    return this.expectedWaitMs(count) <= withinMs;
  }

  /**
   * Runs `task` when a slot is free. Rejects with QueueFullError when the queue is full, and
   * with the signal's reason when the signal aborts while the call waits (it leaves the queue).
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw signal.reason;
    this.#reserved.shift();
    if (this.#active >= this.limit) await this.#wait(signal);
    else this.#active++;
    const started = this.#now();
    const token = Symbol();
    this.#running.set(token, started);
    try {
      return await task();
    } finally {
      this.#running.delete(token);
      const held = this.#now() - started;
      this.#holdMs = this.#holdMs === 0 ? held : this.#holdMs + SMOOTHING * (held - this.#holdMs);
      this.#release();
    }
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    if (this.#queue.length >= this.maxQueue) return Promise.reject(new QueueFullError(this.limit, this.maxQueue));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // The slot is handed over by #release: the count does not drop and rise again.
        start: () => {
          signal?.removeEventListener('abort', waiter.onAbort);
          resolve();
        },
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) next.start();
    else this.#active--;
  }
}
