import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTimeZone, zonedTimeToUtc } from './zoned-time.js';

test('wall-clock time in a zone to UTC, across daylight saving', () => {
  assert.equal(new Date(zonedTimeToUtc('2026-12-01T17:00', 'Europe/London')!).toISOString(), '2026-12-01T17:00:00.000Z');
  assert.equal(new Date(zonedTimeToUtc('2026-07-01T17:00', 'Europe/London')!).toISOString(), '2026-07-01T16:00:00.000Z');
  assert.equal(new Date(zonedTimeToUtc('2026-07-01T09:30', 'America/New_York')!).toISOString(), '2026-07-01T13:30:00.000Z');
  assert.equal(new Date(zonedTimeToUtc('2026-01-15T09:30', 'America/New_York')!).toISOString(), '2026-01-15T14:30:00.000Z');
  assert.equal(new Date(zonedTimeToUtc('2026-06-01T08:00', 'Asia/Kolkata')!).toISOString(), '2026-06-01T02:30:00.000Z');
  assert.equal(new Date(zonedTimeToUtc('2026-06-01T08:00', 'UTC')!).toISOString(), '2026-06-01T08:00:00.000Z');
  // 02:30 on the spring-forward night does not exist in New York: it lands on 03:30 local.
  assert.equal(new Date(zonedTimeToUtc('2026-03-08T02:30', 'America/New_York')!).toISOString(), '2026-03-08T07:30:00.000Z');
});

test('bad input is null; zones are checked', () => {
  assert.equal(zonedTimeToUtc('tomorrow', 'UTC'), null);
  assert.equal(zonedTimeToUtc('2026-13-45T09:00', 'UTC'), null);
  assert.equal(zonedTimeToUtc('2026-02-30T09:00', 'UTC'), null);
  assert.equal(zonedTimeToUtc('2026-02-28T24:00', 'UTC'), null);
  assert.equal(isTimeZone('Europe/London'), true);
  assert.equal(isTimeZone('Mars/Olympus'), false);
});

test('an hour that happens twice is the earlier one', () => {
  // 01:30 on the fall-back night in New York: first at EDT (UTC-4).
  assert.equal(new Date(zonedTimeToUtc('2026-11-01T01:30', 'America/New_York')!).toISOString(), '2026-11-01T05:30:00.000Z');
});
