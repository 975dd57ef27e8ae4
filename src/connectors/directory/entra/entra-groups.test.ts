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
import { createEntraConnector, type EntraClient } from './entra-connector.js';

// Group membership against the simulator over real HTTPS, as in entra-connector.test.ts. Graph is
// reached on 127.0.0.1 and Exchange on localhost (same server), so the two tokens have different
// audiences and the simulator can tell which one each call carried.
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;
const adatum = demoTenants[2]!;
const [megan, diego, , itAdmin, reception] = contoso.users as [
  DemoTenantUser,
  DemoTenantUser,
  DemoTenantUser,
  DemoTenantUser,
  DemoTenantUser,
];
type DemoTenantUser = DemoTenant['users'][number];
const group = (tenant: DemoTenant, name: string) => tenant.groups.find((g) => g.displayName === name)!;
const ALL_STAFF = group(contoso, 'All Staff');
const CLINICAL = group(contoso, 'Clinical Records Access');
const FRONT_DESK_DL = group(contoso, 'Front Desk DL');
const BILLING = group(contoso, 'Billing Approvers');
const HELPDESK_ADMINS = group(contoso, 'Helpdesk Admins (role-assignable)');
const DRIVERS = group(fabrikam, 'All Drivers (dynamic)');
const FILE_SERVER = group(adatum, 'File Server Users (synced)');

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
  for (const secret of [contoso.clientSecret, fabrikam.clientSecret, adatum.clientSecret, 'eyJ', 'Bearer ']) {
    assert.equal(log.includes(secret), false, `${secret} in log`);
  }
});

async function setup(options: { sim?: GraphSimulatorOptions; tenant?: DemoTenant } = {}) {
  const sim = createGraphSimulator(options.sim);
  const server = await sim.listen({ port: 0, host: '127.0.0.1', tls });
  servers.push(server);
  const tenant = options.tenant ?? contoso;
  const exchangeUrl = server.url.replace('127.0.0.1', 'localhost');
  const connector = createEntraConnector();
  const settings = connector.settings.parse({
    tenantId: tenant.tenantId,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    authorityHost: server.url,
    graphUrl: server.url,
    exchangeUrl,
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
    tenant,
    graphUrl: server.url,
    exchangeUrl,
    members: (groupId: string) => sim.state.groupMemberIds(tenant.tenantId, groupId),
    /** Membership writes that reached Graph. */
    graphWrites: () =>
      sim.state.requests.filter((r) => r.path.startsWith('/v1.0/groups/') && r.path.endsWith('/$ref') && r.method !== 'GET'),
    exchangeCalls: () => sim.state.requests.filter((r) => r.path.startsWith('/adminapi/')),
  };
}

describe('entra connector: reading groups', () => {
  it('searches by name or mail with a default (not advanced) query, escaped, sorted and bounded', async () => {
    const t = await setup();
    const found = await t.client.searchGroups('clin');
    assert.deepEqual(
      found.map((g) => [g.displayName, g.kind, g.changeVia]),
      [
        ['Clinic - Downtown', 'security', 'graph'],
        ['Clinic - Riverside', 'security', 'graph'],
        ['Clinic - Uptown', 'microsoft365', 'graph'],
        ['Clinical Records Access', 'security', 'graph'],
      ],
    );
    const request = t.sim.state.requests.find((r) => r.path === '/v1.0/groups')!;
    assert.match(request.query, /\$filter=startswith\(displayName,'clin'\) or startswith\(mail,'clin'\)/);
    assert.match(
      request.query,
      /\$select=id,displayName,description,mail,groupTypes,mailEnabled,securityEnabled,onPremisesSyncEnabled,membershipRule/,
    );
    assert.equal(request.consistencyLevel, undefined);

    // By mail, with the kind from Graph's flags.
    const [byMail] = await t.client.searchGroups('billing-app');
    assert.equal(byMail?.displayName, 'Billing Approvers');
    assert.equal(byMail?.kind, 'mailEnabledSecurity');
    assert.equal(byMail?.changeVia, 'exchange');

    // A quote is data, not syntax; a blank query asks nothing.
    assert.deepEqual(await t.client.searchGroups("o'x' or 1 eq 1"), []);
    assert.match(t.sim.state.requests.at(-1)!.query, /startswith\(displayName,'o''x'' or 1 eq 1'\)/);
    const before = t.sim.state.requests.length;
    assert.deepEqual(await t.client.searchGroups('   '), []);
    assert.equal(t.sim.state.requests.length, before);

    // Bounded: limit 2 asks for $top=2 and stops after the first page.
    const two = await t.client.searchGroups('clin', { limit: 2 });
    assert.equal(two.length, 2);
    assert.match(t.sim.state.requests.at(-1)!.query, /\$top=2/);
    assert.equal(t.sim.state.requests.filter((r) => r.path === '/v1.0/groups').length, 4);
  });

  it('gets a group with the classification fields, and lists a user’s groups and a group’s members', async () => {
    const t = await setup();
    const dl = await t.client.getGroup(FRONT_DESK_DL.id);
    assert.deepEqual(dl, {
      id: FRONT_DESK_DL.id,
      displayName: 'Front Desk DL',
      mail: 'frontdesk@contosodental.example',
      // The port's neutral view: the badge a technician reads, and that a new member needs a mailbox first.
      badges: ['Distribution'],
      needsMailbox: true,
      kind: 'distribution',
      dynamic: false,
      synced: false,
      roleAssignable: false,
      changeVia: 'exchange',
    });
    const groups = await t.client.listUserGroups(megan.id);
    assert.deepEqual(
      groups.map((g) => g.displayName),
      ['All Staff', 'Billing Approvers', 'Clinic - Downtown', 'Front Desk DL'],
    );
    const memberOf = t.sim.state.requests.find((r) => r.path.endsWith('/memberOf/microsoft.graph.group'))!;
    assert.equal(memberOf.consistencyLevel, 'eventual');
    assert.match(memberOf.query, /\$count=true/);

    const members = await t.client.listGroupMembers(ALL_STAFF.id);
    assert.deepEqual(
      members.map((m) => [m.displayName, m.accountEnabled, m.onPremisesSyncEnabled]),
      [
        ['Megan Bowen', true, false],
        ['Diego Siciliani', true, false],
      ],
    );
    const one = await t.client.listGroupMembers(ALL_STAFF.id, { limit: 1 });
    assert.equal(one.length, 1);
  });

  it('reads the role-assignable flag, and explains a missing read permission', async () => {
    const t = await setup({ sim: { appPermissions: { contoso: ['User.ReadWrite.All'] } } });
    const error = await rejection(t.client.searchGroups('clin'));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(error.message, /GroupMember\.Read\.All/);
    const ok = await setup();
    assert.equal((await ok.client.getGroup(HELPDESK_ADMINS.id)).roleAssignable, true);
  });
});

describe('entra connector: membership through Graph', () => {
  it('adds to and removes from a Microsoft 365 and a security group; repeats are results, not errors', async () => {
    const t = await setup();
    assert.equal(await t.client.addGroupMember(ALL_STAFF.id, reception.id), 'added');
    assert.ok(t.members(ALL_STAFF.id).includes(reception.id));
    assert.equal(await t.client.addGroupMember(ALL_STAFF.id, reception.id), 'already-member');

    assert.equal(await t.client.addGroupMember(CLINICAL.id, megan.userPrincipalName), 'added', 'a UPN is resolved to the id first');
    assert.ok(t.members(CLINICAL.id).includes(megan.id));
    assert.equal(await t.client.removeGroupMember(CLINICAL.id, megan.id), 'removed');
    assert.ok(!t.members(CLINICAL.id).includes(megan.id));
    assert.equal(await t.client.removeGroupMember(CLINICAL.id, megan.id), 'not-member');

    const post = t.graphWrites().find((r) => r.method === 'POST')!;
    assert.equal(post.path, `/v1.0/groups/${ALL_STAFF.id}/members/$ref`);
    assert.equal(post.tokenAudience, t.graphUrl, 'Graph got the Graph token');
    assert.equal(t.exchangeCalls().length, 0);
  });

  it('retries the eventual-consistency 400 for a user created a moment ago, then succeeds', async () => {
    const t = await setup({ sim: { freshUsers: { [reception.id]: 2 } } });
    assert.equal(await t.client.addGroupMember(CLINICAL.id, reception.id), 'added');
    assert.deepEqual(t.sleeps, [1000, 2000]);
    assert.equal(t.graphWrites().length, 3);
    assert.ok(t.members(CLINICAL.id).includes(reception.id));
  });

  it('gives up after a few seconds with a clear, retryable error', async () => {
    const t = await setup({ sim: { freshUsers: { [reception.id]: 10 } } });
    const error = await rejection(t.client.addGroupMember(CLINICAL.id, reception.id));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_NOT_YET_VISIBLE');
    assert.equal(error.retryable, true);
    assert.match(error.message, /wait a minute/);
    assert.deepEqual(t.sleeps, [1000, 2000, 4000]);
  });

  it('says which permission is missing: GroupMember.ReadWrite.All, or RoleManagement.ReadWrite.Directory for a role-assignable group', async () => {
    const readOnly = DEFAULT_APP_PERMISSIONS.filter((p) => p !== 'GroupMember.ReadWrite.All').concat('GroupMember.Read.All');
    const t = await setup({ sim: { appPermissions: { contoso: readOnly } } });
    const error = await rejection(t.client.addGroupMember(CLINICAL.id, reception.id));
    assert.equal(error.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.equal(error.upstream?.status, 403);
    assert.match(error.message, /GroupMember\.ReadWrite\.All/);

    const u = await setup();
    const roleError = await rejection(u.client.addGroupMember(HELPDESK_ADMINS.id, reception.id));
    assert.equal(roleError.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(roleError.message, /RoleManagement\.ReadWrite\.Directory/);
    assert.ok(!u.members(HELPDESK_ADMINS.id).includes(reception.id));

    const v = await setup({ sim: { appPermissions: { contoso: [...DEFAULT_APP_PERMISSIONS, 'RoleManagement.ReadWrite.Directory'] } } });
    assert.equal(await v.client.addGroupMember(HELPDESK_ADMINS.id, reception.id), 'added');
    assert.equal(await v.client.removeGroupMember(HELPDESK_ADMINS.id, itAdmin.id), 'removed');
  });
});

describe('entra connector: refusals before any write', () => {
  it('refuses a dynamic group with its rule and a synced group with where to change it', async () => {
    const f = await setup({ tenant: fabrikam });
    const dynamic = await rejection(f.client.addGroupMember(DRIVERS.id, fabrikam.users[0]!.id));
    assert.equal(dynamic.code, 'TBX_ERR_DIRECTORY_GROUP_READ_ONLY');
    assert.equal(dynamic.httpStatus, 409);
    assert.match(dynamic.message, /comes from a rule: \(user\.jobTitle -eq "Driver"\)/);
    assert.equal(f.graphWrites().length + f.exchangeCalls().length, 0);

    const a = await setup({ tenant: adatum });
    const synced = await rejection(a.client.removeGroupMember(FILE_SERVER.id, adatum.users[1]!.id));
    assert.equal(synced.code, 'TBX_ERR_DIRECTORY_GROUP_READ_ONLY');
    assert.match(synced.message, /synchronised from on-premises AD: change it there/);
    assert.equal(a.graphWrites().length + a.exchangeCalls().length, 0);
    assert.ok(a.members(FILE_SERVER.id).includes(adatum.users[1]!.id));
  });
});

describe('entra connector: membership through Exchange Online', () => {
  it('adds to a distribution list and removes from a mail-enabled security group with the Exchange token and anchor', async () => {
    const t = await setup();
    assert.equal(await t.client.addGroupMember(FRONT_DESK_DL.id, diego.id), 'added');
    assert.ok(t.members(FRONT_DESK_DL.id).includes(diego.id));
    assert.equal(await t.client.addGroupMember(FRONT_DESK_DL.id, diego.id), 'already-member');
    assert.equal(await t.client.removeGroupMember(BILLING.id, megan.id), 'removed');
    assert.ok(!t.members(BILLING.id).includes(megan.id));
    assert.equal(await t.client.removeGroupMember(BILLING.id, megan.id), 'not-member');

    assert.equal(t.graphWrites().length, 0, 'Graph cannot change these groups, so nothing was sent there');
    const calls = t.sim.state.exchangeRequests;
    assert.deepEqual(
      calls.map((c) => [c.cmdlet, c.status]),
      [
        ['Add-DistributionGroupMember', 200],
        ['Add-DistributionGroupMember', 400],
        ['Remove-DistributionGroupMember', 200],
        ['Remove-DistributionGroupMember', 400],
      ],
    );
    for (const call of calls) {
      assert.equal(call.tenant, contoso.tenantId);
      assert.equal(call.tokenAudience, t.exchangeUrl, 'the Exchange token, not the Graph one');
      assert.equal(call.anchorMailbox, `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${contoso.tenantId}`);
    }
    assert.deepEqual(calls[0]?.parameters, {
      Identity: FRONT_DESK_DL.id,
      Member: diego.userPrincipalName,
      BypassSecurityGroupManagerCheck: true,
    });
    // Two tokens: one per resource.
    assert.equal(t.sim.state.tokensIssued.length, 2);
  });

  it('retries a throttled Exchange call after Retry-After, then succeeds', async () => {
    const t = await setup();
    t.sim.failNext('POST /adminapi/', 429, 'TooManyRequests', 2, { retryAfterSeconds: 2 });
    assert.equal(await t.client.addGroupMember(FRONT_DESK_DL.id, diego.id), 'added');
    assert.deepEqual(t.sleeps, [2000, 2000]);
    assert.equal(t.exchangeCalls().length, 3);
    assert.ok(t.members(FRONT_DESK_DL.id).includes(diego.id));
  });

  it('does not repeat a 502 (the command may have run), and explains a missing Exchange permission', async () => {
    const t = await setup();
    t.sim.failNext('POST /adminapi/', 502, 'BadGateway', 1);
    const error = await rejection(t.client.addGroupMember(FRONT_DESK_DL.id, diego.id));
    assert.equal(error.code, 'TBX_ERR_EXCHANGE_UNAVAILABLE');
    assert.equal(t.exchangeCalls().length, 1);

    const noExchange = DEFAULT_APP_PERMISSIONS.filter((p) => p !== 'Exchange.ManageAsApp');
    const u = await setup({ sim: { appPermissions: { contoso: noExchange } } });
    const forbidden = await rejection(u.client.addGroupMember(FRONT_DESK_DL.id, diego.id));
    assert.equal(forbidden.code, 'TBX_ERR_EXCHANGE_FORBIDDEN');
    assert.match(forbidden.message, /Exchange\.ManageAsApp.*Exchange Administrator/s);
  });

  it('reaches the simulator’s Exchange endpoints with the default exchangeUrl (the Graph URL’s origin)', async () => {
    const sim = createGraphSimulator();
    const server = await sim.listen({ port: 0, host: '127.0.0.1', tls });
    servers.push(server);
    const connector = createEntraConnector();
    const settings = connector.settings.parse({
      tenantId: contoso.tenantId,
      clientId: contoso.clientId,
      clientSecret: contoso.clientSecret,
      authorityHost: server.url,
      graphUrl: server.url,
    });
    assert.equal(settings.exchangeUrl, server.url);
    const client = connector.create(settings, {
      fetch: fetch.current,
      logger: createLogger({ level: 'silent' }),
      clock: createManualClock(),
    });
    assert.equal(await client.addGroupMember(FRONT_DESK_DL.id, diego.id), 'added');
    assert.equal(sim.state.exchangeRequests.at(-1)?.status, 200);
  });
});

describe('entra settings: exchangeUrl', () => {
  it('defaults to the cloud’s Exchange host, or to a non-Microsoft Graph URL’s origin', () => {
    const connector = createEntraConnector();
    const parse = (extra: Record<string, string>) =>
      connector.settings.parse({ tenantId: contoso.tenantId, clientId: contoso.clientId, clientSecret: 'x', ...extra });
    assert.equal(parse({}).exchangeUrl, 'https://outlook.office365.com');
    assert.equal(parse({ graphUrl: 'https://graph.microsoft.us' }).exchangeUrl, 'https://outlook.office365.us');
    assert.equal(parse({ graphUrl: 'https://localhost:8443/' }).exchangeUrl, 'https://localhost:8443');
    assert.equal(parse({ exchangeUrl: 'https://exo.example/' }).exchangeUrl, 'https://exo.example');
    assert.equal(
      connector.settings.safeParse({
        tenantId: contoso.tenantId,
        clientId: contoso.clientId,
        clientSecret: 'x',
        exchangeUrl: 'http://exo.example',
      }).success,
      false,
    );
  });
});
