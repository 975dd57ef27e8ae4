import { formatScheduledTime } from '../../lib/format-scheduled-time.js';

/** The status line of a run that waits for its time. */
export function ScheduledFor({ at, timeZone }: { at: string; timeZone: string }) {
  return <>Scheduled for {formatScheduledTime(at, timeZone)}; it runs then, even if the toolbox restarts meanwhile.</>;
}
