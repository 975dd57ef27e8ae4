import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoTenants } from '../../demo/demo-data.js';
import { createGraphSimulator, DEFAULT_APP_PERMISSIONS, type GraphSimulator, type GraphSimulatorOptions } from './graph-simulator.js';

// In-process, like graph-simulator-groups.test.ts: onboarding routes (reference §8). The
// connector's side is in entra-onboarding.test.ts.
const BASE = 'http://graph.test';
const contoso = demoTenants[0]!;
const megan = contoso.users[0]!;
const SPB = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';
const LICENSING_GROUP_SECURITY = contoso.groups.find(
  (g) => !g.mailEnabled && g.securityEnabled && !g.membershipRule && !g.onPremisesSyncEnabled,
)!;

async function token(sim: GraphSimulator) {
  const response = await sim.handler(
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
  return ((await response.json()) as { access_token: string }).access_token;
}

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON read loosely by the assertions
type Answer = { status: number; body: Record<string, any> };

async function setup(options: GraphSimulatorOptions = {}) {
  const sim = createGraphSimulator(options);
  const bearer = await token(sim);
  const graph = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await sim.handler(
      new Request(`${BASE}/v1.0${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    );
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  };
  return { sim, graph };
}

const valid = (upn = 'new.starter@contosodental.example') => ({
  accountEnabled: true,
  displayName: 'New Starter',
  givenName: 'New',
  surname: 'Starter',
  mailNickname: upn.split('@')[0],
  userPrincipalName: upn,
  passwordProfile: { password: 'Tq7#mVz2!pLx9', forceChangePasswordNextSignIn: true },
});

describe('graph simulator: onboarding', () => {
  it('creates a user (201) and validates required fields, unknown properties, domain, password and duplicates', async () => {
    const t = await setup();
    const created = await t.graph('POST', '/users', { ...valid(), usageLocation: 'US', businessPhones: ['+1 555 0100'] });
    assert.equal(created.status, 201);
    assert.equal(created.body.userPrincipalName, 'new.starter@contosodental.example');
    assert.equal(created.body.mail, null, 'no mailbox, no mail, until a licence');
    assert.deepEqual(created.body.businessPhones, ['+1 555 0100']);
    const stored = t.sim.state.createdUsers(contoso.tenantId);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.accountEnabled, true);
    assert.equal(stored[0]?.onPremisesSyncEnabled, false);
    assert.ok(t.sim.state.checkPassword(contoso.tenantId, created.body.id, 'Tq7#mVz2!pLx9'));

    const { mailNickname: _omit, ...noNickname } = valid('b@contosodental.example');
    assert.equal((await t.graph('POST', '/users', noNickname)).status, 400);
    const unknown = await t.graph('POST', '/users', { ...valid('c@contosodental.example'), favouriteColour: 'blue' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /favouriteColour/);
    assert.equal((await t.graph('POST', '/users', { ...valid('d@contosodental.example'), businessPhones: ['1', '2'] })).status, 400);
    const domain = await t.graph('POST', '/users', valid('e@elsewhere.example'));
    assert.equal(domain.status, 400);
    assert.match(domain.body.error.message, /verified domain/);
    const weak = await t.graph('POST', '/users', {
      ...valid('f@contosodental.example'),
      passwordProfile: { password: 'password1', forceChangePasswordNextSignIn: true },
    });
    assert.match(weak.body.error.message, /password complexity/);
    const duplicate = await t.graph('POST', '/users', valid(megan.userPrincipalName));
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.error.code, 'Request_BadRequest');
    assert.equal(duplicate.body.error.message, 'Another object with the same value for property userPrincipalName already exists.');
    assert.deepEqual(
      duplicate.body.error.details.map((d: { code: string; target: string }) => [d.code, d.target]),
      [['ObjectConflict', 'userPrincipalName']],
    );
    assert.equal(t.sim.state.createdUsers(contoso.tenantId).length, 1);

    const denied = await setup({ appPermissions: { contoso: ['User.Read.All'] } });
    assert.equal((await denied.graph('POST', '/users', valid())).status, 403);
  });

  it('answers the eventual-consistency 400 for the next two requests naming a new user, shared across $ref, licence and manager', async () => {
    const t = await setup();
    const id = (await t.graph('POST', '/users', { ...valid(), usageLocation: 'US' })).body.id as string;
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` };
    const first = await t.graph('POST', `/groups/${LICENSING_GROUP_SECURITY.id}/members/$ref`, ref);
    assert.equal(first.status, 400);
    assert.match(first.body.error.message, /do not exist/);
    const license = { addLicenses: [{ skuId: SPB, disabledPlans: [] }], removeLicenses: [] };
    assert.equal((await t.graph('POST', `/users/${id}/assignLicense`, license)).status, 400);
    const assigned = await t.graph('POST', `/users/${id}/assignLicense`, license);
    assert.equal(assigned.status, 200);
    assert.deepEqual(t.sim.state.licenses(contoso.tenantId, id), [{ skuId: SPB, viaGroupId: null }]);
    assert.equal(t.sim.state.mailbox(contoso.tenantId, id)?.type, 'user');
    assert.equal(t.sim.state.getUser(contoso.tenantId, id)?.mail, 'new.starter@contosodental.example');
    const manager = await t.graph('PUT', `/users/${id}/manager/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/users/${megan.id}`,
    });
    assert.equal(manager.status, 204);
    assert.equal(t.sim.state.managerId(contoso.tenantId, id), megan.id);
    assert.equal((await t.graph('PUT', `/users/${id}/manager/$ref`, { '@odata.id': 'nonsense' })).status, 400);
  });

  it('refuses a licence without usage location, and when no seat is free', async () => {
    const t = await setup();
    const id = (await t.graph('POST', '/users', valid())).body.id as string;
    const license = { addLicenses: [{ skuId: SPB, disabledPlans: [] }], removeLicenses: [] };
    await t.graph('POST', `/users/${id}/assignLicense`, license);
    await t.graph('POST', `/users/${id}/assignLicense`, license);
    const noLocation = await t.graph('POST', `/users/${id}/assignLicense`, license);
    assert.equal(noLocation.status, 400);
    assert.equal(noLocation.body.error.message, 'License assignment cannot be done for user with invalid usage location.');
    assert.equal((await t.graph('PATCH', `/users/${id}`, { usageLocation: 'US', companyName: 'Contoso Dental' })).status, 204);
    const exo = contoso.skus.find((s) => s.consumedUnits >= s.prepaidEnabled)!;
    const full = await t.graph('POST', `/users/${id}/assignLicense`, { addLicenses: [{ skuId: exo.skuId }], removeLicenses: [] });
    assert.equal(full.status, 400);
    assert.match(full.body.error.message, /no more available licenses/);
    const profile = await t.graph('GET', `/users/${id}?$select=usageLocation,companyName,officeLocation`);
    assert.deepEqual(
      { usageLocation: profile.body.usageLocation, companyName: profile.body.companyName, officeLocation: profile.body.officeLocation },
      { usageLocation: 'US', companyName: 'Contoso Dental', officeLocation: null },
    );
  });

  it('lists domains and subscribed skus, each behind its permission', async () => {
    const t = await setup({ unverifiedDomains: { contoso: ['pending.example'] } });
    const domains = await t.graph('GET', '/domains?$select=id,isDefault,isVerified');
    assert.deepEqual(domains.body.value, [
      { id: 'contosodental.example', isDefault: true, isVerified: true },
      { id: 'contosodental.onmicrosoft.example', isDefault: false, isVerified: true },
      { id: 'pending.example', isDefault: false, isVerified: false },
    ]);
    assert.equal((await t.graph('POST', '/users', valid('x@pending.example'))).status, 400, 'unverified domain');
    const skus = await t.graph('GET', '/subscribedSkus');
    const spb = skus.body.value.find((s: { skuId: string }) => s.skuId === SPB);
    assert.deepEqual([spb.skuPartNumber, spb.prepaidUnits.enabled, spb.consumedUnits], ['SPB', 10, 2]);
    const none = await setup({
      appPermissions: { contoso: DEFAULT_APP_PERMISSIONS.filter((p) => !/Domain|Organization|LicenseAssignment/.test(p)) },
    });
    assert.equal((await none.graph('GET', '/domains')).status, 403);
    assert.equal((await none.graph('GET', '/subscribedSkus')).status, 403);
  });
});
