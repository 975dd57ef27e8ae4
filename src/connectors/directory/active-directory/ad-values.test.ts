import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeUnicodePwd,
  fileTimeToIso,
  guidFromBytes,
  guidToBytes,
  immutableIdToGuidBytes,
  intervalToMinutes,
  ridOf,
  sidFromBytes,
  sidToBytes,
} from './ad-values.js';

test('objectGUID: Windows byte order, both ways, and the immutable id Entra Connect writes', () => {
  // Bytes as AD returns them for the GUID 12345678-9abc-def0-0123-456789abcdef.
  const bytes = Buffer.from('78563412bc9af0de0123456789abcdef', 'hex');
  assert.equal(guidFromBytes(bytes), '12345678-9abc-def0-0123-456789abcdef');
  assert.deepEqual(guidToBytes('12345678-9ABC-DEF0-0123-456789ABCDEF'), bytes);
  assert.equal(guidToBytes('not-a-guid'), null);
  assert.throws(() => guidFromBytes(Buffer.alloc(15)), /16/);
  const immutableId = bytes.toString('base64');
  assert.deepEqual(immutableIdToGuidBytes(immutableId), bytes);
  assert.equal(immutableIdToGuidBytes('megan@contoso.example'), null, 'an anchor that is not a GUID is not taken for one');
});

test('objectSid: S-1-5-21-… both ways; the RID', () => {
  // Domain Admins of a Samba test domain, as returned over LDAP.
  const bytes = Buffer.from('010500000000000515000000e357902bc6064e7453b0144e00020000', 'hex');
  const sid = sidFromBytes(bytes);
  assert.equal(sid, 'S-1-5-21-730879971-1951270598-1309978707-512');
  assert.deepEqual(sidToBytes(sid), bytes);
  assert.equal(ridOf(sid), 512);
  assert.equal(sidFromBytes(Buffer.from('01020000000000052000000020020000', 'hex')), 'S-1-5-32-544', 'BUILTIN\\Administrators');
  assert.equal(sidToBytes('S-1-x'), null);
});

test('FILETIME and intervals: dates, never, minutes', () => {
  assert.equal(fileTimeToIso('133500000000000000'), '2024-01-17T21:20:00.000Z');
  assert.equal(fileTimeToIso('0'), null);
  assert.equal(fileTimeToIso('9223372036854775807'), null);
  assert.equal(fileTimeToIso(undefined), null);
  assert.equal(intervalToMinutes('-18000000000'), 30, "Samba's default lockout duration");
  assert.equal(intervalToMinutes('-36288000000000'), 60_480, 'maxPwdAge 42 days');
  assert.equal(intervalToMinutes('-9223372036854775808'), null);
});

test('unicodePwd: the password quoted, UTF-16LE', () => {
  assert.deepEqual(encodeUnicodePwd('Pa"ss1!'), Buffer.from('"Pa"ss1!"', 'utf16le'));
  assert.equal(encodeUnicodePwd('é').length, 6);
});
