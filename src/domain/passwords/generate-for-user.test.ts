import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEntraPassword } from './check-entra-password.js';
import { generateForUser } from './generate-for-user.js';
import { WORDLIST } from './wordlist.js';

test('generated passwords and passphrases pass the checks against the user, every time', () => {
  // A display name made of a hundred common words makes clashes frequent, so the retry is exercised.
  const context = { userPrincipalName: 'river.stone@contoso.example', displayName: `River Stone ${WORDLIST.slice(0, 100).join(' ')}` };
  for (let i = 0; i < 300; i++) {
    for (const mode of ['generated', 'passphrase'] as const) {
      const candidate = generateForUser(mode, context);
      assert.ok(checkEntraPassword(candidate, context).ok, `${mode} gave a password the checks refuse`);
    }
  }
});
