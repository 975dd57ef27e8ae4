/**
 * The ConnectWise `conditions` / `childConditions` language, as the simulator understands it
 * (reference §6): `=  !=  <  <=  >  >=  contains  like  in  not`, `and` / `or` with parentheses,
 * strings in double or single quotes, `[datetime]`, bare numbers, `true` / `false` / `null`, and
 * `/` reference paths such as `board/name`.
 *
 * Parsing and type checking are separate steps so the simulator can reject a malformed or
 * mistyped condition with a 400 even when the collection is empty, as the real server does
 * (it checks against its model, not against the rows).
 */

export type ConditionLiteral =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'datetime'; value: number; raw: string };

export type CompareOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'like';

export type ConditionNode =
  | { kind: 'and'; left: ConditionNode; right: ConditionNode }
  | { kind: 'or'; left: ConditionNode; right: ConditionNode }
  | { kind: 'not'; expr: ConditionNode }
  | { kind: 'compare'; field: string; op: CompareOperator; negated: boolean; value: ConditionLiteral }
  | { kind: 'in'; field: string; negated: boolean; values: ConditionLiteral[] };

/** A condition the server would answer with 400. `message` is what goes into the error body. */
export class ConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

type Token =
  | { t: 'lparen' | 'rparen' | 'comma'; pos: number }
  | { t: 'op'; value: '=' | '!=' | '<' | '<=' | '>' | '>='; pos: number }
  | { t: 'word'; value: string; pos: number }
  | { t: 'string'; value: string; pos: number }
  | { t: 'number'; value: number; pos: number }
  | { t: 'datetime'; value: number; raw: string; pos: number };

// What the real API appends to every type-mismatch message (cw-rest README quotes its start).
const LITERAL_RULES =
  'String values should be enclosed with double or single quotes; DateTime values should be enclosed in square brackets; ' +
  'numbers should consist of only digits, and optionally a decimal point and a negation sign; boolean values should be ' +
  'indicated with the keywords true or false; null values should be indicated by the keyword null.';

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', pos });
      i++;
      continue;
    }
    if (c === '!' || c === '<' || c === '>' || c === '=') {
      const two = text.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        tokens.push({ t: 'op', value: two, pos });
        i += 2;
        continue;
      }
      if (c === '!') throw new ConditionError(`Unexpected character '!' at position ${pos}.`);
      tokens.push({ t: 'op', value: c as '<' | '>' | '=', pos });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      // No escape sequence inside a string: the other quote style is how a value carries a quote.
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new ConditionError(`Unterminated string starting at position ${pos}.`);
      tokens.push({ t: 'string', value: text.slice(i + 1, end), pos });
      i = end + 1;
      continue;
    }
    if (c === '[') {
      const end = text.indexOf(']', i + 1);
      if (end < 0) throw new ConditionError(`Unterminated datetime starting at position ${pos}.`);
      const raw = text.slice(i + 1, end).trim();
      const value = Date.parse(raw);
      if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(value)) throw new ConditionError(`'${raw}' is not a valid datetime.`);
      tokens.push({ t: 'datetime', value, raw, pos });
      i = end + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?(?![A-Za-z_/])/.exec(text.slice(i));
    if (number) {
      tokens.push({ t: 'number', value: Number(number[0]), pos });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_/]*/.exec(text.slice(i));
    if (word) {
      tokens.push({ t: 'word', value: word[0], pos });
      i += word[0].length;
      continue;
    }
    throw new ConditionError(`Unexpected character '${c}' at position ${pos}.`);
  }
  return tokens;
}

const isKeyword = (token: Token | undefined, keyword: string): boolean => token?.t === 'word' && token.value.toLowerCase() === keyword;

/** Parses a `conditions` string into a tree; throws ConditionError on a syntax error. */
export function parseConditions(text: string): ConditionNode {
  const tokens = tokenize(text);
  let index = 0;
  const peek = () => tokens[index];
  const describe = (token: Token | undefined) =>
    token === undefined
      ? 'the end of the conditions'
      : `'${text.slice(token.pos, token.pos + 20).split(/\s/)[0]}' at position ${token.pos}`;

  const parseOr = (): ConditionNode => {
    let left = parseAnd();
    while (isKeyword(peek(), 'or')) {
      index++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): ConditionNode => {
    let left = parseUnary();
    while (isKeyword(peek(), 'and')) {
      index++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): ConditionNode => {
    const token = peek();
    if (isKeyword(token, 'not')) {
      index++;
      return { kind: 'not', expr: parseUnary() };
    }
    if (token?.t === 'lparen') {
      index++;
      const inner = parseOr();
      if (peek()?.t !== 'rparen') throw new ConditionError(`Expected ')' but found ${describe(peek())}.`);
      index++;
      return inner;
    }
    return parseComparison();
  };
  const parseLiteral = (): ConditionLiteral => {
    const token = peek();
    index++;
    if (token?.t === 'string') return { type: 'string', value: token.value };
    if (token?.t === 'number') return { type: 'number', value: token.value };
    if (token?.t === 'datetime') return { type: 'datetime', value: token.value, raw: token.raw };
    if (isKeyword(token, 'true')) return { type: 'boolean', value: true };
    if (isKeyword(token, 'false')) return { type: 'boolean', value: false };
    if (isKeyword(token, 'null')) return { type: 'null' };
    if (token?.t === 'word') {
      // A bare word where a value belongs is the classic unquoted string.
      throw new ConditionError(`Expected a value, not the bare word '${token.value}'. ${LITERAL_RULES}`);
    }
    throw new ConditionError(`Expected a value but found ${describe(token)}.`);
  };
  const parseComparison = (): ConditionNode => {
    const fieldToken = peek();
    if (fieldToken?.t !== 'word' || ['and', 'or', 'not', 'in', 'like', 'contains'].includes(fieldToken.value.toLowerCase())) {
      throw new ConditionError(`Expected a field name but found ${describe(fieldToken)}.`);
    }
    index++;
    const field = fieldToken.value;
    let negated = false;
    if (isKeyword(peek(), 'not')) {
      negated = true;
      index++;
    }
    const opToken = peek();
    if (isKeyword(opToken, 'in')) {
      index++;
      if (peek()?.t !== 'lparen') throw new ConditionError(`Expected '(' after 'in' but found ${describe(peek())}.`);
      index++;
      const values = [parseLiteral()];
      while (peek()?.t === 'comma') {
        index++;
        values.push(parseLiteral());
      }
      if (peek()?.t !== 'rparen') throw new ConditionError(`Expected ')' to close the 'in' list but found ${describe(peek())}.`);
      index++;
      return { kind: 'in', field, negated, values };
    }
    if (isKeyword(opToken, 'contains') || isKeyword(opToken, 'like')) {
      index++;
      const op = (opToken as { value: string }).value.toLowerCase() as 'contains' | 'like';
      return { kind: 'compare', field, op, negated, value: parseLiteral() };
    }
    if (opToken?.t === 'op' && !negated) {
      index++;
      return { kind: 'compare', field, op: opToken.value, negated: false, value: parseLiteral() };
    }
    throw new ConditionError(`Expected an operator after '${field}' but found ${describe(opToken)}.`);
  };

  if (tokens.length === 0) throw new ConditionError('The conditions are empty.');
  const tree = parseOr();
  if (index < tokens.length) throw new ConditionError(`Unexpected ${describe(peek())}.`);
  return tree;
}

/** The type of a field in the model: what a literal compared with it must be. */
export type FieldType = 'string' | 'number' | 'boolean' | 'datetime' | 'object' | 'array' | 'any';

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Reads a `/` path from a record; falls back to `_info/…`, which is where CW keeps `lastUpdated`. */
export function readPath(record: unknown, path: string): unknown {
  const walk = (start: unknown, segments: string[]): unknown => {
    let current: unknown = start;
    for (const segment of segments) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    return current;
  };
  const segments = path.split('/');
  const direct = walk(record, segments);
  if (direct !== undefined) return direct;
  return walk(record, ['_info', ...segments]);
}

/** The type of a JSON value as the condition checker sees it; undefined for null/absent. */
export function valueType(value: unknown): FieldType | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return ISO_DATETIME.test(value) ? 'datetime' : 'string';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

const LITERAL_NAME: Record<ConditionLiteral['type'], string> = {
  string: 'string',
  number: 'numeric',
  boolean: 'boolean',
  null: 'null',
  datetime: 'datetime',
};
const FIELD_NAME: Record<FieldType, string> = {
  string: 'string',
  number: 'numeric',
  boolean: 'boolean',
  datetime: 'datetime',
  object: 'reference',
  array: 'list',
  any: 'any',
};

/**
 * Checks every comparison against the model. `typeOf` returns a field's type, or undefined for a
 * field the model does not have. Throws ConditionError with the real API's wording on a mismatch.
 */
export function checkConditionTypes(node: ConditionNode, typeOf: (path: string) => FieldType | undefined): void {
  if (node.kind === 'and' || node.kind === 'or') {
    checkConditionTypes(node.left, typeOf);
    checkConditionTypes(node.right, typeOf);
    return;
  }
  if (node.kind === 'not') {
    checkConditionTypes(node.expr, typeOf);
    return;
  }
  const fieldType = typeOf(node.field);
  if (fieldType === undefined) throw new ConditionError(`Unknown field '${node.field}' in conditions.`);
  if (fieldType === 'object' || fieldType === 'array') {
    throw new ConditionError(
      `'${node.field}' is a ${FIELD_NAME[fieldType]} field; compare one of its members instead, e.g. '${node.field}/id'.`,
    );
  }
  const literals = node.kind === 'in' ? node.values : [node.value];
  for (const literal of literals) {
    if (literal.type === 'null') {
      if (node.kind === 'compare' && node.op !== '=' && node.op !== '!=') {
        throw new ConditionError(`null can only be compared with = or !=, not with '${node.op}'.`);
      }
      continue;
    }
    if (fieldType === 'any') continue;
    if (literal.type !== fieldType) {
      throw new ConditionError(`Expected a ${FIELD_NAME[fieldType]} value, not a ${LITERAL_NAME[literal.type]}. ${LITERAL_RULES}`);
    }
  }
  if (node.kind === 'compare') {
    if ((node.op === 'contains' || node.op === 'like') && fieldType !== 'string') {
      throw new ConditionError(`'${node.op}' only applies to string fields; '${node.field}' is ${FIELD_NAME[fieldType]}.`);
    }
    if (fieldType === 'boolean' && node.op !== '=' && node.op !== '!=') {
      throw new ConditionError(`Boolean field '${node.field}' can only be compared with = or !=.`);
    }
  }
}

function comparable(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return ISO_DATETIME.test(value) ? Date.parse(value) : value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}

function literalValue(literal: ConditionLiteral): string | number | boolean | null {
  if (literal.type === 'null') return null;
  if (literal.type === 'string') return literal.value.toLowerCase();
  return literal.value;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .split('')
    .map((c) => (c === '*' || c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

function compareOne(actual: unknown, op: CompareOperator, literal: ConditionLiteral): boolean {
  const a = comparable(actual);
  const b = literalValue(literal);
  // Strings compare case-insensitively: ConnectWise runs on SQL Server's default collation.
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case 'contains':
      return typeof a === 'string' && typeof b === 'string' && a.includes(b);
    case 'like':
      return typeof a === 'string' && typeof b === 'string' && likeToRegExp(b).test(a);
    default: {
      if (a === null || b === null) return false;
      if (op === '<') return a < b;
      if (op === '<=') return a <= b;
      if (op === '>') return a > b;
      return a >= b;
    }
  }
}

/**
 * Evaluates a parsed condition against one record. `resolve` reads a path; when a path crosses an
 * array the values come back as an array and a comparison holds if any element matches.
 */
export function evaluateConditions(node: ConditionNode, resolve: (path: string) => unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateConditions(node.left, resolve) && evaluateConditions(node.right, resolve);
    case 'or':
      return evaluateConditions(node.left, resolve) || evaluateConditions(node.right, resolve);
    case 'not':
      return !evaluateConditions(node.expr, resolve);
    case 'in': {
      const actual = resolve(node.field);
      const values = Array.isArray(actual) ? actual : [actual];
      const hit = values.some((value) => node.values.some((literal) => compareOne(value, '=', literal)));
      return node.negated ? !hit : hit;
    }
    case 'compare': {
      const actual = resolve(node.field);
      const values = Array.isArray(actual) ? actual : [actual];
      const hit = values.some((value) => compareOne(value, node.op, node.value));
      return node.negated ? !hit : hit;
    }
  }
}
