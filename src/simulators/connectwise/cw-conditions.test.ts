import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConditionError, checkConditionTypes, evaluateConditions, type FieldType, parseConditions, readPath } from './cw-conditions.js';

const ticket = {
  id: 1001,
  summary: 'Megan locked out after password expiry',
  closedFlag: false,
  board: { id: 1, name: 'Help Desk' },
  status: { id: 11, name: 'New' },
  contact: null,
  _info: { lastUpdated: '2026-01-02T03:04:05Z' },
};

const types: Record<string, FieldType> = {
  id: 'number',
  summary: 'string',
  closedFlag: 'boolean',
  'board/id': 'number',
  'board/name': 'string',
  'status/name': 'string',
  lastUpdated: 'datetime',
  contact: 'object',
  'contact/id': 'number',
};

const matches = (conditions: string) => {
  const tree = parseConditions(conditions);
  checkConditionTypes(tree, (path) => types[path]);
  return evaluateConditions(tree, (path) => readPath(ticket, path));
};

const rejects = (conditions: string, pattern: RegExp) => {
  assert.throws(
    () => {
      const tree = parseConditions(conditions);
      checkConditionTypes(tree, (path) => types[path]);
    },
    (error: unknown) => error instanceof ConditionError && pattern.test(error.message),
  );
};

describe('ConnectWise conditions', () => {
  it('compares strings case-insensitively with both quote styles', () => {
    assert.equal(matches('board/name="help desk"'), true);
    assert.equal(matches("board/name='Help Desk'"), true);
    assert.equal(matches('board/name!="Help Desk"'), false);
  });

  it('supports numbers, booleans, null and the ordering operators', () => {
    assert.equal(matches('id=1001 and closedFlag=false'), true);
    assert.equal(matches('id > 1000 and id <= 1001 and id >= 1001 and id < 1002'), true);
    assert.equal(matches('contact/id = null'), true);
    assert.equal(matches('contact/id != null'), false);
  });

  it('supports contains, like with * and %, in, and not', () => {
    assert.equal(matches('summary contains "PASSWORD"'), true);
    assert.equal(matches('summary like "Megan*"'), true);
    assert.equal(matches("summary like '%expiry'"), true);
    assert.equal(matches('summary like "expiry"'), false);
    assert.equal(matches('summary not contains "printer"'), true);
    assert.equal(matches('board/id in (3,2,1)'), true);
    assert.equal(matches('board/id not in (3, 2)'), true);
    assert.equal(matches('status/name in ("New", "In Progress")'), true);
    assert.equal(matches('not (closedFlag = true)'), true);
  });

  it('compares datetimes in square brackets, reading lastUpdated from _info', () => {
    assert.equal(matches('lastUpdated > [2026-01-01T00:00:00Z]'), true);
    assert.equal(matches('lastUpdated < [2026-01-01T00:00:00Z]'), false);
  });

  it('gives and precedence over or, and honours parentheses', () => {
    assert.equal(matches('id=1 and id=2 or id=1001'), true);
    assert.equal(matches('id=1 and (id=2 or id=1001)'), false);
    assert.equal(matches('(id=1001 or id=2) AND closedFlag=false'), true);
  });

  it('rejects type mismatches with the real API wording', () => {
    rejects('closedFlag=1', /^Expected a boolean value, not a numeric\. String values should be enclosed with double or single quotes;/);
    rejects('id="1001"', /^Expected a numeric value, not a string\./);
    rejects('summary=42', /^Expected a string value, not a numeric\./);
    rejects('lastUpdated > "2026-01-01"', /^Expected a datetime value, not a string\./);
    rejects('id contains 1', /only applies to string fields/);
    rejects('closedFlag > false', /can only be compared with = or !=/);
  });

  it('rejects unknown fields and whole reference objects', () => {
    rejects('nosuchfield=1', /Unknown field 'nosuchfield'/);
    rejects('contact=1', /compare one of its members/);
  });

  it('rejects syntax errors', () => {
    rejects('summary="unterminated', /Unterminated string/);
    rejects('summary', /Expected an operator after 'summary'/);
    rejects('summary = Megan', /bare word 'Megan'/);
    rejects('(id=1', /Expected '\)'/);
    rejects('id=1 id=2', /Unexpected/);
    rejects('board/id in 1,2', /Expected '\(' after 'in'/);
    rejects('lastUpdated > [yesterday]', /not a valid datetime/);
    rejects('', /empty/);
    rejects('id == 1', /Expected a value/);
  });

  it('lets a value carry the other quote character', () => {
    const tree = parseConditions(`summary = 'say "hi"' or summary = "it's"`);
    assert.equal(tree.kind, 'or');
    if (tree.kind !== 'or' || tree.left.kind !== 'compare' || tree.right.kind !== 'compare') return;
    assert.deepEqual(tree.left.value, { type: 'string', value: 'say "hi"' });
    assert.deepEqual(tree.right.value, { type: 'string', value: "it's" });
  });

  it('matches any element when a path crosses an array', () => {
    const contact = { communicationItems: [{ value: 'a@x.example' }, { value: 'b@x.example' }] };
    const tree = parseConditions('communicationItems/value = "b@x.example"');
    const resolve = (path: string) => contact.communicationItems.map((item) => readPath(item, path.split('/').slice(1).join('/')));
    assert.equal(evaluateConditions(tree, resolve), true);
  });
});
