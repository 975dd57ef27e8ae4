/** Time source passed into everything that reads the time, so tests can move it. */
export type Clock = {
  now(): number;
};

export const systemClock: Clock = { now: () => Date.now() };

/** A clock a test can set and advance. */
export function createManualClock(start = Date.parse('2026-01-01T00:00:00Z')): Clock & {
  advance(ms: number): void;
  set(ms: number): void;
} {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}
