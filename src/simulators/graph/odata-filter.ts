/**
 * The subset of OData `$filter` the simulator understands, parsed properly rather than matched
 * with regular expressions, so that a connector that forgets to escape a quote gets the same kind
 * of failure (or the same wrong result) it would get from Graph instead of a lucky match.
 *
 * Supported: `eq`, `ne`, `and`, `or`, `not`, parentheses, `startswith(p,'x')`, `endswith(p,'x')`,
 * `coll/any(x:x eq 'v')` and `coll/any(x:startswith(x,'v'))`; literals: strings, true, false, null.
 * String comparisons are case-insensitive, as Graph does for directory objects.
 */
export type Operand = { kind: 'property'; path: string } | { kind: 'literal'; value: string | boolean | null };

export type FilterExpression =
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; expression: FilterExpression }
  | { kind: 'compare'; operator: 'eq' | 'ne'; left: Operand; right: Operand }
  | { kind: 'function'; name: 'startswith' | 'endswith'; subject: Operand; value: Operand }
  | { kind: 'any'; collection: string; variable: string; body: FilterExpression };

export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

/** Thrown for valid OData that Graph does not support on this resource. */
export class FilterUnsupportedError extends Error {
  override readonly name = 'FilterUnsupportedError';
}

type Token = { type: 'string'; value: string } | { type: 'word'; value: string } | { type: 'punct'; value: '(' | ')' | ',' | ':' | '/' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError(`Unterminated string literal at position ${i}`);
        const c = input[i] as string;
        if (c === "'") {
          // '' inside a literal is one quote; a single ' ends it.
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      tokens.push({ type: 'string', value });
    } else if (ch === '(' || ch === ')' || ch === ',' || ch === ':' || ch === '/') {
      tokens.push({ type: 'punct', value: ch });
      i++;
    } else if (/[A-Za-z0-9_.@-]/.test(ch)) {
      let value = '';
      while (i < input.length && /[A-Za-z0-9_.@-]/.test(input[i] as string)) value += input[i++];
      tokens.push({ type: 'word', value });
    } else {
      throw new FilterSyntaxError(`Syntax error: character '${ch}' is not valid at position ${i} in '${input}'.`);
    }
  }
  return tokens;
}

export function parseFilter(input: string): FilterExpression {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (value: string) => {
    const t = peek();
    return t?.type === 'word' && t.value.toLowerCase() === value;
  };
  const expectPunct = (value: string) => {
    const t = tokens[pos++];
    if (t?.type !== 'punct' || t.value !== value) throw new FilterSyntaxError(`Syntax error: expected '${value}' in '${input}'.`);
  };

  const parseOr = (): FilterExpression => {
    let left = parseAnd();
    while (isWord('or')) {
      pos++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterExpression => {
    let left = parseUnary();
    while (isWord('and')) {
      pos++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterExpression => {
    if (isWord('not')) {
      pos++;
      return { kind: 'not', expression: parseUnary() };
    }
    return parsePrimary();
  };
  const parseOperand = (): Operand => {
    const t = tokens[pos++];
    if (!t) throw new FilterSyntaxError(`Syntax error: unexpected end of '${input}'.`);
    if (t.type === 'string') return { kind: 'literal', value: t.value };
    if (t.type === 'word') {
      const lower = t.value.toLowerCase();
      if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
      if (lower === 'null') return { kind: 'literal', value: null };
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.value)) return { kind: 'property', path: t.value };
    }
    throw new FilterSyntaxError(`Syntax error at '${t.value}' in '${input}'.`);
  };
  const parsePrimary = (): FilterExpression => {
    const t = peek();
    if (!t) throw new FilterSyntaxError(`Syntax error: unexpected end of '${input}'.`);
    if (t.type === 'punct' && t.value === '(') {
      pos++;
      const inner = parseOr();
      expectPunct(')');
      return inner;
    }
    if (t.type === 'word' && tokens[pos + 1]?.type === 'punct' && tokens[pos + 1]?.value === '(') {
      const name = t.value.toLowerCase();
      if (name !== 'startswith' && name !== 'endswith') throw new FilterUnsupportedError(`Unsupported function '${t.value}'.`);
      pos += 2;
      const subject = parseOperand();
      expectPunct(',');
      const value = parseOperand();
      expectPunct(')');
      return { kind: 'function', name, subject, value };
    }
    if (t.type === 'word' && tokens[pos + 1]?.type === 'punct' && tokens[pos + 1]?.value === '/') {
      const collection = t.value;
      const lambda = tokens[pos + 2];
      if (lambda?.type !== 'word' || !['any', 'all'].includes(lambda.value.toLowerCase())) {
        throw new FilterSyntaxError(`Syntax error after '${collection}/' in '${input}'.`);
      }
      if (lambda.value.toLowerCase() === 'all') throw new FilterUnsupportedError(`Unsupported lambda 'all' on '${collection}'.`);
      pos += 3;
      expectPunct('(');
      const variable = tokens[pos++];
      if (variable?.type !== 'word') throw new FilterSyntaxError(`Syntax error: lambda variable expected in '${input}'.`);
      expectPunct(':');
      const body = parseOr();
      expectPunct(')');
      return { kind: 'any', collection, variable: variable.value, body };
    }
    const left = parseOperand();
    const op = tokens[pos++];
    if (op?.type !== 'word') throw new FilterSyntaxError(`Syntax error: operator expected in '${input}'.`);
    const operator = op.value.toLowerCase();
    if (operator !== 'eq' && operator !== 'ne') {
      if (['gt', 'ge', 'lt', 'le', 'in', 'has'].includes(operator)) throw new FilterUnsupportedError(`Unsupported operator '${op.value}'.`);
      throw new FilterSyntaxError(`Syntax error at '${op.value}' in '${input}'.`);
    }
    return { kind: 'compare', operator, left, right: parseOperand() };
  };

  const expression = parseOr();
  if (pos !== tokens.length) throw new FilterSyntaxError(`Syntax error: unexpected '${tokens[pos]?.value}' in '${input}'.`);
  return expression;
}

/** Operators Graph only accepts as "advanced queries" (ConsistencyLevel: eventual + $count=true). */
export function advancedOperators(expression: FilterExpression): string[] {
  const found = new Set<string>();
  const visit = (e: FilterExpression) => {
    switch (e.kind) {
      case 'and':
      case 'or':
        visit(e.left);
        visit(e.right);
        break;
      case 'not':
        found.add('not');
        visit(e.expression);
        break;
      case 'compare':
        if (e.operator === 'ne') found.add('ne');
        break;
      case 'function':
        if (e.name === 'endswith') found.add('endsWith');
        break;
      case 'any':
        visit(e.body);
        break;
    }
  };
  visit(expression);
  return [...found];
}

/** Property names used, to reject unknown ones like Graph does. Lambda variables are excluded. */
export function referencedProperties(expression: FilterExpression, variables: string[] = []): string[] {
  const operand = (o: Operand) => (o.kind === 'property' && !variables.includes(o.path) ? [o.path] : []);
  switch (expression.kind) {
    case 'and':
    case 'or':
      return [...referencedProperties(expression.left, variables), ...referencedProperties(expression.right, variables)];
    case 'not':
      return referencedProperties(expression.expression, variables);
    case 'compare':
      return [...operand(expression.left), ...operand(expression.right)];
    case 'function':
      return [...operand(expression.subject), ...operand(expression.value)];
    case 'any':
      return [expression.collection, ...referencedProperties(expression.body, [...variables, expression.variable])];
  }
}

type Scope = Record<string, unknown>;

export function evaluateFilter(expression: FilterExpression, record: Scope): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluateFilter(expression.left, record) && evaluateFilter(expression.right, record);
    case 'or':
      return evaluateFilter(expression.left, record) || evaluateFilter(expression.right, record);
    case 'not':
      return !evaluateFilter(expression.expression, record);
    case 'compare': {
      const equal = sameValue(resolve(expression.left, record), resolve(expression.right, record));
      return expression.operator === 'eq' ? equal : !equal;
    }
    case 'function': {
      const subject = resolve(expression.subject, record);
      const value = resolve(expression.value, record);
      if (typeof subject !== 'string' || typeof value !== 'string') return false;
      const s = subject.toLowerCase();
      const v = value.toLowerCase();
      return expression.name === 'startswith' ? s.startsWith(v) : s.endsWith(v);
    }
    case 'any': {
      const items = record[expression.collection];
      if (!Array.isArray(items)) return false;
      return items.some((item) => evaluateFilter(expression.body, { ...record, [expression.variable]: item }));
    }
  }
}

function resolve(operand: Operand, record: Scope): unknown {
  return operand.kind === 'literal' ? operand.value : (record[operand.path] ?? null);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}
