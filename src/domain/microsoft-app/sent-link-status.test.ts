import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SENT_CONSENT_LINK_TTL_MS, sentLinkStatus } from './connect-tenant.js';

test('a link to send is pending for three days, then expired; an answer is connected or refused whenever it came', () => {
  const createdAt = '2026-12-01T09:00:00.000Z';
  const made = Date.parse(createdAt);
  assert.equal(sentLinkStatus({ createdAt, result: null }, made + SENT_CONSENT_LINK_TTL_MS - 1), 'pending');
  assert.equal(sentLinkStatus({ createdAt, result: null }, made + SENT_CONSENT_LINK_TTL_MS), 'expired');
  assert.equal(SENT_CONSENT_LINK_TTL_MS, 3 * 24 * 3600_000);
  assert.equal(sentLinkStatus({ createdAt, result: { ok: true } }, made + 10 * SENT_CONSENT_LINK_TTL_MS), 'connected');
  assert.equal(sentLinkStatus({ createdAt, result: { ok: false } }, made), 'refused');
});
