import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDirectoryRegistry } from '../../../engine/directory-registry.js';
import { isToolboxError } from '../../../lib/toolbox-error.js';
import type { DirectoryClient, DirectoryGroup, DirectoryUser, PasswordPolicy } from '../types.js';
import { createHybridDirectory } from './hybrid-directory.js';

/**
 * The routing of a hybrid company with fake sides that record every call: which side each
 * operation reaches and with which id. The real sides are exercised end to end in
 * test/integration/hybrid-directory-forms.test.ts (Graph simulator + Samba AD DC).
 */
const policy = (source: string): PasswordPolicy => ({
  source,
  minLength: 8,
  maxLength: 256,
  minCharacterClasses: 3,
  printableAsciiOnly: false,
});
const user = (id: string, extra: Partial<DirectoryUser> = {}): DirectoryUser => ({
  id,
  userPrincipalName: `${id}@example.test`,
  displayName: id,
  accountEnabled: true,
  onPremisesSyncEnabled: false,
  ...extra,
});
const group = (id: string, extra: Partial<DirectoryGroup> = {}): DirectoryGroup => ({
  id,
  displayName: id,
  badges: ['Security'],
  ...extra,
});

function fakeSide(name: string, users: DirectoryUser[], groups: DirectoryGroup[], calls: string[]): DirectoryClient {
  const find = (id: string) => {
    const found = users.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`${name}: no user ${id}`);
    return found;
  };
  const log =
    (operation: string) =>
    async (...args: unknown[]) => {
      calls.push(`${name}.${operation}(${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(', ')})`);
      return undefined as never;
    };
  return {
    findUsersByEmail: async (email) => users.filter((candidate) => candidate.mail === email),
    findUsersByUpn: async (upn) => users.filter((candidate) => candidate.userPrincipalName === upn),
    findUsersByDisplayName: async () => [],
    searchUsers: async (query) => users.filter((candidate) => candidate.displayName.startsWith(query)),
    getUser: async (id) => find(id),
    listDirectoryRoles: async (id) => (find(id).jobTitle === 'admin' ? [{ id: 'r', displayName: `${name} admin` }] : []),
    passwordPolicy: async () => policy(name),
    resetPassword: log('resetPassword'),
    setAccountEnabled: log('setAccountEnabled'),
    searchGroups: async () => groups,
    getGroup: async (id) => groups.find((candidate) => candidate.id === id) ?? group(id),
    listUserGroups: async () => groups,
    listGroupMembers: async () => users,
    addGroupMember: async (...args) => {
      await log('addGroupMember')(...args);
      return 'added';
    },
    removeGroupMember: async (...args) => {
      await log('removeGroupMember')(...args);
      return 'removed';
    },
    createUser: async (input) => {
      calls.push(`${name}.createUser(${input.userPrincipalName})`);
      return user('new-account', { userPrincipalName: input.userPrincipalName });
    },
    systemsCheck: async () => [{ name: 'Sign-in', ok: true, detail: 'fine' }] as never,
  };
}

function hybrid() {
  const calls: string[] = [];
  const cloud = fakeSide(
    'cloud',
    [
      user('cloud-synced', {
        mail: 'lee@example.test',
        onPremisesSyncEnabled: true,
        onPremisesAnchor: { immutableId: 'anchor-of-lee', samAccountName: 'lee' },
      }),
      user('cloud-only', { mail: 'megan@example.test', jobTitle: 'admin' }),
      user('cloud-unmatched', { onPremisesSyncEnabled: true, onPremisesAnchor: { samAccountName: 'nobody' } }),
    ],
    [group('cloud-group'), group('synced-copy', { syncedFromOnPremises: true, badges: ['Security', 'Synced'] })],
    calls,
  );
  cloud.sessions = { revokeSessions: async (id) => void calls.push(`cloud.revokeSessions(${id})`) };
  const adUsers = [user('ad-lee', { accountEnabled: false, jobTitle: 'admin' }), user('ad-only', { mail: 'fresh@example.test' })];
  const ad = fakeSide('ad', adUsers, [group('ad-group')], calls);
  ad.unlock = {
    unlockAccount: async (id) => {
      calls.push(`ad.unlockAccount(${id})`);
      return 'unlocked';
    },
  };
  ad.syncSource = {
    findSyncedAccount: async (anchor) => {
      calls.push(`ad.findSyncedAccount(${anchor.immutableId ?? anchor.samAccountName})`);
      return anchor.immutableId === 'anchor-of-lee' ? { user: adUsers[0]!, path: 'example.test/Staff', matchedBy: 'immutableId' } : null;
    },
  };
  let now = 0;
  const directory = createHybridDirectory(
    { id: 'm365', name: 'Contoso', client: cloud, allowPrivilegedTargets: false },
    { id: 'ad', name: 'Contoso AD', client: ad, allowPrivilegedTargets: false },
    { now: () => now },
  );
  return { directory, client: directory.client, calls, tick: (ms: number) => (now += ms) };
}

describe('hybrid directory', () => {
  it('a synced user is shown with its AD account; its password, sign-in and lockout go to AD, its sessions to Microsoft 365', async () => {
    const { client, calls } = hybrid();
    const [lee] = await client.findUsersByEmail('lee@example.test');
    assert.equal(lee?.id, 'cloud-synced');
    assert.deepEqual(lee?.onPremisesAccount, {
      directoryName: 'Contoso AD',
      id: 'ad-lee',
      userPrincipalName: 'ad-lee@example.test',
      path: 'example.test/Staff',
      accountEnabled: false,
      matchedBy: 'immutableId',
    });
    assert.equal(lee?.accountEnabled, false, 'AD decides whether a synced account may sign in');
    calls.length = 0;
    await client.resetPassword('cloud-synced', { password: 'x', forceChangeNextSignIn: true });
    await client.setAccountEnabled('cloud-synced', false);
    await client.unlock?.unlockAccount('cloud-synced');
    await client.sessions?.revokeSessions('cloud-synced');
    assert.deepEqual(calls, [
      'ad.resetPassword(ad-lee, {"password":"x","forceChangeNextSignIn":true})',
      'ad.setAccountEnabled(ad-lee, false)',
      'ad.unlockAccount(ad-lee)',
      'cloud.revokeSessions(cloud-synced)',
    ]);
    assert.equal((await client.passwordPolicy('cloud-synced')).source, 'ad');
  });

  it('a cloud-only user stays in Microsoft 365; the match is remembered a minute, then read again', async () => {
    const { client, calls, tick } = hybrid();
    await client.resetPassword('cloud-only', { password: 'x', forceChangeNextSignIn: false });
    assert.equal(await client.unlock?.unlockAccount('cloud-only'), 'not-locked', 'Entra has no lockout to lift');
    assert.equal((await client.passwordPolicy('cloud-only')).source, 'cloud');
    assert.deepEqual(
      calls.filter((call) => call.includes('resetPassword') || call.includes('unlock')),
      ['cloud.resetPassword(cloud-only, {"password":"x","forceChangeNextSignIn":false})'],
    );
    calls.length = 0;
    await client.getUser('cloud-synced');
    await client.resetPassword('cloud-synced', { password: 'x', forceChangeNextSignIn: false });
    assert.equal(calls.filter((call) => call.startsWith('ad.findSyncedAccount')).length, 1, 'the match was looked up again');
    tick(61_000);
    await client.resetPassword('cloud-synced', { password: 'x', forceChangeNextSignIn: false });
    assert.equal(calls.filter((call) => call.startsWith('ad.findSyncedAccount')).length, 2, 'an old match was trusted');
  });

  it('a synced user whose account AD does not have is refused for what AD owns, with what to do', async () => {
    const { client, calls } = hybrid();
    const shown = await client.getUser('cloud-unmatched');
    assert.equal(shown.onPremisesAccount, undefined);
    await assert.rejects(
      client.resetPassword('cloud-unmatched', { password: 'x', forceChangeNextSignIn: false }),
      (error: unknown) =>
        isToolboxError(error) &&
        error.code === 'TBX_ERR_DIRECTORY_SYNCED_USER' &&
        /no account in Contoso AD matches it/.test(error.message),
    );
    assert.equal(calls.filter((call) => call.includes('resetPassword')).length, 0);
    assert.equal((await client.passwordPolicy('cloud-unmatched')).source, 'ad', 'the form still renders');
  });

  it('groups: AD groups (prefixed) and cloud-only groups, never the cloud copy of a synced group; each changed on its side', async () => {
    const { client, calls } = hybrid();
    const found = await client.searchGroups('', { limit: 10 });
    assert.deepEqual(
      found.map((entry) => [entry.id, entry.badges.at(-1)]),
      [
        ['ad:ad-group', 'On-premises AD'],
        ['cloud-group', 'Security'],
      ],
    );
    calls.length = 0;
    await client.addGroupMember('ad:ad-group', 'cloud-synced');
    await client.addGroupMember('cloud-group', 'cloud-synced');
    assert.deepEqual(
      calls.filter((call) => call.includes('GroupMember')),
      ['ad.addGroupMember(ad-group, ad-lee)', 'cloud.addGroupMember(cloud-group, cloud-synced)'],
    );
    await assert.rejects(client.addGroupMember('ad:ad-group', 'cloud-only'), /cloud-only \(not synchronised from Contoso AD\)/);
  });

  it('new users are created in AD and named ad:<id> until the sync brings them to Microsoft 365', async () => {
    const { client, calls } = hybrid();
    const created = await client.createUser({
      givenName: 'A',
      surname: 'B',
      displayName: 'A B',
      userPrincipalName: 'a.b@example.test',
      password: 'x',
      forceChangeNextSignIn: true,
    });
    assert.equal(created.id, 'ad:new-account');
    assert.deepEqual(calls, ['ad.createUser(a.b@example.test)']);
    await assert.rejects(
      client.sessions!.revokeSessions(created.id),
      (error: unknown) => isToolboxError(error) && error.code === 'TBX_ERR_DIRECTORY_NOT_SYNCED_YET',
    );
    // Not in the cloud yet: found in AD.
    const [fresh] = await client.findUsersByEmail('fresh@example.test');
    assert.equal(fresh?.id, 'ad:ad-only');
  });

  it('the privileged guard reads both sides, each by its own setting', async () => {
    const { client } = hybrid();
    assert.deepEqual(
      (await client.listDirectoryRoles('cloud-synced')).map((role) => role.displayName),
      ['ad admin'],
      'an AD protected group makes a synced user privileged',
    );
    assert.deepEqual(
      (await client.listDirectoryRoles('cloud-only')).map((role) => role.displayName),
      ['cloud admin'],
    );
  });

  it('says where each step happens for a user', async () => {
    const { directory } = hybrid();
    assert.equal(await directory.placeOf('resetPassword', 'cloud-synced'), 'on-premises Active Directory (Contoso AD)');
    assert.equal(await directory.placeOf('resetPassword', 'cloud-only'), 'Microsoft 365 (Contoso)');
    assert.equal(await directory.placeOf('sessions', 'cloud-synced'), 'Microsoft 365 (Contoso)');
    assert.equal(await directory.placeOf('groups', 'cloud-synced'), null, 'groups are on either side');
    assert.equal(await directory.placeOf('resetPassword', 'cloud-unmatched'), null);
  });
});

describe('directory registry: hybrid pairs', () => {
  const entry = (id: string, companies: string[], onPremises = false) => {
    const { client } = hybrid();
    const side: DirectoryClient = onPremises ? client : { ...client, syncSource: undefined };
    if (onPremises) side.syncSource = { findSyncedAccount: async () => null };
    return {
      config: {
        id,
        kind: onPremises ? 'active-directory' : 'entra',
        name: id,
        psaCompanyIds: companies,
        allowPrivilegedTargets: false,
        formDefaults: {},
        settings: {},
      },
      client: side,
    };
  };

  it('a company served by a cloud and an on-prem directory gets one hybrid entry, found again by its pair id', () => {
    const registry = createDirectoryRegistry([entry('m365', ['1', '2']), entry('ad', ['1'], true)]);
    const pair = registry.forCompany('1');
    assert.equal(pair?.config.id, 'm365+ad');
    assert.equal(pair?.config.kind, 'hybrid');
    assert.ok(pair?.placeOf);
    assert.equal(registry.forCompany('2')?.config.id, 'm365', 'a company of the cloud directory alone');
    assert.equal(registry.get('m365+ad'), pair, 'an execution finds its pair');
    assert.equal(registry.get('ad+m365'), undefined, 'the pair is cloud first');
    assert.equal(registry.all().length, 2);
  });
});
