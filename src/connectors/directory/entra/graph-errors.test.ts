import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamUnreachableError } from '../../../lib/upstream-request.js';
import { type GraphPurpose, graphFailureToError, identityFailureToError, unreachableToError } from './graph-errors.js';

const context = {
  tenantId: 'contoso.example',
  clientId: '0a1b2c3d-1111-4111-8111-000000000250',
  operation: 'POST /{tenant}/oauth2/v2.0/token',
};
const graphFailure = (status: number, error: Record<string, unknown>, purpose: GraphPurpose = 'read') => ({
  status,
  body: { error: { innerError: { 'request-id': 'rid-1', date: '2026-01-01T00:00:00' }, ...error } },
  headers: new Headers(),
  operation: 'PATCH /users/{id}',
  purpose,
  retries: 0,
  tenantLabel: 'tenant contoso.example',
});

describe('graph-errors', () => {
  it('maps AADSTS codes to admin-readable messages and keeps the code', () => {
    const cases: [number, RegExp][] = [
      [7000215, /rejected the client secret/],
      [7000222, /has expired/],
      [700016, /not known in tenant/],
      [90002, /has no tenant/],
      [65001, /has not consented/],
    ];
    for (const [code, message] of cases) {
      const error = identityFailureToError(
        {
          status: 400,
          body: { error: 'x', error_description: `AADSTS${code}: Something. Trace ID: t Correlation ID: c`, error_codes: [code] },
        },
        context,
      );
      assert.equal(error.code, 'TBX_ERR_DIRECTORY_AUTH');
      assert.match(error.message, message);
      assert.equal(error.upstream?.code, `AADSTS${code}`);
      assert.equal(error.upstream?.service, 'identity');
    }
    const unknown = identityFailureToError(
      { status: 400, body: { error: 'invalid_request', error_description: 'AADSTS123: Odd thing.\r\nTrace ID: t' } },
      context,
    );
    assert.equal(unknown.upstream?.code, 'AADSTS123');
    assert.match(unknown.message, /Odd thing\.$/);
  });

  it('maps Graph errors and keeps the request-id', () => {
    const conflict = graphFailureToError(
      graphFailure(400, {
        code: 'Request_BadRequest',
        message: 'Another object with the same value for property userPrincipalName already exists.',
        details: [{ code: 'ObjectConflict', target: 'userPrincipalName' }],
      }),
    );
    assert.equal(conflict.code, 'TBX_ERR_DIRECTORY_CONFLICT');
    assert.match(conflict.message, /\(userPrincipalName\)/);
    assert.match(conflict.upstream?.message ?? '', /request-id rid-1/);
    assert.equal(
      graphFailureToError(graphFailure(401, { code: 'InvalidAuthenticationToken', message: 'x' })).code,
      'TBX_ERR_DIRECTORY_TOKEN_REJECTED',
    );
    assert.equal(
      graphFailureToError(graphFailure(404, { code: 'Request_ResourceNotFound', message: 'x' })).code,
      'TBX_ERR_DIRECTORY_NOT_FOUND',
    );
    const synced = graphFailureToError(
      graphFailure(
        400,
        {
          code: 'Request_BadRequest',
          message: 'Unable to update the specified properties for on-premises mastered Directory Sync objects',
        },
        'password-reset',
      ),
    );
    assert.equal(synced.code, 'TBX_ERR_DIRECTORY_SYNCED_USER');
    assert.equal(synced.httpStatus, 409);
    const server = graphFailureToError(graphFailure(503, { code: 'ServiceUnavailable', message: 'x' }));
    assert.equal(server.retryable, true);
  });

  it('recognises the authentication-method refusals whose Graph texts are unverified', () => {
    const map = (status: number, message: string, purpose: GraphPurpose) =>
      graphFailureToError(graphFailure(status, { code: 'badRequest', message }, purpose));
    const phoneDefault = map(400, 'Some future wording about this phone method.', 'remove-phone-method');
    assert.equal(phoneDefault.code, 'TBX_ERR_DIRECTORY_DEFAULT_METHOD');
    assert.match(phoneDefault.message, /default phone method after the user’s other methods are gone/);
    assert.equal(phoneDefault.upstream?.message?.startsWith('Some future wording'), true);
    assert.match(
      map(400, 'Cannot delete mobile while an alternate mobile phone exists.', 'remove-phone-method').message,
      /alternate mobile/,
    );
    assert.equal(map(400, 'Invalid segment.', 'remove-auth-method').code, 'TBX_ERR_DIRECTORY_BAD_REQUEST', 'only phones have the rule');
    assert.equal(map(403, 'Insufficient privileges to complete the operation.', 'remove-phone-method').code, 'TBX_ERR_DIRECTORY_FORBIDDEN');

    assert.equal(
      map(400, 'A Temporary Access Pass already exists for this user.', 'temporary-access-pass').code,
      'TBX_ERR_DIRECTORY_TAP_EXISTS',
    );
    for (const status of [400, 403]) {
      const disabled = map(status, 'Temporary Access Pass is disabled by the authentication methods policy.', 'temporary-access-pass');
      assert.equal(disabled.code, 'TBX_ERR_DIRECTORY_TAP_DISABLED');
    }
    const forbidden = map(403, 'Insufficient privileges to complete the operation.', 'temporary-access-pass');
    assert.equal(forbidden.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(forbidden.message, /UserAuthenticationMethod\.ReadWrite\.All.*Authentication Administrator/);
  });

  it('maps timeouts and network failures', () => {
    const timeout = unreachableToError(new UpstreamUnreachableError('timeout', null), 'graph', 'GET /users', 'graph.microsoft.com');
    assert.equal(timeout.code, 'TBX_ERR_DIRECTORY_TIMEOUT');
    assert.equal(timeout.retryable, true);
    const network = unreachableToError(
      new UpstreamUnreachableError('network', null),
      'identity',
      'POST token',
      'login.microsoftonline.com',
    );
    assert.equal(network.code, 'TBX_ERR_DIRECTORY_UNREACHABLE');
    assert.match(network.message, /Microsoft sign-in \(login\.microsoftonline\.com\) could not be reached/);
  });
});
