import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchMemberByEmail } from './match-member-by-email.js';

const member = (id: string, email: string | undefined, inactive = false) => ({
  id,
  identifier: `m${id}`,
  name: `Member ${id}`,
  ...(email ? { email } : {}),
  inactive,
});

test('matches one active member, ignoring case', () => {
  assert.equal(matchMemberByEmail('Jo@MSP.example', [member('1', 'jo@msp.example'), member('2', 'x@msp.example')]).member?.id, '1');
});

test('says why nothing matched: inactive, shared, absent, members without e-mail', () => {
  assert.match(matchMemberByEmail('jo@msp.example', [member('1', 'jo@msp.example', true)]).reason!, /\(Member 1\) is inactive/);
  assert.match(
    matchMemberByEmail('jo@msp.example', [member('1', 'jo@msp.example'), member('2', 'JO@msp.example')]).reason!,
    /2 active PSA members share jo@msp\.example \(m1, m2\): choose one/,
  );
  assert.match(
    matchMemberByEmail('jo@msp.example', [member('1', undefined), member('2', 'x@msp.example')]).reason!,
    /No PSA member has the e-mail jo@msp\.example\. 1 of 2 pulled members have no e-mail address/,
  );
  assert.match(matchMemberByEmail('jo@msp.example', [member('1', undefined)]).reason!, /None of the pulled members has an e-mail address/);
});
