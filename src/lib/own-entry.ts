/**
 * `record[key]` for a key that came from outside (a URL, a form, a file): only the record's own
 * entries, never what every object inherits (`constructor`, `toString`, `__proto__`), which would
 * otherwise be found and called as if it were a form, a search or a connector.
 */
export function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}
