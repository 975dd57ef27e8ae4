import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeDirectoryConnector } from '../connectors/directory/active-directory/active-directory-connector.js';
import { CORE_CAPABILITIES, connectorCapabilities } from '../connectors/directory/directory-capabilities.js';
import { entraConnector } from '../connectors/directory/entra/entra-connector.js';
import type { DirectoryCapability } from '../connectors/directory/types.js';
import { offeredSteps, offerFor } from './form-offer.js';
import { builtInForms } from './index.js';

const offers = (capabilities: Iterable<DirectoryCapability>) => {
  const has = new Set(capabilities);
  return Object.fromEntries(builtInForms.list.map((form) => [form.name, offerFor(form, has, 'Directory D')]));
};
const leftOut = (offer: ReturnType<typeof offerFor>) => offer.leftOut.map((step) => step.key);

describe('what a form is for a directory, from the steps’ declarations', () => {
  it('Microsoft 365: every form, each with every step but unlocking and OU moves (Entra has neither)', () => {
    const entra = offers(connectorCapabilities(entraConnector));
    for (const offer of Object.values(entra)) assert.equal(offer.offered, true);
    assert.deepEqual(leftOut(entra.password_reset!), ['unlock']);
    assert.deepEqual(leftOut(entra.user_offboarding!), ['move-to-ou']);
    for (const name of ['reset_mfa', 'group_membership', 'user_onboarding']) assert.deepEqual(leftOut(entra[name]!), [], name);
  });

  it('the Active Directory connector: exactly the steps that mean something in AD', () => {
    const ad = offers(connectorCapabilities(activeDirectoryConnector));
    const offered = (name: string) => {
      const form = builtInForms.get(name)!;
      return form.workflow.steps.filter((step) => ad[name]!.offers(step.key)).map((step) => step.key);
    };
    assert.deepEqual(offered('password_reset'), ['check-account', 'reset-password', 'unlock']);
    assert.equal(ad.reset_mfa!.offered, false, 'AD has no MFA methods');
    assert.equal(ad.reset_mfa!.offered ? '' : ad.reset_mfa!.reason, 'Directory D cannot list or remove sign-in (MFA) methods.');
    assert.deepEqual(
      offered('group_membership'),
      builtInForms.get('group_membership')!.workflow.steps.map((step) => step.key),
    );
    // No usage location, licences, manager or copied profile: the user in an OU, with groups.
    assert.deepEqual(offered('user_onboarding'), ['check-name-and-seats', 'create-user', 'add-groups', 'verify']);
    assert.deepEqual(leftOut(ad.user_onboarding!), ['copy-attributes', 'assign-licences', 'set-manager']);
    // Disable, a random password, groups, the move; no Entra-only step.
    assert.deepEqual(offered('user_offboarding'), [
      'check-account',
      'block-sign-in',
      'reset-password',
      'remove-groups',
      'move-to-ou',
      'verify',
    ]);
    assert.ok(leftOut(ad.user_offboarding!).includes('remove-licences'));
    assert.ok(leftOut(ad.user_offboarding!).includes('convert-to-shared'));
  });

  it('only the core: password reset, group membership and offboarding without what it lacks; no MFA reset, no onboarding', () => {
    const core = offers(CORE_CAPABILITIES);
    assert.equal(core.reset_mfa!.offered, false);
    assert.equal(core.reset_mfa!.offered ? '' : core.reset_mfa!.reason, 'Directory D cannot list or remove sign-in (MFA) methods.');
    assert.equal(core.user_onboarding!.offered, false);
    assert.deepEqual(leftOut(core.password_reset!), ['unlock', 'revoke-sessions']);
    assert.equal(core.password_reset!.offers('reset-password'), true);
    assert.equal(core.password_reset!.offers('revoke-sessions'), false);
    assert.deepEqual(leftOut(core.group_membership!), []);
    assert.equal(core.user_offboarding!.offers('block-sign-in'), true);
    assert.equal(core.user_offboarding!.offers('remove-licences'), false);
    assert.equal(core.user_offboarding!.offers('move-to-ou'), false, 'no containers to move to');
    // A form not offered offers no step at all.
    assert.equal(core.reset_mfa!.offers('check-account'), false);
  });

  it('a directory shaped like Active Directory: the reset with unlock, onboarding without licences, offboarding without the mailbox', () => {
    const ad = offers([...CORE_CAPABILITIES, 'unlock', 'move', 'manager', 'profile', 'domains']);
    assert.deepEqual(leftOut(ad.password_reset!), ['revoke-sessions']);
    assert.equal(ad.password_reset!.offers('unlock'), true);
    assert.equal(ad.user_onboarding!.offered, true);
    assert.deepEqual(leftOut(ad.user_onboarding!), ['assign-licences']);
    assert.deepEqual(leftOut(ad.user_offboarding!), [
      'revoke-sessions',
      'remove-mfa',
      'remove-mobile-devices',
      'forwarding',
      'out-of-office',
      'mailbox-access',
      'convert-to-shared',
      'hide-from-address-lists',
      'remove-licences',
    ]);
    assert.equal(ad.user_offboarding!.offers('move-to-ou'), true);
    assert.equal(ad.reset_mfa!.offered, false);
  });

  it('an execution records the offered steps only, with the labels its input gives them', () => {
    const mfa = builtInForms.get('reset_mfa')!;
    const entra = offerFor(mfa, connectorCapabilities(entraConnector), 'Contoso');
    const steps = offeredSteps(mfa.workflow, entra, {
      mode: 'selected',
      methodIds: ['a'],
      temporaryAccessPass: null,
      revokeSessions: true,
    } as never);
    assert.deepEqual(
      steps.map((step) => step.label),
      [
        'Check the account can be changed here',
        'Remove the chosen sign-in methods',
        'Issue a Temporary Access Pass',
        'Sign the user out of all sessions',
        'Check what is registered now',
      ],
    );
    const reset = builtInForms.get('password_reset')!;
    const core = offerFor(reset, new Set(CORE_CAPABILITIES), 'Core');
    assert.deepEqual(
      offeredSteps(reset.workflow, core, {} as never).map((step) => step.key),
      ['check-account', 'reset-password'],
    );
  });

  it('every step of every form declares what it needs, and what it is for when it can be left out', () => {
    for (const form of builtInForms.list) {
      const keys = form.workflow.steps.map((step) => step.key);
      assert.equal(new Set(keys).size, keys.length, `${form.name}: step keys are unique`);
      for (const step of form.workflow.steps) {
        assert.ok(Array.isArray(step.needs), `${form.name}/${step.key} declares needs`);
        if (step.advisory) assert.ok(step.optional, `${form.name}/${step.key}: an advisory step says what it is for`);
      }
    }
  });
});
