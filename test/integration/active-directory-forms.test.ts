import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Attribute, Change, type Client } from 'ldapts';
import { createActiveDirectoryConnector } from '../../src/connectors/directory/active-directory/active-directory-connector.js';
import type { ActiveDirectoryLdap } from '../../src/connectors/directory/active-directory/active-directory-ldap.js';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { createLogger } from '../../src/lib/logger.js';
import {
  bindAs as bindAsUser,
  createTestOu,
  deleteOu,
  sambaLdap,
  sambaLookup,
  sambaSkip,
  type TestSambaDc,
  useSambaDc,
} from '../helpers/samba-dc.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, demoDirectoriesWithout, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Issue 12 §3: the forms on an AD-only customer, against a real Samba AD DC over LDAPS. ConnectWise
 * company 250 (Contoso Dental) is mapped to the domain instead of its tenant; its contact 301
 * (megan.bowen@contosodental.example) is an AD account made for this file in an OU of its own.
 * From the screen pop to the ticket note: the domain's password rules, reset with unlock and
 * must-change (the new password binds, the old does not), group changes with AD's protected
 * groups refused, the privileged guard, and the systems check.
 */
type Execution = { status: string; steps: { key: string; status: string; message: string | null }[] };
const POP = 'ticket_id=1001&company_id=250&contact_id=301';
const MEGAN_MAIL = 'megan.bowen@contosodental.example';
const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#x27;', "'");
const logger = createLogger({ level: 'silent' });

describe('Active Directory forms, screen pop to note (Samba AD DC)', { skip: sambaSkip }, () => {
  let dc: TestSambaDc;
  let admin: Client;
  let ad: ActiveDirectoryLdap;
  let ou: string;
  const suffix = randomBytes(3).toString('hex');
  let megan: { id: string; dn: string; upn: string };

  const bindAs = (upn: string, password: string) => bindAsUser(dc, upn, password);

  before(async () => {
    dc = await useSambaDc();
    ad = sambaLdap(dc, { logger: logger });
    ({ admin, ou } = await createTestOu(dc, `forms-${suffix}`));
    const user = await ad.createUser({
      parentDn: ou,
      givenName: 'Megan',
      surname: 'Bowen',
      displayName: 'Megan Bowen',
      sAMAccountName: `megan${suffix}`,
      userPrincipalName: `megan.${suffix}@test.lan`,
      mail: MEGAN_MAIL,
      password: 'Initial-Passw0rd!',
      mustChangePassword: false,
    });
    megan = { id: user.id, dn: user.dn, upn: user.userPrincipalName };
    for (const name of ['Front Desk', 'Billing']) {
      await admin.add(`CN=${name} ${suffix},${ou}`, { objectClass: ['top', 'group'], sAMAccountName: `${name.replace(' ', '')}${suffix}` });
    }
    const [frontDesk] = await ad.searchGroups(`Front Desk ${suffix}`);
    await ad.addGroupMember(frontDesk!.id, megan.id);
  });

  after(async () => {
    await ad?.close();
    if (admin) {
      await deleteOu(admin, ou);
      await admin.unbind();
    }
  });

  for (const database of TEST_DATABASES) {
    describe(database.name, { skip: database.skip }, () => {
      let toolbox: TestToolbox;
      let drop: () => Promise<void>;
      let tech: { cookie: string; csrf: string };
      let adminSession: { cookie: string; csrf: string };

      before(async () => {
        const store = await database.open();
        drop = store.drop;
        const tenants = demoDirectoriesWithout('250');
        toolbox = await createTestToolbox({
          store,
          directoryConnectors: { 'active-directory': createActiveDirectoryConnector({ lookup: sambaLookup(dc) }) },
          config: {
            directories: [
              {
                id: 'contoso-ad',
                kind: 'active-directory',
                name: 'Contoso AD',
                psaCompanyIds: ['250'],
                connection: 'direct',
                baseDn: ou,
                url: dc.url,
                username: dc.adminUser,
                password: dc.adminPassword,
                caCertificate: dc.caPem,
              },
              ...tenants,
            ],
          },
        });
        tech = await toolbox.signIn(DEMO_SIGN_IN);
        adminSession = await toolbox.signIn(DEMO_ADMIN);
      });
      after(async () => {
        await toolbox?.close();
        await drop?.();
      });

      test('password reset with unlock: the domain’s rules on the form, the new password works at once, must-change set, the note on the ticket', async () => {
        // Locked out by wrong passwords (the test domain locks after 5).
        for (let attempt = 0; attempt < 6; attempt++) await bindAs(megan.upn, 'wrong-password');
        assert.equal((await ad.getUser(megan.id)).lockedOut, true);

        const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
        assert.equal(status, 200, html.slice(0, 400));
        const page = decode(html);
        assert.match(page, /Megan Bowen/);
        assert.match(page, /name="unlock"/, 'AD accounts can be unlocked: the option is offered');
        assert.match(page, /enabled · on-premises AD account/, 'an AD account is said to be one, not "cloud-only"');
        assert.doesNotMatch(page, /name="revoke_sessions"/, 'AD has no sign-in sessions to revoke');
        assert.match(
          page,
          /Use 7 to 256 characters with at least three of/,
          `the rules under the field are the domain’s: ${/Use [^<]*/.exec(page)?.[0]}`,
        );
        assert.match(page, /last 24 passwords/);

        const tooShort = await toolbox.request(path, {
          cookie: tech.cookie,
          form: { _csrf: tech.csrf, user_id: megan.id, password_mode: 'typed', password: 'Ab1!x' },
        });
        assert.equal(tooShort.status, 422);
        assert.match(
          decode(await tooShort.text()),
          /5 characters; the test\.lan domain needs 7 to 256/,
          'the domain’s minimum length is named',
        );

        const password = `Reset-${suffix}-Passw0rd!`;
        const submitted = await toolbox.submitReviewed(path, {
          cookie: tech.cookie,
          form: { _csrf: tech.csrf, user_id: megan.id, password_mode: 'typed', password, must_change: 'on', unlock: 'on' },
        });
        assert.equal(submitted.status, 303);
        const executionId = submitted.headers.get('location')!.split('/').pop()!;
        const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
        assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
        assert.deepEqual(
          run.steps.map((step) => step.key),
          ['check-account', 'reset-password', 'unlock', 'ticket-note'],
        );
        const after = await ad.getUser(megan.id);
        assert.equal(after.lockedOut, false);
        assert.equal(after.mustChangePassword, true);
        assert.match(await bindAs(megan.upn, password), /data 773/, 'the new password is the account’s (must change it now)');
        assert.match(await bindAs(megan.upn, 'Initial-Passw0rd!'), /data 52e/, 'the old password still worked');

        const note = String((toolbox.cw.state.notes.get(1001) ?? []).at(-1)?.text);
        assert.match(note, new RegExp(`execution ${executionId}`));
        assert.match(note, /Megan Bowen/);
        assert.match(note, /Unlock/i);
        assert.doesNotMatch(note, new RegExp(password), 'the password is never written to the ticket');
        await ad.resetPassword(megan.id, { password: 'Initial-Passw0rd!', mustChange: false, unlock: true });
      });

      test('group membership: AD groups added and removed; the primary group listed but not removable; nothing outside the base offered', async () => {
        const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=group_membership`, tech.cookie);
        assert.equal(status, 200, html.slice(0, 400));
        const [billing] = await ad.searchGroups(`Billing ${suffix}`);
        const [frontDesk] = await ad.searchGroups(`Front Desk ${suffix}`);
        assert.match(decode(html), new RegExp(`Front Desk ${suffix}`), 'the current AD group is listed');

        const options = decode(
          await (
            await toolbox.request(`${path}/options/groups?q=Domain%20Admins&field=add_group&kind=checkbox`, { cookie: tech.cookie })
          ).text(),
        );
        // The toolbox works in its OU: Domain Admins (at the domain's root) is not offered at all.
        assert.doesNotMatch(options, /add_group:/, 'a group outside the base DN was offered');
        // Domain Users, her primary group, is listed but marked as not removable here.
        assert.match(decode(html), /primary group in Active Directory/);

        const response = await toolbox.submitReviewed(path, {
          cookie: tech.cookie,
          form: {
            _csrf: tech.csrf,
            mode: 'user',
            user_id: megan.id,
            [`add_group:${billing!.id}`]: 'on',
            [`remove_group:${frontDesk!.id}`]: 'on',
          },
        });
        assert.equal(response.status, 303, (response.review ?? '').slice(0, 400));
        const executionId = response.headers.get('location')!.split('/').pop()!;
        const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
        assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
        const groups = (await ad.listUserGroups(megan.id)).groups.map((group) => group.displayName).sort();
        assert.deepEqual(groups, [`Billing ${suffix}`, 'Domain Users']);
        await ad.addGroupMember(frontDesk!.id, megan.id);
        await ad.removeGroupMember(billing!.id, megan.id);
      });

      test('the privileged guard: a member of Domain Admins (through a nested group) is refused before anything changes', async () => {
        const [domainAdmins] = await ad.searchGroups('Domain Admins');
        const [frontDesk] = await ad.searchGroups(`Front Desk ${suffix}`);
        await admin.modify(domainAdmins!.dn, [
          new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [frontDesk!.dn] }) }),
        ]);
        try {
          const { path, status } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
          assert.equal(status, 200);
          const submitted = await toolbox.submitReviewed(path, {
            cookie: tech.cookie,
            form: { _csrf: tech.csrf, user_id: megan.id, password_mode: 'typed', password: `Never-${suffix}-Set1!`, must_change: 'on' },
          });
          const executionId = submitted.headers.get('location')!.split('/').pop()!;
          const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
          assert.notEqual(run.status, 'succeeded');
          const check = run.steps.find((step) => step.key === 'check-account')!;
          assert.equal(check.status, 'failed');
          assert.match(check.message ?? '', /Domain Admins/);
          assert.equal(await bindAs(megan.upn, 'Initial-Passw0rd!'), 'ok', 'the password was changed anyway');
        } finally {
          await admin.modify(domainAdmins!.dn, [
            new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [frontDesk!.dn] }) }),
          ]);
        }
      });

      test('the systems check reads the connection, the policy and the account’s rights without changing anything', async () => {
        const response = await toolbox.api('POST', '/api/admin/directories/contoso-ad/check', { session: adminSession });
        assert.equal(response.status, 200, await response.clone().text());
        const body = (await response.json()) as Record<string, unknown>;
        const lines = (Object.values(body).find(Array.isArray) ?? []) as { name: string; ok: boolean; outcome?: string }[];
        const state: Record<string, string> = Object.fromEntries(
          lines.map((line) => [line.name, line.ok ? 'pass' : (line.outcome ?? 'fail')]),
        );
        assert.equal(state['Connection to the domain controller'], 'pass');
        assert.equal(state['Password policy'], 'pass');
        assert.equal(state['Write users (enable, disable, unlock, must-change)'], 'pass');
        assert.equal(state['Reset passwords'], 'unverified');
        assert.equal(state['Change group membership'], 'pass');
        assert.equal(state['Create and move users'], 'pass');
      });
    });
  }
});
