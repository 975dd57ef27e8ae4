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
import { parseSizeGb } from './entra-offboarding.js';

// Offboarding calls against the simulator over real HTTPS (Graph on 127.0.0.1, Exchange on
// localhost, one server and one state), as in entra-groups.test.ts.
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;
const adatum = demoTenants[2]!;
type User = DemoTenant['users'][number];
const [megan, diego] = contoso.users as [User, User];
const leeGu = fabrikam.users.find((u) => u.onPremisesSyncEnabled)!;
const [isaiah, grady, johanna] = adatum.users as [User, User, User];
const SPB = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';
const EXO = '4b9405b0-7788-4568-add1-99614e613b69';
const LICENSING_GROUP = 'c1000000-0000-4000-8000-000000000001';

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
  const id = tenant.tenantId;
  return {
    sim,
    client,
    sleeps,
    id,
    writes: (pathPart: string) => sim.state.requests.filter((r) => r.method !== 'GET' && r.path.includes(pathPart)),
    cmdlets: () => sim.state.exchangeRequests.map((r) => [r.cmdlet, r.parameters, r.anchorMailbox, r.status] as const),
  };
}

describe('entra connector: sign-in, licences, manager', () => {
  it('blocks sign-in with a PATCH, refuses a synced user before any write, and repeats only 429/503', async () => {
    const t = await setup();
    await t.client.setAccountEnabled(megan.id, false);
    assert.equal(t.sim.state.accountEnabled(t.id, megan.id), false);
    await t.client.setAccountEnabled(megan.userPrincipalName, true);
    assert.equal(t.sim.state.accountEnabled(t.id, megan.id), true);

    // 429 with Retry-After: waited, then repeated.
    t.sim.failNext('PATCH /v1.0/users/', 429, 'TooManyRequests', 1, { retryAfterSeconds: 2 });
    await t.client.setAccountEnabled(megan.id, false);
    assert.deepEqual(t.sleeps, [2000]);
    assert.equal(t.sim.state.accountEnabled(t.id, megan.id), false);
    // 502 may have run: surfaced, not repeated.
    t.sim.failNext('PATCH /v1.0/users/', 502, 'BadGateway');
    const before = t.writes('/v1.0/users/').length;
    assert.equal((await rejection(t.client.setAccountEnabled(megan.id, true))).code, 'TBX_ERR_DIRECTORY_UNAVAILABLE');
    assert.equal(t.writes('/v1.0/users/').length, before + 1);
    t.sim.failNext('PATCH /v1.0/users/', 403, 'Authorization_RequestDenied');
    assert.match((await rejection(t.client.setAccountEnabled(megan.id, true))).message, /User\.ReadWrite\.All/);

    const f = await setup({ tenant: fabrikam });
    const synced = await rejection(f.client.setAccountEnabled(leeGu.id, false));
    assert.equal(synced.code, 'TBX_ERR_DIRECTORY_SYNCED_USER');
    assert.match(synced.message, /on-premises Active Directory.*userAccountControl/s);
    assert.equal(f.writes('/v1.0/users/').length, 0, 'no PATCH sent');
    assert.equal(f.sim.state.accountEnabled(f.id, leeGu.id), true);
  });

  it('lists licences with the group-based ones marked, refuses those, and removes direct ones', async () => {
    const t = await setup({ sim: { groupLicenses: { [diego.id]: [{ skuId: EXO, groupId: LICENSING_GROUP }] } } });
    assert.deepEqual(await t.client.licences.listLicenses(megan.id), [
      { skuId: SPB, skuPartNumber: 'SPB', displayName: 'Microsoft 365 Business Premium', viaGroup: false },
    ]);
    const diegos = await t.client.licences.listLicenses(diego.id);
    assert.deepEqual(
      diegos.map((l) => [l.skuPartNumber, l.viaGroup]),
      [
        ['SPB', false],
        ['EXCHANGESTANDARD', true],
      ],
    );
    const refused = await rejection(t.client.licences.removeLicenses(diego.id, [SPB, EXO]));
    assert.equal(refused.code, 'TBX_ERR_DIRECTORY_LICENSE_VIA_GROUP');
    assert.match(refused.message, /Exchange Online \(Plan 1\) comes from a group.*remove the user from the licensing group/s);
    assert.equal(t.writes('/assignLicense').length, 0);

    await t.client.licences.removeLicenses(diego.id, []);
    assert.equal(t.writes('/assignLicense').length, 0, 'an empty list sends nothing');
    const units = t.sim.state.consumedUnits(t.id, SPB)!;
    await t.client.licences.removeLicenses(diego.id, [SPB]);
    assert.deepEqual(t.sim.state.licenses(t.id, diego.id), [{ skuId: EXO, viaGroupId: LICENSING_GROUP }]);
    assert.equal(t.sim.state.consumedUnits(t.id, SPB), units - 1);
    // A re-run finds nothing left to remove and sends nothing.
    await t.client.licences.removeLicenses(diego.id, [SPB]);
    assert.equal(t.writes('/assignLicense').length, 1);

    const u = await setup({ sim: { appPermissions: { contoso: ['User.Read.All', 'Exchange.ManageAsApp'] } } });
    const denied = await rejection(u.client.licences.removeLicenses(megan.id, [SPB]));
    assert.equal(denied.code, 'TBX_ERR_DIRECTORY_FORBIDDEN');
    assert.match(denied.message, /LicenseAssignment\.ReadWrite\.All/);
  });

  it('reads and removes the manager; none is null / "none"', async () => {
    const t = await setup({ tenant: adatum });
    assert.equal((await t.client.manager.getManager(grady.id))?.displayName, isaiah.displayName);
    assert.equal(await t.client.manager.getManager(isaiah.id), null);
    assert.equal(await t.client.manager.removeManager(grady.id), 'removed');
    assert.equal(t.sim.state.managerId(t.id, grady.id), null);
    assert.equal(await t.client.manager.removeManager(grady.id), 'none');
    assert.equal(await t.client.manager.getManager(grady.id), null);
  });
});

describe('entra connector: mailbox', () => {
  it('converting first keeps the mailbox; removing the licence first loses it (reference §9.2)', async () => {
    const t = await setup({ tenant: adatum });
    // Right order: convert, then remove the licence.
    await t.client.mailbox.convertMailboxToShared(isaiah.id);
    await t.client.mailbox.convertMailboxToShared(isaiah.id); // already shared: a no-op success
    await t.client.licences.removeLicenses(isaiah.id, [SPB]);
    const kept = await t.client.mailbox.getMailbox(isaiah.id);
    assert.equal(kept?.type, 'shared');
    assert.equal(t.sim.state.mailbox(t.id, isaiah.id)?.removed, false);

    // Wrong order: the licence goes first, and the mailbox with it.
    await t.client.licences.removeLicenses(grady.id, [SPB]);
    const lost = await rejection(t.client.mailbox.convertMailboxToShared(grady.id));
    assert.equal(lost.code, 'TBX_ERR_DIRECTORY_NO_MAILBOX');
    assert.match(lost.message, /no Exchange Online mailbox.*licence was removed before the conversion/s);
    assert.equal(await t.client.mailbox.getMailbox(grady.id), null);
    assert.equal(t.sim.state.mailbox(t.id, grady.id)?.removed, true);
  });

  it('reads the mailbox with its size, anchored on the UPN; none is null', async () => {
    const t = await setup({ tenant: adatum });
    assert.deepEqual(await t.client.mailbox.getMailbox(grady.id), {
      type: 'user',
      primarySmtpAddress: grady.mail,
      hiddenFromAddressLists: false,
      forwardingTo: null,
      keepCopy: false,
      sizeGb: 52,
    });
    assert.deepEqual(
      t.cmdlets().map(([cmdlet, parameters, anchor]) => [cmdlet, parameters, anchor]),
      [
        ['Get-Mailbox', { Identity: grady.userPrincipalName }, `UPN:${grady.userPrincipalName}`],
        ['Get-MailboxStatistics', { Identity: grady.userPrincipalName }, `UPN:${grady.userPrincipalName}`],
      ],
    );
    assert.equal(await t.client.mailbox.getMailbox(johanna.id), null);
  });

  it('forwards internally with ForwardingAddress and externally with ForwardingSMTPAddress, and turns it off', async () => {
    const t = await setup();
    await t.client.mailbox.setMailboxForwarding(megan.id, { to: diego.mail, keepCopy: true });
    await t.client.mailbox.setMailboxForwarding(megan.id, { to: 'megan.personal@gmail.example', keepCopy: false });
    await t.client.mailbox.setMailboxForwarding(megan.id, null);
    assert.deepEqual(
      t.cmdlets().map(([cmdlet, parameters]) => [cmdlet, parameters]),
      [
        [
          'Set-Mailbox',
          {
            Identity: megan.userPrincipalName,
            ForwardingAddress: diego.mail,
            ForwardingSMTPAddress: null,
            DeliverToMailboxAndForward: true,
          },
        ],
        [
          'Set-Mailbox',
          {
            Identity: megan.userPrincipalName,
            ForwardingAddress: null,
            ForwardingSMTPAddress: 'megan.personal@gmail.example',
            DeliverToMailboxAndForward: false,
          },
        ],
        [
          'Set-Mailbox',
          { Identity: megan.userPrincipalName, ForwardingAddress: null, ForwardingSMTPAddress: null, DeliverToMailboxAndForward: false },
        ],
      ],
    );
    // The verified domains were read once.
    assert.equal(t.sim.state.requests.filter((r) => r.path === '/v1.0/organization').length, 1);
    const mailbox = t.sim.state.mailbox(t.id, megan.id)!;
    assert.deepEqual([mailbox.forwardingAddress, mailbox.forwardingSmtpAddress, mailbox.deliverToMailboxAndForward], [null, null, false]);

    await t.client.mailbox.setMailboxForwarding(megan.id, { to: 'x@partner.example', keepCopy: true });
    const info = await t.client.mailbox.getMailbox(megan.id);
    assert.deepEqual([info?.forwardingTo, info?.keepCopy], ['x@partner.example', true]);
    assert.equal(
      (await rejection(t.client.mailbox.setMailboxForwarding(megan.id, { to: 'nobody', keepCopy: true }))).code,
      'TBX_ERR_DIRECTORY_INVALID_INPUT',
    );

    // Without Organization.Read.All, an address of a tenant user still counts as internal.
    const noOrg = DEFAULT_APP_PERMISSIONS.filter((p) => p !== 'Organization.Read.All');
    const u = await setup({ sim: { appPermissions: { contoso: noOrg } } });
    await u.client.mailbox.setMailboxForwarding(megan.id, { to: diego.mail, keepCopy: false });
    assert.equal(u.sim.state.mailbox(u.id, megan.id)?.forwardingAddress, diego.mail);
  });

  it('hides from the address lists, refusing a synced user before any Exchange call', async () => {
    const t = await setup();
    await t.client.mailbox.setHiddenFromAddressLists(megan.id, true);
    assert.equal(t.sim.state.mailbox(t.id, megan.id)?.hiddenFromAddressLists, true);
    assert.equal((await t.client.mailbox.getMailbox(megan.id))?.hiddenFromAddressLists, true);

    const f = await setup({ tenant: fabrikam });
    const synced = await rejection(f.client.mailbox.setHiddenFromAddressLists(leeGu.id, true));
    assert.equal(synced.code, 'TBX_ERR_DIRECTORY_SYNCED_USER');
    assert.match(synced.message, /msExchHideFromAddressLists/);
    assert.equal(f.sim.state.exchangeRequests.length, 0);
  });

  it('grants full access and Send As (idempotent), and sets out of office through Graph', async () => {
    const t = await setup();
    const grant = { delegateUserId: diego.id, fullAccess: true, sendAs: true, autoMapping: false };
    await t.client.mailbox.grantMailboxAccess(megan.id, grant);
    await t.client.mailbox.grantMailboxAccess(megan.id, grant);
    assert.deepEqual(t.sim.state.mailboxPermissions(t.id, megan.id), {
      fullAccess: [{ userId: diego.id, autoMapping: false }],
      sendAs: [diego.id],
    });
    assert.deepEqual(t.cmdlets()[0]?.[1], {
      Identity: megan.userPrincipalName,
      User: diego.userPrincipalName,
      AccessRights: ['FullAccess'],
      InheritanceType: 'All',
      AutoMapping: false,
    });
    assert.deepEqual(t.cmdlets()[1]?.[1], {
      Identity: megan.userPrincipalName,
      Trustee: diego.userPrincipalName,
      AccessRights: ['SendAs'],
      Confirm: false,
    });

    await t.client.automaticReplies.setAutomaticReplies(megan.id, {
      internalMessage: 'Gone',
      externalMessage: 'Left the practice',
      externalAudience: 'all',
    });
    assert.deepEqual(t.sim.state.automaticReplies(t.id, megan.id), {
      status: 'alwaysEnabled',
      externalAudience: 'all',
      internalReplyMessage: 'Gone',
      externalReplyMessage: 'Left the practice',
    });
    await t.client.automaticReplies.setAutomaticReplies(megan.id, null);
    assert.equal(t.sim.state.automaticReplies(t.id, megan.id)?.status, 'disabled');

    const a = await setup({ tenant: adatum });
    const none = await rejection(a.client.automaticReplies.setAutomaticReplies(johanna.id, null));
    assert.equal(none.code, 'TBX_ERR_DIRECTORY_NO_MAILBOX');
    assert.match(none.message, /no Exchange Online mailbox/);
    const u = await setup({ sim: { appPermissions: { contoso: ['User.ReadWrite.All', 'Exchange.ManageAsApp'] } } });
    assert.match((await rejection(u.client.automaticReplies.setAutomaticReplies(megan.id, null))).message, /MailboxSettings\.ReadWrite/);
  });

  it('lists and removes mobile devices; a device already gone is a success', async () => {
    const t = await setup({ tenant: adatum });
    const devices = await t.client.mobileDevices.listMobileDevices(grady.id);
    assert.deepEqual(
      devices.map((d) => d.name),
      ['Pixel 7', 'iPad (Outlook)'],
    );
    assert.match(devices[0]!.id, /ExchangeActiveSyncDevices/);
    await t.client.mobileDevices.removeMobileDevice(grady.id, devices[0]!.id);
    await t.client.mobileDevices.removeMobileDevice(grady.id, devices[0]!.id);
    assert.deepEqual(t.sim.state.mobileDevices(t.id, grady.id), ['a3000000-0000-4000-8000-000000000022']);
    assert.deepEqual(await t.client.mobileDevices.listMobileDevices(johanna.id), []);
  });

  it('names Exchange.ManageAsApp on a 403 and repeats a throttled cmdlet after Retry-After', async () => {
    const noExchange = DEFAULT_APP_PERMISSIONS.filter((p) => p !== 'Exchange.ManageAsApp');
    const u = await setup({ sim: { appPermissions: { contoso: noExchange } } });
    const denied = await rejection(u.client.mailbox.convertMailboxToShared(megan.id));
    assert.equal(denied.code, 'TBX_ERR_EXCHANGE_FORBIDDEN');
    assert.match(denied.message, /Exchange\.ManageAsApp.*Exchange Administrator/s);

    const t = await setup();
    t.sim.failNext('POST /adminapi', 429, 'TooManyRequests', 1, { retryAfterSeconds: 1 });
    await t.client.mailbox.convertMailboxToShared(megan.id);
    assert.deepEqual(t.sleeps, [1000]);
    assert.equal(t.sim.state.mailbox(t.id, megan.id)?.type, 'shared');
  });
});

describe('parseSizeGb', () => {
  it('reads Exchange’s ByteQuantifiedSize text', () => {
    assert.equal(parseSizeGb('52 GB (55,834,574,848 bytes)'), 52);
    assert.equal(parseSizeGb('1.229 GB (1,319,413,953 bytes)'), 1.23);
    assert.equal(parseSizeGb('45.06 MB'), 0.04);
    assert.equal(parseSizeGb('Unlimited'), undefined);
    assert.equal(parseSizeGb(undefined), undefined);
  });
});
