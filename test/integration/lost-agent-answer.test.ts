import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DirectoryConnector } from '../../src/connectors/directory/types.js';
import { DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { ToolboxError } from '../../src/lib/toolbox-error.js';
import { type CoreDirectorySettings, coreDirectoryConnector, coreDirectoryState } from '../fake-directory/core-directory-connector.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, demoDirectoriesWithout, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * The engine's side of an on-prem agent's lost answer (issue 12 §4: "an operation whose answer was
 * lost is `unknown` and verified by reading the state, never blindly repeated"). The directory here
 * does the write and then answers TBX_ERR_AGENT_OUTCOME_UNKNOWN, as the agent link does when the
 * agent took a write and its answer never came back. The real link is tested end to end in
 * active-directory-agent.test.ts (an agent killed after the DC took the write); here each of the
 * engine's paths is pinned: a repeatable step runs once more and succeeds, a check-then-act step
 * reads the state and finds the change made, and a step whose second attempt fails too is
 * `unknown`, never `failed`.
 */
type Execution = { status: string; steps: { key: string; status: string; message: string | null }[] };
const POP = 'ticket_id=1001&company_id=250&contact_id=301';

/** Calls (by operation name) whose answer is lost after they took effect: how many times each. */
const lose = new Map<string, number>();
const lost = (operation: string) => {
  const left = lose.get(operation) ?? 0;
  if (left <= 0) return false;
  lose.set(operation, left - 1);
  return true;
};
const outcomeUnknown = () =>
  new ToolboxError({
    code: 'TBX_ERR_AGENT_OUTCOME_UNKNOWN',
    httpStatus: 504,
    message: 'The on-prem agent took this change but its answer never came back, so whether it was made is not known.',
  });

/** After a lost create, the next lookup fails too (the agent's link is still down): the step cannot tell. */
let lookupDown = false;

/**
 * The core directory (plus the domains a sign-in name may use, so onboarding is offered), with the
 * answer of chosen writes lost after they were made.
 */
const lossyConnector: DirectoryConnector<CoreDirectorySettings> = {
  ...coreDirectoryConnector,
  kind: 'lossy-directory',
  capabilities: {
    ...coreDirectoryConnector.capabilities,
    proofs: {
      ...coreDirectoryConnector.capabilities.proofs,
      domains: [{ label: 'read UPN suffixes', checkName: 'Bind to the core directory' }],
    },
  },
  create(settings, deps) {
    const client = coreDirectoryConnector.create(settings, deps);
    return {
      ...client,
      domains: { listVerifiedDomains: async () => [{ name: 'contosodental.example', isDefault: true }] },
      async findUsersByUpn(upn) {
        if (lookupDown) {
          lookupDown = false;
          throw new ToolboxError({ code: 'TBX_ERR_AGENT_OFFLINE', httpStatus: 503, message: 'The on-prem agent for lossy is offline.' });
        }
        return client.findUsersByUpn(upn);
      },
      async createUser(input) {
        const user = await client.createUser(input);
        if (lost('createUser')) {
          lookupDown = true;
          throw outcomeUnknown();
        }
        return user;
      },
      async resetPassword(id, input) {
        await client.resetPassword(id, input);
        if (lost('resetPassword')) throw outcomeUnknown();
      },
      async addGroupMember(groupId, userId) {
        const result = await client.addGroupMember(groupId, userId);
        if (lost('addGroupMember')) throw outcomeUnknown();
        return result;
      },
    };
  },
};

for (const database of TEST_DATABASES) {
  describe(`a lost agent answer in a run (${database.name})`, { skip: database.skip }, () => {
    const directoryName = `lossy-${database.name}`;
    const state = coreDirectoryState(directoryName);
    let toolbox: TestToolbox;
    let drop: () => Promise<void>;
    let tech: { cookie: string; csrf: string };

    const submit = async (formName: string, form: Record<string, string>) => {
      const { path } = await toolbox.openScreenPop(`${POP}&form_name=${formName}`, tech.cookie);
      const response = await toolbox.submitReviewed(path, { cookie: tech.cookie, form: { _csrf: tech.csrf, ...form } });
      assert.equal(response.status, 303, (response.review ?? '').slice(0, 400));
      const id = response.headers.get('location')!.split('/').pop()!;
      return (await toolbox.waitForExecution(id, tech.cookie)) as unknown as Execution;
    };

    before(async () => {
      const store = await database.open();
      drop = store.drop;
      const tenants = demoDirectoriesWithout('250');
      toolbox = await createTestToolbox({
        store,
        directoryConnectors: { 'lossy-directory': lossyConnector },
        config: {
          directories: [{ id: 'lossy', kind: 'lossy-directory', name: 'Lossy AD', directoryName, psaCompanyIds: ['250'] }, ...tenants],
        },
      });
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      lose.clear();
      await toolbox?.close();
      await drop?.();
    });

    test('a repeatable step (the password of this execution) runs once more and succeeds', async () => {
      lose.set('resetPassword', 1);
      const password = 'Lost-Answer-Passw0rd!';
      const run = await submit('password_reset', { user_id: 'cd-megan', password_mode: 'typed', password, must_change: 'on' });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
      assert.equal(lose.get('resetPassword'), 0, 'the lost answer was not met');
      assert.equal(state.users.get('cd-megan')?.password, password);
    });

    test('a check-then-act step reads the state and finds its change made: not added twice, reported as done', async () => {
      lose.set('addGroupMember', 1);
      state.groups.get('cd-staff')?.members.delete('cd-megan');
      const run = await submit('group_membership', { mode: 'user', user_id: 'cd-megan', 'add_group:cd-staff': 'on' });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
      const add = run.steps.find((step) => step.key !== 'check-account' && step.key !== 'ticket-note' && step.status === 'ok');
      assert.ok(add, JSON.stringify(run.steps));
      assert.doesNotMatch(add.message ?? '', /already a member/i, 'the change this run made is reported as made by it');
      assert.ok(state.groups.get('cd-staff')?.members.has('cd-megan'));
    });

    test('when the second attempt fails too, the step is unknown (never failed), and the run says what to check', async () => {
      lose.set('resetPassword', 2);
      const run = await submit('password_reset', {
        user_id: 'cd-megan',
        password_mode: 'typed',
        password: 'Lost-Twice-Passw0rd!',
        must_change: 'on',
      });
      const reset = run.steps.find((step) => step.key === 'reset-password');
      assert.equal(reset?.status, 'unknown', JSON.stringify(run.steps));
      assert.match(reset?.message ?? '', /Check in the directory whether it was done/);
      assert.notEqual(run.status, 'succeeded');
      assert.notEqual(run.status, 'failed', 'a change that may have happened is not reported as nothing done');
    });

    test('an onboarding whose create cannot be confirmed stops there: the account may exist, so no group is added to it', async () => {
      lose.set('createUser', 1);
      const run = await submit('user_onboarding', {
        first_name: 'Una',
        last_name: 'Known',
        username: 'una.known',
        domain: 'contosodental.example',
        password_mode: 'generated',
        must_change: 'on',
        'group:cd-staff': 'on',
        when: 'now',
      });
      const create = run.steps.find((step) => step.key === 'create-user');
      assert.equal(create?.status, 'unknown', JSON.stringify(run.steps));
      const groups = run.steps.find((step) => step.key === 'add-groups');
      assert.equal(groups?.status, 'skipped', JSON.stringify(run.steps));
      assert.match(groups?.message ?? '', /whether an earlier step was done is not known/);
      const created = [...state.users.values()].find((user) => user.userPrincipalName === 'una.known@contosodental.example');
      assert.ok(created, 'the lost create did happen in the directory');
      assert.ok(!state.groups.get('cd-staff')?.members.has(created.id), 'a group was added to an account whose creation was unknown');
    });
  });
}
