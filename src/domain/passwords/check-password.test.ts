import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTRA_PASSWORD_POLICY } from '../../connectors/directory/entra/entra-password-policy.js';
import type { PasswordPolicy } from '../../connectors/directory/types.js';
import { checkPassword, describePasswordRules, type PasswordUser } from './check-password.js';

/** Entra's rules, as its connector gives them: the checks below are Entra's documented ones. */
const checkEntraPassword = (password: string, user?: PasswordUser) => checkPassword(ENTRA_PASSWORD_POLICY, password, user);
const ENTRA_PASSWORD_RULES = describePasswordRules(ENTRA_PASSWORD_POLICY);

function problemsOf(password: string, context?: PasswordUser): string[] {
  const result = checkEntraPassword(password, context);
  return result.ok ? [] : result.problems;
}

test('accepts passwords with 3 or 4 classes and 8 to 256 characters', () => {
  assert.deepEqual(checkEntraPassword('Abcdefg1'), { ok: true });
  assert.deepEqual(checkEntraPassword('abcdefg1!'), { ok: true });
  assert.deepEqual(checkEntraPassword('ABCDEFG1!'), { ok: true });
  assert.deepEqual(checkEntraPassword('Abcdefg!'), { ok: true });
  assert.deepEqual(checkEntraPassword(`Aa1${'x'.repeat(253)}`), { ok: true });
});

test('every symbol Microsoft documents is accepted and counts as a symbol, and so does a blank space', () => {
  for (const symbol of '@#$%^&*-_!+=[]{}|\\:\',.?/`~"();<>') {
    assert.deepEqual(checkEntraPassword(`abcdefg1${symbol}`), { ok: true }, `symbol ${symbol}`);
    assert.deepEqual(checkEntraPassword(`abcdefgh${symbol}`.replace('h', 'H')), { ok: true }, `symbol ${symbol}`);
  }
  assert.deepEqual(checkEntraPassword('correct Horse 7'), { ok: true });
});

test('reports the length', () => {
  assert.match(problemsOf('Abcde1!')[0] ?? '', /7 characters; Entra needs 8 to 256/);
  assert.match(problemsOf(`Aa1${'x'.repeat(254)}`)[0] ?? '', /257 characters/);
  assert.ok(problemsOf('').length > 0);
});

test('reports fewer than 3 classes and names what is missing; a space is not a symbol', () => {
  const [problem] = problemsOf('abcdefgh12');
  assert.match(problem ?? '', /at least three/);
  assert.match(problem ?? '', /add one of: uppercase letters, symbols\./);
  assert.match(problemsOf('abcdefgh')[0] ?? '', /add two of: uppercase letters, numbers, symbols\./);
  assert.equal(problemsOf('abcdefgh').length, 1);
  assert.equal(problemsOf('abcd efgh 12').length, 1);
});

test('rejects characters outside printable ASCII and says which one', () => {
  const problems = problemsOf('Pässwörd1!ä');
  assert.equal(problems.length, 2, 'each character reported once');
  assert.match(problems[0] ?? '', /"ä" \(U\+00E4\) is not allowed/);
  assert.match(problems[1] ?? '', /"ö" \(U\+00F6\)/);
  assert.match(problemsOf('Password1\t')[0] ?? '', /U\+0009 is not allowed/);
  assert.match(problemsOf('Password1€')[0] ?? '', /"€"/);
  assert.match(problemsOf('Password1😀')[0] ?? '', /U\+1F600/);
});

test('rejects the UPN local part, case-insensitively, when it has 3+ characters', () => {
  const [problem] = problemsOf('xJDoe-Summer24', { userPrincipalName: 'jdoe@contoso.com' });
  assert.match(problem ?? '', /sign-in name "jdoe"/);
  assert.match(problem ?? '', /toolbox rule/);
  assert.deepEqual(checkEntraPassword('Al-Summer24x', { userPrincipalName: 'al@contoso.com' }), { ok: true });
});

test('rejects any 3+ character part of the display name, case-insensitively', () => {
  const context = { displayName: "Mary-Jane O'Neil, IT" };
  assert.match(problemsOf('maryWinter#24', context)[0] ?? '', /"mary" from the user's display name/);
  assert.match(problemsOf('Winter#24JANE', context)[0] ?? '', /"jane"/);
  assert.match(problemsOf("Winter#24o'neil", context)[0] ?? '', /"o'neil"/);
  // "IT" is too short to forbid.
  assert.deepEqual(checkEntraPassword('Winter#24it', context), { ok: true });
});

test('reports the same name only once when the UPN local part equals a display-name part', () => {
  const problems = problemsOf('Adele#2024x', { userPrincipalName: 'adele@contoso.com', displayName: 'Adele Vance' });
  assert.equal(problems.length, 1);
});

test('reports several problems together', () => {
  assert.equal(problemsOf('smith', { displayName: 'Ann Smith' }).length, 3);
});

test('the rules text is one sentence', () => {
  assert.match(ENTRA_PASSWORD_RULES, /^[^.]+\.$/);
  assert.match(ENTRA_PASSWORD_RULES, /8 to 256/);
});

test('Entra’s rules read as the form has always said them', () => {
  assert.equal(
    ENTRA_PASSWORD_RULES,
    "Use 8 to 256 characters with at least three of uppercase letters, lowercase letters, numbers and symbols, no accented or other non-ASCII characters, and nothing from the user's name or sign-in name.",
  );
});

/** A domain policy as AD reports it: its own length, AD's five classes, non-ASCII allowed, the name rule enforced by AD. */
const DOMAIN_POLICY: PasswordPolicy = {
  source: 'the contoso.example domain',
  minLength: 12,
  maxLength: 256,
  minCharacterClasses: 3,
  printableAsciiOnly: false,
  nameParts: 'directory',
  historyLength: 24,
};

test('another directory’s policy: its length, its name, AD’s five classes, accented letters allowed', () => {
  const problems = (password: string, user?: PasswordUser) => {
    const result = checkPassword(DOMAIN_POLICY, password, user);
    return result.ok ? [] : result.problems;
  };
  assert.match(problems('Abcdefg1!')[0] ?? '', /9 characters; the contoso\.example domain needs 12 to 256/);
  assert.deepEqual(problems('Pässwörd-Grün7'), [], 'accented letters are allowed and count as letters');
  // Letters without case (here Japanese) are AD's fifth class.
  assert.deepEqual(problems('ひらがなカタカナabc12'), []);
  assert.match(problems('abcdefghijkl')[0] ?? '', /add two of: uppercase letters, numbers, symbols, other letters\./);
  assert.match(
    problems('xJDoe-Summer24', { userPrincipalName: 'jdoe@contoso.example' })[0] ?? '',
    /the contoso\.example domain's complexity rule/,
  );
  assert.equal(
    describePasswordRules(DOMAIN_POLICY),
    "Use 12 to 256 characters with at least three of uppercase letters, lowercase letters, numbers, symbols and other letters, and nothing from the user's name or sign-in name. It must not be one of the user's last 24 passwords.",
  );
});

test('a policy without complexity or name rule checks the length only', () => {
  const plain: PasswordPolicy = { source: 'the directory', minLength: 0, maxLength: 64, minCharacterClasses: 0, printableAsciiOnly: false };
  assert.deepEqual(checkPassword(plain, 'aaaa', { displayName: 'Aaaa Bbbb' }), { ok: true });
  assert.equal(describePasswordRules(plain), 'Use up to 64 characters.');
});
