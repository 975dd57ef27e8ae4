import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectWiseConnector } from '../../connectors/psa/connectwise/connectwise-connector.js';
import { parseScreenPopParams } from './parse-screen-pop-params.js';

const parse = (query: Record<string, string | undefined>) => parseScreenPopParams(query, connectWiseConnector);

test('the seed URL with values parses, extra parameters are kept, the secret is not', () => {
  const result = parse({
    ticket_id: '1001',
    company_id: '250',
    contact_id: '301',
    form_name: 'password_reset',
    agent: '7',
    secret: 's3cret',
  });
  assert.deepEqual(result, {
    ok: true,
    value: { ticketId: '1001', companyId: '250', contactId: '301', formName: 'password_reset', extra: { agent: '7' } },
  });
});

test('placeholders and empty values mean absent', () => {
  const result = parse({ ticket_id: '@ticketid', company_id: '250', contact_id: '301', form_name: 'password_reset' });
  assert.equal(result.ok && result.value.ticketId, null);
  const missing = parse({ ticket_id: '', company_id: ' ', contact_id: '@contactid', form_name: '' });
  assert.equal(missing.ok, false);
  assert.deepEqual(!missing.ok && missing.problems.map((p) => p.param), ['company_id', 'contact_id', 'form_name']);
});

test('ids must be positive integers; form names are checked for shape', () => {
  for (const bad of ['0', '-1', '1e3', '0x10', '12 34', '３']) {
    const result = parse({ company_id: bad, contact_id: '1', form_name: 'password_reset' });
    assert.equal(result.ok, false, bad);
  }
  const form = parse({ company_id: '1', contact_id: '1', form_name: '<script>' });
  assert.equal(form.ok, false);
});

test('each id is checked against its own kind’s format, and the problem names that format', () => {
  // A PSA whose tickets are numbered "T…" while companies and contacts are plain numbers.
  const ids = {
    parseId: (kind: 'ticket' | 'company' | 'contact' | 'member', raw: string) =>
      (kind === 'ticket' ? /^T\d+$/ : /^\d+$/).test(raw) ? raw : null,
    idFormat: { ticket: 'T and digits, e.g. T42', company: 'digits', contact: 'digits', member: 'digits' },
  };
  const ok = parseScreenPopParams({ ticket_id: 'T42', company_id: '7', contact_id: '8', form_name: 'password_reset' }, ids);
  assert.equal(ok.ok && ok.value.ticketId, 'T42');
  const bad = parseScreenPopParams({ ticket_id: '42', company_id: 'T7', contact_id: '8', form_name: 'password_reset' }, ids);
  assert.deepEqual(!bad.ok && bad.problems, [
    { param: 'ticket_id', message: 'ticket_id "42" is not a valid id: expected T and digits, e.g. T42.' },
    { param: 'company_id', message: 'company_id "T7" is not a valid id: expected digits.' },
  ]);
});
