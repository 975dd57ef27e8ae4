import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autotaskConnector } from '../../connectors/psa/autotask/autotask-connector.js';
import { connectWiseConnector } from '../../connectors/psa/connectwise/connectwise-connector.js';
import { haloPsaConnector } from '../../connectors/psa/halopsa/halopsa-connector.js';
import { parseLauncherParams } from './parse-launcher-params.js';

const parse = (query: Record<string, string | undefined>) => parseLauncherParams(query, connectWiseConnector);

test('a ticket alone, or with its company and contact, from a ticket screen', () => {
  assert.deepEqual(parse({ ticket_id: ' 1001 ', screen: 'ticket' }), {
    ok: true,
    value: { ticketId: '1001', companyId: null, contactId: null },
  });
  assert.deepEqual(parse({ ticket_id: '1002', company_id: '250', contact_id: '302', screen: 'ServiceTicket' }), {
    ok: true,
    value: { ticketId: '1002', companyId: '250', contactId: '302' },
  });
});

test('a placeholder the PSA did not fill in is named as one, not as a bad id', () => {
  const result = parse({ ticket_id: '[cw_id]', screen: '[cw_screen]' });
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.problems.map((p) => p.param), ['ticket_id']);
  assert.match(!result.ok ? (result.problems[0]?.message ?? '') : '', /still holds the placeholder "\[cw_id\]"/);
  // Optional ones left unfilled are simply absent.
  assert.deepEqual(parse({ ticket_id: '1001', company_id: '{$COMPANY}', contact_id: '' }), {
    ok: true,
    value: { ticketId: '1001', companyId: null, contactId: null },
  });
  assert.match(JSON.stringify(parse({})), /ticket_id is missing/);
});

test('another screen than a ticket is refused, so that a company id is never read as a ticket number', () => {
  const result = parse({ ticket_id: '250', screen: 'company' });
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.problems.map((p) => p.param), ['screen']);
});

test('ids are checked by the PSA’s own rules', () => {
  const result = parse({ ticket_id: '1001', company_id: '-4', contact_id: '3.5' });
  assert.deepEqual(!result.ok && result.problems.map((p) => p.param), ['company_id', 'contact_id']);
});

test('an Autotask LiveLink or a HaloPSA button left unfilled is named as such; filled, its ids are checked by that PSA’s rules', () => {
  const autotask = (query: Record<string, string>) => parseLauncherParams(query, autotaskConnector);
  const halo = (query: Record<string, string>) => parseLauncherParams(query, haloPsaConnector);
  assert.match(JSON.stringify(autotask({ ticket_id: '[Ticket: ID]' })), /still holds the placeholder \\"\[Ticket: ID\]\\"/);
  assert.match(JSON.stringify(halo({ ticket_id: '{$ID}' })), /still holds the placeholder \\"\{\$ID\}\\"/);
  assert.deepEqual(autotask({ ticket_id: '29682885' }), { ok: true, value: { ticketId: '29682885', companyId: null, contactId: null } });
  // A LiveLink set up with the ticket's number rather than its id still names one ticket.
  assert.deepEqual(autotask({ ticket_id: 't20240101.0042' }), {
    ok: true,
    value: { ticketId: 'T20240101.0042', companyId: null, contactId: null },
  });
  assert.deepEqual(halo({ ticket_id: '1001' }), { ok: true, value: { ticketId: '1001', companyId: null, contactId: null } });
  assert.equal(halo({ ticket_id: 'T20240101.0042' }).ok, false, 'Halo has no ticket numbers of that form');
});
