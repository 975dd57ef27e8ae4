import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectoryClient, DirectoryParts } from '../../connectors/directory/types.js';
import type { PsaClient } from '../../connectors/psa/types.js';
import { createSilentLogger } from '../../lib/logger.js';
import { type LoadCompanyMappingsDeps, loadCompanyMappings } from './load-company-mappings.js';

/** Settings with one PSA and two directories; the reads are the test's. */
function settingsWith(psa: Partial<PsaClient>, domains: Record<string, DirectoryParts['domains']['listVerifiedDomains']>) {
  const directories = Object.keys(domains).map((id) => ({ id, name: `Tenant ${id}`, psaCompanyIds: [], view: { source: 'console' } }));
  return {
    current: () => ({
      psa: { label: 'ConnectWise PSA' },
      directories,
      companyMappings: [{ companyId: '9', directoryId: 'a', source: 'console', psaKind: 'connectwise' }],
      otherPsaCompanyMappings: [],
      companyMappingsRevision: 'r1',
    }),
    psa,
    directories: {
      all: () =>
        directories.map((config) => ({
          config,
          client: { domains: { listVerifiedDomains: domains[config.id] } } as unknown as DirectoryClient,
        })),
    },
  } as unknown as LoadCompanyMappingsDeps['settings'];
}

const never = <T>() => new Promise<T>(() => {});

describe('loadCompanyMappings', () => {
  it('stops slow reads at the time limit, says so, and still returns what it has', async () => {
    let contactsSignal: AbortSignal | undefined;
    const settings = settingsWith(
      {
        listCompanies: async () => [
          { id: '1', name: 'Contoso' },
          { id: '9', name: 'Already mapped' },
        ],
        listContactEmailDomains: (_ids, options) => {
          contactsSignal = options?.signal;
          return never();
        },
      },
      { a: () => never(), b: async () => [{ name: 'contoso.com', isDefault: true }] },
    );
    const started = Date.now();
    const view = await loadCompanyMappings({ settings, logger: createSilentLogger(), timeoutMs: 50 });
    assert.ok(Date.now() - started < 2000);
    assert.equal(contactsSignal?.aborted, true, 'the PSA request is cancelled, not left running');
    assert.deepEqual(view.problems.sort(), [
      "Reading the contacts' e-mail addresses from ConnectWise PSA took longer than 50 ms, so it was stopped; try again later.",
      'Reading the verified domains of Tenant a took longer than 50 ms, so it was stopped; try again later. No suggestions point to it for now.',
    ]);
    assert.deepEqual(
      view.unmapped.map((company) => [company.companyId, company.suggestion]),
      [['1', null]],
    );
    assert.deepEqual(
      view.mappings.map((mapping) => [mapping.companyId, mapping.companyName, mapping.directoryName]),
      [['9', 'Already mapped', 'Tenant a']],
    );
    assert.equal(view.revision, 'r1');
  });

  it('reports an unexpected failure without its text and suggests from the reads that worked', async () => {
    const settings = settingsWith(
      {
        listCompanies: async () => [{ id: '1', name: 'Contoso' }],
        listContactEmailDomains: async () => ({ '1': { contactsWithEmail: 2, domains: { 'contoso.com': 2 } } }),
      },
      {
        a: async () => {
          throw new Error('socket hang up at 10.0.0.1');
        },
        b: async () => [{ name: 'contoso.com', isDefault: true }],
      },
    );
    const view = await loadCompanyMappings({ settings, logger: createSilentLogger() });
    assert.deepEqual(view.problems, [
      'Reading the verified domains of Tenant a failed unexpectedly; the details are in the service log. No suggestions point to it for now.',
    ]);
    assert.deepEqual(view.unmapped[0]?.suggestion, {
      directoryId: 'b',
      directoryName: 'Tenant b',
      reason: '2 of 2 contacts use contoso.com, a verified domain of Tenant b.',
    });
  });
});
