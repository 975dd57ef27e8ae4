import { type AutotaskFieldDef, type EntityName, findField } from './autotask-entity-info.js';

/**
 * The query filter of the Autotask REST API (reference §6): a JSON array of
 * `{op, field, value, udf, items}` objects, implicitly AND-ed. Operators are case-sensitive
 * (`noteq`, not `ne`), field names are not, strings compare case-insensitively (SQL Server's
 * default collation), user-defined fields need `udf: true`, and booleans must be JSON booleans.
 * Everything that is wrong is refused with a message, which the simulator answers as HTTP 500
 * (Autotask's validation status, reference §8).
 */
export type FilterNode = { op?: unknown; field?: unknown; value?: unknown; udf?: unknown; items?: unknown };

export class FilterError extends Error {}

export type Predicate = (record: Record<string, unknown>) => boolean;

const COMPARISON = new Set(['eq', 'noteq', 'gt', 'gte', 'lt', 'lte']);
const STRING_OPS = new Set(['beginsWith', 'endsWith', 'contains']);
const PRESENCE = new Set(['exist', 'notExist']);
const SETS = new Set(['in', 'notIn']);
const LOGIC = new Set(['and', 'or']);

type Kind = 'number' | 'string' | 'boolean' | 'datetime';

const kindOf = (field: AutotaskFieldDef): Kind => {
  switch (field.dataType) {
    case 'integer':
    case 'long':
    case 'short':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'datetime';
    default:
      return 'string';
  }
};

/** Autotask writes datetimes without a zone; they are UTC (reference §6). */
export function parseAutotaskDate(text: string): number {
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`;
  return Date.parse(withZone);
}

type Comparable = number | string | boolean | null;

function coerce(kind: Kind, raw: unknown, fieldName: string): Comparable {
  if (raw === null) return null;
  const refuse = () => new FilterError(`The value ${JSON.stringify(raw)} is not valid for the field '${fieldName}'.`);
  switch (kind) {
    case 'number': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value)) throw refuse();
      return value;
    }
    case 'boolean':
      // Booleans must be true or false (reference §6); "true", 1 and 0 are refused.
      if (typeof raw !== 'boolean') throw refuse();
      return raw;
    case 'datetime': {
      if (typeof raw !== 'string') throw refuse();
      const ms = parseAutotaskDate(raw);
      if (Number.isNaN(ms)) throw refuse();
      return ms;
    }
    default:
      if (typeof raw !== 'string' && typeof raw !== 'number') throw refuse();
      return String(raw).toLowerCase();
  }
}

function readValue(kind: Kind, record: Record<string, unknown>, field: AutotaskFieldDef | { udf: string }): Comparable {
  let raw: unknown;
  if ('udf' in field) {
    const udfs = Array.isArray(record.userDefinedFields) ? (record.userDefinedFields as { name?: unknown; value?: unknown }[]) : [];
    raw = udfs.find((u) => typeof u?.name === 'string' && u.name.toLowerCase() === field.udf.toLowerCase())?.value ?? null;
  } else {
    raw = record[field.name] ?? null;
  }
  if (raw === null || raw === undefined || raw === '') return kind === 'string' && raw === '' ? '' : null;
  if (kind === 'datetime') return typeof raw === 'string' ? parseAutotaskDate(raw) : null;
  if (kind === 'string') return String(raw).toLowerCase();
  if (kind === 'number') return typeof raw === 'number' ? raw : Number(raw);
  return raw as boolean;
}

function compileNode(entity: EntityName, node: unknown, depth: number): Predicate {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new FilterError('Each filter item must be an object.');
  if (depth > 10) throw new FilterError('The filter is nested too deeply.');
  const { op, field, value, udf, items } = node as FilterNode;
  if (typeof op !== 'string') throw new FilterError('Each filter item needs an op.');

  if (LOGIC.has(op)) {
    if (!Array.isArray(items) || items.length === 0) throw new FilterError(`The '${op}' operator needs a non-empty items array.`);
    const parts = items.map((item) => compileNode(entity, item, depth + 1));
    return op === 'and' ? (record) => parts.every((p) => p(record)) : (record) => parts.some((p) => p(record));
  }
  if (!COMPARISON.has(op) && !STRING_OPS.has(op) && !PRESENCE.has(op) && !SETS.has(op)) {
    // Case matters: `Eq`, `ne` and `notequal` are all unknown (reference §6).
    throw new FilterError(`'${op}' is not a valid filter operator.`);
  }
  if (typeof field !== 'string' || field.trim() === '') throw new FilterError(`The '${op}' operator needs a field.`);

  let target: AutotaskFieldDef | { udf: string };
  let kind: Kind;
  if (udf === true) {
    target = { udf: field };
    kind = 'string';
  } else {
    const def = findField(entity, field);
    if (!def) throw new FilterError(`Unable to find ${field} in the ${entity} entity.`);
    target = def;
    kind = kindOf(def);
  }
  const name = 'udf' in target ? target.udf : target.name;

  if (PRESENCE.has(op)) {
    const wanted = op === 'exist';
    return (record) => (readValue(kind, record, target) !== null) === wanted;
  }
  if (SETS.has(op)) {
    if (!Array.isArray(value)) throw new FilterError(`The '${op}' operator needs an array value for the field '${name}'.`);
    const set = new Set(value.map((v) => coerce(kind, v, name)));
    const inverted = op === 'notIn';
    return (record) => set.has(readValue(kind, record, target)) !== inverted;
  }
  if (STRING_OPS.has(op)) {
    if (kind !== 'string') throw new FilterError(`The '${op}' operator can only be used with text fields, not '${name}'.`);
    const wanted = coerce(kind, value, name);
    if (typeof wanted !== 'string') throw new FilterError(`The '${op}' operator needs a text value for the field '${name}'.`);
    return (record) => {
      const actual = readValue(kind, record, target);
      if (typeof actual !== 'string') return false;
      if (op === 'contains') return actual.includes(wanted);
      return op === 'beginsWith' ? actual.startsWith(wanted) : actual.endsWith(wanted);
    };
  }
  if (value === undefined) throw new FilterError(`The '${op}' operator needs a value for the field '${name}'.`);
  const wanted = coerce(kind, value, name);
  return (record) => {
    const actual = readValue(kind, record, target);
    if (op === 'eq') return actual === wanted;
    if (op === 'noteq') return actual !== wanted;
    if (actual === null || wanted === null) return false;
    if (op === 'gt') return actual > wanted;
    if (op === 'gte') return actual >= wanted;
    if (op === 'lt') return actual < wanted;
    return actual <= wanted;
  };
}

/**
 * The predicate for a query's `filter`. A missing or empty filter is refused: Autotask has no
 * "everything" query, so clients send `{"op":"gte","field":"id","value":0}` (reference §6).
 */
export function compileFilter(entity: EntityName, filter: unknown): Predicate {
  if (!Array.isArray(filter) || filter.length === 0) {
    throw new FilterError('A query needs a filter. To match every record, filter on id: {"op":"gte","field":"id","value":0}.');
  }
  const parts = filter.map((node) => compileNode(entity, node, 0));
  return (record) => parts.every((p) => p(record));
}
