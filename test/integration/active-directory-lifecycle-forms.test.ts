import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Attribute, Change, type Client } from 'ldapts';
import type { RunningAgent } from '../../src/agent/run-agent.js';
import { createActiveDirectoryClient } from '../../src/connectors/directory/active-directory/active-directory-client.js';
import { createActiveDirectoryConnector } from '../../src/connectors/directory/active-directory/active-directory-connector.js';
import type { ActiveDirectoryLdap } from '../../src/connectors/directory/active-directory/active-directory-ldap.js';
import { DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { createLogger } from '../../src/lib/logger.js';
import type { StepContext } from '../../src/workflows/types.js';
import { userOffboardingInput, userOffboardingWorkflow } from '../../src/workflows/user-offboarding/user-offboarding-workflow.js';
import {
  type UserOnboardingInput,
  userOnboardingInput,
  userOnboardingWorkflow,
} from '../../src/workflows/user-onboarding/user-onboarding-workflow.js';
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
import { newAgentToken, sambaDirectory, startTestAgent, TEST_AGENT_HUB } from '../helpers/test-agent.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, demoDirectoriesWithout, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Issue 12 §3: onboarding into an OU and offboarding on an AD-only customer, through the forms,
 * against the real Samba AD DC. ConnectWise company 250 is mapped to an OU of the test domain made
 * for this file (Staff and Disabled users inside it), with the customer's defaults set as an admin
 * would: new users go to Staff (named by its path), offboarded ones to Disabled users (by its DN).
 * The same forms over both ways of reaching AD (issue 12 "Done when"): directly, and through an
 * on-prem agent run in-process (runAgent, the loop `npm run agent` runs) holding the credentials.
 */
type Execution = { status: string; steps: { key: string; status: string; message: string | null }[] };
const POP = 'ticket_id=1001&company_id=250&contact_id=301';
const decode = (html: string) =>
  html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#x27;', "'").replaceAll('&lt;', '<');
const logger = createLogger({ level: 'silent' });
const AGENT_TOKEN = newAgentToken();

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Active Directory onboarding and offboarding, screen pop to note (Samba AD DC)', { skip: sambaSkip }, () => {
  let dc: TestSambaDc;
  let admin: Client;
  let ad: ActiveDirectoryLdap;
  let ou: string;
  let staff: string;
  let disabled: string;
  const suffix = randomBytes(3).toString('hex');
  const groupIds: Record<string, string> = {};

  const bindAs = (upn: string, password: string) => bindAsUser(dc, upn, password);
  const newUser = (name: string, parentDn: string) =>
    ad.createUser({
      parentDn,
      givenName: name,
      surname: suffix,
      displayName: `${name} ${suffix}`,
      sAMAccountName: `${name.toLowerCase().slice(0, 8)}${suffix}`,
      userPrincipalName: `${name.toLowerCase()}.${suffix}@test.lan`,
      ...(name === 'Megan' ? { mail: 'megan.bowen@contosodental.example' } : {}),
      password: 'Initial-Passw0rd!',
      mustChangePassword: false,
    });

  before(async () => {
    dc = await useSambaDc();
    ad = sambaLdap(dc, { logger: logger });
    ({ admin, ou } = await createTestOu(dc, `life-${suffix}`));
    staff = `OU=Staff,${ou}`;
    disabled = `OU=Disabled users,${ou}`;
    await admin.add(staff, { objectClass: ['top', 'organizationalUnit'], ou: 'Staff' });
    await admin.add(disabled, { objectClass: ['top', 'organizationalUnit'], ou: 'Disabled users' });
    // The ticket's contact: the screen pop finds her; the forms act on others.
    await newUser('Megan', staff);
    for (const name of ['Clinic', 'Billing']) {
      await admin.add(`CN=${name} ${suffix},${ou}`, { objectClass: ['top', 'group'], sAMAccountName: `${name}${suffix}` });
      groupIds[name] = (await ad.searchGroups(`${name} ${suffix}`))[0]!.id;
    }
  });

  after(async () => {
    await ad?.close();
    if (admin) {
      await deleteOu(admin, ou);
      await admin.unbind();
    }
  });

  test('onboarding’s create step resumed after a crash: a half-made account is finished in its OU, a finished one is accepted without a write', async () => {
    const client = createActiveDirectoryClient(ad, { now: () => Date.now() });
    const createStep = userOnboardingWorkflow.steps.find((step) => step.key === 'create-user')!;
    const upn = `resumed.${suffix}@test.lan`;
    const input = userOnboardingInput.parse({
      givenName: 'Resumed',
      surname: suffix,
      displayName: `Resumed ${suffix}`,
      userPrincipalName: upn,
      mustChange: true,
      passwordMode: 'typed',
      skuIds: [],
      groupIds: [],
      managerId: null,
      copyFrom: null,
      scheduledFor: null,
      container: { id: staff, path: `life-${suffix} / Staff` },
    });
    const contextWith = (secret: string, facts: Record<string, unknown>): StepContext<UserOnboardingInput> => ({
      input,
      secret,
      directory: client,
      directoryConfig: {} as never,
      targetUserId: '',
      logger,
      facts,
      interrupted: true,
      keepSecret: async () => undefined,
      markChanged: () => undefined,
    });
    // What a crash between AD's first and second write leaves: the account added, disabled, no password.
    await admin.add(`CN=Resumed ${suffix},${staff}`, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: `resumed${suffix}`,
      userPrincipalName: upn,
      givenName: 'Resumed',
      sn: suffix,
      displayName: `Resumed ${suffix}`,
    });
    const [halfMade] = await ad.findUsersByUpn(upn);
    assert.equal(halfMade?.accountEnabled, false);

    const facts: Record<string, unknown> = {};
    const first = await createStep.run(contextWith('Resumed-Passw0rd-1!', facts));
    assert.equal(first.status, 'ok');
    assert.match(first.message, new RegExp(`created in life-${suffix} / Staff`));
    const [finished] = await ad.findUsersByUpn(upn);
    assert.equal(finished?.id, halfMade?.id, 'the half-made account was finished, not a second one made');
    assert.equal(facts.userId, finished?.id);
    assert.equal(finished?.accountEnabled, true);
    assert.equal(finished?.mustChangePassword, true);
    assert.match(await bindAs(upn, 'Resumed-Passw0rd-1!'), /data 773/);

    // Interrupted again after it was finished: accepted as this run's, and nothing is written.
    const again = await createStep.run(contextWith('Resumed-Passw0rd-2!', {}));
    assert.equal(again.status, 'ok');
    assert.match(await bindAs(upn, 'Resumed-Passw0rd-1!'), /data 773/, 'the password of the first attempt still holds');
    assert.match(await bindAs(upn, 'Resumed-Passw0rd-2!'), /data 52e/, 'the second attempt set no password');
    assert.equal((await ad.findUsersByUpn(upn)).length, 1);
  });

  test('offboarding’s move resumed after a crash: found in the target OU, it is reported as this run’s move, not moved again', async (t) => {
    // Limited to the test's OU, as the toolbox's directory is.
    const scoped = sambaLdap(dc, { baseDn: ou, logger: logger });
    t.after(() => scoped.close());
    const client = createActiveDirectoryClient(scoped, { now: () => Date.now() });
    const moveStep = userOffboardingWorkflow.steps.find((step) => step.key === 'move-to-ou')!;
    const mover = await newUser('Mover', staff);
    const input = userOffboardingInput.parse({
      ...Object.fromEntries(
        [
          'blockSignIn',
          'revokeSessions',
          'resetPassword',
          'removeMfa',
          'removeMobileDevices',
          'convertToShared',
          'hideFromAddressLists',
          'removeGroups',
          'removeLicenses',
          'removeManager',
        ].map((key) => [key, false]),
      ),
      forwarding: null,
      outOfOffice: null,
      mailboxAccess: null,
      scheduledFor: null,
      moveTo: { id: disabled, path: `life-${suffix} / Disabled users` },
    });
    const run = (interrupted: boolean) =>
      moveStep.run({
        input,
        secret: null,
        directory: client,
        directoryConfig: {} as never,
        targetUserId: mover.id,
        logger,
        facts: {},
        interrupted,
        keepSecret: async () => undefined,
        markChanged: () => undefined,
      });
    const first = await run(false);
    assert.deepEqual(first, { status: 'ok', message: `Moved from life-${suffix} / Staff to life-${suffix} / Disabled users.` });
    assert.equal((await ad.getUser(mover.id)).dn, `CN=${mover.displayName},${disabled}`);
    // The same step again after an interruption: the account is there, so it was this run's move.
    assert.deepEqual(await run(true), { status: 'ok', message: `Moved to life-${suffix} / Disabled users.` });
    // Not interrupted, it was there before: nothing changed.
    assert.deepEqual(await run(false), { status: 'ok', message: `It was already in life-${suffix} / Disabled users.`, changed: false });
    // An OU outside the base DN is refused by the connector: the account would leave the toolbox's view.
    await assert.rejects(client.move.moveUser(mover.id, `CN=Users,${dc.baseDn}`), /outside the part of the domain the toolbox works in/);
    assert.equal((await ad.getUser(mover.id)).dn, `CN=${mover.displayName},${disabled}`);
  });

  for (const connection of ['direct', 'agent'] as const)
    for (const database of TEST_DATABASES) {
      describe(`${connection}, ${database.name}`, { skip: database.skip }, () => {
        let toolbox: TestToolbox;
        let drop: () => Promise<void>;
        let tech: { cookie: string; csrf: string };
        // Names made here are unique per connection and database: the four runs share the OU.
        const initials = `${connection.slice(0, 1).toUpperCase()}${database.name.slice(0, 1)}`;
        const tag = `${initials.toLowerCase()}${suffix}`;
        let agent: RunningAgent | undefined;
        /** Armed by a test: the agent that carries the next createUser dies once the DC took it, answering nothing. */
        let loseCreateAnswer = false;
        let agentsStarted = 0;

        /** The agent as `npm run agent` runs it, next to the DC, reaching this toolbox; one per describe. */
        const startAgent = (): RunningAgent => {
          const started: RunningAgent = startTestAgent({
            toolbox,
            dc,
            token: AGENT_TOKEN,
            baseDn: ou,
            name: `contoso-dc${++agentsStarted}`,
            logger,
            onWork: (work, phase) => {
              if (!(loseCreateAnswer && work.method === 'createUser' && phase === 'after')) return;
              loseCreateAnswer = false;
              // As if its process died right after the DC made the account; another agent (another
              // name, so the toolbox sees the first one go silent) is there for what comes next.
              started.kill();
              agent = startAgent();
            },
          });
          return started;
        };
        const agentConnected = async (name?: string) =>
          (await toolbox.services.agents.agents('contoso-ad')).some((entry) => entry.connected && (!name || entry.agentName === name));

        before(async () => {
          const store = await database.open();
          drop = store.drop;
          const tenants = demoDirectoriesWithout('250');
          toolbox = await createTestToolbox({
            store,
            ...(connection === 'agent' ? { agentHub: TEST_AGENT_HUB } : {}),
            directoryConnectors: { 'active-directory': createActiveDirectoryConnector({ lookup: sambaLookup(dc) }) },
            config: {
              directories: [
                {
                  ...sambaDirectory(dc, {
                    id: 'contoso-ad',
                    name: 'Contoso AD',
                    baseDn: ou,
                    psaCompanyIds: ['250'],
                    connection,
                    agentToken: AGENT_TOKEN,
                  }),
                  formDefaults: {
                    // By the path the picker shows, and by DN: both name an OU.
                    user_onboarding: { organizationalUnit: `life-${suffix} / Staff`, groups: [groupIds.Clinic] },
                    user_offboarding: { disabledUsersOu: disabled },
                  },
                },
                ...tenants,
              ],
            },
          });
          if (connection === 'agent') {
            agent = startAgent();
            await until('the agent connects', () => agentConnected());
          }
          tech = await toolbox.signIn(DEMO_SIGN_IN);
        });
        after(async () => {
          await agent?.stop();
          await toolbox?.close();
          await drop?.();
        });

        test('onboarding into an OU: the OU picker and UPN suffixes, no licence or mailbox fields; created disabled → password → enabled, must-change, groups', async () => {
          const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=user_onboarding`, tech.cookie);
          assert.equal(status, 200, html.slice(0, 400));
          const page = decode(html);
          assert.match(page, /<option value="test.lan" selected="">test.lan<\/option>/, 'the domain’s UPN suffix is offered');
          assert.match(page, /name="ou"/, 'the OU picker is on the form');
          assert.match(
            page,
            new RegExp(`<option value="${staff}" selected="">life-${suffix} / Staff</option>`),
            'the default OU is chosen',
          );
          assert.match(page, new RegExp(`<option value="${disabled}">life-${suffix} / Disabled users</option>`));
          for (const absent of [
            /name="usage_location"/,
            /<legend>Licences<\/legend>/,
            /<legend>Manager<\/legend>/,
            /name="copy_attributes"/,
          ])
            assert.doesNotMatch(page, absent, `not on an AD form: ${absent}`);
          assert.match(page, new RegExp(`name="group:${groupIds.Clinic}" value="on" checked=""`), 'the default group is ticked');

          const password = `Welcome-${suffix}-Passw0rd!`;
          const upn = `jane.${tag}@test.lan`;
          const response = await toolbox.submitReviewed(path, {
            cookie: tech.cookie,
            form: {
              _csrf: tech.csrf,
              first_name: 'Jane',
              last_name: `Doe ${tag}`,
              username: `jane.${tag}`,
              domain: 'test.lan',
              ou: staff,
              job_title: 'Hygienist',
              password_mode: 'typed',
              password,
              must_change: 'on',
              [`group:${groupIds.Clinic}`]: 'on',
              [`group:${groupIds.Billing}`]: 'on',
              // Not offered for AD: ignored, whatever is sent.
              usage_location: 'ZZZ',
              when: 'now',
            },
          });
          assert.equal(response.status, 303, decode(await response.clone().text()).slice(0, 800));
          const executionId = response.headers.get('location')!.split('/').pop()!;
          const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
          assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
          assert.deepEqual(
            run.steps.map((step) => [step.key, step.status]),
            [
              ['check-name-and-seats', 'ok'],
              ['create-user', 'ok'],
              ['add-groups', 'ok'],
              ['verify', 'ok'],
              ['ticket-note', 'ok'],
            ],
          );

          const [created] = await ad.findUsersByUpn(upn);
          assert.ok(created, 'the user exists');
          assert.equal(created.dn, `CN=Jane Doe ${tag},${staff}`, 'created in the chosen OU');
          assert.equal(created.accountEnabled, true);
          assert.equal(created.mustChangePassword, true, 'pwdLastSet = 0');
          assert.equal(created.jobTitle, 'Hygienist');
          assert.match(await bindAs(upn, password), /data 773/, 'the password is the account’s, to be changed at first sign-in');
          assert.match(await bindAs(upn, 'Wrong-Passw0rd!'), /data 52e/);
          const groups = (await ad.listUserGroups(created.id)).groups.map((group) => group.displayName).sort();
          assert.deepEqual(groups, [`Billing ${suffix}`, `Clinic ${suffix}`, 'Domain Users']);

          const note = decode(String((toolbox.cw.state.notes.get(1001) ?? []).at(-1)?.text));
          assert.match(note, /1\. Check the username is free: OK/, 'no licences to count on AD');
          assert.match(note, new RegExp(`User onboarding for Jane Doe ${tag} \\(${upn}\\) succeeded`));
          assert.match(note, new RegExp(`created in life-${suffix} / Staff\\.`));
          assert.doesNotMatch(note, /usage location/i);
          assert.match(note, new RegExp(`Added to: .*Clinic ${suffix}`));
          assert.doesNotMatch(note, new RegExp(password), 'the password is never written to the ticket');
        });

        test('onboarding: an OU the directory did not list is refused next to the field, before anything runs', async () => {
          const { path } = await toolbox.openScreenPop(`${POP}&form_name=user_onboarding`, tech.cookie);
          const response = await toolbox.request(path, {
            cookie: tech.cookie,
            form: {
              _csrf: tech.csrf,
              first_name: 'Outside',
              last_name: tag,
              domain: 'test.lan',
              ou: `CN=Users,${dc.baseDn}`,
              password_mode: 'generated',
              when: 'now',
            },
          });
          assert.equal(response.status, 422);
          assert.match(decode(await response.text()), /Choose one of the listed OUs/);
          assert.deepEqual(await ad.findUsersByUpn(`outside.${tag}@test.lan`), []);
        });

        test('offboarding: disabled, random password, groups removed (the primary group kept and said so), moved to the disabled users OU last; all in the note', async () => {
          const leaver = await newUser(`Leaver${initials}`, staff);
          await ad.addGroupMember(groupIds.Clinic!, leaver.id);
          await ad.addGroupMember(groupIds.Billing!, leaver.id);

          const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=user_offboarding`, tech.cookie);
          assert.equal(status, 200, html.slice(0, 400));
          const page = decode(html);
          for (const offered of ['block_sign_in', 'reset_password', 'remove_groups'])
            assert.match(page, new RegExp(`name="${offered}" value="on" checked=""`), offered);
          for (const missing of [
            'revoke_sessions',
            'remove_mfa',
            'remove_mobile_devices',
            'convert_to_shared',
            'hide_from_gal',
            'remove_licences',
          ])
            assert.doesNotMatch(page, new RegExp(`name="${missing}"`), `${missing} is Entra’s`);
          for (const missing of ['forward', 'ooo', 'access']) assert.doesNotMatch(page, new RegExp(`name="${missing}"`), missing);
          assert.match(page, /name="move" value="on" checked=""/, 'the move is ticked: the customer has a disabled users OU');
          assert.match(page, new RegExp(`<option value="${disabled}" selected="">life-${suffix} / Disabled users</option>`));

          const response = await toolbox.submitReviewed(path, {
            cookie: tech.cookie,
            form: {
              _csrf: tech.csrf,
              user_id: leaver.id,
              block_sign_in: 'on',
              reset_password: 'on',
              remove_groups: 'on',
              move: 'on',
              move_to: disabled,
              // Not offered here: read as not ticked.
              remove_licences: 'on',
              when: 'now',
              time_zone: 'UTC',
            },
          });
          assert.equal(response.status, 303, (response.review ?? '').slice(0, 400));
          const review = decode(/<ol class="review-changes">[\s\S]*?<\/ol>/.exec(response.review ?? '')?.[0] ?? '');
          assert.match(review, /<li>Block sign-in<\/li>/);
          assert.match(
            review,
            new RegExp(
              `Remove from 2 groups: (Billing|Clinic) ${suffix}, (Billing|Clinic) ${suffix}; Domain Users stays \\(the primary group\\)<`,
            ),
          );
          assert.match(review, new RegExp(`Move the account from life-${suffix} / Staff to life-${suffix} / Disabled users`));
          assert.doesNotMatch(review, /licence/i);

          const executionId = response.headers.get('location')!.split('/').pop()!;
          const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
          assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
          assert.deepEqual(
            run.steps.map((step) => [step.key, step.status]),
            [
              ['check-account', 'ok'],
              ['block-sign-in', 'ok'],
              ['reset-password', 'ok'],
              ['remove-groups', 'ok'],
              ['move-to-ou', 'ok'],
              ['verify', 'ok'],
              ['ticket-note', 'ok'],
            ],
          );

          const after = await ad.getUser(leaver.id);
          assert.equal(after.accountEnabled, false);
          assert.equal(after.dn, `CN=${leaver.displayName},${disabled}`, 'moved to the disabled users OU');
          assert.deepEqual(
            (await ad.listUserGroups(leaver.id)).groups.map((group) => group.displayName),
            ['Domain Users'],
          );
          assert.match(
            await bindAs(leaver.userPrincipalName, 'Initial-Passw0rd!'),
            /data 52e|data 533/,
            'the old password no longer signs in',
          );

          const note = decode(String((toolbox.cw.state.notes.get(1001) ?? []).at(-1)?.text));
          assert.match(note, new RegExp(`User offboarding for ${leaver.displayName}.* succeeded`));
          assert.match(note, /Block sign-in: OK - Sign-in blocked\./);
          assert.match(note, /Set a random password: OK/);
          assert.match(note, new RegExp(`Removed from: .*Billing ${suffix}`));
          assert.match(note, new RegExp(`Removed from: .*Clinic ${suffix}`));
          assert.match(note, /Kept: Domain Users \(the primary group, which every Active Directory account keeps\)/);
          assert.match(
            note,
            new RegExp(
              `Move to life-${suffix} / Disabled users: OK - Moved from life-${suffix} / Staff to life-${suffix} / Disabled users\\.`,
            ),
          );
        });

        test('offboarding: the privileged guard refuses a Domain Admins member before anything changes', async () => {
          const boss = await newUser(`Boss${initials}`, staff);
          const [domainAdmins] = await ad.searchGroups('Domain Admins');
          await admin.modify(domainAdmins!.dn, [
            new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [boss.dn] }) }),
          ]);
          try {
            const { path } = await toolbox.openScreenPop(`${POP}&form_name=user_offboarding`, tech.cookie);
            const response = await toolbox.submitReviewed(path, {
              cookie: tech.cookie,
              form: {
                _csrf: tech.csrf,
                user_id: boss.id,
                block_sign_in: 'on',
                reset_password: 'on',
                remove_groups: 'on',
                move: 'on',
                move_to: disabled,
                when: 'now',
                time_zone: 'UTC',
              },
            });
            const executionId = response.headers.get('location')!.split('/').pop()!;
            const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
            assert.equal(run.status, 'failed');
            const check = run.steps.find((step) => step.key === 'check-account')!;
            assert.equal(check.status, 'failed');
            assert.match(check.message ?? '', /Domain Admins/);
            const after = await ad.getUser(boss.id);
            assert.equal(after.accountEnabled, true, 'still enabled');
            assert.equal(after.dn, boss.dn, 'not moved');
            assert.equal(await bindAs(boss.userPrincipalName, 'Initial-Passw0rd!'), 'ok', 'the password is unchanged');
          } finally {
            await admin.modify(domainAdmins!.dn, [
              new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [boss.dn] }) }),
            ]);
          }
        });

        // Only the agent link loses answers: over `direct`, a lost answer is a crash, tested above.
        if (connection === 'agent')
          test('onboarding over the agent, its answer to the create lost after the DC made the account: the create step reads the account and accepts it, no second one', async () => {
            const { path } = await toolbox.openScreenPop(`${POP}&form_name=user_onboarding`, tech.cookie);
            const password = `Dropped-${suffix}-Passw0rd!`;
            const upn = `lost.${tag}@test.lan`;
            const first = agent;
            loseCreateAnswer = true;
            const response = await toolbox.submitReviewed(path, {
              cookie: tech.cookie,
              form: {
                _csrf: tech.csrf,
                first_name: 'Lost',
                last_name: `Answer ${tag}`,
                username: `lost.${tag}`,
                domain: 'test.lan',
                ou: staff,
                password_mode: 'typed',
                password,
                must_change: 'on',
                [`group:${groupIds.Clinic}`]: 'on',
                when: 'now',
              },
            });
            assert.equal(response.status, 303, /class="error"[^<]*<[^<]*/.exec(decode(await response.clone().text()))?.[0]);
            const executionId = response.headers.get('location')!.split('/').pop()!;
            const run = (await toolbox.waitForExecution(executionId, tech.cookie, 20_000)) as unknown as Execution;
            assert.equal(loseCreateAnswer, false, 'the agent took the create and dropped its answer');
            assert.notEqual(agent, first, 'a second agent took over');
            assert.match(toolbox.logText(), /agent took an operation and its answer was lost/);
            assert.match(toolbox.logText(), /the agent’s answer to a write was lost; handled as an interrupted step/);
            assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
            const create = run.steps.find((step) => step.key === 'create-user')!;
            assert.equal(create.status, 'ok');
            assert.match(create.message ?? '', new RegExp(`created in life-${suffix} / Staff`));

            const accounts = await ad.findUsersByUpn(upn);
            assert.equal(accounts.length, 1, 'one account, not a second one');
            const [created] = accounts;
            assert.equal(created!.dn, `CN=Lost Answer ${tag},${staff}`);
            assert.equal(created!.accountEnabled, true);
            assert.equal(created!.mustChangePassword, true);
            assert.match(await bindAs(upn, password), /data 773/, 'the password set by the lost create holds');
            // The run carried on with the account the re-read found: its groups were added.
            assert.deepEqual((await ad.listUserGroups(created!.id)).groups.map((group) => group.displayName).sort(), [
              `Clinic ${suffix}`,
              'Domain Users',
            ]);
            const note = decode(String((toolbox.cw.state.notes.get(1001) ?? []).at(-1)?.text));
            assert.match(note, new RegExp(`User onboarding for Lost Answer ${tag} \\(${upn}\\) succeeded`));
            assert.doesNotMatch(note, new RegExp(password));
          });
      });
    }
});
