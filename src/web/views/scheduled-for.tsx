import { isTimeZone } from '../../lib/zoned-time.js';

/**
 * "Sat 9 Jan 2027, 18:00 Europe/Paris time (17:00 UTC)": a scheduled run's time on the wall clock
 * of the zone the technician entered it in, which is the one they think in; UTC second, for logs
 * and colleagues elsewhere. A zone this runtime does not know falls back to UTC alone.
 */
export function scheduledTimeText(at: string, timeZone: string): string {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) return at;
  const utc = `${at.slice(0, 16).replace('T', ' ')} UTC`;
  if (!isTimeZone(timeZone) || timeZone === 'UTC') return utc;
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
  return `${local.replace(/^(\w+),/, '$1')} ${timeZone} time (${utc})`;
}

/** The status line of a run that waits for its time. */
export function ScheduledFor({ at, timeZone }: { at: string; timeZone: string }) {
  return <>Scheduled for {scheduledTimeText(at, timeZone)}; it runs then, even if the toolbox restarts meanwhile.</>;
}
