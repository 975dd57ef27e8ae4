import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoTenants } from '../../demo/demo-data.js';
import { createGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './graph-simulator.js';

// In-process, like graph-simulator.test.ts: groups on Graph and on Exchange's InvokeCommand, one
// membership state. The connector's side is in entra-groups.test.ts.
const BASE = 'http://graph.test';
const contoso = demoTenants[0]!;
const fabrikam = demoTenants[1]!;
const adatum = demoTenants[2]!;
const megan = contoso.users[0]!;
const reception = contoso.users[4]!;
const byName = (tenant = contoso, name: string) => tenant.groups.find((g) => g.displayName === name)!;
const ANCHOR = `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${contoso.tenantId}`;

async function token(sim: GraphSimulator, scope: string, tenant = contoso) {
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

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON read loosely by the assertions
type Answer = { status: number; body: Record<string, any> };

async function setup(options: GraphSimulatorOptions = {}, tenant = contoso) {
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
  const graph = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    send(method, `/v1.0${path}`, graphToken, body, headers);
  const exo = (
    cmdlet: string,
    parameters: Record<string, unknown>,
    init: { bearer?: string; anchor?: string | null; tenant?: string } = {},
  ) =>
    send(
      'POST',
      `/adminapi/beta/${init.tenant ?? tenant.tenantId}/InvokeCommand`,
      init.bearer ?? exchangeToken,
      { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } },
      init.anchor === null ? {} : { 'x-anchormailbox': init.anchor ?? ANCHOR },
    );
  const ref = (userId: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${userId}` });
  return { sim, graph, exo, ref, graphToken, exchangeToken, members: (id: string) => sim.state.groupMemberIds(tenant.tenantId, id) };
}

describe('graph simulator: groups on Graph', () => {
  it('filters with startswith/or, selects, pages with nextLink, and refuses unknown properties', async () => {
    const t = await setup();
    const filter = encodeURIComponent("startswith(displayName,'clin') or startswith(mail,'billing')");
    const first = await t.graph('GET', `/groups?$filter=${filter}&$select=id,displayName,mailEnabled&$top=2`);
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body.value[0]), ['id', 'displayName', 'mailEnabled']);
    assert.equal(first.body.value.length, 2);
    const all = [...first.body.value];
    let next: string | undefined = first.body['@odata.nextLink'];
    while (next) {
      const page = await t.graph('GET', `/groups${new URL(next).search}`);
      all.push(...page.body.value);
      next = page.body['@odata.nextLink'];
    }
    const names = all.map((g: { displayName: string }) => g.displayName).sort();
    assert.deepEqual(names, ['Billing Approvers', 'Clinic - Downtown', 'Clinic - Riverside', 'Clinic - Uptown', 'Clinical Records Access']);
    assert.equal((await t.graph('GET', `/groups?$select=nope`)).status, 400);
    assert.equal((await t.graph('GET', `/groups?$filter=${encodeURIComponent("endswith(mail,'x')")}`)).status, 400);
  });

  it('needs ConsistencyLevel and $count for the OData casts, as Microsoft documents', async () => {
    const t = await setup();
    const plain = await t.graph('GET', `/users/${megan.id}/memberOf/microsoft.graph.group`);
    assert.equal(plain.status, 400);
    assert.equal(plain.body.error.code, 'Request_UnsupportedQuery');
    const ok = await t.graph('GET', `/users/${megan.id}/memberOf/microsoft.graph.group?$count=true&$select=id,displayName`, undefined, {
      consistencylevel: 'eventual',
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body['@odata.count'], 4);
    const members = await t.graph(
      'GET',
      `/groups/${byName(contoso, 'All Staff').id}/members/microsoft.graph.user?$count=true&$select=id`,
      undefined,
      {
        consistencylevel: 'eventual',
      },
    );
    assert.deepEqual(
      members.body.value.map((m: { id: string }) => m.id),
      byName(contoso, 'All Staff').memberIds,
    );
  });

  it('adds and removes with $ref, with Graph’s texts for the cases it refuses', async () => {
    const t = await setup();
    const clinical = byName(contoso, 'Clinical Records Access');
    assert.equal((await t.graph('POST', `/groups/${clinical.id}/members/$ref`, t.ref(megan.id))).status, 204);
    assert.ok(t.members(clinical.id).includes(megan.id));
    const again = await t.graph('POST', `/groups/${clinical.id}/members/$ref`, t.ref(megan.id));
    assert.equal(again.status, 400);
    assert.equal(
      again.body.error.message,
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    assert.equal((await t.graph('DELETE', `/groups/${clinical.id}/members/${megan.id}/$ref`)).status, 204);
    assert.equal((await t.graph('DELETE', `/groups/${clinical.id}/members/${megan.id}/$ref`)).status, 404);

    const bad = await t.graph('POST', `/groups/${clinical.id}/members/$ref`, {
      '@odata.id': `https://evil.example/v1.0/directoryObjects/${megan.id}`,
    });
    assert.equal(bad.status, 400);
    assert.equal((await t.graph('POST', `/groups/${clinical.id}/members/$ref`, { '@odata.id': megan.id })).status, 400);

    const dl = await t.graph('POST', `/groups/${byName(contoso, 'Front Desk DL').id}/members/$ref`, t.ref(reception.id));
    assert.equal(dl.body.error.message, 'Cannot Update a mail-enabled security groups and or distribution list.');
    const mes = await t.graph('POST', `/groups/${byName(contoso, 'Billing Approvers').id}/members/$ref`, t.ref(reception.id));
    assert.equal(mes.status, 400);
    const role = await t.graph(
      'POST',
      `/groups/${byName(contoso, 'Helpdesk Admins (role-assignable)').id}/members/$ref`,
      t.ref(reception.id),
    );
    assert.equal(role.status, 403);
    assert.equal(role.body.error.code, 'Authorization_RequestDenied');
  });

  it('refuses dynamic and synced groups, and answers the eventual-consistency 400 for fresh users', async () => {
    const f = await setup({}, fabrikam);
    const dynamic = await f.graph(
      'POST',
      `/groups/${byName(fabrikam, 'All Drivers (dynamic)').id}/members/$ref`,
      f.ref(fabrikam.users[0]!.id),
    );
    assert.equal(dynamic.status, 400);
    const a = await setup({}, adatum);
    const synced = await a.graph(
      'DELETE',
      `/groups/${byName(adatum, 'File Server Users (synced)').id}/members/${adatum.users[1]!.id}/$ref`,
    );
    assert.equal(synced.status, 400);
    assert.match(synced.body.error.message, /^Unable to update the specified properties for on-premises mastered Directory Sync objects/);

    const t = await setup({ freshUsers: { [reception.id]: 1 } });
    const clinical = byName(contoso, 'Clinical Records Access').id;
    const fresh = await t.graph('POST', `/groups/${clinical}/members/$ref`, t.ref(reception.id));
    assert.equal(fresh.body.error.message, 'The source resource object or one of the objects being referenced do not exist.');
    assert.equal((await t.graph('POST', `/groups/${clinical}/members/$ref`, t.ref(reception.id))).status, 204);
  });

  it('needs GroupMember.ReadWrite.All to write and a group permission to read', async () => {
    const t = await setup({ appPermissions: { contoso: ['User.ReadWrite.All', 'GroupMember.Read.All'] } });
    assert.equal((await t.graph('GET', '/groups?$top=1')).status, 200);
    const denied = await t.graph('POST', `/groups/${byName(contoso, 'Clinical Records Access').id}/members/$ref`, t.ref(megan.id));
    assert.equal(denied.status, 403);
    const u = await setup({ appPermissions: { contoso: ['User.ReadWrite.All'] } });
    assert.equal((await u.graph('GET', '/groups?$top=1')).status, 403);
  });
});

describe('graph simulator: Exchange Online InvokeCommand', () => {
  it('changes distribution list and mail-enabled security membership, on the same state Graph reads', async () => {
    const t = await setup();
    const dl = byName(contoso, 'Front Desk DL');
    const added = await t.exo('Add-DistributionGroupMember', {
      Identity: dl.mail,
      Member: reception.userPrincipalName,
      BypassSecurityGroupManagerCheck: true,
    });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.value, []);
    const listed = await t.graph('GET', `/users/${reception.id}/memberOf/microsoft.graph.group?$count=true&$select=id`, undefined, {
      consistencylevel: 'eventual',
    });
    assert.deepEqual(
      listed.body.value.map((g: { id: string }) => g.id),
      [dl.id],
    );

    const again = await t.exo('Add-DistributionGroupMember', { Identity: dl.id, Member: reception.userPrincipalName });
    assert.equal(again.status, 400);
    assert.match(again.body.error.details[0].message, /MemberAlreadyExistsException\|The recipient ".*" is already a member of the group/);
    assert.match(again.body.error.innererror.internalException.message, /already a member/);

    const billing = byName(contoso, 'Billing Approvers');
    const noBypass = await t.exo('Remove-DistributionGroupMember', { Identity: billing.displayName, Member: megan.userPrincipalName });
    assert.equal(noBypass.status, 403, 'mail-enabled security groups need BypassSecurityGroupManagerCheck');
    const removed = await t.exo('Remove-DistributionGroupMember', {
      Identity: billing.displayName,
      Member: megan.userPrincipalName,
      BypassSecurityGroupManagerCheck: true,
    });
    assert.equal(removed.status, 200);
    const notMember = await t.exo('Remove-DistributionGroupMember', {
      Identity: billing.id,
      Member: megan.userPrincipalName,
      BypassSecurityGroupManagerCheck: true,
    });
    assert.match(notMember.body.error.details[0].message, /isn't a member of the group/);

    const m365 = await t.exo('Add-DistributionGroupMember', {
      Identity: byName(contoso, 'All Staff').id,
      Member: reception.userPrincipalName,
      BypassSecurityGroupManagerCheck: true,
    });
    assert.equal(m365.status, 400);
    assert.match(m365.body.error.details[0].message, /Microsoft 365 group/);
    const missing = await t.exo('Add-DistributionGroupMember', { Identity: 'nope', Member: reception.userPrincipalName });
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.details[0].message, /Couldn't find object "nope"/);
    assert.equal((await t.exo('Get-InboxRule', {})).status, 400);

    assert.deepEqual(
      t.sim.state.exchangeRequests.slice(0, 2).map((r) => [r.cmdlet, r.anchorMailbox, r.tokenAudience, r.status]),
      [
        ['Add-DistributionGroupMember', ANCHOR, 'https://outlook.office365.com', 200],
        ['Add-DistributionGroupMember', ANCHOR, 'https://outlook.office365.com', 400],
      ],
    );
  });

  it('refuses a Graph token (and Graph refuses an Exchange token), a missing anchor, another tenant and a missing permission', async () => {
    const t = await setup();
    const dl = byName(contoso, 'Front Desk DL').id;
    const withGraphToken = await t.exo('Get-DistributionGroupMember', { Identity: dl }, { bearer: t.graphToken });
    assert.equal(withGraphToken.status, 401);
    assert.equal((await t.graph('GET', '/groups?$top=1')).status, 200);
    const exchangeOnGraph = await fetchGraphWith(t.sim, t.exchangeToken);
    assert.equal(exchangeOnGraph, 401);
    assert.equal((await t.exo('Get-DistributionGroupMember', { Identity: dl }, { anchor: null })).status, 400);
    assert.equal((await t.exo('Get-DistributionGroupMember', { Identity: dl }, { tenant: fabrikam.tenantId })).status, 401);
    assert.equal((await t.exo('Get-DistributionGroupMember', { Identity: dl }, { tenant: 'contosodental.example' })).status, 200);

    const u = await setup({ appPermissions: { contoso: ['GroupMember.ReadWrite.All'] } });
    const forbidden = await u.exo('Get-DistributionGroupMember', { Identity: dl });
    assert.equal(forbidden.status, 403);
  });

  it('pages Get-DistributionGroupMember with a nextLink that takes the same body again', async () => {
    const t = await setup();
    const allStaffLike = byName(contoso, 'Front Desk DL');
    for (const user of contoso.users.slice(1)) {
      await t.exo('Add-DistributionGroupMember', { Identity: allStaffLike.id, Member: user.userPrincipalName });
    }
    const response = await t.sim.handler(
      new Request(`${BASE}/adminapi/beta/${contoso.tenantId}/InvokeCommand`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${t.exchangeToken}`,
          'content-type': 'application/json; charset=utf-8',
          prefer: 'odata.maxpagesize=3',
          'x-anchormailbox': ANCHOR,
        },
        body: JSON.stringify({ CmdletInput: { CmdletName: 'Get-DistributionGroupMember', Parameters: { Identity: allStaffLike.id } } }),
      }),
    );
    const page = (await response.json()) as { value: unknown[]; '@odata.nextLink'?: string };
    assert.equal(page.value.length, 3);
    assert.match(page['@odata.nextLink'] ?? '', /\/InvokeCommand\?\$skiptoken=3$/);
  });
});

async function fetchGraphWith(sim: GraphSimulator, bearer: string): Promise<number> {
  const response = await sim.handler(new Request(`${BASE}/v1.0/groups?$top=1`, { headers: { authorization: `Bearer ${bearer}` } }));
  return response.status;
}
