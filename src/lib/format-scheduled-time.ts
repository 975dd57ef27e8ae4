/**
 * A scheduled instant as the technician entered it: "Tue 8 Dec 2026, 18:00 in Europe/Paris
 * (17:00 UTC)". The zone's own wall clock comes first, because that is what was typed and what the
 * customer means; UTC follows for whoever reads the log.
 */
export function formatScheduledTime(iso: string, timeZone: string): string {
  const instant = new Date(iso);
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
  const utc = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  return timeZone === 'UTC' ? `${local} UTC` : `${local} in ${timeZone} (${utc} UTC)`;
}
