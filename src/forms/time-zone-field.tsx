import type { FormValues } from './types.js';

/** Used when neither the technician nor the customer's form defaults (`timeZone`) name a zone. */
export const DEFAULT_TIME_ZONE = 'UTC';

/**
 * The IANA zones this runtime knows, plus UTC (which Intl lists only under Etc/): what the picker
 * offers and what the server accepts.
 */
const TIME_ZONES: readonly string[] = [...new Set([DEFAULT_TIME_ZONE, ...Intl.supportedValuesOf('timeZone')])];
const BY_LOWER = new Map(TIME_ZONES.map((zone) => [zone.toLowerCase(), zone]));

/**
 * A typed time zone as its IANA name ("europe/london" → "Europe/London", an old alias such as
 * Asia/Calcutta → the name Intl resolves it to), or null when it is not one. Offsets ("+01:00") and
 * abbreviations ("CET") are refused: a zone with daylight saving is what a start date needs.
 */
export function timeZoneFrom(typed: string): string | null {
  const name = typed.trim();
  if (!name || name.length > 64) return null;
  const listed = BY_LOWER.get(name.toLowerCase());
  if (listed) return listed;
  // An alias is Area/Location too; Intl would also map "CET" or "EST" to some city, silently.
  if (!name.includes('/')) return null;
  try {
    return BY_LOWER.get(new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone.toLowerCase()) ?? null;
  } catch {
    return null;
  }
}

/** The message for a typed zone that is not one, shown next to the field. */
export const notATimeZone = (typed: string) =>
  typed.trim() ? `"${typed.trim()}" is not a time zone: pick one from the list, e.g. Europe/London.` : 'Choose the time zone.';

/**
 * A searchable time-zone picker that works without JavaScript: a text field with the IANA zones as
 * its suggestions (the browser filters them as you type, "London" finds Europe/London), checked on
 * the server. One list per page, however many pickers.
 */
export function TimeZoneField(props: { values: FormValues; field?: string }) {
  const field = props.field ?? 'time_zone';
  return (
    <div class="field time-zone-field">
      <label for={field}>Time zone</label>
      <input
        type="text"
        id={field}
        name={field}
        list="time-zone-list"
        value={props.values[field] || DEFAULT_TIME_ZONE}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={`${field}-hint`}
      />
      <small class="hint" id={`${field}-hint`}>
        Type a city or region, e.g. London or America/New_York.
      </small>
      <datalist id="time-zone-list">
        {TIME_ZONES.map((zone) => (
          <option value={zone} />
        ))}
      </datalist>
    </div>
  );
}
