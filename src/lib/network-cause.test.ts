import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeNetworkCause, networkCause } from './network-cause.js';

/** As Node's fetch reports it: TypeError("fetch failed") with the system error as its cause. */
const fetchFailed = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

test('classifies the system error codes fetch gives', () => {
  assert.deepEqual(networkCause(fetchFailed('ENOTFOUND')), { kind: 'dns', code: 'ENOTFOUND' });
  assert.deepEqual(networkCause(fetchFailed('CERT_HAS_EXPIRED')), { kind: 'tls', code: 'CERT_HAS_EXPIRED' });
  assert.deepEqual(networkCause(fetchFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).kind, 'tls');
  assert.deepEqual(networkCause(fetchFailed('SELF_SIGNED_CERT_IN_CHAIN')).kind, 'tls');
  assert.deepEqual(networkCause(fetchFailed('ECONNREFUSED')).kind, 'refused');
  assert.deepEqual(networkCause(new Error('x', { cause: fetchFailed('UND_ERR_CONNECT_TIMEOUT') })).kind, 'timeout');
  assert.deepEqual(networkCause(new TypeError('fetch failed')), { kind: 'other', code: undefined });
});

test('says the cause in words, keeping the code', () => {
  assert.match(describeNetworkCause({ kind: 'dns', code: 'ENOTFOUND' }, 'login.example'), /login\.example does not resolve \(DNS\)/);
  assert.match(describeNetworkCause({ kind: 'tls', code: 'CERT_HAS_EXPIRED' }, 'x'), /certificate is not trusted \(CERT_HAS_EXPIRED\)/);
});
