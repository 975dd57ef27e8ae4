import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeZoneFrom } from './time-zone-field.js';

test('a typed time zone becomes its IANA name, or null', () => {
  assert.equal(timeZoneFrom('Europe/London'), 'Europe/London');
  assert.equal(timeZoneFrom('  europe/london '), 'Europe/London', 'case and spaces do not matter');
  assert.equal(timeZoneFrom('utc'), 'UTC');
  // An alias resolves to the name Intl lists (ICU keeps some older names as canonical).
  assert.ok(timeZoneFrom('America/Argentina/Buenos_Aires')?.endsWith('Buenos_Aires'));
  assert.equal(timeZoneFrom(''), null);
  assert.equal(timeZoneFrom('Mars/Olympus_Mons'), null);
  assert.equal(timeZoneFrom('+01:00'), null, 'an offset has no daylight saving');
  assert.equal(timeZoneFrom('CET'), null, 'an abbreviation is not a place');
  assert.equal(timeZoneFrom('x'.repeat(100)), null);
});
