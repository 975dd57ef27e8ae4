import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advancedOperators,
  evaluateFilter,
  FilterSyntaxError,
  FilterUnsupportedError,
  parseFilter,
  referencedProperties,
} from './odata-filter.js';

const user = {
  mail: 'Megan@Contoso.example',
  accountEnabled: true,
  proxyAddresses: ['SMTP:megan@contoso.example', 'smtp:mb@contoso.example'],
};
const matches = (filter: string) => evaluateFilter(parseFilter(filter), user);

describe('odata-filter', () => {
  it('evaluates eq, ne, and, or, not and parentheses, case-insensitively', () => {
    assert.equal(matches("mail eq 'megan@contoso.example'"), true);
    assert.equal(matches("mail eq 'x' or accountEnabled eq true"), true);
    assert.equal(matches("mail eq 'x' or (accountEnabled eq true and mail ne 'megan@contoso.example')"), false);
    assert.equal(matches('not (accountEnabled eq false)'), true);
  });

  it('evaluates startswith, endswith and any() lambdas', () => {
    assert.equal(matches("startswith(mail,'MEG')"), true);
    assert.equal(matches("endswith(mail,'.example')"), true);
    assert.equal(matches("proxyAddresses/any(p:p eq 'smtp:mb@contoso.example')"), true);
    assert.equal(matches("proxyAddresses/any(p:startswith(p,'smtp:zz'))"), false);
  });

  it('reads doubled quotes as one quote and rejects an unbalanced one', () => {
    assert.equal(evaluateFilter(parseFilter("mail eq 'o''brien'"), { mail: "o'brien" }), true);
    assert.throws(() => parseFilter("mail eq 'x' or 1 eq 1 or mail eq 'y'"), FilterSyntaxError);
    assert.throws(() => parseFilter("mail eq 'unterminated"), FilterSyntaxError);
  });

  it('reports advanced operators, unsupported ones and referenced properties', () => {
    assert.deepEqual(advancedOperators(parseFilter("not (mail ne 'x') or endswith(mail,'y')")).sort(), ['endsWith', 'ne', 'not']);
    assert.deepEqual(advancedOperators(parseFilter("proxyAddresses/any(p:p eq 'x')")), []);
    assert.throws(() => parseFilter("mail gt 'a'"), FilterUnsupportedError);
    assert.deepEqual(referencedProperties(parseFilter("proxyAddresses/any(p:p eq 'x') or mail eq 'y'")), ['proxyAddresses', 'mail']);
  });
});
