import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoTenants } from '../../demo/demo-data.js';
import { systemClock } from '../../lib/clock.js';
import { createSilentLogger } from '../../lib/logger.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import {
  CAPABILITY_WORDS,
  CORE_CAPABILITIES,
  cannotSentence,
  capabilitiesOf,
  connectorCapabilities,
  DIRECTORY_PARTS,
  requirePart,
} from './directory-capabilities.js';
import { directoryConnectors } from './index.js';
import type { DirectoryClient } from './types.js';

/** Settings each registered kind accepts, to build a client without calling anything. */
const SAMPLE_SETTINGS: Record<string, unknown> = {
  entra: {
    tenantId: demoTenants[0]!.tenantId,
    clientId: demoTenants[0]!.clientId,
    clientSecret: 'not-used-by-this-test',
    authorityHost: 'https://login.microsoftonline.test',
    graphUrl: 'https://graph.microsoft.test',
  },
  'active-directory': {
    connection: 'direct',
    baseDn: 'DC=contoso,DC=example',
    url: 'ldaps://dc1.contoso.example:636',
    username: 'svc-toolbox@contoso.example',
    password: 'not-used-by-this-test',
  },
};

const noFetch = () => Promise.reject(new Error('this test calls nothing'));

describe('directory capabilities', () => {
  it('every registered kind declares exactly the parts its clients have, and proves each one it has', () => {
    for (const [kind, connector] of Object.entries(directoryConnectors)) {
      const sample = SAMPLE_SETTINGS[kind];
      assert.ok(sample, `add sample settings for the ${kind} connector to this test`);
      const client = connector.create(connector.settings.parse(sample), {
        fetch: noFetch,
        logger: createSilentLogger(),
        clock: systemClock,
      });
      assert.deepEqual([...capabilitiesOf(client)].sort(), [...connectorCapabilities(connector)].sort(), kind);
      for (const capability of CORE_CAPABILITIES) assert.ok(connector.capabilities.proofs[capability], `${kind} proves ${capability}`);
      // A part is all or nothing: each operation it has is a function.
      for (const part of DIRECTORY_PARTS) {
        const found = client[part];
        if (found)
          for (const [name, operation] of Object.entries(found)) assert.equal(typeof operation, 'function', `${kind} ${part}.${name}`);
      }
    }
  });

  it('Microsoft 365 has every part but unlocking, moving between containers and being a sync source', () => {
    assert.deepEqual(
      DIRECTORY_PARTS.filter((part) => !connectorCapabilities(directoryConnectors.entra!).has(part)),
      ['unlock', 'move', 'syncSource'],
    );
  });

  it('Active Directory has unlocking, moving between OUs, UPN suffixes and synced users’ accounts, and nothing of Microsoft 365', () => {
    assert.deepEqual(
      DIRECTORY_PARTS.filter((part) => connectorCapabilities(directoryConnectors['active-directory']!).has(part)),
      ['unlock', 'move', 'domains', 'syncSource'],
    );
  });

  it('a client is read for the parts it has, and a part it lacks is refused in words', async () => {
    const core = { getUser: async () => ({}) } as unknown as DirectoryClient;
    assert.deepEqual([...capabilitiesOf(core)], [...CORE_CAPABILITIES]);
    const withSessions = { ...core, sessions: { revokeSessions: async () => {} } } as DirectoryClient;
    assert.ok(capabilitiesOf(withSessions).has('sessions'));
    assert.equal(requirePart(withSessions, 'sessions'), withSessions.sessions);
    assert.throws(
      () => requirePart(core, 'mailbox'),
      (error: unknown) =>
        isToolboxError(error) &&
        error.code === 'TBX_ERR_DIRECTORY_CAPABILITY_MISSING' &&
        error.message === 'This directory cannot manage mailboxes.',
    );
  });

  it('says what is missing as a sentence, for every capability', () => {
    assert.equal(cannotSentence(['sessions']), 'cannot sign users out of their sessions');
    assert.equal(
      cannotSentence(['sessions', 'licences', 'unlock']),
      'cannot sign users out of their sessions, assign or remove licences or unlock accounts',
    );
    for (const capability of [...CORE_CAPABILITIES, ...DIRECTORY_PARTS]) assert.ok(CAPABILITY_WORDS[capability], capability);
  });
});
