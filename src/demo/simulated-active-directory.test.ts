import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { ActiveDirectoryClient } from '../connectors/directory/active-directory/active-directory-client.js';
import { guidToBytes } from '../connectors/directory/active-directory/ad-values.js';
import { capabilitiesOf, connectorCapabilities } from '../connectors/directory/directory-capabilities.js';
import { directoryConnectors } from '../connectors/directory/index.js';
import { systemClock } from '../lib/clock.js';
import { createSilentLogger } from '../lib/logger.js';
import { isToolboxError } from '../lib/toolbox-error.js';
import { demoAdDomains } from './demo-active-directory.js';
import { buildDemoAdDirectories } from './demo-config.js';
import { demoCompanies, demoContacts, demoTenants } from './demo-data.js';
import { createDemoDirectoryConnector, DEMO_AD_KIND } from './demo-directory-connector.js';
import { SimulatedActiveDirectory } from './simulated-active-directory.js';

const ROB = '7a200000-0000-4000-8000-000000000001';
const KIM = '7a200000-0000-4000-8000-000000000002';
const JORDAN_ADMIN = '7a200000-0000-4000-8000-000000000003';
const PAT = '7a200000-0000-4000-8000-000000000005';
const DOMAIN_USERS = '7a000000-0000-4000-8000-000000000513';
const DOMAIN_ADMINS = '7a000000-0000-4000-8000-000000000512';
const VPN_USERS = '7a100000-0000-4000-8000-000000000003';

/** Runs `work` and returns the ToolboxError it throws (code and message). */
async function refusal(work: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work();
  } catch (error) {
    assert.ok(isToolboxError(error), `a ToolboxError, not ${String(error)}`);
    return { code: error.code, message: error.message };
  }
  assert.fail('expected a refusal');
}

/**
 * The demo's simulated domain, through the demo connector: the real AD client on top of it, as
 * the demo sandbox runs it. What it refuses, it refuses with the real connector's codes and words.
 */
describe('the simulated Active Directory domain (demo sandbox)', () => {
  let domain: SimulatedActiveDirectory;
  let client: ActiveDirectoryClient;

  beforeEach(() => {
    domain = new SimulatedActiveDirectory(demoAdDomains.tailspin);
    const connector = createDemoDirectoryConnector({ tailspin: domain });
    client = connector.create(connector.settings.parse({ domain: 'tailspin' }), {
      fetch: () => Promise.reject(new Error('no HTTP here')),
      logger: createSilentLogger(),
      clock: systemClock,
    }) as ActiveDirectoryClient;
  });

  it('is held to the AD connector’s port: core, unlock, move and domains, no part more or less', () => {
    const connector = createDemoDirectoryConnector({ tailspin: domain });
    assert.deepEqual([...capabilitiesOf(client)].sort(), [...connectorCapabilities(connector)].sort());
    assert.deepEqual(
      [...connectorCapabilities(connector)].sort(),
      [...connectorCapabilities(directoryConnectors['active-directory']!)].sort(),
    );
    assert.ok(client.unlock && client.move && client.domains);
    assert.equal(client.sessions, undefined, 'AD has no sign-in sessions to revoke');
  });

  it('is a kind no configuration file can select: the built-in registry does not have it', () => {
    assert.equal(directoryConnectors[DEMO_AD_KIND], undefined);
    assert.throws(
      () => createDemoDirectoryConnector({ tailspin: domain }).settings.parse({ domain: 'contoso' }),
      /demo's domains: tailspin/,
    );
  });

  it('finds a contact’s account by mail, then UPN, then an smtp: proxy address', async () => {
    assert.deepEqual(
      (await client.findUsersByEmail('rob.young@tailspintoys.example')).map((user) => user.id),
      [ROB],
    );
    assert.deepEqual(
      (await client.findUsersByEmail('jordan.price.admin@tailspintoys.example')).map((user) => user.id),
      [JORDAN_ADMIN],
      'by UPN when no mail matches',
    );
    assert.deepEqual(
      (await client.findUsersByEmail('WORKSHOP-LEAD@tailspintoys.example')).map((user) => user.id),
      [KIM],
      'by proxy address, any case',
    );
    assert.deepEqual(await client.findUsersByEmail('nobody@tailspintoys.example'), []);
    const [rob] = await client.searchUsers('You');
    assert.equal(rob?.displayName, 'Rob Young');
    assert.equal(rob?.onPremisesSyncEnabled, false, 'an AD account is the on-prem one itself');
  });

  it('the privileged guard: a Domain Admin (and, through nesting, Administrators) is reported; an ordinary user is not', async () => {
    const [role] = await client.listDirectoryRoles(JORDAN_ADMIN);
    assert.match(role?.displayName ?? '', /^Protected account: it is a member of .*Domain Admins/);
    assert.match(role?.displayName ?? '', /Administrators/, 'Domain Admins is nested in BUILTIN\\Administrators');
    assert.deepEqual(await client.listDirectoryRoles(ROB), []);
    assert.equal((await domain.getUser(JORDAN_ADMIN)).adminCount, true, 'SDProp’s mark');
    // Were the guard skipped, the DC itself keeps a delegated account off a protected account.
    const refused = await refusal(() =>
      client.resetPassword(JORDAN_ADMIN, { password: 'Harbour-Lantern-58!', forceChangeNextSignIn: true }),
    );
    assert.equal(refused.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(refused.message, /not allowed to do this \(reset password \(unicodePwd\)\)/);
  });

  it('the domain’s password policy, as the real client reports it and as a DC enforces it', async () => {
    assert.deepEqual(await client.passwordPolicy(ROB), {
      source: 'the ad.tailspintoys.example domain',
      minLength: 7,
      maxLength: 256,
      minCharacterClasses: 3,
      printableAsciiOnly: false,
      nameParts: 'directory',
      historyLength: 24,
    });
    const short = await refusal(() => client.resetPassword(ROB, { password: 'Ab1!x', forceChangeNextSignIn: false }));
    assert.equal(short.code, 'TBX_ERR_DIRECTORY_PASSWORD_REJECTED');
    assert.match(short.message, /The domain refused the new password: it is shorter than the domain’s minimum length/);
    for (const password of ['harbourlantern58', 'Young-Harbour-58!', 'x-ryoung-Harbour-58!']) {
      const weak = await refusal(() => client.resetPassword(ROB, { password, forceChangeNextSignIn: false }));
      assert.equal(weak.code, 'TBX_ERR_DIRECTORY_PASSWORD_REJECTED', password);
      assert.match(weak.message, /complexity rules/, password);
    }
    assert.equal(domain.signIn('rob.young@tailspintoys.example', 'harbourlantern58'), 'locked-out', 'nothing was set; still locked');
  });

  it('a reset sets must-change and can unlock in the same change; unlock alone is idempotent', async () => {
    assert.equal((await domain.getUser(ROB)).lockedOut, true);
    await client.resetPassword(ROB, { password: 'Harbour-Lantern-58!', forceChangeNextSignIn: true });
    assert.equal((await domain.getUser(ROB)).lockedOut, true, 'the client’s reset does not unlock: the unlock part does');
    assert.equal(await client.unlock.unlockAccount(ROB), 'unlocked');
    assert.equal(await client.unlock.unlockAccount(ROB), 'not-locked');
    assert.equal(domain.signIn('rob.young@tailspintoys.example', 'Harbour-Lantern-58!'), 'must-change');
    await domain.resetPassword(ROB, { password: 'Quiet-Meadow-91!', mustChange: false, unlock: false });
    assert.equal(domain.signIn('rob.young@tailspintoys.example', 'Quiet-Meadow-91!'), 'ok');
  });

  it('wrong passwords lock the account at the domain’s threshold, as a DC does', async () => {
    const upn = 'kim.akers@tailspintoys.example';
    for (let attempt = 0; attempt < 5; attempt++) assert.equal(domain.signIn(upn, 'wrong'), 'wrong-password');
    assert.equal(domain.signIn(upn, 'Demo-only-Workshop-2026!'), 'locked-out');
    assert.equal((await client.getUser(KIM)).accountEnabled, true, 'locked out is not disabled');
    assert.equal(await client.unlock.unlockAccount(KIM), 'unlocked');
    assert.equal(domain.signIn(upn, 'Demo-only-Workshop-2026!'), 'ok');
  });

  it('OUs: the pickers list them with paths; a user moves to "Disabled users" and keeps his groups', async () => {
    const [disabled] = await client.move.searchContainers('disabled');
    assert.deepEqual(disabled, {
      id: 'OU=Disabled users,OU=Tailspin,DC=ad,DC=tailspintoys,DC=example',
      name: 'Disabled users',
      path: 'Tailspin / Disabled users',
    });
    assert.ok(
      (await client.move.searchContainers('')).some((container) => container.path === 'Users'),
      'CN=Users is offered too',
    );
    assert.equal(await client.move.moveUser(ROB, disabled!.id), 'moved');
    assert.equal(await client.move.moveUser(ROB, disabled!.id), 'already-there');
    assert.match((await domain.getUser(ROB)).dn, /^CN=Rob Young,OU=Disabled users,/);
    assert.ok(
      (await client.listUserGroups(ROB)).some((group) => group.displayName === 'VPN Users'),
      'membership follows the move',
    );
    const missing = await refusal(() => client.move.moveUser(ROB, 'OU=Nowhere,DC=ad,DC=tailspintoys,DC=example'));
    assert.equal(missing.code, 'TBX_ERR_DIRECTORY_NOT_FOUND');
    const leaver = await client.getUser(PAT);
    assert.equal(leaver.accountEnabled, false, 'the leaver in "Disabled users" is disabled');
  });

  it('groups: the primary group and protected groups are refused with the connector’s reasons; others change', async () => {
    const groups = await client.listUserGroups(ROB);
    const primary = groups.find((group) => group.id === DOMAIN_USERS);
    assert.match(primary?.refusal ?? '', /Rob Young’s primary group in Active Directory/);
    const removePrimary = await refusal(() => client.removeGroupMember(DOMAIN_USERS, ROB));
    assert.equal(removePrimary.code, 'TBX_ERR_DIRECTORY_GROUP_READ_ONLY');
    const addAdmin = await refusal(() => client.addGroupMember(DOMAIN_ADMINS, ROB));
    assert.equal(addAdmin.code, 'TBX_ERR_DIRECTORY_GROUP_READ_ONLY');
    assert.match(addAdmin.message, /protected administrators’ group/);
    assert.equal(await client.addGroupMember(VPN_USERS, KIM), 'added');
    assert.equal(await client.addGroupMember(VPN_USERS, KIM), 'already-member');
    assert.equal(await client.removeGroupMember(VPN_USERS, KIM), 'removed');
    assert.equal(await client.removeGroupMember(VPN_USERS, KIM), 'not-member');
    const [sales] = await client.searchGroups('sales@');
    assert.deepEqual(sales?.badges, ['Distribution', 'Universal']);
  });

  it('create: in the chosen OU, the UPN suffixes offered, a taken UPN refused by name', async () => {
    assert.deepEqual(await client.domains.listVerifiedDomains(), [
      { name: 'ad.tailspintoys.example', isDefault: true },
      { name: 'tailspintoys.example', isDefault: false },
    ]);
    const base = {
      givenName: 'Ana',
      surname: 'Lima',
      displayName: 'Ana Lima',
      userPrincipalName: 'ana.lima@tailspintoys.example',
      password: 'Harbour-Lantern-58!',
      forceChangeNextSignIn: true,
      containerId: 'OU=Workshop,OU=Staff,OU=Tailspin,DC=ad,DC=tailspintoys,DC=example',
    };
    const created = await client.createUser(base);
    assert.equal((await domain.getUser(created.id)).dn, `CN=Ana Lima,${base.containerId}`);
    assert.equal((await domain.getUser(created.id)).sAMAccountName, 'ana.lima');
    assert.equal(domain.signIn(base.userPrincipalName, base.password), 'must-change');
    const taken = await refusal(() => client.createUser({ ...base, displayName: 'Ana Lima 2' }));
    assert.equal(taken.code, 'TBX_ERR_DIRECTORY_UPN_TAKEN');
    assert.match(taken.message, /already has an account with the sign-in name ana\.lima@tailspintoys\.example \(Ana Lima\)/);
    const sameName = await refusal(() => client.createUser({ ...base, userPrincipalName: 'ana.l@tailspintoys.example' }));
    assert.equal(sameName.code, 'TBX_ERR_DIRECTORY_CONFLICT', 'the same CN in the same OU');
    const weak = await refusal(() =>
      client.createUser({ ...base, displayName: 'Ana B', userPrincipalName: 'ana.b@tailspintoys.example', password: 'short' }),
    );
    assert.equal(weak.code, 'TBX_ERR_DIRECTORY_PASSWORD_REJECTED');
    assert.deepEqual(await client.findUsersByUpn('ana.b@tailspintoys.example'), [], 'a refused password leaves no account behind');
  });

  it('the systems check passes the lines a delegated account passes on a real DC', async () => {
    const lines = await client.systemsCheck();
    assert.deepEqual(Object.fromEntries(lines.map((line) => [line.name, line.ok ? 'pass' : (line.outcome ?? 'fail')])), {
      'Connection to the domain controller': 'pass',
      'Password policy': 'pass',
      'Write users (enable, disable, unlock, must-change)': 'pass',
      'Reset passwords': 'unverified',
      'Change group membership': 'pass',
      'Create and move users': 'pass',
    });
  });
});

describe('the demo’s AD data', () => {
  it('every synced Entra demo user has an AD counterpart with the values Entra Connect writes', async () => {
    const synced = demoTenants.flatMap((tenant) => tenant.users.filter((user) => user.onPremisesSyncEnabled));
    assert.ok(synced.length > 0);
    const domains = Object.values(demoAdDomains).map((seed) => new SimulatedActiveDirectory(seed));
    for (const user of synced) {
      const matches = (await Promise.all(domains.map((domain) => domain.findUsersByUpn(user.userPrincipalName)))).flat();
      assert.equal(matches.length, 1, `${user.userPrincipalName} has one AD account`);
      const account = matches[0]!;
      assert.equal(user.onPremisesImmutableId, guidToBytes(account.id)?.toString('base64'), 'immutableId = base64 of the objectGUID bytes');
      assert.equal(user.onPremisesImmutableId, account.immutableId);
      assert.equal(user.onPremisesSecurityIdentifier, account.objectSid);
      assert.equal(user.onPremisesSamAccountName, account.sAMAccountName);
      const bySid = (await Promise.all(domains.map((domain) => domain.findUserBySid(account.objectSid)))).filter(Boolean);
      assert.deepEqual(
        bySid.map((found) => found?.id),
        [account.id],
      );
    }
  });

  it('the AD-only customer has a directory, contacts that match its users, and no tenant', async () => {
    const directories = buildDemoAdDirectories();
    const directory = directories.find((candidate) => candidate.id === 'tailspin-ad');
    assert.deepEqual(directory, {
      id: 'tailspin-ad',
      kind: DEMO_AD_KIND,
      name: 'Tailspin Toys (on-prem AD)',
      domain: 'tailspin',
      psaCompanyIds: [253],
    });
    const company = demoCompanies.find((candidate) => candidate.id === 253);
    assert.equal(company?.tenantKey, undefined);
    // Fabrikam is hybrid: its tenant and the domain its users are synced from serve it together.
    assert.deepEqual(directories.find((candidate) => candidate.id === 'fabrikam-ad')?.psaCompanyIds, [251]);
    assert.equal(demoCompanies.find((candidate) => candidate.id === 251)?.tenantKey, 'fabrikam');
    const domain = new SimulatedActiveDirectory(demoAdDomains.tailspin);
    for (const contact of demoContacts.filter((candidate) => candidate.companyId === 253)) {
      assert.equal((await domain.findUsersByEmail(contact.email!)).length, 1, contact.email);
    }
  });
});
