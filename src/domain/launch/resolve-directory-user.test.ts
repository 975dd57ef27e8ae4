import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeDirectory } from '../../../test/helpers/fake-directory.js';
import type { DirectoryClient, DirectoryUser } from '../../connectors/directory/types.js';
import { resolveDirectoryUser } from './resolve-directory-user.js';

const user = (id: string, upn: string, name: string): DirectoryUser => ({
  id,
  userPrincipalName: upn,
  displayName: name,
  accountEnabled: true,
  onPremisesSyncEnabled: false,
});

function directory(byEmail: DirectoryUser[], byUpn: DirectoryUser[], byName: DirectoryUser[], calls: string[]): DirectoryClient {
  return fakeDirectory({
    findUsersByEmail: async (v) => {
      calls.push(`email:${v}`);
      return byEmail;
    },
    findUsersByUpn: async (v) => {
      calls.push(`upn:${v}`);
      return byUpn;
    },
    findUsersByDisplayName: async (v) => {
      calls.push(`name:${v}`);
      return byName;
    },
  });
}

test('e-mail first: one match wins without asking further', async () => {
  const calls: string[] = [];
  const match = await resolveDirectoryUser(directory([user('1', 'a@x', 'A')], [], [], calls), { email: 'a@x', name: 'A' });
  assert.deepEqual(match, { kind: 'one', user: user('1', 'a@x', 'A'), matchedBy: 'email' });
  assert.deepEqual(calls, ['email:a@x']);
});

test('then UPN, then display name; duplicates collapse', async () => {
  const calls: string[] = [];
  const byName = await resolveDirectoryUser(directory([], [], [user('2', 'b@x', 'Bea'), user('2', 'b@x', 'Bea')], calls), {
    email: 'bea@home',
    name: 'Bea',
  });
  assert.deepEqual(byName, { kind: 'one', user: user('2', 'b@x', 'Bea'), matchedBy: 'name' });
  assert.deepEqual(calls, ['email:bea@home', 'upn:bea@home', 'name:Bea']);
});

test('several matches are offered; none says what was tried; no e-mail skips to the name', async () => {
  const several = await resolveDirectoryUser(directory([user('1', 'a@x', 'A'), user('2', 'b@x', 'B')], [], [], []), {
    email: 'a@x',
    name: 'A',
  });
  assert.equal(several.kind, 'several');
  const calls: string[] = [];
  const none = await resolveDirectoryUser(directory([], [], [], calls), { name: 'Nobody' });
  assert.deepEqual(none, { kind: 'none', tried: ['name'] });
  assert.deepEqual(calls, ['name:Nobody']);
});
