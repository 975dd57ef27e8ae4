import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRelayedDirectoryClient, DIRECTORY_CORE_OPERATIONS, operationKind, runDirectoryOperation } from './directory-operations.js';
import type { DirectoryClient } from './types.js';

test('only the port’s operations are known, with whether they write', () => {
  assert.equal(operationKind(null, 'getUser'), 'read');
  assert.equal(operationKind(null, 'resetPassword'), 'write');
  assert.equal(operationKind('unlock', 'unlockAccount'), 'write');
  assert.equal(operationKind(null, 'constructor'), undefined, 'an inherited name is not an operation');
  assert.equal(operationKind(null, 'unlockAccount'), undefined, 'a part’s method is not a core one');
  assert.equal(operationKind('unlock', 'getUser'), undefined);
  assert.equal(operationKind('__proto__', 'toString'), undefined);
});

test('the agent side runs a listed operation and refuses anything else without calling it', async () => {
  const calls: string[] = [];
  const client = {
    getUser: async (id: string) => {
      calls.push(`getUser ${id}`);
      return { id };
    },
    unlock: { unlockAccount: async () => 'unlocked' },
    evil: async () => calls.push('evil'),
  } as unknown as DirectoryClient;
  assert.deepEqual(await runDirectoryOperation(client, { part: null, method: 'getUser', args: ['u1'] }), { id: 'u1' });
  assert.equal(await runDirectoryOperation(client, { part: 'unlock', method: 'unlockAccount', args: ['u1'] }), 'unlocked');
  await assert.rejects(runDirectoryOperation(client, { part: null, method: 'evil', args: [] }), {
    code: 'TBX_ERR_AGENT_OPERATION_REFUSED',
  });
  await assert.rejects(runDirectoryOperation(client, { part: 'move', method: 'moveUser', args: ['u1', 'OU=x'] }), /has no move part/);
  await assert.rejects(runDirectoryOperation(client, { part: null, method: 'getUser', args: 'u1' as unknown as unknown[] }), /not a list/);
  await assert.rejects(
    runDirectoryOperation({ ...client, unlock: {} } as unknown as DirectoryClient, {
      part: 'unlock',
      method: 'unlockAccount',
      args: ['u1'],
    }),
    /unlock\.unlockAccount: this directory's unlock has no unlockAccount/,
  );
  assert.deepEqual(calls, ['getUser u1']);
});

test('the relayed client has every core method and exactly the given parts, each sending its name and arguments', async () => {
  const sent: unknown[] = [];
  const client = createRelayedDirectoryClient(['unlock'], async (operation) => {
    sent.push(operation);
    return 'answer';
  });
  for (const method of Object.keys(DIRECTORY_CORE_OPERATIONS)) assert.equal(typeof (client as Record<string, unknown>)[method], 'function');
  assert.equal(client.move, undefined);
  assert.equal(await client.unlock?.unlockAccount('u1'), 'answer');
  await client.resetPassword('u1', { password: 'x', forceChangeNextSignIn: true });
  assert.deepEqual(sent, [
    { part: 'unlock', method: 'unlockAccount', args: ['u1'] },
    { part: null, method: 'resetPassword', args: ['u1', { password: 'x', forceChangeNextSignIn: true }] },
  ]);
});
