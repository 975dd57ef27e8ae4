import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl } from './request-logger.js';

test('secrets in the query are redacted from the access log, ids are kept', () => {
  assert.equal(
    redactUrl(new URL('http://x/hooks/screenpop?ticket_id=1&secret=abc&Token=t&form_name=password_reset')),
    '/hooks/screenpop?ticket_id=1&secret=%5Bredacted%5D&Token=%5Bredacted%5D&form_name=password_reset',
  );
  assert.equal(redactUrl(new URL('http://x/launches/abc')), '/launches/abc');
});
