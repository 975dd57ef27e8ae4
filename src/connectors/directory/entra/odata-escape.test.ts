import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeODataString, odataString } from './odata-escape.js';

describe('odata-escape', () => {
  it('leaves ordinary values alone', () => {
    assert.equal(escapeODataString('megan.bowen@contoso.example'), 'megan.bowen@contoso.example');
    assert.equal(odataString('Megan Bowen'), "'Megan Bowen'");
  });

  it('doubles single quotes', () => {
    assert.equal(escapeODataString("o'brien@example.com"), "o''brien@example.com");
    assert.equal(odataString("''"), "''''''");
  });

  it('keeps an injection attempt inside one literal', () => {
    const literal = odataString("x' or 1 eq 1 or mail eq 'y");
    assert.equal(literal, "'x'' or 1 eq 1 or mail eq ''y'");
    // Every quote inside is doubled, so the literal has exactly one opening and one closing quote.
    const inner = literal.slice(1, -1);
    assert.equal(inner.replaceAll("''", '').includes("'"), false);
  });

  it('does not touch characters that only need URL encoding', () => {
    assert.equal(escapeODataString('a&b#c+d%e "f"'), 'a&b#c+d%e "f"');
  });
});
