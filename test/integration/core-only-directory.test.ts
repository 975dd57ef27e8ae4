import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { executionJob } from '../../src/domain/execution/execution-job.js';
import { describePasswordRules } from '../../src/domain/passwords/check-password.js';
import { NOTE_STEP } from '../../src/engine/run-execution.js';
import { newId } from '../../src/lib/ids.js';
import { CORE_DIRECTORY_POLICY, coreDirectoryConnector, coreDirectoryState } from '../fake-directory/core-directory-connector.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, demoDirectoriesWithout, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * Issue 12 §1: "a test that registers a fake directory kind with only the core capabilities and
 * shows which forms and steps it gets". The kind (test/fake-directory/) exists only here and is
 * registered by this file alone; ConnectWise company 250 is mapped to it instead of its tenant.
 * What it cannot do (sessions, sign-in methods, mailboxes, licences, managers, domains, unlock) is
 * never offered: the catalogue says which forms and steps it gets and why, the forms leave the
 * options out, a form it cannot do is refused with the reason, and a step it cannot do that was
 * recorded anyway (the directory changed since) is skipped, or failed if the form needs it.
 */
type Item = { checkName: string; state: string };
type Permissions = {
  directoryId: string;
  offered: boolean;
  notOffered?: string;
  leftOut: { step: string; what: string; reason: string }[];
  items: Item[];
};
type Catalogue = { forms: { name: string; available: boolean; needs: { permissions: Permissions[] } }[] };
type Execution = { status: string; inputs: Record<string, unknown>; steps: { key: string; status: string; message: string | null }[] };

const POP = 'ticket_id=1001&company_id=250&contact_id=301';
const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');

for (const database of TEST_DATABASES) {
  describe(`a directory kind with only the core capabilities (${database.name})`, { skip: database.skip }, () => {
    const directoryName = `core-${database.name}`;
    const state = coreDirectoryState(directoryName);
    let toolbox: TestToolbox;
    let drop: () => Promise<void>;
    let tech: { cookie: string; csrf: string };
    let admin: { cookie: string; csrf: string };

    before(async () => {
      const store = await database.open();
      drop = store.drop;
      const tenants = demoDirectoriesWithout('250');
      toolbox = await createTestToolbox({
        store,
        // The one registry line a directory kind needs.
        directoryConnectors: { 'core-directory': coreDirectoryConnector },
        config: {
          directories: [{ id: 'core', kind: 'core-directory', name: 'Core Directory', directoryName, psaCompanyIds: ['250'] }, ...tenants],
        },
      });
      tech = await toolbox.signIn(DEMO_SIGN_IN);
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await drop();
    });

    const catalogue = async () => (await (await toolbox.api('GET', '/api/admin/forms', { session: admin })).json()) as Catalogue;
    const on = (view: Catalogue, form: string, directory: string) =>
      view.forms.find((entry) => entry.name === form)!.needs.permissions.find((entry) => entry.directoryId === directory)!;

    test('the catalogue: the forms it gets, the steps they are offered without, and why; a tenant of the same install gets all', async () => {
      const view = await catalogue();

      const reset = on(view, 'password_reset', 'core');
      assert.equal(reset.offered, true);
      assert.deepEqual(
        reset.leftOut.map((step) => [step.step, step.what, step.reason]),
        [
          ['unlock', 'unlocking the account', 'Core Directory cannot unlock accounts.'],
          ['revoke-sessions', 'signing the user out of all sessions', 'Core Directory cannot sign users out of their sessions.'],
        ],
      );
      // What it must be granted: its sign-in and the proofs of the core capabilities the offered steps need, nothing of Entra's.
      assert.deepEqual(
        reset.items.map((item) => item.checkName),
        ['Bind to the core directory', 'Right to read protected groups', 'Right to reset passwords'],
      );

      const mfa = on(view, 'reset_mfa', 'core');
      assert.equal(mfa.offered, false);
      assert.equal(mfa.notOffered, 'Core Directory cannot list or remove sign-in (MFA) methods.');
      assert.deepEqual(mfa.items, [], 'nothing to grant for a form it is not offered');

      const onboarding = on(view, 'user_onboarding', 'core');
      assert.equal(onboarding.offered, false);
      assert.equal(onboarding.notOffered, 'Core Directory cannot list the domains a sign-in name may use.');

      const groups = on(view, 'group_membership', 'core');
      assert.equal(groups.offered, true);
      assert.deepEqual(groups.leftOut, []);

      const offboarding = on(view, 'user_offboarding', 'core');
      assert.equal(offboarding.offered, true);
      assert.deepEqual(
        offboarding.leftOut.map((step) => step.step),
        [
          'revoke-sessions',
          'remove-mfa',
          'remove-mobile-devices',
          'forwarding',
          'out-of-office',
          'mailbox-access',
          'convert-to-shared',
          'hide-from-address-lists',
          'remove-licences',
          'remove-manager',
          'move-to-ou',
        ],
      );

      // The Microsoft 365 tenant next to it is offered every form, without only what Entra has no use for.
      assert.equal(on(view, 'reset_mfa', 'contoso').offered, true);
      assert.deepEqual(
        on(view, 'password_reset', 'contoso').leftOut.map((step) => step.step),
        ['unlock'],
      );
      // Entra has no OUs to move an account to.
      assert.deepEqual(
        on(view, 'user_offboarding', 'contoso').leftOut.map((step) => step.step),
        ['move-to-ou'],
      );

      const page = decode(await (await toolbox.request('/admin/forms', { cookie: admin.cookie })).text());
      assert.match(page, /Not offered for Core Directory: Core Directory cannot list or remove sign-in \(MFA\) methods\./);
      assert.match(page, /For Core Directory, without unlocking the account; signing the user out of all sessions:/);
    });

    test('a form it cannot do: the screen pop says why, and the ticket launcher does not list it', async () => {
      const { status, html } = await toolbox.openScreenPop(`${POP}&form_name=reset_mfa`, tech.cookie);
      assert.equal(status, 409);
      assert.match(decode(html), /Reset MFA is not offered for Core Directory/);
      assert.match(decode(html), /Core Directory cannot list or remove sign-in \(MFA\) methods\. Nothing was run\./);
      // The ticket launcher does not list it for this company either.
      const launcher = decode(await (await toolbox.request('/launcher?ticket_id=1001', { cookie: tech.cookie })).text());
      assert.match(launcher, /Password reset/);
      assert.doesNotMatch(launcher, /MFA reset/);
    });

    test('password reset: no session option, the directory’s own password rules, and only the steps it can do are run', async () => {
      const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=password_reset`, tech.cookie);
      assert.equal(status, 200, html.slice(0, 300));
      const page = decode(html);
      assert.match(page, /Megan Bowen/);
      assert.doesNotMatch(page, /name="revoke_sessions"/);
      assert.doesNotMatch(page, /name="unlock"/);
      assert.ok(page.includes(describePasswordRules(CORE_DIRECTORY_POLICY)), 'the rules under the field are the directory’s');
      assert.doesNotMatch(page, /8 to 256/, 'not Entra’s');

      // Its policy, not Entra's: 9 characters pass Entra's length but not this directory's.
      const short = await toolbox.request(path, {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, user_id: 'cd-megan', password_mode: 'typed', password: 'Abcdef1!x' },
      });
      assert.equal(short.status, 422);
      assert.match(decode(await short.text()), /9 characters; the core directory needs 12 to 128/);

      // A session tick sent anyway (an old page, a hand-made post) is not a request for what the directory cannot do.
      const submitted = await toolbox.request(path, {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, user_id: 'cd-megan', password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' },
      });
      assert.equal(submitted.status, 303);
      const executionId = submitted.headers.get('location')!.split('/').pop()!;
      const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
      assert.equal(run.status, 'succeeded', JSON.stringify(run.steps));
      assert.deepEqual(
        run.steps.map((step) => [step.key, step.status]),
        [
          ['check-account', 'ok'],
          ['reset-password', 'ok'],
          ['ticket-note', 'ok'],
        ],
      );
      assert.equal(run.inputs.revokeSessions, false);
      const megan = state.users.get('cd-megan')!;
      assert.ok(megan.password && megan.password.length >= 16, 'a generated password was set in the core directory');
      assert.equal(megan.mustChange, true);
    });

    test('offboarding: only the steps it can do are offered and run; a tick for another is ignored', async () => {
      const { path, status, html } = await toolbox.openScreenPop(`${POP}&form_name=user_offboarding`, tech.cookie);
      assert.equal(status, 200, html.slice(0, 300));
      for (const offered of ['block_sign_in', 'reset_password', 'remove_groups']) assert.match(html, new RegExp(`name="${offered}"`));
      for (const missing of [
        'revoke_sessions',
        'remove_mfa',
        'remove_mobile_devices',
        'convert_to_shared',
        'hide_from_gal',
        'remove_licences',
        'forward',
        'ooo',
        'access',
      ]) {
        assert.doesNotMatch(html, new RegExp(`name="${missing}"`), missing);
      }
      const response = await toolbox.submitReviewed(path, {
        cookie: tech.cookie,
        form: {
          _csrf: tech.csrf,
          user_id: 'cd-megan',
          block_sign_in: 'on',
          remove_groups: 'on',
          // Not offered here: read as not ticked.
          remove_licences: 'on',
          convert_to_shared: 'on',
          when: 'now',
          time_zone: 'UTC',
        },
      });
      assert.equal(response.status, 303);
      const review = decode(/<ol class="review-changes">[\s\S]*?<\/ol>/.exec(response.review ?? '')?.[0] ?? '');
      assert.match(review, /<li>Block sign-in<\/li>/);
      assert.match(review, /Remove from 2 groups: Staff, Billing; 1 group stays \(not changeable here\)/);
      assert.doesNotMatch(review, /licence|shared/i);

      const executionId = response.headers.get('location')!.split('/').pop()!;
      const run = (await toolbox.waitForExecution(executionId, tech.cookie)) as unknown as Execution;
      assert.deepEqual(
        run.steps.map((step) => [step.key, step.status]),
        [
          ['check-account', 'ok'],
          ['block-sign-in', 'ok'],
          ['reset-password', 'skipped'],
          ['remove-groups', 'warning'],
          ['verify', 'ok'],
          ['ticket-note', 'ok'],
        ],
      );
      assert.equal(run.status, 'succeeded');
      assert.equal(state.users.get('cd-megan')!.accountEnabled, false);
      assert.deepEqual(
        [...state.groups.values()].filter((group) => group.members.has('cd-megan')).map((group) => group.displayName),
        ['Builtin Users'],
      );
    });

    test('the engine skips a recorded step the directory cannot do, saying why, and fails one the form cannot do without', async () => {
      // As if the company's directory had been switched to this kind after these runs were submitted.
      const technician = (await toolbox.services.store.users.findByEmail(DEMO_SIGN_IN.email))!;
      const record = async (formName: string, form: Record<string, unknown>, steps: { key: string; label: string }[], secret?: string) => {
        const id = newId();
        const now = Date.now();
        await toolbox.services.store.executions.createOnce(
          {
            id,
            launchId: null,
            psaKind: 'connectwise',
            formName,
            technicianUserId: technician.id,
            technicianEmail: technician.email,
            ticketId: null,
            companyId: '250',
            contactId: '301',
            directoryId: 'core',
            targetUserId: 'cd-adele',
            targetDisplay: 'Adele Vance (adele.vance@contosodental.example)',
            inputs: { form, reveal: null },
            secretSealed: secret ? toolbox.services.secretBox.seal(secret, id) : null,
            secretExpiresAt: secret ? new Date(now + 600_000).toISOString() : null,
            steps: [...steps, NOTE_STEP],
            job: executionJob(id, now),
          },
          new Date(now).toISOString(),
          toolbox.services.jobQueue.transactionalWriter,
        );
        toolbox.services.jobQueue.notify();
        return (await toolbox.waitForExecution(id, tech.cookie)) as unknown as Execution;
      };

      const reset = await record(
        'password_reset',
        { passwordMode: 'generated', mustChange: false, revokeSessions: true },
        [
          { key: 'check-account', label: 'Check the account can be changed here' },
          { key: 'reset-password', label: 'Set a new password' },
          { key: 'revoke-sessions', label: 'Sign the user out of all sessions' },
        ],
        'Kettle-Harbor-Quiet-42',
      );
      const revoke = reset.steps.find((step) => step.key === 'revoke-sessions')!;
      assert.equal(revoke.status, 'skipped');
      assert.equal(revoke.message, 'Not available for Core Directory: it cannot sign users out of their sessions.');
      assert.equal(reset.status, 'succeeded');
      assert.equal(state.users.get('cd-adele')!.password, 'Kettle-Harbor-Quiet-42');

      const mfa = await record('reset_mfa', { mode: 'all', methodIds: [], temporaryAccessPass: null, revokeSessions: false }, [
        { key: 'check-account', label: 'Check the account can be changed here' },
        { key: 'remove-methods', label: 'Remove every sign-in method except the password' },
        { key: 'verify', label: 'Check what is registered now' },
      ]);
      const remove = mfa.steps.find((step) => step.key === 'remove-methods')!;
      assert.equal(remove.status, 'failed');
      assert.equal(remove.message, 'Not available for Core Directory: it cannot list or remove sign-in (MFA) methods.');
      assert.equal(mfa.status, 'failed');
    });
  });
}
