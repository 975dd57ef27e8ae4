import assert from 'node:assert/strict';
import { test } from 'node:test';
import { directoryConnectors } from '../../connectors/directory/index.js';
import { builtInForms } from '../../forms/index.js';
import { describeMspAppRegistration } from './msp-app-registration.js';

test('the registration steps: both redirect URIs for this address, each permission with the forms that need it, enabled ones marked', () => {
  const registration = describeMspAppRegistration({
    publicUrl: 'https://toolbox.msp.example/',
    forms: builtInForms.list,
    enabledForms: ['password_reset'],
    capabilities: directoryConnectors.entra!.capabilities,
  });
  assert.deepEqual(
    registration.redirectUris.map((redirect) => redirect.uri),
    ['https://toolbox.msp.example/admin/microsoft/consent-callback', 'https://toolbox.msp.example/auth/microsoft/callback'],
  );
  const byName = new Map(registration.permissions.map((permission) => [permission.name, permission]));
  // MFA reset's permission names the form, not enabled here; the password reset's is enabled.
  assert.deepEqual(
    byName.get('UserAuthenticationMethod.ReadWrite.All')?.forms.find((form) => form.label === 'Reset MFA'),
    {
      label: 'Reset MFA',
      enabled: false,
    },
  );
  assert.ok(byName.get('User.ReadWrite.All')?.forms.some((form) => form.label === 'Password Reset' && form.enabled));
  assert.equal(byName.get('Exchange.ManageAsApp')?.api, 'Office 365 Exchange Online');
  // The toolbox's own needs, beside the forms'; role assignment is optional.
  assert.match(byName.get('Application.Read.All')?.why ?? '', /check/);
  assert.equal(byName.get('RoleManagement.ReadWrite.Directory')?.optional, true);
  assert.ok(byName.get('Organization.Read.All'));
  // Every permission a form's check would ask for is listed once.
  assert.equal(new Set(registration.permissions.map((p) => p.name)).size, registration.permissions.length);
});
