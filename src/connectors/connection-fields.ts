/**
 * How a connector's settings appear in the admin console: one entry per setting, in the order an
 * admin fills them in. The connector's zod schema still decides what is valid; this only says
 * how to ask for it. `secret` fields are write-only: the console never shows or returns them,
 * and an empty value on save keeps the stored one.
 */
export type ConnectionField = {
  /** The settings key, as in the configuration file. */
  name: string;
  label: string;
  /** One line under the field: where to find the value. */
  help?: string;
  secret?: boolean;
  /** Shown under "Advanced": has a sensible default. */
  advanced?: boolean;
  placeholder?: string;
  /**
   * Numbers are sent as numbers in the API; `multiline` is a text area (PEM certificates and keys);
   * `select` offers `options` (a value outside them is refused).
   */
  type?: 'text' | 'url' | 'number' | 'multiline' | 'select';
  /** The choices of a `select`, in order. */
  options?: ConnectionFieldOption[];
  /**
   * Asked only when another field of the same connection has a value (any value, or one of
   * `values`), e.g. a tenant name only for a hosted instance. The console hides it otherwise, and
   * a value sent for it while the condition does not hold is dropped, not saved.
   */
  showWhen?: ConnectionFieldCondition;
  /**
   * Fields that are alternatives to each other (a client secret, or a certificate and its key)
   * share a group: saving a new secret of the group drops the stored secrets of the others, so an
   * admin can switch from one credential to the other without deleting the connection.
   */
  group?: string;
};

export type ConnectionFieldOption = { value: string; label: string };

export type ConnectionFieldCondition = {
  /** The other field's name. */
  field: string;
  /** The values that show this field; left out, any non-empty value does. */
  values?: string[];
};

/** Whether a field is asked for, given the values entered so far (see `showWhen`). */
export function connectionFieldShown(field: ConnectionField, values: Record<string, unknown>): boolean {
  if (!field.showWhen) return true;
  const other = values[field.showWhen.field];
  const text = other === undefined || other === null ? '' : String(other).trim();
  if (text === '') return false;
  return field.showWhen.values ? field.showWhen.values.includes(text) : true;
}
