import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DemoTenant, demoTenants } from '../../demo/demo-data.js';
import { createGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './graph-simulator.js';
import { formatByteQuantifiedSize } from './mailbox-store.js';

// In-process, like graph-simulator-groups.test.ts: licences, manager and mailboxSettings on Graph,
// mailbox cmdlets on Exchange's InvokeCommand, one state. The connector's side is in
// entra-offboarding.test.ts.
const BASE = 'http://graph.test';
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;
const adatum = demoTenants[2]!;
const [megan, diego] = contoso.users as [DemoTenant['users'][number], DemoTenant['users'][number]];
const [isaiah, grady, johanna] = adatum.users as [DemoTenant['users'][number], DemoTenant['users'][number], DemoTenant['users'][number]];
const leeGu = fabrikam.users[1]!;
const SPB = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON read loosely by the assertions
type Answer = { status: number; body: Record<string, any> };

async function token(sim: GraphSimulator, scope: string, tenant: DemoTenant) {
  const response = await sim.handler(
    new Request(`${BASE}/${tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
        scope,
      }),
    }),
  );
  return ((await response.json()) as { access_token: string }).access_token;
}

async function setup(tenant: DemoTenant = contoso, options: GraphSimulatorOptions = {}) {
  const sim = createGraphSimulator(options);
  const graphToken = await token(sim, 'https://graph.microsoft.com/.default', tenant);
  const exchangeToken = await token(sim, 'https://outlook.office365.com/.default', tenant);
  const send = async (
    method: string,
    path: string,
    bearer: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await sim.handler(
      new Request(`${BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    );
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  };
  const graph = (method: string, path: string, body?: unknown) => send(method, `/v1.0${path}`, graphToken, body);
  const exo = (cmdlet: string, parameters: Record<string, unknown>, anchor = 'UPN:someone@example') =>
    send(
      'POST',
      `/adminapi/beta/${tenant.tenantId}/InvokeCommand`,
      exchangeToken,
      { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } },
      { 'x-anchormailbox': anchor },
    );
  const detail = (answer: Answer) => String(answer.body.error?.details?.[0]?.message ?? '');
  return { sim, graph, exo, detail, id: tenant.tenantId };
}

describe('graph simulator: licences, sign-in, manager', () => {
  it('lists licences with their assignment states and refuses group-based and unknown skus', async () => {
    const t = await setup(contoso, { groupLicenses: { [diego.id]: [{ skuId: '4b9405b0-7788-4568-add1-99614e613b69', groupId: 'g1' }] } });
    const details = await t.graph('GET', `/users/${diego.id}/licenseDetails`);
    assert.deepEqual(
      details.body.value.map((d: { skuPartNumber: string }) => d.skuPartNumber),
      ['SPB', 'EXCHANGESTANDARD'],
    );
    const states = await t.graph('GET', `/users/${diego.id}?$select=licenseAssignmentStates`);
    assert.deepEqual(
      states.body.licenseAssignmentStates.map((s: { assignedByGroup: string | null }) => s.assignedByGroup),
      [null, 'g1'],
    );
    const viaGroup = await t.graph('POST', `/users/${diego.id}/assignLicense`, {
      addLicenses: [],
      removeLicenses: ['4b9405b0-7788-4568-add1-99614e613b69'],
    });
    assert.equal(viaGroup.status, 400);
    assert.match(viaGroup.body.error.message, /inherited from a group/);
    const unknown = await t.graph('POST', `/users/${diego.id}/assignLicense`, { addLicenses: [], removeLicenses: [crypto.randomUUID()] });
    assert.match(unknown.body.error.message, /does not correspond to a valid company License/);
    assert.equal((await t.graph('POST', `/users/${diego.id}/assignLicense`, { removeLicenses: [SPB] })).status, 400);

    const units = t.sim.state.consumedUnits(t.id, SPB)!;
    const removed = await t.graph('POST', `/users/${megan.id}/assignLicense`, { addLicenses: [], removeLicenses: [SPB] });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.id, megan.id);
    assert.equal(t.sim.state.consumedUnits(t.id, SPB), units - 1);
    // The mailbox of a user left without a licence is lost; a licence given back reconnects it.
    assert.equal(t.sim.state.mailbox(t.id, megan.id)?.removed, true);
    assert.equal((await t.exo('Set-Mailbox', { Identity: megan.userPrincipalName, Type: 'Shared' })).status, 404);
    await t.graph('POST', `/users/${megan.id}/assignLicense`, { addLicenses: [{ skuId: SPB, disabledPlans: [] }], removeLicenses: [] });
    assert.equal((await t.exo('Set-Mailbox', { Identity: megan.userPrincipalName, Type: 'Shared' })).status, 200);

    const noRights = await setup(contoso, { appPermissions: { contoso: ['User.Read.All'] } });
    assert.equal(
      (await noRights.graph('POST', `/users/${megan.id}/assignLicense`, { addLicenses: [], removeLicenses: [SPB] })).status,
      403,
    );
  });

  it('refuses accountEnabled and manager changes for synced users; manager GET/DELETE $ref', async () => {
    const f = await setup(fabrikam);
    const synced = await f.graph('PATCH', `/users/${leeGu.id}`, { accountEnabled: false });
    assert.equal(synced.status, 400);
    assert.match(synced.body.error.message, /on-premises mastered/);
    assert.equal(f.sim.state.accountEnabled(f.id, leeGu.id), true);
    assert.equal((await f.graph('PATCH', `/users/${leeGu.id}`, { accountEnabled: 'no' })).status, 400);

    const a = await setup(adatum);
    assert.equal((await a.graph('GET', `/users/${grady.id}/manager?$select=id,displayName`)).body.displayName, isaiah.displayName);
    assert.equal((await a.graph('GET', `/users/${isaiah.id}/manager`)).status, 404);
    assert.equal((await a.graph('DELETE', `/users/${grady.id}/manager/$ref`)).status, 204);
    assert.equal((await a.graph('DELETE', `/users/${grady.id}/manager/$ref`)).status, 404);
    assert.equal(a.sim.state.managerId(a.id, grady.id), null);
  });

  it('validates mailboxSettings and answers MailboxNotEnabledForRESTAPI without a mailbox', async () => {
    const t = await setup(adatum);
    const bad = await t.graph('PATCH', `/users/${grady.id}/mailboxSettings`, { automaticRepliesSetting: { status: 'on' } });
    assert.equal(bad.status, 400);
    const badAudience = await t.graph('PATCH', `/users/${grady.id}/mailboxSettings`, {
      automaticRepliesSetting: { status: 'alwaysEnabled', externalAudience: 'everyone' },
    });
    assert.equal(badAudience.status, 400);
    assert.equal((await t.graph('PATCH', `/users/${grady.id}/mailboxSettings`, { timeZone: 'UTC', nope: 1 })).status, 400);
    const ok = await t.graph('PATCH', `/users/${grady.id}/mailboxSettings`, {
      automaticRepliesSetting: {
        status: 'alwaysEnabled',
        externalAudience: 'contactsOnly',
        internalReplyMessage: 'a',
        externalReplyMessage: 'b',
      },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.automaticRepliesSetting.externalAudience, 'contactsOnly');
    const none = await t.graph('PATCH', `/users/${johanna.id}/mailboxSettings`, { automaticRepliesSetting: { status: 'disabled' } });
    assert.equal(none.status, 404);
    assert.equal(none.body.error.code, 'MailboxNotEnabledForRESTAPI');
  });
});

describe('graph simulator: mailbox cmdlets', () => {
  it('reads mailboxes and their size, sets forwarding and visibility, refuses unknown parameters', async () => {
    const t = await setup(adatum);
    const mailbox = await t.exo('Get-Mailbox', { Identity: grady.userPrincipalName });
    assert.equal(mailbox.body.value[0].RecipientTypeDetails, 'UserMailbox');
    assert.equal(mailbox.body.value[0].PrimarySmtpAddress, grady.mail);
    const stats = await t.exo('Get-MailboxStatistics', { Identity: grady.userPrincipalName });
    assert.match(stats.body.value[0].TotalItemSize, /^52 GB \(55,834,57\d,\d{3} bytes\)$/);
    const missing = await t.exo('Get-Mailbox', { Identity: johanna.userPrincipalName });
    assert.equal(missing.status, 404);
    assert.match(t.detail(missing), /couldn't be found/);

    const unknown = await t.exo('Set-Mailbox', { Identity: grady.userPrincipalName, Colour: 'blue' });
    assert.equal(unknown.status, 400);
    assert.match(t.detail(unknown), /A parameter cannot be found that matches parameter name 'Colour'/);
    assert.equal((await t.exo('Set-Mailbox', { Identity: grady.userPrincipalName, HiddenFromAddressListsEnabled: 'yes' })).status, 400);

    await t.exo('Set-Mailbox', { Identity: grady.userPrincipalName, ForwardingAddress: isaiah.mail, DeliverToMailboxAndForward: true });
    await t.exo('Set-Mailbox', { Identity: grady.userPrincipalName, forwardingsmtpaddress: 'smtp:out@else.example' });
    const after = (await t.exo('Get-Mailbox', { Identity: grady.id })).body.value[0];
    assert.deepEqual(
      [after.ForwardingAddress, after.ForwardingSmtpAddress, after.DeliverToMailboxAndForward],
      [isaiah.mail, 'smtp:out@else.example', true],
    );
    assert.equal(
      (await t.exo('Set-Mailbox', { Identity: grady.userPrincipalName, ForwardingAddress: 'ghost@adatumlegal.example' })).status,
      404,
    );
    await t.exo('Set-Mailbox', { Identity: grady.userPrincipalName, HiddenFromAddressListsEnabled: true, Type: 'Shared' });
    assert.deepEqual(
      [t.sim.state.mailbox(t.id, grady.id)?.hiddenFromAddressLists, t.sim.state.mailbox(t.id, grady.id)?.type],
      [true, 'shared'],
    );
    const again = await t.exo('Set-Mailbox', { Identity: grady.userPrincipalName, Type: 'Shared' });
    assert.equal(again.status, 200);
    assert.match(again.body['@adminapi.warnings'][0], /no settings .* have been modified/);
  });

  it("refuses HiddenFromAddressListsEnabled for a synced user with Exchange's on-premises text", async () => {
    const tenants = structuredClone(demoTenants);
    const lee = tenants[1]!.users[1]!;
    lee.assignedSkuIds = [SPB];
    const t = await setup(fabrikam, { tenants });
    const refused = await t.exo('Set-Mailbox', { Identity: lee.userPrincipalName, HiddenFromAddressListsEnabled: true });
    assert.equal(refused.status, 400);
    assert.match(t.detail(refused), /being synchronized from your on-premises organization/);
  });

  it('adds mailbox and recipient permissions once, and lists and removes mobile devices', async () => {
    const t = await setup(adatum);
    const add = () =>
      t.exo('Add-MailboxPermission', {
        Identity: grady.userPrincipalName,
        User: isaiah.userPrincipalName,
        AccessRights: ['FullAccess'],
        InheritanceType: 'All',
        AutoMapping: true,
      });
    assert.equal((await add()).status, 200);
    assert.match((await add()).body['@adminapi.warnings'][0], /already present/);
    await t.exo('Add-RecipientPermission', {
      Identity: grady.userPrincipalName,
      Trustee: isaiah.userPrincipalName,
      AccessRights: 'SendAs',
      Confirm: false,
    });
    assert.deepEqual(t.sim.state.mailboxPermissions(t.id, grady.id), {
      fullAccess: [{ userId: isaiah.id, autoMapping: true }],
      sendAs: [isaiah.id],
    });
    assert.equal(
      (
        await t.exo('Add-MailboxPermission', {
          Identity: grady.userPrincipalName,
          User: isaiah.userPrincipalName,
          AccessRights: 'ReadPermission',
        })
      ).status,
      400,
    );

    const devices = await t.exo('Get-MobileDevice', { Mailbox: grady.userPrincipalName });
    assert.equal(devices.body.value.length, 2);
    assert.equal((await t.exo('Remove-MobileDevice', { Identity: devices.body.value[1].Guid, Confirm: false })).status, 200);
    assert.equal((await t.exo('Remove-MobileDevice', { Identity: devices.body.value[0].Identity, Confirm: false })).status, 200);
    assert.equal((await t.exo('Remove-MobileDevice', { Identity: devices.body.value[0].Identity, Confirm: false })).status, 404);
    assert.deepEqual(t.sim.state.mobileDevices(t.id, grady.id), []);
  });

  it('formats sizes as Exchange prints a ByteQuantifiedSize', () => {
    assert.equal(formatByteQuantifiedSize(1_319_413_953), '1.229 GB (1,319,413,953 bytes)');
    assert.equal(formatByteQuantifiedSize(47_250_346), '45.061 MB (47,250,346 bytes)');
    assert.equal(formatByteQuantifiedSize(512), '512 B (512 bytes)');
  });
});
