import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { psaConnectors } from '../index.js';
import { haloPsaConnector, parseHaloId } from './halopsa-connector.js';
import { haloHttpError, haloTokenError, parseHaloErrorBody } from './halopsa-errors.js';
import { actionHasMarker, formatNoteHtml, htmlText } from './halopsa-note.js';
import { haloPsaSettingsSchema } from './halopsa-settings.js';
import { hostedTenantOf } from './halopsa-systems-check.js';

const base = { url: 'https://northwind.halopsa.com', clientId: 'c9534241-dde9-4d04-9d45-32b1fbff22ed', clientSecret: 's3cret' };

describe('HaloPSA settings', () => {
  it('keeps the instance address, cutting a pasted /api or /auth path', () => {
    const parse = (url: string) => haloPsaSettingsSchema.parse({ ...base, url }).url;
    assert.equal(parse('northwind.halopsa.com/'), 'https://northwind.halopsa.com');
    assert.equal(parse('https://northwind.halopsa.com/api/'), 'https://northwind.halopsa.com');
    assert.equal(parse('https://northwind.halopsa.com/auth/token'), 'https://northwind.halopsa.com');
    assert.equal(parse('https://helpdesk.example.com/halo/api'), 'https://helpdesk.example.com/halo');
    const parsed = haloPsaSettingsSchema.parse(base);
    assert.equal(parsed.timeoutMs, 8000);
    assert.equal(parsed.tenant, undefined);
    assert.equal(parsed.noteOutcomeId, undefined);
  });

  it('takes the tenant as a name only, and an empty one as none', () => {
    assert.equal(haloPsaSettingsSchema.parse({ ...base, tenant: ' northwind ' }).tenant, 'northwind');
    assert.equal(haloPsaSettingsSchema.parse({ ...base, tenant: '' }).tenant, undefined);
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, tenant: 'https://northwind.halopsa.com' }).success, false);
  });

  it('asks for the tenant only of an instance hosted by Halo', () => {
    assert.equal(haloPsaSettingsSchema.parse({ ...base, hosting: 'hosted', tenant: 'northwind' }).tenant, 'northwind');
    const missing = haloPsaSettingsSchema.safeParse({ ...base, hosting: 'hosted' });
    assert.equal(missing.success, false);
    assert.deepEqual(
      missing.error?.issues.map((issue) => issue.path),
      [['tenant']],
    );
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, hosting: 'self-hosted', tenant: 'northwind' }).success, false);
    assert.equal(haloPsaSettingsSchema.parse({ ...base, hosting: 'self-hosted' }).tenant, undefined);
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, hosting: 'cloud' }).success, false);
    // The configuration contract's keys alone still work: a tenant means a hosted instance.
    assert.equal(haloPsaSettingsSchema.parse({ ...base, tenant: 'northwind' }).hosting, 'hosted');
    assert.equal(haloPsaSettingsSchema.parse(base).hosting, 'self-hosted');
    const tenant = haloPsaConnector.fields.find((field) => field.name === 'tenant');
    assert.deepEqual(tenant?.showWhen, { field: 'hosting', values: ['hosted'] });
    const hosting = haloPsaConnector.fields.find((field) => field.name === 'hosting');
    assert.equal(hosting?.type, 'select');
    assert.deepEqual(
      hosting?.options?.map((option) => option.value),
      ['hosted', 'self-hosted'],
    );
  });

  it('rejects unknown keys, missing credentials, other schemes and credentials in the URL', () => {
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, extra: 1 }).success, false);
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, clientSecret: '' }).success, false);
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, clientId: ' ' }).success, false);
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, url: 'ftp://halo.example.com' }).success, false);
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, url: 'https://user:pw@halo.example.com' }).success, false);
    assert.equal(haloPsaSettingsSchema.safeParse({ ...base, noteOutcomeId: 0 }).success, false);
  });

  it('is registered as halopsa, with a field for every setting and the secret write-only', () => {
    assert.equal(psaConnectors.halopsa, haloPsaConnector);
    assert.equal(haloPsaConnector.settings, haloPsaSettingsSchema);
    const names = haloPsaConnector.fields.map((field) => field.name).sort();
    assert.deepEqual(names, Object.keys(haloPsaSettingsSchema.in.shape).sort());
    assert.deepEqual(
      haloPsaConnector.fields.filter((field) => field.secret).map((field) => field.name),
      ['clientSecret'],
    );
    const label = (name: string) => haloPsaConnector.fields.find((field) => field.name === name)?.label ?? '';
    assert.match(label('tenant'), /CRM Company/);
    assert.match(label('clientId'), /API Key/);
    assert.match(label('clientSecret'), /API Private Key/);
  });
});

describe('HaloPSA words and screen pops', () => {
  it('names clients, end users and agents, and uses 1Stream’s variables', () => {
    assert.equal(haloPsaConnector.words.name, 'HaloPSA');
    assert.deepEqual(haloPsaConnector.words.company, { one: 'client', many: 'clients' });
    assert.deepEqual(haloPsaConnector.words.contact, { one: 'end user', many: 'end users' });
    assert.deepEqual(haloPsaConnector.words.member, { one: 'agent', many: 'agents' });
    assert.deepEqual(haloPsaConnector.screenPop, { ticket: '@ticketid', company: '@companyid', contact: '@contactid' });
  });
});

describe('HaloPSA ids', () => {
  it('accepts positive 32-bit integers only', () => {
    assert.equal(parseHaloId('1001'), '1001');
    assert.equal(parseHaloId(' 42 '), '42');
    assert.equal(parseHaloId('2147483647'), '2147483647');
    for (const bad of ['0', '007', '-1', '+1', '1.0', '1e3', '2147483648', '', 'abc', '@ticketid', '#12']) {
      assert.equal(parseHaloId(bad), null, bad);
    }
    for (const kind of ['ticket', 'company', 'contact', 'member'] as const) {
      assert.equal(haloPsaConnector.parseId(kind, ' 42 '), '42', kind);
      assert.equal(haloPsaConnector.parseId(kind, '@ticketid'), null, kind);
      assert.equal(haloPsaConnector.idFormat[kind], 'a positive whole number, e.g. 1001');
    }
  });

  it('guesses the tenant of a Halo-hosted address only', () => {
    assert.equal(hostedTenantOf('https://Northwind.halopsa.com'), 'northwind');
    assert.equal(hostedTenantOf('https://helpdesk.example.com'), undefined);
  });
});

describe('HaloPSA notes', () => {
  it('writes one escaped paragraph per line, dropping empty lines and control characters', () => {
    assert.equal(
      formatNoteHtml(['Done <b>', ' Step 1: "a" & \'b\' ', '', 'tab\there\nnewline']),
      '<p>Done &lt;b&gt;</p><p>Step 1: &quot;a&quot; &amp; &#39;b&#39;</p><p>tab here newline</p>',
    );
    assert.equal(formatNoteHtml(['', ' ']), '');
  });

  it('caps a long note and says so', () => {
    const html = formatNoteHtml(['x'.repeat(60), 'y'.repeat(60)], 100);
    assert.ok(html.endsWith(' … (truncated)</p>'));
    assert.ok(htmlText(html).length <= 110);
  });

  it('finds a marker in the text or the HTML form of an action', () => {
    assert.equal(actionHasMarker({ id: 1, note: 'execution a&b' }, 'execution a&b'), true);
    assert.equal(actionHasMarker({ id: 1, note_html: '<p>execution a&amp;b</p>' }, 'execution a&b'), true);
    assert.equal(actionHasMarker({ id: 1, note: '<p>execution a&#38;b</p>' }, 'execution a&b'), true);
    assert.equal(actionHasMarker({ id: 1, note: 'execution a', note_html: null }, 'execution a&b'), false);
  });
});

describe('HaloPSA error translation', () => {
  const context = { operation: 'GET /api/Tickets/{id}', action: 'read ticket 5', timeoutMs: 8000 };

  it('reads OAuth errors, problem details, message objects, plain text and HTML', () => {
    assert.deepEqual(parseHaloErrorBody('{"error":"invalid_client"}'), { code: 'invalid_client', message: undefined });
    assert.deepEqual(parseHaloErrorBody('{"title":"One or more validation errors occurred.","errors":{"$[0].ticket_id":["bad"]}}'), {
      code: 'ValidationProblem',
      message: 'One or more validation errors occurred. $[0].ticket_id: bad',
    });
    assert.deepEqual(parseHaloErrorBody('{"message":"Ticket not found"}'), { code: undefined, message: 'Ticket not found' });
    assert.deepEqual(parseHaloErrorBody('Outcome is not valid'), { message: 'Outcome is not valid' });
    assert.deepEqual(parseHaloErrorBody('"quoted"'), { message: 'quoted' });
    assert.deepEqual(parseHaloErrorBody('<!DOCTYPE html><html></html>'), { html: true });
    assert.deepEqual(parseHaloErrorBody(''), {});
  });

  it('maps API statuses to codes, keeping the upstream status and message', () => {
    const bad = haloHttpError(400, 'Please specify an outcome.', null, context);
    assert.equal(bad.code, 'TBX_ERR_PSA_BAD_REQUEST');
    assert.match(bad.message, /HaloPSA said: Please specify an outcome\./);
    assert.equal(bad.upstream?.status, 400);
    assert.equal(haloHttpError(403, '', null, context).code, 'TBX_ERR_PSA_FORBIDDEN');
    assert.equal(haloHttpError(404, '', null, context).code, 'TBX_ERR_PSA_CONFIG', 'a 404 with no subject is a wrong URL');
    assert.equal(haloHttpError(200, '<html></html>', null, context).code, 'TBX_ERR_PSA_CONFIG');
    const down = haloHttpError(502, '', null, { ...context, write: true });
    assert.equal(down.code, 'TBX_ERR_PSA_UNAVAILABLE');
    assert.equal(down.retryable, true);
    assert.match(down.message, /may or may not have been saved/);
    const limited = haloHttpError(429, '', 'Wed, 21 Oct 2099 07:28:00 GMT', context);
    assert.equal(limited.code, 'TBX_ERR_PSA_RATE_LIMITED');
  });

  it('maps token answers: client, tenant, scope and a page that is not Halo', () => {
    const token = { host: 'halo.example.com', tenant: undefined, timeoutMs: 8000 };
    assert.equal(haloTokenError(401, '{"error":"invalid_client"}', null, token).code, 'TBX_ERR_PSA_AUTH');
    assert.equal(
      haloTokenError(400, '{"error":"invalid_request","error_description":"Tenant x not found"}', null, token).code,
      'TBX_ERR_PSA_CONFIG',
    );
    assert.equal(haloTokenError(400, '{"error":"invalid_scope"}', null, token).code, 'TBX_ERR_PSA_FORBIDDEN');
    assert.equal(haloTokenError(404, '<html></html>', null, token).code, 'TBX_ERR_PSA_CONFIG');
    assert.equal(haloTokenError(503, '', null, token).retryable, true);
  });
});
