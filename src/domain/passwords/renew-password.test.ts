import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTRA_PASSWORD_POLICY } from '../../connectors/directory/entra/entra-password-policy.js';
import { checkPassword } from './check-password.js';
import { renewPassword } from './renew-password.js';

const user = { userPrincipalName: 'megan.bowen@contosodental.example', displayName: 'Megan Bowen' };

test('a generated password or passphrase is made anew, and the directory would accept it', () => {
  for (const mode of ['generated', 'passphrase'] as const) {
    const first = renewPassword(mode, user, ENTRA_PASSWORD_POLICY);
    const second = renewPassword(mode, user, ENTRA_PASSWORD_POLICY);
    assert.ok(first.ok && second.ok);
    assert.notEqual(first.secret, second.secret, `${mode}: a new one each time`);
    assert.deepEqual(checkPassword(ENTRA_PASSWORD_POLICY, first.secret, user), { ok: true }, mode);
  }
});

test('a typed password cannot be repeated: the refusal says to open the form again', () => {
  const renewed = renewPassword('typed', user, ENTRA_PASSWORD_POLICY);
  assert.equal(renewed.ok, false);
  assert.match(renewed.ok ? '' : renewed.message, /never stored.*open the form again/s);
});
