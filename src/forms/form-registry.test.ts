import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFormRegistry } from './form-registry.js';
import { builtInForms } from './index.js';

describe('the form registry', () => {
  it('derives every view of the forms from their one definition each', () => {
    assert.deepEqual(builtInForms.names, ['password_reset', 'user_onboarding', 'user_offboarding', 'reset_mfa', 'group_membership']);
    for (const form of builtInForms.list) {
      assert.equal(builtInForms.forms[form.name], form.form);
      assert.equal(builtInForms.workflows[form.name], form.workflow);
      assert.equal(builtInForms.defaultsSchemas[form.name], form.form.defaultsSchema);
      assert.equal(builtInForms.get(form.name), form);
    }
    assert.equal(builtInForms.labelOf('reset_mfa'), 'Reset MFA');
    assert.equal(builtInForms.labelOf('retired_form'), 'retired_form', 'a form this build no longer has is named by its name');
    // Names come from URLs: nothing an object inherits is found as a form.
    assert.equal(builtInForms.get('constructor'), undefined);
    assert.equal(builtInForms.forms.constructor, undefined);
    assert.equal(Object.hasOwn(builtInForms.defaultsSchemas, 'group_membership'), false, 'only forms that take defaults');
  });

  it('refuses a name twice, or one a screen-pop URL could not carry as it is', () => {
    const form = builtInForms.get('password_reset')!;
    assert.throws(() => createFormRegistry([form, form]), /Two forms are registered as "password_reset"/);
    assert.throws(() => createFormRegistry([{ ...form, name: 'Password Reset' }]), /lower case letters, digits and underscores/);
  });

  it('each built-in form’s input schema accepts what its form makes', () => {
    const reset = builtInForms.get('password_reset')!;
    assert.ok(reset.input.safeParse({ passwordMode: 'generated', mustChange: true, revokeSessions: true }).success);
    assert.ok(!reset.input.safeParse({ passwordMode: 'typed', mustChange: 'yes' }).success);
  });
});
