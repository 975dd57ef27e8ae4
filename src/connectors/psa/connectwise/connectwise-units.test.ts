import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamUnreachableError } from '../../../lib/upstream-request.js';
import { PSA_ID_KINDS } from '../types.js';
import { connectWiseConnector, parseConnectWiseId } from './connectwise-connector.js';
import { connectWiseHttpError, connectWiseUnreachableError } from './connectwise-errors.js';
import { buildQueryString, parseLinkHeader, quoteConditionValue } from './connectwise-query.js';
import { connectWiseSettingsSchema } from './connectwise-settings.js';
import { formatNoteText } from './format-note.js';

const base = {
  siteUrl: 'https://na.myconnectwise.net',
  apiUrl: 'https://api-na.myconnectwise.net',
  companyId: 'northwind',
  publicKey: 'pub',
  privateKey: 'priv',
  clientId: '5b3f6a7e-0c1d-4e2f-9a8b-7c6d5e4f3a21',
};

describe('ConnectWise settings', () => {
  it('applies defaults and normalises hosts', () => {
    const parsed = connectWiseSettingsSchema.parse({
      ...base,
      siteUrl: 'na.myconnectwise.net/',
      apiUrl: 'https://api-na.myconnectwise.net/v4_6_release/apis/3.0/',
    });
    assert.equal(parsed.siteUrl, 'https://na.myconnectwise.net');
    assert.equal(parsed.apiUrl, 'https://api-na.myconnectwise.net');
    assert.equal(parsed.apiVersion, '2025.1');
    assert.equal(parsed.timeoutMs, 8000);
    assert.equal(parsed.codebase, undefined);
    assert.equal(connectWiseSettingsSchema.parse({ ...base, codebase: '/v2025_1' }).codebase, 'v2025_1/');
  });

  it('rejects unknown keys, URL versions as apiVersion and non-http schemes', () => {
    assert.equal(connectWiseSettingsSchema.safeParse({ ...base, extra: 1 }).success, false);
    assert.equal(connectWiseSettingsSchema.safeParse({ ...base, apiVersion: '3.0.0' }).success, false);
    assert.equal(connectWiseSettingsSchema.safeParse({ ...base, apiUrl: 'ftp://api-na.myconnectwise.net' }).success, false);
    assert.equal(connectWiseSettingsSchema.safeParse({ ...base, clientId: '' }).success, false);
  });

  it('is the schema the connector exposes', () => {
    assert.equal(connectWiseConnector.settings, connectWiseSettingsSchema);
    assert.equal(connectWiseConnector.kind, 'connectwise');
  });
});

describe('ConnectWise ids', () => {
  it('accepts positive 32-bit integers only', () => {
    assert.equal(parseConnectWiseId('12345'), '12345');
    assert.equal(parseConnectWiseId(' 42 '), '42');
    assert.equal(parseConnectWiseId('2147483647'), '2147483647');
    for (const bad of ['0', '007', '-1', '+1', '1.0', '1e3', '2147483648', '99999999999', '', 'abc', '12abc', '#12']) {
      assert.equal(parseConnectWiseId(bad), null, bad);
    }
    for (const kind of PSA_ID_KINDS) {
      assert.equal(connectWiseConnector.idFormat[kind], 'a positive whole number, e.g. 12345');
      assert.equal(connectWiseConnector.parseId(kind, ' 42 '), '42');
      assert.equal(connectWiseConnector.parseId(kind, '0'), null);
    }
  });
});

describe('formatNoteText', () => {
  it('joins lines with a visible separator that survives newline collapsing', () => {
    assert.equal(formatNoteText(['Done', ' Step 1 ', '', 'Step 2\nwith a break']), 'Done | Step 1 | Step 2 with a break');
  });

  it('strips control characters and caps the length', () => {
    assert.equal(formatNoteText(['a\bb\fc\u0000d']), 'a b c d');
    const long = formatNoteText(['x'.repeat(5000)], 100);
    assert.equal(long.length, 100);
    assert.ok(long.endsWith('… (truncated)'));
  });
});

describe('ConnectWise query helpers', () => {
  it('quotes condition values so they cannot break out', () => {
    assert.equal(quoteConditionValue('In Progress'), '"In Progress"');
    assert.equal(quoteConditionValue('Waiting "parts"'), `'Waiting "parts"'`);
    assert.equal(quoteConditionValue(`It's "done"`), undefined);
  });

  it('percent-encodes the characters the guide lists', () => {
    assert.equal(
      buildQueryString({ conditions: `name="a&b" or name like 'x*' + [y] %`, pageSize: 1000, skip: undefined }),
      '?conditions=name%3D%22a%26b%22%20or%20name%20like%20%27x%2A%27%20%2B%20%5By%5D%20%25&pageSize=1000',
    );
  });

  it('parses Link headers', () => {
    assert.deepEqual(
      parseLinkHeader('<https://h/x?page=1>; rel="first", <https://h/x?page=3>; rel="next", <https://h/x?page=9>; rel="last"'),
      {
        first: 'https://h/x?page=1',
        next: 'https://h/x?page=3',
        last: 'https://h/x?page=9',
      },
    );
    assert.deepEqual(parseLinkHeader(null), {});
  });
});

describe('ConnectWise error translation', () => {
  const context = { operation: 'GET /service/tickets/{id}', action: 'read ticket 5', timeoutMs: 8000 };

  it('reads the 429 body shape and falls back to its message for the wait', () => {
    const error = connectWiseHttpError(
      429,
      '{"error":"ConnectWiseAPI","message":"Too many requests. Please try again in 45 seconds."}',
      null,
      context,
    );
    assert.equal(error.code, 'TBX_ERR_PSA_RATE_LIMITED');
    assert.equal(error.message, 'ConnectWise is rate-limiting us; try again in 45 s.');
    assert.equal(error.upstream?.code, 'ConnectWiseAPI');
  });

  it('maps 5xx, other 4xx and unreadable bodies', () => {
    assert.equal(connectWiseHttpError(502, '<html>bad gateway</html>', null, context).code, 'TBX_ERR_PSA_UNAVAILABLE');
    const bad = connectWiseHttpError(
      400,
      '{"code":"InvalidObject","message":"ticket object is invalid","errors":[{"message":"Summary is required"}]}',
      null,
      context,
    );
    assert.equal(bad.code, 'TBX_ERR_PSA_BAD_REQUEST');
    assert.match(bad.message, /ticket object is invalid Summary is required/);
    assert.equal(connectWiseHttpError(404, '', null, { ...context, action: 'list members' }).code, 'TBX_ERR_PSA_CONFIG');
  });

  it('maps timeouts, network failures and cancellation', () => {
    assert.equal(
      connectWiseUnreachableError(new UpstreamUnreachableError('timeout', null), context).message,
      'ConnectWise did not answer within 8 s when the toolbox tried to read ticket 5. Try again in a minute.',
    );
    assert.equal(connectWiseUnreachableError(new UpstreamUnreachableError('network', null), context).code, 'TBX_ERR_PSA_UNAVAILABLE');
    assert.equal(connectWiseUnreachableError(new UpstreamUnreachableError('aborted', null), context).code, 'TBX_ERR_PSA_CANCELLED');
  });
});
