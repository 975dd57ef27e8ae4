import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Attribute, Change, type Client } from 'ldapts';
import { ActiveDirectoryLdap } from '../../src/connectors/directory/active-directory/active-directory-ldap.js';
import { createLogger } from '../../src/lib/logger.js';
import { ToolboxError } from '../../src/lib/toolbox-error.js';
import { bindAs as bindAsUser, createTestOu, deleteOu, sambaLookup, sambaSkip, type TestSambaDc, useSambaDc } from '../helpers/samba-dc.js';

/**
 * The Active Directory operations against a real Samba AD DC over LDAPS: passwords and the domain's
 * policy, unlock, enable/disable, groups (nested, primary), the privileged guard, create in the
 * safe order, OU moves, and the failures an admin meets (wrong credentials, no TLS, wrong CA).
 */
const logger = createLogger({ level: 'silent' });

describe('Active Directory over LDAPS (Samba AD DC)', { skip: sambaSkip }, () => {
  let dc: TestSambaDc;
  let ad: ActiveDirectoryLdap;
  let admin: Client;
  let ou: string;
  const suffix = randomBytes(3).toString('hex');

  const connect = (overrides: Partial<{ url: string; username: string; password: string; caCertificate: string | undefined }> = {}) =>
    new ActiveDirectoryLdap(
      {
        url: dc.url,
        username: dc.adminUser,
        password: dc.adminPassword,
        caCertificate: dc.caPem,
        baseDn: dc.baseDn,
        timeoutMs: 10_000,
        ...overrides,
      },
      { logger, lookup: sambaLookup(dc) },
    );

  /** A user made by the connector itself, in the test's OU. */
  const makeUser = (name: string, extra: { mail?: string; mustChangePassword?: boolean } = {}) =>
    ad.createUser({
      parentDn: ou,
      givenName: name,
      surname: 'Test',
      displayName: `${name} Test ${suffix}`,
      sAMAccountName: `${name.toLowerCase().slice(0, 8)}${suffix}`,
      userPrincipalName: `${name.toLowerCase()}.${suffix}@test.lan`,
      mail: extra.mail,
      password: 'Initial-Passw0rd!',
      mustChangePassword: extra.mustChangePassword ?? false,
    });

  const bindAs = (upn: string, password: string) => bindAsUser(dc, upn, password);

  const addGroup = async (name: string, parent = ou) => {
    const dn = `CN=${name}-${suffix},${parent}`;
    await admin.add(dn, { objectClass: ['top', 'group'], sAMAccountName: `${name}-${suffix}`.slice(0, 20) });
    const [found] = await ad.searchGroups(`${name}-${suffix}`);
    assert.ok(found, `group ${name} not found after creating it`);
    return found;
  };

  before(async () => {
    dc = await useSambaDc();
    ad = connect();
    ({ admin, ou } = await createTestOu(dc, `t-${suffix}`, ['Disabled users']));
  });

  after(async () => {
    await ad?.close();
    if (admin) {
      await deleteOu(admin, ou);
      await admin.unbind();
    }
  });

  test('the base, the domain SID and the password policy come from the domain itself', async () => {
    const base = await ad.readBase();
    assert.match(base.domainSid ?? '', /^S-1-5-21-\d+-\d+-\d+$/);
    const policy = await ad.readPasswordPolicy();
    assert.equal(policy.minLength, 7);
    assert.equal(policy.complexity, true);
    assert.equal(policy.historyLength, 24);
    assert.equal(policy.lockoutThreshold, 5);
    assert.equal(policy.maxAgeDays, 42);
  });

  test('create in the safe order: enabled, its password works, must-change as asked; the OU picker lists the OU', async () => {
    const user = await makeUser('Adele', { mail: `adele.${suffix}@contoso.example`, mustChangePassword: true });
    assert.equal(user.accountEnabled, true);
    assert.equal(user.mustChangePassword, true);
    assert.ok(user.dn.endsWith(ou));
    assert.match(await bindAs(user.userPrincipalName, 'Initial-Passw0rd!'), /data 773/, 'must change at next sign-in');
    const ous = await ad.listOrganizationalUnits();
    assert.ok(ous.some((entry) => entry.dn === `OU=Disabled users,${ou}` && entry.path === `t-${suffix} / Disabled users`));
    await assert.rejects(makeUser('Adele'), (error: unknown) => {
      assert.ok(error instanceof ToolboxError);
      assert.equal(error.code, 'TBX_ERR_DIRECTORY_UPN_TAKEN');
      assert.match(error.message, /already has an account with the sign-in name adele\./);
      return true;
    });
  });

  test('a create that died after its first step (added, disabled, no password) is finished by the next one, not refused', async () => {
    // What a crash between the add and the password leaves behind: AD's own state after step 1.
    const upn = `half.${suffix}@test.lan`;
    await admin.add(`CN=Half Made ${suffix},${ou}`, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: `half${suffix}`,
      userPrincipalName: upn,
      givenName: 'Half',
      sn: 'Made',
      displayName: `Half Made ${suffix}`,
    });
    const [before] = await ad.findUsersByUpn(upn);
    assert.equal(before?.accountEnabled, false);
    const finished = await ad.createUser({
      parentDn: ou,
      givenName: 'Half',
      surname: 'Made',
      displayName: `Half Made ${suffix}`,
      sAMAccountName: `half${suffix}`,
      userPrincipalName: upn,
      password: 'Finished-Passw0rd!',
      mustChangePassword: false,
    });
    assert.equal(finished.id, before?.id, 'a second account was made');
    assert.equal(finished.accountEnabled, true);
    assert.equal(await bindAs(upn, 'Finished-Passw0rd!'), 'ok');
  });

  test('found by e-mail in order (mail, UPN, proxyAddresses), by immutable id and by SID; filter values escaped', async () => {
    const byMail = await makeUser('Megan', { mail: `megan.${suffix}@contoso.example` });
    const byProxy = await makeUser('Lidia');
    await admin.modify(byProxy.dn, [
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'proxyAddresses', values: [`SMTP:lidia.${suffix}@contoso.example`] }),
      }),
    ]);
    assert.deepEqual(
      (await ad.findUsersByEmail(`megan.${suffix}@contoso.example`)).map((user) => user.id),
      [byMail.id],
    );
    assert.deepEqual(
      (await ad.findUsersByEmail(byMail.userPrincipalName)).map((user) => user.id),
      [byMail.id],
    );
    assert.deepEqual(
      (await ad.findUsersByEmail(`lidia.${suffix}@contoso.example`)).map((user) => user.id),
      [byProxy.id],
    );
    assert.deepEqual(await ad.findUsersByEmail('*'), [], 'a * matched users: the filter value is not escaped');
    assert.equal((await ad.findUserByGuidBytes(Buffer.from(byMail.immutableId, 'base64')))?.dn, byMail.dn);
    assert.equal((await ad.findUserBySid(byMail.objectSid))?.dn, byMail.dn);
    assert.equal((await ad.searchUsers(`Megan Test ${suffix}`))[0]?.id, byMail.id);
  });

  test('password reset: the domain policy refuses in words, the new password works, must-change and unlock as asked', async () => {
    const user = await makeUser('Joni');
    await assert.rejects(ad.resetPassword(user.id, { password: 'abc', mustChange: false, unlock: false }), (error: unknown) => {
      assert.ok(error instanceof ToolboxError);
      assert.equal(error.code, 'TBX_ERR_DIRECTORY_PASSWORD_REJECTED');
      assert.match(error.message, /shorter than the domain’s minimum length/);
      assert.match(error.upstream?.code ?? '', /LDAP 19 0000052D/);
      return true;
    });
    await assert.rejects(ad.resetPassword(user.id, { password: 'alllowercaseletters', mustChange: false, unlock: false }), /complexity/);

    // Locked out by wrong passwords (threshold 5), then reset with unlock.
    for (let attempt = 0; attempt < 6; attempt++) await bindAs(user.userPrincipalName, 'wrong-password');
    assert.equal((await ad.getUser(user.id)).lockedOut, true);
    await ad.resetPassword(user.id, { password: 'New-Passw0rd-1!', mustChange: false, unlock: true });
    const after = await ad.getUser(user.id);
    assert.equal(after.lockedOut, false);
    assert.equal(after.mustChangePassword, false);
    assert.equal(await bindAs(user.userPrincipalName, 'New-Passw0rd-1!'), 'ok');
    assert.notEqual(await bindAs(user.userPrincipalName, 'Initial-Passw0rd!'), 'ok');

    await ad.resetPassword(user.id, { password: 'New-Passw0rd-2!', mustChange: true, unlock: false });
    assert.match(await bindAs(user.userPrincipalName, 'New-Passw0rd-2!'), /data 773/);
    assert.equal(await ad.unlock(user.id), 'not-locked');
  });

  test('disable and enable change only the disable bit; the move to another OU keeps the account', async () => {
    const user = await makeUser('Pradeep');
    await admin.modify(user.dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(0x200 | 0x10000)] }) }),
    ]);
    assert.equal(await ad.setAccountEnabled(user.id, false), 'changed');
    assert.equal(await ad.setAccountEnabled(user.id, false), 'unchanged');
    const { searchEntries } = await admin.search(user.dn, { scope: 'base', attributes: ['userAccountControl'] });
    assert.equal(Number(searchEntries[0]?.userAccountControl), 0x200 | 0x10000 | 0x2, 'other userAccountControl bits were lost');
    assert.notEqual(await bindAs(user.userPrincipalName, 'Initial-Passw0rd!'), 'ok');
    assert.equal(await ad.moveUser(user.id, `OU=Disabled users,${ou}`), 'moved');
    assert.equal(await ad.moveUser(user.id, `OU=Disabled users,${ou}`), 'unchanged');
    const moved = await ad.getUser(user.id);
    assert.equal(moved.dn, `CN=Pradeep Test ${suffix},OU=Disabled users,${ou}`);
    assert.equal(moved.accountEnabled, false);
    await ad.setAccountEnabled(user.id, true);
    assert.equal(await bindAs(user.userPrincipalName, 'Initial-Passw0rd!'), 'ok');
  });

  test('groups: add and remove are idempotent; the primary group is listed and cannot be removed', async () => {
    const user = await makeUser('Grady');
    const sales = await addGroup('Sales');
    assert.equal(await ad.addGroupMember(sales.id, user.id), 'added');
    assert.equal(await ad.addGroupMember(sales.id, user.id), 'already-member');
    const { groups } = await ad.listUserGroups(user.id);
    assert.deepEqual(groups.map((group) => [group.displayName, group.primary]).sort(), [
      ['Domain Users', true],
      [`Sales-${suffix}`, false],
    ]);
    assert.equal(await ad.removeGroupMember(sales.id, user.id), 'removed');
    assert.equal(await ad.removeGroupMember(sales.id, user.id), 'not-member');
    const domainUsers = groups.find((group) => group.primary);
    await assert.rejects(ad.removeGroupMember(domainUsers!.id, user.id), /primary group/);
  });

  test('the privileged guard: nested membership of Domain Admins, a built-in operators group, adminCount', async () => {
    const plain = await makeUser('Plain');
    assert.equal(await ad.privilegedReason(plain.id), null);

    const nested = await makeUser('Nested');
    const helpdeskAdmins = await addGroup('HelpdeskAdmins');
    await ad.addGroupMember(helpdeskAdmins.id, nested.id);
    const [domainAdmins] = await ad.searchGroups('Domain Admins');
    await admin.modify(domainAdmins!.dn, [
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [helpdeskAdmins.dn] }) }),
    ]);
    try {
      assert.match((await ad.privilegedReason(nested.id)) ?? '', /Domain Admins/);
    } finally {
      await admin.modify(domainAdmins!.dn, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [helpdeskAdmins.dn] }) }),
      ]);
    }

    const backup = await makeUser('Backup');
    const [backupOperators] = await ad.searchGroups('Backup Operators');
    assert.equal(backupOperators?.builtin, true);
    // Set up as a domain administrator would: the toolbox itself refuses to change a protected group.
    await admin.modify(backupOperators!.dn, [
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [backup.dn] }) }),
    ]);
    try {
      assert.match((await ad.privilegedReason(backup.id)) ?? '', /Backup Operators/);
    } finally {
      await admin.modify(backupOperators!.dn, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [backup.dn] }) }),
      ]);
    }

    const former = await makeUser('Former');
    await admin.modify(former.dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'adminCount', values: ['1'] }) }),
    ]);
    assert.match((await ad.privilegedReason(former.id)) ?? '', /adminCount/);
  });

  test('what an admin meets when setting up: wrong password, an untrusted certificate; ldap:// works only through StartTLS', async () => {
    const lines: string[] = [];
    const wrong = new ActiveDirectoryLdap(
      { url: dc.url, username: dc.adminUser, password: 'not-the-password', caCertificate: dc.caPem, baseDn: dc.baseDn, timeoutMs: 10_000 },
      { logger: createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } }), lookup: sambaLookup(dc) },
    );
    await assert.rejects(wrong.readBase(), (error: unknown) => {
      assert.ok(error instanceof ToolboxError);
      assert.equal(error.code, 'TBX_ERR_DIRECTORY_AUTH');
      assert.match(
        error.message,
        /toolbox’s Active Directory account could not sign in to dc1\.test\.lan: the user name or password is wrong/,
      );
      assert.doesNotMatch(JSON.stringify(error.toLog()), /not-the-password/);
      return true;
    });
    // The log says which operation failed and AD's code, never the password.
    const failures = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'ldap call failed');
    assert.deepEqual(
      failures.map((line) => [line.operation, line.code, line.host]),
      [['read base DN', 'LDAP 49 data 52e', 'dc1.test.lan']],
    );
    assert.doesNotMatch(lines.join(''), /not-the-password/);
    await wrong.close();
    // ldap:// is upgraded with StartTLS before the bind (Samba refuses a simple bind in clear).
    const startTls = connect({ url: 'ldap://dc1.test.lan:389' });
    assert.match((await startTls.readBase()).dn, /^DC=test,DC=lan$/i);
    await startTls.close();
    const untrusted = connect({ caCertificate: undefined });
    await assert.rejects(untrusted.readBase(), (error: unknown) => {
      assert.ok(error instanceof ToolboxError);
      assert.equal(error.code, 'TBX_ERR_DIRECTORY_UNREACHABLE');
      assert.match(error.message, /certificate is not trusted.*caCertificate/);
      return true;
    });
    await untrusted.close();
  });
});
