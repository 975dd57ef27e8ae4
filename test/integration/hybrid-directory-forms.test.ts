import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Attribute, Change, type Client } from 'ldapts';
import type { RunningAgent } from '../../src/agent/run-agent.js';
import { createActiveDirectoryConnector } from '../../src/connectors/directory/active-directory/active-directory-connector.js';
import type { ActiveDirectoryLdap } from '../../src/connectors/directory/active-directory/active-directory-ldap.js';
import { buildDemoConfig, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { type DemoTenant, demoTenants } from '../../src/demo/demo-data.js';
import { createLogger } from '../../src/lib/logger.js';
import { OFFBOARDING_DEFAULT_FIELDS } from '../helpers/offboarding-fields.js';
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
import { newAgentToken, sambaDirectory, startTestAgent, TEST_AGENT_HUB, untilAgentConnected } from '../helpers/test-agent.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, GRAPH_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Issue 12 §2: a hybrid customer. ConnectWise company 251 (Fabrikam Logistics) is served by its
 * Microsoft 365 tenant (the Graph simulator) and by its AD domain (a real Samba AD DC). Lee Gu
 * (contact 312) is synced: the Entra user carries the onPremises* anchors of an AD account made
 * for this file. The password, lockout and AD groups change in AD; sessions are revoked in Entra;
 * the form and the note say where each change happened; Entra's password is never touched. The
 * same over both ways of reaching AD: directly, and through an on-prem agent.
 */
type Execution = { status: string; steps: { key: string; status: string; message: string | null }[] };
const POP = 'ticket_id=1012&company_id=251&contact_id=312';
const LEE_ID = 'f0000000-0000-4000-8000-000000000002';
const GHOST_ID = 'f0000000-0000-4000-8000-0000000000ff';
const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#x27;', "'");
const logger = createLogger({ level: 'silent' });
const AGENT_TOKEN = newAgentToken();

describe('hybrid company: Entra and AD for one PSA company (Samba AD DC + Graph simulator)', { skip: sambaSkip }, () => {
  let dc: TestSambaDc;
  let admin: Client;
  let ad: ActiveDirectoryLdap;
  let ou: string;
  const suffix = randomBytes(3).toString('hex');
  let lee: { id: string; dn: string; upn: string };
  let tenants: DemoTenant[];

  before(async () => {
    dc = await useSambaDc();
    ad = sambaLdap(dc, { logger: logger });
    ({ admin, ou } = await createTestOu(dc, `hybrid-${suffix}`, ['Warehouse', 'Disabled users']));
    const user = await ad.createUser({
      parentDn: `OU=Warehouse,${ou}`,
      givenName: 'Lee',
      surname: 'Gu',
      displayName: 'Lee Gu',
      sAMAccountName: `leegu${suffix}`,
      userPrincipalName: `lee.gu.${suffix}@test.lan`,
      password: 'Initial-Passw0rd!',
      mustChangePassword: false,
    });
    lee = { id: user.id, dn: user.dn, upn: user.userPrincipalName };
    await admin.add(`CN=Dock Crew ${suffix},${ou}`, { objectClass: ['top', 'group'], sAMAccountName: `DockCrew${suffix}` });

    // What Entra Connect would have written for Lee: the source anchor and SID of the AD account.
    tenants = structuredClone(demoTenants);
    const fabrikam = tenants.find((tenant) => tenant.key === 'fabrikam')!;
    Object.assign(fabrikam.users.find((candidate) => candidate.id === LEE_ID)!, {
      onPremisesImmutableId: user.immutableId,
      onPremisesSecurityIdentifier: user.objectSid,
      onPremisesSamAccountName: `leegu${suffix}`,
      onPremisesUserPrincipalName: lee.upn,
      onPremisesDomainName: 'test.lan',
      // Licensed, so he has a mailbox for offboarding to hand over.
      assignedSkuIds: fabrikam.users.find((candidate) => candidate.assignedSkuIds?.length)?.assignedSkuIds,
    });
    // A synced user whose AD account is outside what the toolbox reaches.
    fabrikam.users.push({
      id: GHOST_ID,
      userPrincipalName: 'ghost.user@fabrikamlogistics.example',
      displayName: 'Ghost User',
      givenName: 'Ghost',
      surname: 'User',
      mail: 'ghost.user@fabrikamlogistics.example',
      accountEnabled: true,
      onPremisesSyncEnabled: true,
      onPremisesImmutableId: Buffer.alloc(16, 7).toString('base64'),
      onPremisesSamAccountName: `ghost${suffix}`,
    });
  });

  after(async () => {
    await ad?.close();
    if (admin) {
      await deleteOu(admin, ou);
      await admin.unbind();
    }
  });

  for (const connection of ['direct', 'agent'] as const)
    for (const database of TEST_DATABASES) {
      describe(`${connection}, ${database.name}`, { skip: database.skip }, () => {
        let toolbox: TestToolbox;
        let drop: () => Promise<void>;
        let tech: { cookie: string; csrf: string };
        let agent: RunningAgent | undefined;

        before(async () => {
          const store = await database.open();
          drop = store.drop;
          toolbox = await createTestToolbox({
            store,
            graph: { tenants },
            ...(connection === 'agent' ? { agentHub: TEST_AGENT_HUB } : {}),
            directoryConnectors: { 'active-directory': createActiveDirectoryConnector({ lookup: sambaLookup(dc) }) },
            config: {
              directories: [
                ...buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN }).directories,
                sambaDirectory(dc, {
                  id: 'fabrikam-ad',
                  name: 'Fabrikam AD',
                  baseDn: ou,
                  psaCompanyIds: ['251'],
                  connection,
                  agentToken: AGENT_TOKEN,
                }),
              ],
            },
          });
          if (connection === 'agent') {
            // The agent as `npm run agent` runs it, next to the DC, reaching this toolbox.
            agent = startTestAgent({ toolbox, dc, token: AGENT_TOKEN, baseDn: ou, name: 'fabrikam-dc1', logger });
            await untilAgentConnected(toolbox, 'fabrikam-ad');
          }
          tech = await toolbox.signIn(DEMO_SIGN_IN);
          toolbox.graph.state.clearLogs();
        });
        after(async () => {
          await agent?.stop();
          await toolbox?.close();
          await drop?.();
        });

        test('password reset of a synced user: set in AD (binds, must-change), unlocked there, sessions revoked in Entra, Entra’s password untouched; the form and the note say where', async () => {
          for (let attempt = 0; attempt < 6; attempt++) await bindAsUser(dc, lee.upn, 'wrong-password');
          assert.equal((await ad.getUser(lee.id)).lockedOut, true);

          const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
          assert.equal(status, 200, html.slice(0, 400));
          const page = decode(html);
          // Both identities: the Microsoft 365 user and the AD account behind it.
          assert.match(page, /lee\.gu@fabrikamlogistics\.example/);
          assert.match(page, new RegExp(`lee\\.gu\\.${suffix}@test\\.lan</code> in hybrid-${suffix} / Warehouse`));
          assert.match(page, /matched by its source anchor \(objectGUID\)/);
          assert.doesNotMatch(page, /reset the password in AD/, 'the synced user is no longer refused');
          // Where each change happens, before submit.
          assert.match(page, /Where the changes happen/);
          assert.match(page, /on-premises Active Directory \(Fabrikam AD\)<\/strong>: Set a new password, Unlock the account/);
          assert.match(page, /Microsoft 365 \(Fabrikam Logistics\)<\/strong>: Sign the user out of all sessions/);
          // The rules under the field are the domain's, not Entra's.
          assert.match(page, /last 24 passwords/);

          const password = `Hybrid-${suffix}-Passw0rd!`;
          const submitted = await toolbox.submitReviewed(path, {
            cookie: tech.cookie,
            form: {
              _csrf: tech.csrf,
              user_id: LEE_ID,
              password_mode: 'typed',
              password,
              must_change: 'on',
              unlock: 'on',
              revoke_sessions: 'on',
            },
          });
          assert.equal(submitted.status, 303, (submitted.review ?? '').slice(0, 400));
          const executionId = submitted.headers.get('location')!.split('/').pop()!;
          const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
          assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
          const step = (key: string) => run.steps.find((candidate) => candidate.key === key)!;
          assert.match(
            step('check-account').message ?? '',
            new RegExp(`synchronised from on-premises AD \\(account lee\\.gu\\.${suffix}@test\\.lan`),
          );
          assert.match(step('reset-password').message ?? '', /In on-premises Active Directory \(Fabrikam AD\)\.$/);
          assert.match(step('unlock').message ?? '', /Unlocked.*In on-premises Active Directory/);
          assert.match(step('revoke-sessions').message ?? '', /In Microsoft 365 \(Fabrikam Logistics\)\.$/);

          const account = await ad.getUser(lee.id);
          assert.equal(account.lockedOut, false);
          assert.equal(account.mustChangePassword, true);
          assert.match(await bindAsUser(dc, lee.upn, password), /data 773/, 'the new password is the AD account’s (must change it now)');
          assert.equal(
            toolbox.graph.state.passwordChanges.filter((change) => JSON.stringify(change).includes(LEE_ID)).length,
            0,
            'Entra’s password was changed too',
          );
          assert.ok(
            toolbox.graph.state.revocations.some((revocation) => JSON.stringify(revocation).includes(LEE_ID)),
            'sessions were not revoked in Entra',
          );

          const note = String((toolbox.cw.state.notes.get(1012) ?? []).at(-1)?.text);
          assert.match(note, new RegExp(`execution ${executionId}`));
          assert.match(note, /on-premises Active Directory \(Fabrikam AD\)/);
          assert.match(note, /Microsoft 365 \(Fabrikam Logistics\)/);
          assert.doesNotMatch(note, new RegExp(password));
          await ad.resetPassword(lee.id, { password: 'Initial-Passw0rd!', mustChange: false, unlock: true });
        });

        test('group membership: AD groups are offered beside cloud-only ones (not the cloud copies of synced groups); an AD group is changed in AD', async () => {
          const { path, status } = await toolbox.openScreenPop(`${POP}&form_name=group_membership`, tech.cookie);
          assert.equal(status, 200);
          const options = decode(
            await (
              await toolbox.request(`${path}/options/groups?q=${encodeURIComponent(`Dock Crew ${suffix}`)}&field=add_group&kind=checkbox`, {
                cookie: tech.cookie,
              })
            ).text(),
          );
          const [dockCrew] = await ad.searchGroups(`Dock Crew ${suffix}`);
          assert.match(options, new RegExp(`add_group:ad:${dockCrew!.id}`), `the AD group is offered: ${options.slice(0, 600)}`);
          assert.match(options, /On-premises AD/);

          const response = await toolbox.submitReviewed(path, {
            cookie: tech.cookie,
            form: { _csrf: tech.csrf, mode: 'user', user_id: LEE_ID, [`add_group:ad:${dockCrew!.id}`]: 'on' },
          });
          assert.equal(response.status, 303, (response.review ?? '').slice(0, 400));
          const executionId = response.headers.get('location')!.split('/').pop()!;
          const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
          assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
          const groups = (await ad.listUserGroups(lee.id)).groups.map((group) => group.displayName);
          assert.ok(groups.includes(`Dock Crew ${suffix}`), `not in the AD group: ${groups.join(', ')}`);
          await ad.removeGroupMember(dockCrew!.id, lee.id);
        });

        test('a synced user whose AD account is not reachable is refused before anything changes, with what to do', async () => {
          const { path, status } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
          assert.equal(status, 200);
          const picked = decode(await (await toolbox.request(`${path}?user=${GHOST_ID}`, { cookie: tech.cookie })).text());
          assert.match(picked, /no AD directory of this company reaches its account/);
          const submitted = await toolbox.submitReviewed(path, {
            cookie: tech.cookie,
            form: { _csrf: tech.csrf, user_id: GHOST_ID, password_mode: 'typed', password: `Never-${suffix}-Set1!`, must_change: 'on' },
          });
          const executionId = submitted.headers.get('location')!.split('/').pop()!;
          const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
          assert.equal(run.status, 'failed');
          assert.equal(run.steps.find((candidate) => candidate.key === 'check-account')?.status, 'failed');
          assert.equal(run.steps.find((candidate) => candidate.key === 'reset-password')?.status, 'skipped');
          assert.equal(toolbox.graph.state.passwordChanges.filter((change) => JSON.stringify(change).includes(GHOST_ID)).length, 0);
        });

        test('offboarding a synced user: disabled, its password replaced and moved in AD, its AD groups removed there; sessions, MFA, mailbox and licences in Microsoft 365; the note says where', async () => {
          const [dockCrew] = await ad.searchGroups(`Dock Crew ${suffix}`);
          await ad.addGroupMember(dockCrew!.id, lee.id);
          const disabledOu = `OU=Disabled users,${ou}`;
          try {
            const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=user_offboarding`, tech.cookie);
            assert.equal(status, 200, html.slice(0, 300));
            assert.match(decode(html), /on-premises Active Directory \(Fabrikam AD\)<\/strong>: Block sign-in, Set a random password/);
            const submitted = await toolbox.submitReviewed(path, {
              cookie: tech.cookie,
              form: { _csrf: tech.csrf, user_id: LEE_ID, ...OFFBOARDING_DEFAULT_FIELDS, move: 'on', move_to: disabledOu },
            });
            assert.equal(submitted.status, 303, (submitted.review ?? '').slice(0, 400));
            const executionId = submitted.headers.get('location')!.split('/').pop()!;
            const run = (await toolbox.waitForExecution(executionId, tech.cookie, 20_000)) as unknown as Execution;
            const step = (key: string) => run.steps.find((candidate) => candidate.key === key);
            assert.equal(step('block-sign-in')?.status, 'ok', JSON.stringify(run.steps));
            assert.match(step('block-sign-in')?.message ?? '', /In on-premises Active Directory \(Fabrikam AD\)\./);
            assert.match(step('reset-password')?.message ?? '', /In on-premises Active Directory/);
            assert.match(step('revoke-sessions')?.message ?? '', /In Microsoft 365 \(Fabrikam Logistics\)\./);
            assert.equal(step('remove-groups')?.status, 'ok', JSON.stringify(step('remove-groups')));
            assert.equal(step('move-to-ou')?.status, 'ok', JSON.stringify(step('move-to-ou')));
            for (const key of ['remove-mfa', 'convert-to-shared', 'remove-licences']) {
              assert.equal(step(key)?.status, 'ok', JSON.stringify(step(key)));
              assert.match(step(key)?.message ?? '', /In Microsoft 365 \(Fabrikam Logistics\)\.$/, key);
            }
            assert.equal(toolbox.graph.state.mailbox('fabrikam', LEE_ID)?.type, 'shared', 'the mailbox was not converted');
            assert.deepEqual(toolbox.graph.state.licenses('fabrikam', LEE_ID), [], 'licences left');

            const account = await ad.getUser(lee.id);
            assert.equal(account.accountEnabled, false, 'not disabled in AD');
            assert.match(account.dn, new RegExp(`,OU=Disabled users,OU=hybrid-${suffix},`, 'i'), `not moved: ${account.dn}`);
            const groups = (await ad.listUserGroups(lee.id)).groups.map((group) => group.displayName);
            assert.ok(!groups.includes(`Dock Crew ${suffix}`), `still in the AD group: ${groups.join(', ')}`);
            assert.notEqual(await bindAsUser(dc, lee.upn, 'Initial-Passw0rd!'), 'ok', 'the old password still signs in');
            assert.equal(
              toolbox.graph.state.passwordChanges.filter((change) => JSON.stringify(change).includes(LEE_ID)).length,
              0,
              'Entra’s password was changed',
            );
            assert.ok(toolbox.graph.state.revocations.some((revocation) => JSON.stringify(revocation).includes(LEE_ID)));
            const note = String((toolbox.cw.state.notes.get(1012) ?? []).at(-1)?.text);
            assert.match(note, new RegExp(`execution ${executionId}`));
            assert.match(note, /Dock Crew/);
            assert.match(note, /on-premises Active Directory \(Fabrikam AD\)/);
          } finally {
            // The next connection and database start from the same account.
            const now = await ad.getUser(lee.id);
            if (!now.dn.toLowerCase().includes(',ou=warehouse,')) await ad.moveUser(lee.id, `OU=Warehouse,${ou}`);
            await ad.setAccountEnabled(lee.id, true);
            await ad.resetPassword(lee.id, { password: 'Initial-Passw0rd!', mustChange: false, unlock: true });
            await ad.removeGroupMember(dockCrew!.id, lee.id).catch(() => undefined);
          }
        });

        test('onboarding in a hybrid company: created in AD (in the chosen OU, AD groups added); the licence waits for the directory sync and says so', async () => {
          const tag = `${suffix}${connection[0]}${database.name[0]}`;
          const [dockCrew] = await ad.searchGroups(`Dock Crew ${suffix}`);
          const sku = tenants.find((tenant) => tenant.key === 'fabrikam')!.skus[0]!.skuId;
          const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=user_onboarding`, tech.cookie);
          assert.equal(status, 200, html.slice(0, 300));
          assert.match(decode(html), /on-premises Active Directory \(Fabrikam AD\)<\/strong>: Create the user/);
          assert.match(decode(html), /Microsoft 365 gets it with the next directory sync/);
          const response = await toolbox.submitReviewed(path, {
            cookie: tech.cookie,
            form: {
              _csrf: tech.csrf,
              first_name: 'Nia',
              last_name: `Hybrid ${tag}`,
              username: `nia.${tag}`,
              domain: 'test.lan',
              ou: `OU=Warehouse,${ou}`,
              password_mode: 'generated',
              must_change: 'on',
              [`group:ad:${dockCrew!.id}`]: 'on',
              [`licence:${sku}`]: 'on',
              usage_location: 'US',
              when: 'now',
            },
          });
          assert.equal(response.status, 303, decode(await response.clone().text()).slice(0, 800));
          const executionId = response.headers.get('location')!.split('/').pop()!;
          const run = (await toolbox.waitForExecution(executionId, tech.cookie, 20_000)) as unknown as Execution;
          const step = (key: string) => run.steps.find((candidate) => candidate.key === key);
          assert.equal(step('create-user')?.status, 'ok', JSON.stringify(run.steps));
          assert.match(step('create-user')?.message ?? '', /In on-premises Active Directory \(Fabrikam AD\)\./);
          assert.equal(step('add-groups')?.status, 'ok', JSON.stringify(step('add-groups')));
          assert.equal(step('assign-licences')?.status, 'warning', JSON.stringify(step('assign-licences')));
          assert.match(step('assign-licences')?.message ?? '', /Not done: .* Microsoft 365 gets it with the next directory sync/);
          const [created] = await ad.findUsersByUpn(`nia.${tag}@test.lan`);
          assert.ok(created, 'the account is not in AD');
          assert.match(created.dn, new RegExp(`,OU=Warehouse,OU=hybrid-${suffix},`, 'i'));
          assert.equal(created.accountEnabled, true);
          const groups = (await ad.listUserGroups(created.id)).groups.map((group) => group.displayName);
          assert.ok(groups.includes(`Dock Crew ${suffix}`), groups.join(', '));
          assert.equal(toolbox.graph.state.createdUsers('fabrikam').length, 0, 'a cloud account was created too');
        });

        test('the privileged guard reads AD too: a synced user in Domain Admins is refused', async () => {
          const [domainAdmins] = await ad.searchGroups('Domain Admins');
          await admin.modify(domainAdmins!.dn, [
            new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [lee.dn] }) }),
          ]);
          try {
            const { path } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
            const submitted = await toolbox.submitReviewed(path, {
              cookie: tech.cookie,
              form: { _csrf: tech.csrf, user_id: LEE_ID, password_mode: 'typed', password: `Never-${suffix}-Set1!`, must_change: 'on' },
            });
            const executionId = submitted.headers.get('location')!.split('/').pop()!;
            const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
            assert.notEqual(run.status, 'succeeded');
            const check = run.steps.find((candidate) => candidate.key === 'check-account')!;
            assert.equal(check.status, 'failed');
            assert.match(check.message ?? '', /Domain Admins/);
            assert.equal(await bindAsUser(dc, lee.upn, 'Initial-Passw0rd!'), 'ok', 'the password was changed anyway');
          } finally {
            await admin.modify(domainAdmins!.dn, [
              new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [lee.dn] }) }),
            ]);
          }
        });
      });
    }
});
