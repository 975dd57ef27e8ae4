import { isTimeZone } from './zoned-time.js';

/**
 * "Sat 9 Jan 2027, 18:00 Europe/Paris time (2027-01-09 17:00 UTC)": a scheduled run's time on the
 * wall clock of the zone the technician entered it in, which is the one they think in; UTC second,
 * for logs and colleagues elsewhere. A zone this runtime does not know falls back to UTC alone.
 */
export function formatScheduledTime(at: string, timeZone: string): string {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) return at;
  const utc = `${instant.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
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
