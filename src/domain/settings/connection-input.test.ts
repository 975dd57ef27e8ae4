import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { z } from 'zod';
import type { ConnectionField } from '../../connectors/connection-fields.js';
import { createSecretBox } from '../../lib/secret-box.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import { prepareConnection } from './connection-input.js';

/** A connection with a select and a field asked only for one of its values (a hosted instance's tenant). */
const fields: ConnectionField[] = [
  { name: 'url', label: 'Instance URL', type: 'url' },
  {
    name: 'hosting',
    label: 'Hosting',
    type: 'select',
    options: [
      { value: 'hosted', label: 'Hosted by the vendor' },
      { value: 'self', label: 'On our own server' },
    ],
  },
  { name: 'tenant', label: 'Tenant', showWhen: { field: 'hosting', values: ['hosted'] } },
  { name: 'tenantKey', label: 'Tenant key', secret: true, showWhen: { field: 'hosting', values: ['hosted'] } },
  { name: 'proxy', label: 'Proxy', showWhen: { field: 'url' } },
];
const schema = z.strictObject({
  url: z.string(),
  hosting: z.enum(['hosted', 'self']),
  tenant: z.string().optional(),
  tenantKey: z.string().optional(),
  proxy: z.string().optional(),
});
const secretBox = createSecretBox(randomBytes(32));
const prepare = (input: { fields: Record<string, string>; secrets?: Record<string, string> }, storedSecrets?: Record<string, string>) =>
  prepareConnection({
    key: 'psa',
    connectorFields: fields,
    schema,
    input: { fields: input.fields, secrets: input.secrets ?? {} },
    storedSecrets,
    secretBox,
  });

describe('connection fields: select options and conditions', () => {
  test('a field whose condition holds is kept, with its secret', () => {
    const prepared = prepare({ fields: { url: 'https://x', hosting: 'hosted', tenant: 'acme' }, secrets: { tenantKey: 'k' } });
    assert.deepEqual(prepared.settings, { url: 'https://x', hosting: 'hosted', tenant: 'acme', tenantKey: 'k' });
    assert.deepEqual(Object.keys(prepared.secrets), ['tenantKey']);
  });

  test('a value sent for a field whose condition does not hold is dropped, and a stored secret of it is not kept', () => {
    const first = prepare({ fields: { url: 'https://x', hosting: 'hosted', tenant: 'acme' }, secrets: { tenantKey: 'k' } });
    const prepared = prepare({ fields: { url: 'https://x', hosting: 'self', tenant: 'acme' } }, first.secrets);
    assert.deepEqual(prepared.settings, { url: 'https://x', hosting: 'self' });
    assert.deepEqual(prepared.fields, { url: 'https://x', hosting: 'self' });
    assert.deepEqual(prepared.secrets, {});
  });

  test('a condition without values holds while the other field has any value', () => {
    assert.deepEqual(prepare({ fields: { url: 'https://x', hosting: 'self', proxy: 'p' } }).fields.proxy, 'p');
    const error = (() => {
      try {
        prepare({ fields: { url: '', hosting: 'self', proxy: 'p' } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    // The url is required, so this is refused; the proxy is not among the problems: it was dropped.
    assert.ok(isToolboxError(error));
    assert.deepEqual(
      error.fields?.map((field) => field.path),
      ['fields.url'],
    );
  });

  test('a select value outside its options is refused, naming the options', () => {
    assert.throws(
      () => prepare({ fields: { url: 'https://x', hosting: 'cloud' } }),
      (error: unknown) =>
        isToolboxError(error) &&
        error.fields?.some((field) => field.path === 'fields.hosting' && field.message.startsWith('must be one of: hosted, self')) === true,
    );
  });
});
