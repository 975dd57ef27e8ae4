/**
 * Converts a wall-clock time in an IANA time zone ("2026-12-01T17:00" in "Europe/London") to the
 * UTC instant, with Intl only. A time that does not exist (skipped by a DST jump) moves forward, as
 * clocks do; one that happens twice is the earlier.
 */
export function zonedTimeToUtc(local: string, timeZone: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const wallAsUtc = Date.UTC(y, mo - 1, d, h, mi);
  // Date.UTC rolls 2026-02-30 over into March: a date that does not round-trip does not exist.
  const check = new Date(wallAsUtc);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return null;
  // The zone's offset a day either side covers any one transition; a candidate is right when the
  // zone shows the asked wall time at it. Both right (an hour that happens twice): the earlier.
  // Neither (an hour skipped): the offset from before the jump, which moves the time forward.
  const before = wallAsUtc - offsetMs(wallAsUtc - 86_400_000, timeZone);
  const after = wallAsUtc - offsetMs(wallAsUtc + 86_400_000, timeZone);
  const valid = [before, after].filter((instant) => instant + offsetMs(instant, timeZone) === wallAsUtc);
  return valid.length > 0 ? Math.min(...valid) : before;
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
export function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
