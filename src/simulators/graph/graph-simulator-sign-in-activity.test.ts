import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoTenants } from '../../demo/demo-data.js';
import { createGraphSimulator, DEFAULT_APP_PERMISSIONS, type GraphSimulatorOptions } from './graph-simulator.js';

const BASE = 'http://graph.test';
const contoso = demoTenants[0]!;
const megan = contoso.users[0]!;

async function get(options: GraphSimulatorOptions, path: string) {
  const sim = createGraphSimulator(options);
  const tokenResponse = await sim.handler(
    new Request(`${BASE}/${contoso.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: contoso.clientId,
        client_secret: contoso.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    }),
  );
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const response = await sim.handler(new Request(`${BASE}/v1.0${path}`, { headers: { authorization: `Bearer ${access_token}` } }));
  type Body = { value: { signInActivity: { lastSignInDateTime: string | null } }[]; error: { code: string; message: string } };
  return { status: response.status, body: (await response.json()) as Body };
}

describe('graph simulator: signInActivity', () => {
  const listPath = `/users?$filter=${encodeURIComponent("startswith(surname,'bowen')")}&$select=id,signInActivity&$top=20`;

  it('is returned only on $select, with the last sign-in', async () => {
    const listed = await get({}, listPath);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.value[0]?.signInActivity.lastSignInDateTime, megan.lastSignInDateTime);
    const plain = await get({}, `/users/${megan.id}`);
    assert.equal('signInActivity' in plain.body, false);
  });

  it('refuses the whole request without AuditLog.Read.All, or in a tenant without a premium licence', async () => {
    const noPermission = await get(
      { appPermissions: { contoso: DEFAULT_APP_PERMISSIONS.filter((p) => p !== 'AuditLog.Read.All') } },
      listPath,
    );
    assert.equal(noPermission.status, 403);
    assert.equal(noPermission.body.error.code, 'Authorization_RequestDenied');
    const noPremium = await get({ nonPremiumTenants: ['contoso'] }, listPath);
    assert.equal(noPremium.status, 403);
    assert.equal(noPremium.body.error.code, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    assert.equal(noPremium.body.error.message, "Neither tenant is B2C or tenant doesn't have premium license");
    const single = await get({ nonPremiumTenants: ['contoso'] }, `/users/${megan.id}?$select=id,signInActivity`);
    assert.equal(single.status, 403);
    // Without signInActivity the same tenant answers.
    assert.equal((await get({ nonPremiumTenants: ['contoso'] }, listPath.replace(',signInActivity', ''))).status, 200);
  });

  it('serves at most 120 users a request with it', async () => {
    const many = await get({}, listPath.replace('$top=20', '$top=121'));
    assert.equal(many.status, 400);
  });
});
