import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilter, FilterError } from './autotask-filter.js';

const contact = {
  id: 301,
  companyID: 250,
  firstName: 'Megan',
  lastName: 'Bowen',
  emailAddress: 'megan.bowen@contosodental.example',
  phone: '',
  isActive: 1,
  primaryContact: false,
  createDate: '2026-01-02T03:04:05.000',
  userDefinedFields: [{ name: 'Preferred Language', value: 'English' }],
};

const matches = (filter: unknown) => compileFilter('Contacts', filter)(contact);
const rejects = (filter: unknown, pattern: RegExp) =>
  assert.throws(
    () => compileFilter('Contacts', filter),
    (error: unknown) => error instanceof FilterError && pattern.test(error.message),
  );

describe('Autotask query filter', () => {
  it('compares with eq and noteq, strings case-insensitively, field names in any case', () => {
    assert.equal(matches([{ op: 'eq', field: 'LASTNAME', value: 'bowen' }]), true);
    assert.equal(matches([{ op: 'noteq', field: 'lastName', value: 'Bowen' }]), false);
    assert.equal(matches([{ op: 'eq', field: 'companyID', value: '250' }]), true, 'a numeric string is a number');
  });

  it('orders numbers and datetimes (written without Z, read as UTC)', () => {
    assert.equal(matches([{ op: 'gt', field: 'id', value: 300 }]), true);
    assert.equal(matches([{ op: 'lte', field: 'id', value: 300 }]), false);
    assert.equal(matches([{ op: 'gte', field: 'createDate', value: '2026-01-02T03:04:05' }]), true);
    assert.equal(matches([{ op: 'lt', field: 'createDate', value: '2026-01-02T03:04:05Z' }]), false);
  });

  it('supports contains, beginsWith and endsWith on text', () => {
    assert.equal(matches([{ op: 'contains', field: 'emailAddress', value: 'BOWEN@' }]), true);
    assert.equal(matches([{ op: 'beginsWith', field: 'firstName', value: 'meg' }]), true);
    assert.equal(matches([{ op: 'endsWith', field: 'emailAddress', value: '.example' }]), true);
    assert.equal(matches([{ op: 'contains', field: 'emailAddress', value: 'diego' }]), false);
  });

  it('supports in, notIn, exist and notExist', () => {
    assert.equal(matches([{ op: 'in', field: 'companyID', value: [251, 250] }]), true);
    assert.equal(matches([{ op: 'notIn', field: 'companyID', value: [250] }]), false);
    assert.equal(matches([{ op: 'exist', field: 'emailAddress' }]), true);
    assert.equal(matches([{ op: 'notExist', field: 'title' }]), true);
  });

  it('combines items: top level AND, nested and/or', () => {
    assert.equal(
      matches([
        { op: 'eq', field: 'isActive', value: 1 },
        {
          op: 'or',
          items: [
            { op: 'eq', field: 'lastName', value: 'Smith' },
            {
              op: 'and',
              items: [
                { op: 'eq', field: 'lastName', value: 'Bowen' },
                { op: 'eq', field: 'firstName', value: 'Megan' },
              ],
            },
          ],
        },
      ]),
      true,
    );
    assert.equal(
      matches([
        { op: 'eq', field: 'isActive', value: 1 },
        { op: 'eq', field: 'lastName', value: 'Smith' },
      ]),
      false,
    );
  });

  it('reads user-defined fields only with udf: true', () => {
    assert.equal(matches([{ op: 'eq', field: 'Preferred Language', udf: true, value: 'english' }]), true);
    rejects([{ op: 'eq', field: 'Preferred Language', value: 'English' }], /Unable to find Preferred Language in the Contacts entity/);
  });

  it('refuses what Autotask refuses', () => {
    rejects(undefined, /needs a filter/);
    rejects([], /needs a filter/);
    rejects([{ op: 'Eq', field: 'id', value: 1 }], /'Eq' is not a valid filter operator/);
    rejects([{ op: 'ne', field: 'id', value: 1 }], /'ne' is not a valid filter operator/);
    rejects([{ op: 'eq', field: 'nosuch', value: 1 }], /Unable to find nosuch/);
    rejects([{ op: 'eq', field: 'primaryContact', value: 'false' }], /not valid for the field 'primaryContact'/);
    rejects([{ op: 'eq', field: 'id', value: 'abc' }], /not valid for the field 'id'/);
    rejects([{ op: 'contains', field: 'companyID', value: '25' }], /only be used with text fields/);
    rejects([{ op: 'in', field: 'id', value: 301 }], /needs an array value/);
    rejects([{ op: 'or', items: [] }], /non-empty items array/);
    rejects([{ op: 'eq', field: 'id' }], /needs a value/);
  });
});
