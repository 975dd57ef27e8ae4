import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { rejection } from '../../../../test/helpers/rejection.js';
import { type DemoTenant, demoTenants } from '../../../demo/demo-data.js';
import { createManualClock } from '../../../lib/clock.js';
import { createHttpFetch } from '../../../lib/http-fetch.js';
import { createLogger } from '../../../lib/logger.js';
import { createSelfSignedCertificate } from '../../../lib/self-signed-certificate.js';
import { createGraphSimulator, DEFAULT_APP_PERMISSIONS, type GraphSimulatorOptions } from '../../../simulators/graph/graph-simulator.js';
import type { NewUser } from '../types.js';
import { createEntraConnector, type EntraClient } from './entra-connector.js';
import { mailNicknameFromUpn } from './entra-onboarding.js';

// Onboarding calls against the simulator over real HTTPS, as in entra-offboarding.test.ts.
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;
type User = DemoTenant['users'][number];
const [megan, , diego] = contoso.users as [User, User, User];
const leeGu = fabrikam.users.find((u) => u.onPremisesSyncEnabled)!;
const SPB = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';
const EXO = '4b9405b0-7788-4568-add1-99614e613b69';
const PASSWORD = 'Tq7#mVz2!pLx9';

let tls: { key: string; cert: string };
const fetch = { current: undefined as unknown as ReturnType<typeof createHttpFetch> };
const logLines: string[] = [];
const servers: { close(): Promise<void> }[] = [];

before(async () => {
  tls = await createSelfSignedCertificate({ hostnames: ['localhost', '127.0.0.1', '::1'] });
  fetch.current = createHttpFetch({ extraCaPem: [tls.cert] });
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await fetch.current.close();
  const log = logLines.join('\n');
  for (const secret of [contoso.clientSecret, fabrikam.clientSecret, PASSWORD, 'Short1', 'eyJ', 'Bearer ']) {
    assert.equal(log.includes(secret), false, `${secret} in log`);
  }
});

async function setup(options: { sim?: GraphSimulatorOptions; tenant?: DemoTenant } = {}) {
  const sim = createGraphSimulator(options.sim);
  const server = await sim.listen({ port: 0, host: '127.0.0.1', tls });
  servers.push(server);
  const tenant = options.tenant ?? contoso;
  const connector = createEntraConnector();
  const settings = connector.settings.parse({
    tenantId: tenant.tenantId,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    authorityHost: server.url,
    graphUrl: server.url,
    exchangeUrl: server.url.replace('127.0.0.1', 'localhost'),
  });
  const sleeps: number[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const client: EntraClient = connector.create(settings, {
    fetch: fetch.current,
    logger: createLogger({ level: 'debug', destination }),
    clock: createManualClock(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return {
    sim,
    client,
    sleeps,
    id: tenant.tenantId,
    calls: (method: string, pathPart: string) => sim.state.requests.filter((r) => r.method === method && r.path.includes(pathPart)),
  };
}

const newUser = (overrides: Partial<NewUser> = {}): NewUser => ({
  givenName: 'Alex',
  surname: "O'Neil",
  displayName: "Alex O'Neil",
  userPrincipalName: "alex.o'neil+new@contosodental.example",
  usageLocation: 'us',
  jobTitle: 'Hygienist',
  department: 'Clinic',
  officeLocation: 'Room 2',
  mobilePhone: '+1 555 010 2000',
  businessPhone: '+1 555 010 3000',
  password: PASSWORD,
  forceChangeNextSignIn: true,
  ...overrides,
});

describe('entra connector: onboarding', () => {
  it('derives mailNickname from the UPN’s local part with only the allowed characters', () => {
    assert.equal(mailNicknameFromUpn('jane.doe@x.example'), 'jane.doe');
    assert.equal(mailNicknameFromUpn('José (temp)..Ávila.@x.example'), 'Josetemp.Avila');
    assert.equal(mailNicknameFromUpn('a"b;c:d,e f@x.example'), 'abcdef');
    assert.equal(mailNicknameFromUpn('..@x.example'), '');
  });

  it('creates a cloud user with the fields, refuses a taken UPN, a weak password and an unverified domain', async () => {
    const t = await setup();
    const created = await t.client.createUser(newUser());
    assert.equal(created.userPrincipalName, "alex.o'neil+new@contosodental.example");
    assert.equal(created.displayName, "Alex O'Neil");
    assert.equal(created.accountEnabled, true);
    assert.equal(created.onPremisesSyncEnabled, false);
    const [stored] = t.sim.state.createdUsers(t.id) as unknown as [Record<string, unknown>];
    assert.equal(stored.id, created.id);
    assert.equal(stored.mailNickname, "alex.o'neil+new");
    assert.equal(stored.usageLocation, 'US');
    assert.deepEqual(stored.businessPhones, ['+1 555 010 3000']);
    assert.equal(stored.officeLocation, 'Room 2');
    assert.equal('password' in stored, false);
    assert.ok(t.sim.state.checkPassword(t.id, created.id, PASSWORD));
    assert.equal(t.sim.state.mailbox(t.id, created.id), undefined, 'no mailbox before a licence');

    const taken = await rejection(t.client.createUser(newUser({ userPrincipalName: megan.userPrincipalName.toUpperCase() })));
    assert.equal(taken.code, 'TBX_ERR_DIRECTORY_UPN_TAKEN');
    assert.equal(taken.httpStatus, 409);
    assert.match(taken.message, /MEGAN\.BOWEN@CONTOSODENTAL\.EXAMPLE is already taken/);

    const weak = await rejection(t.client.createUser(newUser({ userPrincipalName: 'weak@contosodental.example', password: 'Short1' })));
    assert.equal(weak.code, 'TBX_ERR_DIRECTORY_PASSWORD_REJECTED');
    const domain = await rejection(t.client.createUser(newUser({ userPrincipalName: 'x@elsewhere.example' })));
    assert.equal(domain.code, 'TBX_ERR_DIRECTORY_INVALID_INPUT');
    assert.match(domain.message, /not a verified domain/);
    assert.equal(t.sim.state.createdUsers(t.id).length, 1);
  });

  it('never repeats a create whose answer was lost (502), and says the user may exist', async () => {
    const t = await setup();
    t.sim.failNext('POST /v1.0/users', 502, 'BadGateway');
    const lost = await rejection(t.client.createUser(newUser()));
    assert.equal(lost.code, 'TBX_ERR_DIRECTORY_UNAVAILABLE');
    assert.match(lost.message, /may or may not have been created.*Search for the username/s);
    assert.equal(t.calls('POST', '/v1.0/users').length, 1, 'exactly one POST');
    // 429 ran nothing: repeated after Retry-After.
    t.sim.failNext('POST /v1.0/users', 429, 'TooManyRequests', 1, { retryAfterSeconds: 1 });
    await t.client.createUser(newUser());
    assert.deepEqual(t.sleeps, [1000]);
    assert.equal(t.sim.state.createdUsers(t.id).length, 1);
  });

  it('lists verified domains, default first, falling back to the organization without Domain.Read.All', async () => {
    const t = await setup({ sim: { unverifiedDomains: { contoso: ['pending.example'] } } });
    assert.deepEqual(await t.client.domains.listVerifiedDomains(), [
      { name: 'contosodental.example', isDefault: true },
      { name: 'contosodental.onmicrosoft.example', isDefault: false },
    ]);
    const f = await setup({ sim: { appPermissions: { contoso: DEFAULT_APP_PERMISSIONS.filter((p) => p !== 'Domain.Read.All') } } });
    assert.deepEqual((await f.client.domains.listVerifiedDomains()).map((d) => d.name)[0], 'contosodental.example');
    assert.equal(f.calls('GET', '/v1.0/organization').length, 1);
  });

  it('lists subscribed skus with free seats', async () => {
    const t = await setup();
    assert.deepEqual(await t.client.licences.listSubscribedSkus(), [
      { skuId: EXO, skuPartNumber: 'EXCHANGESTANDARD', displayName: 'Exchange Online (Plan 1)', total: 2, consumed: 2, available: 0 },
      { skuId: SPB, skuPartNumber: 'SPB', displayName: 'Microsoft 365 Business Premium', total: 10, consumed: 2, available: 8 },
    ]);
  });

  it('adds licences to a fresh user after the eventual-consistency retries; names a missing usage location and full skus', async () => {
    const t = await setup();
    const created = await t.client.createUser(newUser());
    await t.client.licences.addLicenses(created.id, [SPB]);
    assert.deepEqual(t.sleeps, [1000, 2000], 'two eventual-consistency 400s, then success');
    assert.deepEqual(t.sim.state.licenses(t.id, created.id), [{ skuId: SPB, viaGroupId: null }]);
    assert.equal(t.sim.state.consumedUnits(t.id, SPB), 3);
    assert.equal(t.sim.state.mailbox(t.id, created.id)?.type, 'user', 'a licence brings a mailbox');

    const noLocation = await rejection(t.client.licences.addLicenses(diego.id, [SPB]));
    assert.equal(noLocation.code, 'TBX_ERR_DIRECTORY_NO_USAGE_LOCATION');
    assert.match(noLocation.message, /set the usage location first/);

    const full = await rejection(t.client.licences.addLicenses(megan.id, [EXO]));
    assert.equal(full.code, 'TBX_ERR_DIRECTORY_NO_FREE_SEATS');
    assert.match(full.message, /the licence Exchange Online \(Plan 1\):/);
  });

  it('sets the manager of a fresh user after retries; refuses a synced user with the on-prem message', async () => {
    const t = await setup();
    const created = await t.client.createUser(newUser());
    await t.client.manager.setManager(created.id, megan.userPrincipalName);
    assert.deepEqual(t.sleeps, [1000, 2000]);
    assert.equal(t.sim.state.managerId(t.id, created.id), megan.id);
    const [put] = t.calls('PUT', '/manager/$ref');
    assert.ok(put);
    const f = await setup({ tenant: fabrikam });
    const synced = await rejection(f.client.manager.setManager(leeGu.id, fabrikam.users[0]!.id));
    assert.equal(synced.code, 'TBX_ERR_DIRECTORY_SYNCED_USER');
    assert.match(synced.message, /manager is changed there/);
  });

  it('reads and updates the profile, sending only the given fields', async () => {
    const t = await setup();
    assert.deepEqual(await t.client.profile.getUserProfile(megan.id), {
      jobTitle: 'Practice Manager',
      department: 'Front Office',
      usageLocation: 'US',
    });
    await t.client.profile.updateUserProfile(diego.id, { jobTitle: 'Office Manager', usageLocation: 'gb', companyName: 'Contoso Dental' });
    assert.deepEqual(await t.client.profile.getUserProfile(diego.id), {
      jobTitle: 'Office Manager',
      usageLocation: 'GB',
      companyName: 'Contoso Dental',
    });
    await t.client.profile.updateUserProfile(diego.id, {});
    assert.equal(t.calls('PATCH', '/v1.0/users/').length, 1, 'nothing to change: no PATCH');
    const f = await setup({ tenant: fabrikam });
    const synced = await rejection(f.client.profile.updateUserProfile(leeGu.id, { jobTitle: 'Lead' }));
    assert.equal(synced.code, 'TBX_ERR_DIRECTORY_SYNCED_USER');
    assert.match(synced.message, /Active Directory/);
  });
});
