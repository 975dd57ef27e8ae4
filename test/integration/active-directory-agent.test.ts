import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Attribute, Change, type Client } from 'ldapts';
import type { AgentConfig } from '../../src/agent/agent-config.js';
import type { RunAgentOptions, RunningAgent } from '../../src/agent/run-agent.js';
import { createActiveDirectoryConnector } from '../../src/connectors/directory/active-directory/active-directory-connector.js';
import type { ActiveDirectoryLdap } from '../../src/connectors/directory/active-directory/active-directory-ldap.js';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { bindAs as bindAsUser, createTestOu, deleteOu, sambaLdap, sambaSkip, type TestSambaDc, useSambaDc } from '../helpers/samba-dc.js';
import { startTestAgent, TEST_AGENT_HUB } from '../helpers/test-agent.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, demoDirectoriesWithout, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Issue 12 §4: the on-prem agent, against a real Samba AD DC. The toolbox's directory contoso-ad is
 * `connection: agent`; agents run in-process (runAgent, the same loop `npm run agent` runs), talk
 * to the toolbox through its HTTP routes, and hold the domain credentials themselves. Company 250's
 * contact is an AD account made for this file in an OU of its own.
 */
type Execution = { status: string; steps: { key: string; status: string; message: string | null }[] };
const POP = 'ticket_id=1001&company_id=250&contact_id=301';
const MEGAN_MAIL = 'megan.bowen@contosodental.example';
const INITIAL = 'Initial-Passw0rd!';
const TOKEN = `preshared-${randomBytes(24).toString('base64url')}`;
const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#x27;', "'");
const quiet = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The shortened timings: a poll held 1 s, an agent silent 2.5 s is offline. */
const HUB = TEST_AGENT_HUB;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}

describe('the on-prem agent (Samba AD DC)', { skip: sambaSkip }, () => {
  let dc: TestSambaDc;
  let admin: Client;
  let ad: ActiveDirectoryLdap;
  let ou: string;
  const suffix = randomBytes(3).toString('hex');
  let megan: { id: string; dn: string; upn: string };
  const bindAs = (upn: string, password: string) => bindAsUser(dc, upn, password);

  before(async () => {
    dc = await useSambaDc();
    ad = sambaLdap(dc, { logger: quiet });
    ({ admin, ou } = await createTestOu(dc, `agent-${suffix}`));
    const user = await ad.createUser({
      parentDn: ou,
      givenName: 'Megan',
      surname: 'Bowen',
      displayName: 'Megan Bowen',
      sAMAccountName: `magent${suffix}`,
      userPrincipalName: `megan.agent.${suffix}@test.lan`,
      mail: MEGAN_MAIL,
      password: INITIAL,
      mustChangePassword: false,
    });
    megan = { id: user.id, dn: user.dn, upn: user.userPrincipalName };
    for (const name of ['Front Desk', 'Billing']) {
      await admin.add(`CN=${name} ${suffix},${ou}`, {
        objectClass: ['top', 'group'],
        sAMAccountName: `a${name.replace(' ', '')}${suffix}`,
      });
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
      const agents: { agent: RunningAgent; log: () => string }[] = [];

      /** An agent as `npm run agent` runs it, reaching the in-process toolbox; its log kept as text. */
      const startAgent = (name: string, overrides: Partial<AgentConfig> = {}, hooks: Pick<RunAgentOptions, 'onWork'> = {}) => {
        const lines: string[] = [];
        const destination = new Writable({
          write(chunk, _encoding, callback) {
            lines.push(String(chunk));
            callback();
          },
        });
        const agent = startTestAgent({
          toolbox,
          dc,
          token: TOKEN,
          baseDn: ou,
          name,
          logger: createLogger({ level: 'debug', destination }),
          overrides,
          ...hooks,
        });
        const entry = { agent, log: () => lines.join('') };
        agents.push(entry);
        return entry;
      };
      const stopAll = async () => {
        await Promise.all(agents.splice(0).map(({ agent }) => agent.stop()));
      };
      const connected = async () => (await toolbox.services.agents.agents('contoso-ad')).filter((agent) => agent.connected);

      before(async () => {
        const store = await database.open();
        drop = store.drop;
        const tenants = demoDirectoriesWithout('250');
        toolbox = await createTestToolbox({
          store,
          agentHub: HUB,
          directoryConnectors: { 'active-directory': createActiveDirectoryConnector() },
          config: {
            directories: [
              {
                id: 'contoso-ad',
                kind: 'active-directory',
                name: 'Contoso AD',
                psaCompanyIds: ['250'],
                connection: 'agent',
                baseDn: ou,
                agentToken: TOKEN,
                timeoutMs: 3_000,
              },
              ...tenants,
            ],
          },
        });
        tech = await toolbox.signIn(DEMO_SIGN_IN);
        adminSession = await toolbox.signIn(DEMO_ADMIN);
      });
      after(async () => {
        for (const { agent } of agents.splice(0)) agent.kill();
        await toolbox?.close();
        await drop?.();
      });

      test('password reset with unlock through the agent: the new password binds, must-change set; no password in either log', async () => {
        startAgent('agent-1');
        await until('the agent connects', async () => (await connected()).length === 1);
        for (let attempt = 0; attempt < 6; attempt++) await bindAs(megan.upn, 'wrong-password');
        assert.equal((await ad.getUser(megan.id)).lockedOut, true);

        const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
        assert.equal(status, 200, html.slice(0, 400));
        assert.match(decode(html), /Megan Bowen/);
        assert.match(decode(html), /name="unlock"/);
        const password = `Agent-${suffix}-Passw0rd!`;
        const submitted = await toolbox.submitReviewed(path, {
          cookie: tech.cookie,
          form: { _csrf: tech.csrf, user_id: megan.id, password_mode: 'typed', password, must_change: 'on', unlock: 'on' },
        });
        assert.equal(submitted.status, 303);
        const run = (await toolbox.waitForExecution(
          submitted.headers.get('location')!.split('/').pop()!,
          tech.cookie,
        )) as unknown as Execution;
        assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
        const after = await ad.getUser(megan.id);
        assert.equal(after.lockedOut, false);
        assert.equal(after.mustChangePassword, true);
        assert.match(await bindAs(megan.upn, password), /data 773/, 'the new password is the account’s (must change it now)');
        for (const text of [toolbox.logText(), agents[0]!.log()]) {
          assert.doesNotMatch(text, new RegExp(password), 'a password in a log');
          assert.doesNotMatch(text, new RegExp(dc.adminPassword), 'the domain’s password in a log');
        }
        assert.match(agents[0]!.log(), /"operation":"resetPassword"/);
        const leftover = await toolbox.services.store.directoryAgents.listAgents('contoso-ad');
        assert.equal(leftover[0]?.dcReachable, true, 'the agent reports its DC reachable');
        await ad.resetPassword(megan.id, { password: INITIAL, mustChange: false, unlock: true });
      });

      test('group membership through the agent: added and removed', async () => {
        const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=group_membership`, tech.cookie);
        assert.equal(status, 200, html.slice(0, 400));
        const [billing] = await ad.searchGroups(`Billing ${suffix}`);
        const [frontDesk] = await ad.searchGroups(`Front Desk ${suffix}`);
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
        const run = (await toolbox.waitForExecution(
          response.headers.get('location')!.split('/').pop()!,
          tech.cookie,
        )) as unknown as Execution;
        assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
        const groups = (await ad.listUserGroups(megan.id)).groups.map((group) => group.displayName).sort();
        assert.deepEqual(groups, [`Billing ${suffix}`, 'Domain Users']);
        await ad.addGroupMember(frontDesk!.id, megan.id);
        await ad.removeGroupMember(billing!.id, megan.id);
      });

      test('the privileged guard through the agent: a protected account is refused before anything changes', async () => {
        const [domainAdmins] = await ad.searchGroups('Domain Admins');
        const [frontDesk] = await ad.searchGroups(`Front Desk ${suffix}`);
        const nested = (operation: 'add' | 'delete') =>
          admin.modify(domainAdmins!.dn, [
            new Change({ operation, modification: new Attribute({ type: 'member', values: [frontDesk!.dn] }) }),
          ]);
        await nested('add');
        try {
          const { path, status } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
          assert.equal(status, 200);
          const submitted = await toolbox.submitReviewed(path, {
            cookie: tech.cookie,
            form: { _csrf: tech.csrf, user_id: megan.id, password_mode: 'typed', password: `Never-${suffix}-Set1!`, must_change: 'on' },
          });
          const run = (await toolbox.waitForExecution(
            submitted.headers.get('location')!.split('/').pop()!,
            tech.cookie,
          )) as unknown as Execution;
          assert.notEqual(run.status, 'succeeded');
          const check = run.steps.find((step) => step.key === 'check-account')!;
          assert.equal(check.status, 'failed');
          assert.match(check.message ?? '', /Domain Admins/);
          assert.equal(await bindAs(megan.upn, INITIAL), 'ok', 'the password was changed anyway');
        } finally {
          await nested('delete');
        }
      });

      test('the systems check runs through the agent: "agent connected", then the same AD lines', async () => {
        const response = await toolbox.api('POST', '/api/admin/directories/contoso-ad/check', { session: adminSession });
        assert.equal(response.status, 200, await response.clone().text());
        const body = (await response.json()) as Record<string, unknown>;
        const lines = (Object.values(body).find(Array.isArray) ?? []) as { name: string; ok: boolean; outcome?: string }[];
        const state = Object.fromEntries(lines.map((line) => [line.name, line.ok ? 'pass' : (line.outcome ?? 'fail')]));
        assert.equal(state['On-prem agent connected'], 'pass');
        assert.equal(state['Connection to the domain controller'], 'pass');
        assert.equal(state['Password policy'], 'pass');
        assert.equal(state['Reset passwords'], 'unverified');
        assert.equal(state['Change group membership'], 'pass');
      });

      test('two agents share the work, and one covers for the other', async () => {
        const second = startAgent('agent-2', {}, { onWork: async () => void (await sleep(30)) });
        await until('both agents connect', async () => (await connected()).length === 2);
        const client = toolbox.services.directories.get('contoso-ad')!.client;
        const users = await Promise.all(Array.from({ length: 16 }, () => client.getUser(megan.id)));
        assert.ok(users.every((user) => user.displayName === 'Megan Bowen'));
        const done = (log: string) => (log.match(/"operation":"getUser"/g) ?? []).length;
        assert.ok(done(agents[0]!.log()) > 0 && done(second.log()) > 0, 'each agent carried some of the operations');

        await agents[0]!.agent.stop();
        assert.equal((await client.getUser(megan.id)).id, megan.id, 'the other agent carries on');
      });

      test('the console shows each agent, creates and rotates tokens (hash only in the store)', async () => {
        const page = decode(await (await toolbox.request('/admin/directories/contoso-ad', { cookie: adminSession.cookie })).text());
        assert.match(page, /On-prem agent/);
        assert.match(page, /agent-2<\/td>\s*<td class="status-succeeded">connected/, 'the running agent is listed as connected');
        assert.match(page, /agent-1<\/td>\s*<td class="status-failed">offline|agent-1<\/td>\s*<td class="status-succeeded">connected/);
        assert.match(page, /reachable/);

        const created = await toolbox.request('/admin/directories/contoso-ad/agent-tokens', {
          cookie: adminSession.cookie,
          form: { _csrf: adminSession.csrf, rotate: 'off' },
        });
        assert.equal(created.status, 200);
        const token = /<code>(tbxa_[A-Za-z0-9_-]+)<\/code>/.exec(await created.text())?.[1];
        assert.ok(token, 'the new token is shown once');
        const stored = JSON.stringify(await toolbox.services.store.directoryAgents.listTokens('contoso-ad'));
        assert.ok(!stored.includes(token), 'the store keeps no token in clear');
        const consoleAgent = startAgent('agent-console', { token });
        await until('the agent with the console’s token connects', async () =>
          (await connected()).some((agent) => agent.agentName === 'agent-console'),
        );

        const rotated = await toolbox.api('POST', '/api/admin/directories/contoso-ad/agent-tokens', {
          session: adminSession,
          body: { rotate: true },
        });
        assert.equal(rotated.status, 200);
        assert.equal(await toolbox.services.agents.authenticate(token), null, 'the rotated token no longer works');
        assert.deepEqual(await toolbox.services.agents.authenticate(((await rotated.json()) as { token: string }).token), {
          directoryId: 'contoso-ad',
        });
        await consoleAgent.agent.stop();
      });

      test('a wrong token is refused with a clear message in the agent’s log; nothing is carried', async () => {
        const intruder = startAgent('intruder', { token: 'x'.repeat(40) });
        await until('the refusal is logged', () => /refused this agent's token/.test(intruder.log()));
        assert.match(intruder.log(), /does not know this agent token/);
        assert.match(toolbox.logText(), /presented an unknown token; refused/);
        assert.doesNotMatch(toolbox.logText(), /x{40}/, 'the wrong token is not logged');
        const names = (await toolbox.services.agents.agents('contoso-ad')).map((agent) => agent.agentName);
        assert.ok(!names.includes('intruder'), 'a refused agent is not listed');
        assert.doesNotMatch(intruder.log(), /operation done/);
        await intruder.agent.stop();
      });

      test('the agent goes offline mid-form: the run says so, fast, and nothing changed', async () => {
        const { path, status } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
        assert.equal(status, 200);
        await stopAll();
        await until('the agent counts as offline', async () => (await connected()).length === 0);

        const started = Date.now();
        const submitted = await toolbox.submitReviewed(path, {
          cookie: tech.cookie,
          form: { _csrf: tech.csrf, user_id: megan.id, password_mode: 'typed', password: `Offline-${suffix}-Pw1!`, must_change: 'on' },
        });
        assert.ok(submitted.status < 500, `answered ${submitted.status}`);
        if (submitted.status === 303) {
          const run = (await toolbox.waitForExecution(
            submitted.headers.get('location')!.split('/').pop()!,
            tech.cookie,
          )) as unknown as Execution;
          assert.equal(run.status, 'failed', JSON.stringify(run.steps));
          assert.match(JSON.stringify(run.steps), /on-prem agent for contoso-ad is offline \(last seen/);
          assert.ok(!run.steps.some((step) => step.key === 'reset-password' && step.status === 'ok'));
        } else {
          assert.match(decode(await submitted.text()), /on-prem agent for contoso-ad is offline/);
        }
        assert.ok(Date.now() - started < 5_000, 'it did not wait for the operation’s timeout');
        assert.equal(await bindAs(megan.upn, INITIAL), 'ok', 'nothing was changed');

        // A screen pop while the agent is offline says so on the page, no 5xx.
        const pop = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
        assert.ok(pop.status < 500, `the form answered ${pop.status}`);
        assert.match(decode(pop.html), /on-prem agent for contoso-ad is offline/);
      });

      test('a lost answer: the agent dies after the DC took the write; the step is not reported done and the write is never handed to another agent', async () => {
        let dying: ReturnType<typeof startAgent> | undefined;
        dying = startAgent(
          'agent-dies',
          {},
          {
            onWork: (work, phase) => {
              if (work.method === 'resetPassword' && phase === 'after') dying!.agent.kill();
            },
          },
        );
        await until('the agent connects', async () => (await connected()).length === 1);
        const { path } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
        const password = `Lost-${suffix}-Passw0rd!`;
        const submitted = await toolbox.submitReviewed(path, {
          cookie: tech.cookie,
          form: { _csrf: tech.csrf, user_id: megan.id, password_mode: 'typed', password, must_change: 'on' },
        });
        assert.equal(submitted.status, 303);
        const run = (await toolbox.waitForExecution(
          submitted.headers.get('location')!.split('/').pop()!,
          tech.cookie,
          20_000,
        )) as unknown as Execution;
        const reset = run.steps.find((step) => step.key === 'reset-password')!;
        assert.equal(reset.status, 'unknown', JSON.stringify(run.steps));
        assert.match(reset.message ?? '', /answer .*was lost|did not come|went silent/);
        assert.notEqual(run.status, 'succeeded');
        assert.match(await bindAs(megan.upn, password), /data 773/, 'the write did happen: "unknown" is the honest answer');

        // Another agent comes: the lost write is not handed to it (its request is gone from the store).
        const fresh = startAgent('agent-fresh');
        await until('the new agent connects', async () => (await connected()).some((agent) => agent.agentName === 'agent-fresh'));
        await sleep(HUB.pollHoldMs + 300);
        assert.doesNotMatch(fresh.log(), /resetPassword/);
        await ad.resetPassword(megan.id, { password: INITIAL, mustChange: false, unlock: true });
        await stopAll();
      });
    });
  }
});
