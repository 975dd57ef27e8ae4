import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTRA_PASSWORD_POLICY } from '../../connectors/directory/entra/entra-password-policy.js';
import type { PasswordPolicy } from '../../connectors/directory/types.js';
import { checkPassword } from './check-password.js';
import { generateForUser } from './generate-for-user.js';
import { WORDLIST } from './wordlist.js';

test('generated passwords and passphrases pass the checks against the user, every time', () => {
  // A display name made of a hundred common words makes clashes frequent, so the retry is exercised.
  const context = { userPrincipalName: 'river.stone@contoso.example', displayName: `River Stone ${WORDLIST.slice(0, 100).join(' ')}` };
  for (let i = 0; i < 300; i++) {
    for (const mode of ['generated', 'passphrase'] as const) {
      const candidate = generateForUser(mode, context, ENTRA_PASSWORD_POLICY);
      assert.ok(checkPassword(ENTRA_PASSWORD_POLICY, candidate, context).ok, `${mode} gave a password the checks refuse`);
    }
  }
});

test('a directory asking for longer passwords gets them, passphrases included', () => {
  const long: PasswordPolicy = {
    ...ENTRA_PASSWORD_POLICY,
    source: 'the domain',
    minLength: 30,
    printableAsciiOnly: false,
    nameParts: 'directory',
  };
  const user = { userPrincipalName: 'river.stone@contoso.example', displayName: 'River Stone' };
  for (let i = 0; i < 50; i++) {
    for (const mode of ['generated', 'passphrase'] as const) {
      const candidate = generateForUser(mode, user, long);
      assert.ok(candidate.length >= 30, `${mode} gave ${candidate.length} characters`);
      assert.ok(checkPassword(long, candidate, user).ok);
    }
  }
});
