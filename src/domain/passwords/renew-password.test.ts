import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEntraPassword } from './check-entra-password.js';
import { renewPassword } from './renew-password.js';

const user = { userPrincipalName: 'megan.bowen@contosodental.example', displayName: 'Megan Bowen' };

test('a generated password or passphrase is made anew, and the directory would accept it', () => {
  for (const mode of ['generated', 'passphrase'] as const) {
    const first = renewPassword(mode, user);
    const second = renewPassword(mode, user);
    assert.ok(first.ok && second.ok);
    assert.notEqual(first.secret, second.secret, `${mode}: a new one each time`);
    assert.deepEqual(checkEntraPassword(first.secret, user), { ok: true }, mode);
  }
});

test('a typed password cannot be repeated: the refusal says to open the form again', () => {
  const renewed = renewPassword('typed', user);
  assert.equal(renewed.ok, false);
  assert.match(renewed.ok ? '' : renewed.message, /never stored.*open the form again/s);
});
