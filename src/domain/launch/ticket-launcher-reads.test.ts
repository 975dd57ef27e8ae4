import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PsaClient } from '../../connectors/psa/types.js';
import { createManualClock } from '../../lib/clock.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import { createTicketLauncherReads } from './ticket-launcher-reads.js';

/** A PSA of three records; every read is logged, and a read of an unknown id fails as a connector's would. */
function fakePsa(log: string[]): Pick<PsaClient, 'getTicket' | 'getCompany' | 'getContact'> {
  const missing = (what: string, id: string) =>
    new ToolboxError({ code: 'TBX_ERR_PSA_NOT_FOUND', message: `No ${what} ${id}.`, httpStatus: 404 });
  return {
    async getTicket(id) {
      log.push(`ticket ${id}`);
      if (id !== '1') throw missing('ticket', id);
      return { id, number: '#1', summary: 'Locked out', companyId: '10', contactId: '20' };
    },
    async getCompany(id) {
      log.push(`company ${id}`);
      if (id !== '10') throw missing('company', id);
      return { id, name: 'Contoso' };
    },
    async getContact(id) {
      log.push(`contact ${id}`);
      if (id !== '20') throw missing('contact', id);
      return { id, firstName: 'Megan', lastName: 'Bowen', name: 'Megan Bowen', phones: [] };
    },
  };
}

test('the ticket names its company and contact; a complete read is kept a minute, for that technician and those ids only', async () => {
  const log: string[] = [];
  const clock = createManualClock();
  const reads = createTicketLauncherReads({ psa: fakePsa(log), clock, keepMs: 60_000 });
  const read = await reads.read('tech-1', 'connectwise', { ticketId: '1', companyId: null, contactId: null });
  assert.equal(read.companyId, '10');
  assert.equal(read.contactId, '20');
  assert.deepEqual(log, ['ticket 1', 'company 10', 'contact 20']);
  const ids = { ticketId: '1', companyId: '10', contactId: '20' };
  assert.equal(reads.recent('tech-1', 'connectwise', ids)?.contact.ok, true);
  assert.equal(reads.recent('tech-2', 'connectwise', ids), undefined, 'another technician got the read');
  assert.equal(reads.recent('tech-1', 'autotask', ids), undefined, 'another PSA got the read');
  assert.equal(reads.recent('tech-1', 'connectwise', { ...ids, contactId: '21' }), undefined);
  clock.advance(60_001);
  assert.equal(reads.recent('tech-1', 'connectwise', ids), undefined, 'a read older than a minute was used');
});

test('a read that failed is not kept; the company and contact given in the URL are read at once', async () => {
  const log: string[] = [];
  const reads = createTicketLauncherReads({ psa: fakePsa(log), clock: createManualClock() });
  const read = await reads.read('tech-1', 'connectwise', { ticketId: '1', companyId: '10', contactId: '99' });
  assert.equal(read.contact?.ok, false);
  assert.deepEqual([...log].sort(), ['company 10', 'contact 99', 'ticket 1']);
  assert.equal(reads.recent('tech-1', 'connectwise', { ticketId: '1', companyId: '10', contactId: '99' }), undefined);
  const noTicket = await reads.read('tech-1', 'connectwise', { ticketId: '2', companyId: null, contactId: null });
  assert.equal(noTicket.ticket.ok, false);
  assert.equal(noTicket.company, null, 'a company was read for a ticket that does not exist');
});
