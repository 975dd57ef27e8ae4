import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PsaClient } from '../../connectors/psa/types.js';
import { systemClock } from '../../lib/clock.js';
import { createLogger } from '../../lib/logger.js';
import type { LaunchRecord, LaunchRepo } from '../../store/types.js';
import { createLaunchReads } from './launch-reads.js';

const launch = (id: string): LaunchRecord => ({
  id,
  psaKind: 'connectwise',
  formName: 'password_reset',
  ticketId: null,
  companyId: '250',
  contactId: '301',
  extraParams: {},
  technicianUserId: null,
  status: 'pending',
  context: null,
  createdAt: '2026-12-07T00:00:00.000Z',
  expiresAt: '2026-12-07T00:30:00.000Z',
});

test('a burst does not grow the launches held in memory past the bound; the oldest go first', async () => {
  const psa = {
    getCompany: async (id: string) => ({ id, name: 'Contoso' }),
    getContact: async (id: string) => ({ id, firstName: 'A', lastName: 'B', name: 'A B', phones: [] }),
  } as unknown as PsaClient;
  const saved: string[] = [];
  const launches = { saveContext: async (id: string) => void saved.push(id) } as unknown as LaunchRepo;
  const reads = createLaunchReads({ psa, launches, clock: systemClock, logger: createLogger({ level: 'silent' }), maxHeld: 3 });
  for (let i = 1; i <= 5; i++) reads.start(launch(`l${i}`), Promise.resolve());
  assert.equal(reads.inFlight('l1'), undefined);
  assert.equal(reads.inFlight('l2'), undefined);
  for (const id of ['l3', 'l4', 'l5']) assert.ok(reads.inFlight(id), `${id} is held`);
  // Forgotten from memory only: every launch's reads still finish and are saved.
  await Promise.all(['l3', 'l4', 'l5'].map((id) => reads.inFlight(id)?.context));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(saved.sort(), ['l1', 'l2', 'l3', 'l4', 'l5']);
});
