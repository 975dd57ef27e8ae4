import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byGroupName, classifyGroup, type GraphGroup } from './group-classification.js';

const base: GraphGroup = { id: 'g1', displayName: 'Group', groupTypes: [], mailEnabled: false, securityEnabled: true };

describe('group classification (reference §7)', () => {
  const table: [string, Partial<GraphGroup>, { kind: string; changeVia: string | null; dynamic?: boolean; synced?: boolean }][] = [
    ['Microsoft 365', { groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false }, { kind: 'microsoft365', changeVia: 'graph' }],
    ['security', { mailEnabled: false, securityEnabled: true }, { kind: 'security', changeVia: 'graph' }],
    ['mail-enabled security', { mailEnabled: true, securityEnabled: true }, { kind: 'mailEnabledSecurity', changeVia: 'exchange' }],
    ['distribution list', { mailEnabled: true, securityEnabled: false }, { kind: 'distribution', changeVia: 'exchange' }],
    [
      'dynamic security (groupTypes)',
      { groupTypes: ['DynamicMembership'], membershipRule: '(user.department -eq "Sales")' },
      { kind: 'security', changeVia: null, dynamic: true },
    ],
    [
      'dynamic Microsoft 365',
      { groupTypes: ['Unified', 'DynamicMembership'], mailEnabled: true, securityEnabled: false, membershipRule: '(user.x -eq "y")' },
      { kind: 'microsoft365', changeVia: null, dynamic: true },
    ],
    ['a rule without the group type', { membershipRule: '(user.x -eq "y")' }, { kind: 'security', changeVia: null, dynamic: true }],
    ['synced security', { onPremisesSyncEnabled: true }, { kind: 'security', changeVia: null, synced: true }],
    [
      'synced distribution list',
      { mailEnabled: true, securityEnabled: false, onPremisesSyncEnabled: true },
      { kind: 'distribution', changeVia: null, synced: true },
    ],
    ['no longer synced (false)', { onPremisesSyncEnabled: false }, { kind: 'security', changeVia: 'graph' }],
    ['never synced (null)', { onPremisesSyncEnabled: null }, { kind: 'security', changeVia: 'graph' }],
  ];
  for (const [name, flags, expected] of table) {
    it(name, () => {
      const group = classifyGroup({ ...base, ...flags });
      assert.equal(group.kind, expected.kind);
      assert.equal(group.changeVia, expected.changeVia);
      assert.equal(group.dynamic, expected.dynamic ?? false);
      assert.equal(group.synced, expected.synced ?? false);
      assert.equal(group.refusal === undefined, expected.changeVia !== null);
      // What the port carries for the forms: the kind and its state as badges; Exchange lists wait for the mailbox.
      const kindBadge = {
        microsoft365: 'Microsoft 365',
        security: 'Security',
        mailEnabledSecurity: 'Mail-enabled security',
        distribution: 'Distribution',
      };
      assert.deepEqual(group.badges, [
        kindBadge[expected.kind as keyof typeof kindBadge],
        ...(expected.dynamic ? ['Dynamic'] : []),
        ...(expected.synced ? ['Synced'] : []),
      ]);
      assert.equal(group.needsMailbox === true, expected.changeVia === 'exchange');
    });
  }

  it('says why in a technician’s words, with the rule', () => {
    const dynamic = classifyGroup({ ...base, displayName: 'All Drivers', membershipRule: '(user.jobTitle -eq "Driver")' });
    assert.match(dynamic.refusal ?? '', /^Membership of All Drivers comes from a rule: \(user\.jobTitle -eq "Driver"\)\./);
    const synced = classifyGroup({ ...base, displayName: 'File Server Users', onPremisesSyncEnabled: true });
    assert.match(synced.refusal ?? '', /^File Server Users is synchronised from on-premises AD: change it there/);
  });

  it('marks role-assignable groups and keeps mail and description; missing fields are tolerated', () => {
    const group = classifyGroup({ ...base, isAssignableToRole: true, mail: 'a@b.example', description: 'Admins' });
    assert.deepEqual(group, {
      id: 'g1',
      displayName: 'Group',
      mail: 'a@b.example',
      description: 'Admins',
      badges: ['Security'],
      kind: 'security',
      dynamic: false,
      synced: false,
      roleAssignable: true,
      changeVia: 'graph',
    });
    assert.equal(classifyGroup({ id: 'bare' }).displayName, 'bare');
    assert.equal(classifyGroup({ id: 'bare' }).kind, 'security');
  });

  it('sorts by name, case-insensitively', () => {
    const names = ['beta', 'Alpha', 'gamma'].map((displayName, i) => classifyGroup({ ...base, id: `g${i}`, displayName }));
    assert.deepEqual(
      names.sort(byGroupName).map((g) => g.displayName),
      ['Alpha', 'beta', 'gamma'],
    );
  });
});
