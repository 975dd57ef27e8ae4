import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeDirectory } from '../../../test/helpers/fake-directory.js';
import type { AuthMethod, DirectoryClient } from '../../connectors/directory/types.js';
import { createSilentLogger } from '../../lib/logger.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import { removalOrder } from '../shared/remove-auth-methods.js';
import type { StepContext } from '../types.js';
import { type ResetMfaInput, resetMfaWorkflow } from './reset-mfa-workflow.js';

const method = (id: string, kind: AuthMethod['kind'], extra: Partial<AuthMethod> = {}): AuthMethod => ({
  id,
  kind,
  label: `${kind} ${id}`,
  isDefault: false,
  removable: kind !== 'password',
  ...extra,
});

test('removal order: everything but phones, then office and alternate phones, the mobile last', () => {
  const order = removalOrder([
    method('m', 'phone', { phoneType: 'mobile', isDefault: true }),
    method('a', 'phone', { phoneType: 'alternateMobile' }),
    method('e', 'email'),
    method('o', 'phone', { phoneType: 'office' }),
    method('f', 'fido2'),
  ]).map((m) => m.id);
  assert.deepEqual(order, ['e', 'f', 'o', 'a', 'm']);
});

function methodsDirectory(
  methods: AuthMethod[],
  removeIf: (m: AuthMethod, calls: number) => boolean | 'default',
): DirectoryClient & { deletes: string[] } {
  const deletes: string[] = [];
  const directory = fakeDirectory({
    authMethods: {
      listAuthMethods: async () => methods.map((m) => ({ ...m })),
      async removeAuthMethod(_userId, target) {
        deletes.push(target.id);
        const found = methods.find((m) => m.id === target.id)!;
        const outcome = removeIf(found, deletes.length);
        if (outcome === 'default') {
          throw new ToolboxError({ code: 'TBX_ERR_DIRECTORY_DEFAULT_METHOD', message: 'default goes last' });
        }
        if (outcome) methods.splice(methods.indexOf(found), 1);
      },
    },
  });
  return Object.assign(directory, { deletes });
}

const removeStep = (_input: ResetMfaInput) => resetMfaWorkflow.steps.find((s) => s.key === 'remove-methods')!;
const context = (directory: DirectoryClient, input: ResetMfaInput): StepContext<ResetMfaInput> => ({
  input,
  secret: null,
  directory,
  directoryConfig: { id: 'd', kind: 'entra', name: 'D', psaCompanyIds: [], allowPrivilegedTargets: false, formDefaults: {}, settings: {} },
  targetUserId: 'u',
  logger: createSilentLogger(),
  facts: {},
  keepSecret: async () => {},
  interrupted: false,
  markChanged: () => {},
});
const ALL: ResetMfaInput = { mode: 'all', methodIds: [], temporaryAccessPass: null, revokeSessions: false };

test('a default method refused while others remain is tried again after them', async () => {
  const methods = [
    method('pw', 'password'),
    method('m', 'phone', { phoneType: 'mobile', isDefault: true }),
    method('x', 'microsoftAuthenticator'),
  ];
  const directory = methodsDirectory(methods, (m) => (m.id === 'm' && methods.length > 2 ? 'default' : true));
  const outcome = await removeStep(ALL).run(context(directory, ALL));
  assert.equal(outcome.status, 'ok');
  assert.deepEqual(directory.deletes, ['x', 'm']);
  assert.deepEqual(
    methods.map((m) => m.id),
    ['pw'],
  );
});

test('methods that will not go are named after the last round, never reported as removed', async () => {
  const methods = [method('pw', 'password'), method('stuck', 'fido2'), method('x', 'email')];
  const directory = methodsDirectory(methods, (m) => m.id !== 'stuck');
  await assert.rejects(removeStep(ALL).run(context(directory, ALL)), (error: Error) => {
    assert.match(error.message, /Removed: email x\. Still registered after 5 attempts: fido2 stuck\./);
    return true;
  });
  assert.equal(directory.deletes.filter((id) => id === 'stuck').length, 5);
});

test('selected mode removes only the chosen ids; nothing to remove is a skip', async () => {
  const methods = [method('pw', 'password'), method('a', 'email'), method('b', 'fido2')];
  const input: ResetMfaInput = { mode: 'selected', methodIds: ['b'], temporaryAccessPass: null, revokeSessions: false };
  const directory = methodsDirectory(methods, () => true);
  assert.equal((await removeStep(input).run(context(directory, input))).status, 'ok');
  assert.deepEqual(
    methods.map((m) => m.id),
    ['pw', 'a'],
  );
  assert.equal((await removeStep(input).run(context(directory, input))).status, 'skipped');
});
