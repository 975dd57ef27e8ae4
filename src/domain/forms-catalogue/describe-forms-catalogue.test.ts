import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entraConnector } from '../../connectors/directory/entra/entra-connector.js';
import { builtInForms } from '../../forms/index.js';
import type { EffectiveSettings } from '../settings/live-settings.js';
import { describeFormsCatalogue } from './describe-forms-catalogue.js';

/** One Entra tenant, checked, with every line passing but these. */
function catalogueWith(failing: string[]) {
  const names = [
    'Sign-in to the tenant',
    'Read directory roles',
    'Permission User.ReadWrite.All',
    'Entra role for password resets',
    'Permission User.RevokeSessions.All',
    'Permission UserAuthenticationMethod.ReadWrite.All',
    'Entra role for MFA resets',
    'Permission GroupMember.ReadWrite.All',
    'Read groups',
    'Permission LicenseAssignment.ReadWrite.All',
    'Permission MailboxSettings.ReadWrite',
    'Permission Domain.Read.All',
    'Permission Organization.Read.All',
    'Permission Exchange.ManageAsApp',
    'Exchange Online commands',
  ];
  const settings = {
    psa: { label: 'ConnectWise PSA' },
    directories: [{ id: 'contoso', kind: 'entra', name: 'Contoso' }],
    companyMappings: [{ companyId: '250', directoryId: 'contoso' }],
    forms: { enabled: [], source: 'console', revision: null },
  } as unknown as Pick<EffectiveSettings, 'psa' | 'directories' | 'companyMappings' | 'forms'>;
  return describeFormsCatalogue({
    settings,
    forms: builtInForms.list,
    directoryConnectors: { entra: entraConnector },
    checks: new Map([
      [
        'contoso',
        {
          directoryId: 'contoso',
          ranAt: '2026-03-01T09:30:00.000Z',
          ranBy: 'admin@msp.example',
          ok: false,
          results: names.map((name) => ({
            name,
            ok: !failing.includes(name),
            message: failing.includes(name) ? 'Not granted.' : 'Granted.',
          })),
        },
      ],
    ]),
  });
}

const entry = (view: ReturnType<typeof describeFormsCatalogue>, name: string) => view.forms.find((form) => form.name === name)!;

describe('the forms catalogue, from the steps’ declarations', () => {
  it('lists every registered form, in the registry’s order', () => {
    assert.deepEqual(
      catalogueWith([]).forms.map((form) => [form.name, form.label]),
      [
        ['password_reset', 'Password Reset'],
        ['user_onboarding', 'User Onboarding'],
        ['user_offboarding', 'User Offboarding'],
        ['reset_mfa', 'Reset MFA'],
        ['group_membership', 'Group Membership'],
      ],
    );
  });

  it('a permission a required step needs blocks readiness; Exchange Online counts only for its part', () => {
    assert.ok(catalogueWith([]).forms.every((form) => form.ready));
    const noRevoke = catalogueWith(['Permission User.RevokeSessions.All']);
    assert.equal(entry(noRevoke, 'password_reset').ready, false);
    assert.equal(entry(noRevoke, 'group_membership').ready, true);

    const noExchange = catalogueWith(['Permission Exchange.ManageAsApp', 'Exchange Online commands']);
    for (const form of noExchange.forms) assert.equal(form.ready, true, `${form.name} is usable without Exchange Online`);
    const exchangeLine = (name: string) =>
      entry(noExchange, name).needs.permissions[0]!.items.find((item) => item.checkName === 'Permission Exchange.ManageAsApp');
    assert.equal(exchangeLine('group_membership')?.partial, 'distribution lists and mail-enabled security groups');
    assert.equal(
      exchangeLine('user_offboarding')?.partial,
      'removing mobile devices; forwarding mail; mailbox access for someone else; converting the mailbox to shared; hiding from the address book; distribution lists and mail-enabled security groups',
    );
    assert.equal(exchangeLine('password_reset'), undefined, 'a password reset never needs Exchange');

    const noLicences = catalogueWith(['Permission LicenseAssignment.ReadWrite.All']);
    assert.equal(entry(noLicences, 'user_offboarding').ready, false);
    assert.equal(entry(noLicences, 'user_onboarding').ready, false);
    assert.equal(entry(noLicences, 'password_reset').ready, true);
  });
});
