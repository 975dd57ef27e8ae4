import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildDemoConfig, DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoMsp } from '../../src/demo/demo-data.js';
import { fakeDeskConnector } from '../fake-psa/fake-desk-connector.js';
import { createFakeDesk, FAKE_DESK_API_KEY, FAKE_DESK_TENANT } from '../fake-psa/fake-desk-server.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, GRAPH_ORIGIN, TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';

/**
 * "Adding a fourth PSA is one folder plus one registry line" (issue 11 §1), proved: FakeDesk
 * (test/fake-psa/, nowhere in src) is registered by this file alone, and a screen pop runs through
 * it end to end. Its ids, words, 1Stream variables and settings are unlike ConnectWise's, so
 * anything in src that still assumed ConnectWise would show here. The second part switches a
 * console-set ConnectWise install to FakeDesk and back: nothing mapped or pending under one PSA
 * is applied to, or sent to, the other.
 */
const FAKE_ORIGIN = 'https://fakedesk.toolbox.test';
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const FAKE_POP = 'ticket_id=INC-1001&company_id=CUST-7&contact_id=REQ-301&form_name=password_reset';
const FAKE_SETTINGS = { url: FAKE_ORIGIN, apiKey: FAKE_DESK_API_KEY, hosting: 'cloud', tenant: FAKE_DESK_TENANT };
const RESET_FORM = { user_id: MEGAN, password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' };

/** The one registry line a fourth PSA needs. */
const registry = { fakedesk: fakeDeskConnector };

/** The demo's directories (its tenants), serving these PSA company ids. */
function demoDirectories(companyIdsOf: (tenantId: string) => string[]) {
  return buildDemoConfig({ connectWise: CW_ORIGIN, graph: GRAPH_ORIGIN }).directories.map((directory) => ({
    ...directory,
    psaCompanyIds: companyIdsOf(directory.id),
  }));
}

const json = async <T>(response: Response) => (await response.json()) as T;
const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');

for (const database of TEST_DATABASES) {
  describe(`a fourth PSA, registered by a test (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let fake: ReturnType<typeof createFakeDesk>;
    let drop: () => Promise<void>;
    let tech: { cookie: string; csrf: string };
    let admin: { cookie: string; csrf: string };

    before(async () => {
      const store = await database.open();
      drop = store.drop;
      fake = createFakeDesk();
      toolbox = await createTestToolbox({
        store,
        psaConnectors: registry,
        upstreams: { [FAKE_ORIGIN]: fake.handler },
        config: {
          psa: { kind: 'fakedesk', ...FAKE_SETTINGS },
          directories: demoDirectories((id) => (id === 'contoso' ? ['CUST-7'] : [])),
        },
      });
      tech = await toolbox.signIn(DEMO_SIGN_IN);
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await drop();
    });

    test('screen pop → form filled from FakeDesk → submit → the internal note written through FakeDesk, as the mapped agent', async () => {
      // The systems check pulls FakeDesk's agents and maps the technician by e-mail.
      const check = await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} });
      assert.equal(check.status, 200, await check.clone().text());
      assert.equal(
        toolbox.services.settings.current().technicians[(await toolbox.services.store.users.findByEmail(DEMO_SIGN_IN.email))!.id]?.memberId,
        'AG-151',
      );

      const { path, status, html: raw } = await toolbox.openScreenPop(FAKE_POP, tech.cookie);
      const html = decode(raw);
      assert.equal(status, 200, html.slice(0, 400));
      for (const expected of ['INC-1001', 'Megan cannot sign in', 'Front line · Waiting for agent', 'Contoso Dental', 'Megan Bowen']) {
        assert.ok(html.includes(expected), `the form lacks ${expected}`);
      }
      assert.match(html, /Matched from the contact by e-mail address/);
      assert.match(html, new RegExp(`name="user_id" value="${MEGAN}"`));
      assert.ok(!/ConnectWise/.test(html), 'the form page speaks of ConnectWise');
      // The three reads went to FakeDesk, none to ConnectWise.
      const reads = fake.state.requests.map((request) => request.path);
      for (const expected of ['/api/incidents/INC-1001', '/api/customers/CUST-7', '/api/requesters/REQ-301'])
        assert.ok(reads.includes(expected));
      assert.equal(toolbox.cw.state.requests.length, 0);
      const launch = await toolbox.services.store.launches.get(path.split('/').pop()!);
      assert.equal(launch?.psaKind, 'fakedesk');

      const submitted = await toolbox.request(path, { cookie: tech.cookie, form: { _csrf: tech.csrf, ...RESET_FORM } });
      assert.equal(submitted.status, 303);
      const executionPath = submitted.headers.get('location')!;
      const execution = await toolbox.waitForExecution(executionPath.split('/').pop()!, tech.cookie);
      assert.equal(execution.status, 'succeeded');
      assert.equal(execution.psaKind, 'fakedesk');
      const noteStep = (execution.steps as { key: string; status: string; message: string }[]).find((step) => step.key === 'ticket-note')!;
      assert.equal(noteStep.status, 'ok');
      assert.match(noteStep.message, /^Internal note N-1 added to incident #INC-1001 as agent bkim\.$/);
      const notes = fake.state.notes.get('INC-1001') ?? [];
      assert.equal(notes.length, 1);
      assert.equal(notes[0]!.private, true, 'the note is internal');
      assert.equal(notes[0]!.agentId, 'AG-151');
      assert.match(notes[0]!.body, new RegExp(`execution ${execution.id as string}`));

      const page = decode(await (await toolbox.request(executionPath, { cookie: tech.cookie })).text());
      assert.match(page, new RegExp(`<a href="${FAKE_ORIGIN}/desk/INC-1001"[^>]*>Open incident #INC-1001 in FakeDesk</a>`));
      assert.match(page, /Incident #INC-1001 · started/);
      assert.ok(!/ConnectWise/.test(page), 'the execution page speaks of ConnectWise');
    });

    test('ids are checked in FakeDesk’s own formats, and the screen-pop URLs carry its 1Stream variables', async () => {
      const bad = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=CUST-7&contact_id=REQ-301&form_name=password_reset', {
        cookie: tech.cookie,
      });
      assert.equal(bad.status, 400);
      const text = decode(await bad.text());
      assert.match(text, /ticket_id "1001" is not a valid id: expected INC- and a number, e\.g\. INC-1001\./);
      assert.match(text, /ticket_id=@incidentref&company_id=@customerref&contact_id=@requesterref&form_name=password_reset/);

      const view = await json<{ psa: { kind: string; variables: Record<string, string> }; forms: { name: string; url: string }[] }>(
        await toolbox.api('GET', '/api/admin/screenpop', { session: admin }),
      );
      assert.deepEqual(view.psa, {
        kind: 'fakedesk',
        label: 'FakeDesk Service Cloud',
        variables: { ticket: '@incidentref', company: '@customerref', contact: '@requesterref' },
      });
      assert.equal(
        view.forms.find((form) => form.name === 'password_reset')?.url,
        `${TEST_ORIGIN}/hooks/screenpop?ticket_id=@incidentref&company_id=@customerref&contact_id=@requesterref&form_name=password_reset`,
      );
      // A company id of another format is refused when mapping, in FakeDesk's words.
      const mapping = await toolbox.api('PUT', '/api/admin/company-mappings', {
        session: admin,
        body: { mappings: { '250': 'fabrikam' } },
      });
      assert.equal(mapping.status, 400);
      assert.match(
        (await json<{ error: { message: string } }>(mapping)).error.message,
        /not a FakeDesk customer id: expected CUST- and a number/,
      );
    });

    test('an optional capability left out is done without: no suggestions by e-mail domain, and the page says why', async () => {
      const view = await json<{ unmapped: { companyId: string; suggestion: unknown; noSuggestionReason: string }[]; problems: string[] }>(
        await toolbox.api('GET', '/api/admin/company-mappings', { session: admin }),
      );
      const fabrikam = view.unmapped.find((company) => company.companyId === 'CUST-8');
      assert.equal(fabrikam?.suggestion, null);
      assert.match(fabrikam?.noSuggestionReason ?? '', /FakeDesk Service Cloud does not give its contacts' e-mail addresses/);
      assert.deepEqual(view.problems, []);
    });
  });

  describe(`switching PSA in the console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let fake: ReturnType<typeof createFakeDesk>;
    let drop: () => Promise<void>;
    let tech: { cookie: string; csrf: string };
    let admin: { cookie: string; csrf: string };
    const CONNECTWISE = {
      kind: 'connectwise',
      fields: {
        companyId: demoMsp.connectWiseCompanyId,
        publicKey: demoMsp.publicKey,
        siteUrl: CW_ORIGIN,
        apiUrl: CW_ORIGIN,
        clientId: demoMsp.clientId,
      },
      secrets: { privateKey: demoMsp.privateKey },
    };

    before(async () => {
      const store = await database.open();
      drop = store.drop;
      fake = createFakeDesk();
      toolbox = await createTestToolbox({
        store,
        psaConnectors: registry,
        upstreams: { [FAKE_ORIGIN]: fake.handler },
        // The note's retry waits long enough for the switch to happen first.
        noteRetryDelaysMs: [1500, 1500],
        config: { psa: undefined, directories: demoDirectories(() => []) },
      });
      tech = await toolbox.signIn(DEMO_SIGN_IN);
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await drop();
    });

    const savePsa = async (body: unknown) => {
      const revision = (await json<{ revision: string | null }>(await toolbox.api('GET', '/api/admin/psa', { session: admin }))).revision;
      const saved = await toolbox.api('PUT', '/api/admin/psa', { session: admin, body: { ...(body as object), revision } });
      assert.equal(saved.status, 200, await saved.clone().text());
    };

    test('the console offers every registered PSA, each with its own fields, a select and a conditional one included', async () => {
      const html = decode(await (await toolbox.request('/admin/psa', { cookie: admin.cookie })).text());
      assert.match(
        html,
        // The built-in PSAs first (ConnectWise, the default, selected), then the one this test registered.
        /<select id="psa-kind" name="kind"[^>]*>\s*<option value="connectwise" selected="">ConnectWise PSA \(Manage\)<\/option>(\s*<option value="[a-z]+">[^<]+<\/option>)*\s*<option value="fakedesk">FakeDesk Service Cloud<\/option>\s*<\/select>/,
      );
      assert.match(html, /<fieldset class="psa-kind-fields" data-psa-kind="connectwise"/);
      assert.match(html, /<fieldset class="psa-kind-fields" data-psa-kind="fakedesk"/);
      assert.match(html, /id="psa-connectwise-companyId" name="connectwise.fields.companyId"/);
      assert.match(
        html,
        /<select id="psa-fakedesk-hosting" name="fakedesk.fields.hosting"[^>]*>\s*<option value="">Choose…<\/option>\s*<option value="cloud">FakeDesk cloud<\/option>\s*<option value="own">Our own server<\/option>/,
      );
      assert.match(
        html,
        /<div class="field" data-show-when-field="fakedesk.fields.hosting" data-show-when-values="\[&quot;cloud&quot;\]|<div class="field" data-show-when-field="fakedesk.fields.hosting" data-show-when-values="\["cloud"\]/,
      );
      assert.match(html, /Used only when Hosting is FakeDesk cloud\./);

      // Saved as FakeDesk through the console form: only FakeDesk's inputs count, and a tenant sent
      // for an instance on its own server is not kept.
      const saved = await toolbox.request('/admin/psa', {
        cookie: admin.cookie,
        form: {
          _csrf: admin.csrf,
          kind: 'fakedesk',
          revision: '',
          'connectwise.fields.companyId': 'ignored',
          'fakedesk.fields.url': FAKE_ORIGIN,
          'fakedesk.fields.hosting': 'own',
          'fakedesk.fields.tenant': 'left-behind',
          'fakedesk.secrets.apiKey': FAKE_DESK_API_KEY,
        },
      });
      assert.equal(saved.status, 303, decode(await saved.clone().text()).slice(0, 600));
      const view = await json<{
        kind: string;
        fields: Record<string, string>;
        connectors: { kind: string; words: { member: { one: string } } }[];
      }>(await toolbox.api('GET', '/api/admin/psa', { session: admin }));
      assert.equal(view.kind, 'fakedesk');
      assert.deepEqual(view.fields, { url: FAKE_ORIGIN, hosting: 'own' });
      assert.equal(view.connectors.find((connector) => connector.kind === 'fakedesk')?.words.member.one, 'agent');
      // A select value outside its options is refused, named.
      const refused = await toolbox.api('PUT', '/api/admin/psa', {
        session: admin,
        body: { kind: 'fakedesk', fields: { url: FAKE_ORIGIN, hosting: 'moon' }, secrets: {} },
      });
      assert.equal(refused.status, 400);
      assert.ok(
        (await json<{ error: { fields: { path: string }[] } }>(refused)).error.fields.some((field) => field.path === 'fields.hosting'),
      );
    });

    test('after a switch, ids mapped and notes pending under the previous PSA are neither applied nor sent; back again, they apply', async () => {
      await savePsa(CONNECTWISE);
      const mapped = await toolbox.api('PUT', '/api/admin/company-mappings', { session: admin, body: { mappings: { '250': 'contoso' } } });
      assert.equal(mapped.status, 200, await mapped.clone().text());
      assert.equal((await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} })).status, 200);
      const techId = (await toolbox.services.store.users.findByEmail(DEMO_SIGN_IN.email))!.id;
      const chosen = await toolbox.api('PUT', `/api/admin/technicians/${techId}`, { session: admin, body: { memberId: '151' } });
      assert.equal(chosen.status, 200, await chosen.clone().text());

      // Under ConnectWise: one screen pop left open, one submitted whose note ConnectWise does not take yet.
      const open = await toolbox.openScreenPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', tech.cookie);
      assert.equal(open.status, 200);
      const ran = await toolbox.openScreenPop('ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', tech.cookie);
      toolbox.cw.failNext('/service/tickets/1001/notes', 503, 10, { method: 'POST' });
      const submitted = await toolbox.request(ran.path, { cookie: tech.cookie, form: { _csrf: tech.csrf, ...RESET_FORM } });
      assert.equal(submitted.status, 303);
      const executionId = submitted.headers.get('location')!.split('/').pop()!;
      const first = await toolbox.waitForExecution(executionId, tech.cookie);
      assert.equal(first.status, 'succeeded');
      assert.deepEqual(first.note, { status: 'pending', error: (first.note as { error: string }).error });
      const cwNotePosts = () =>
        toolbox.cw.state.requests.filter((r) => r.method === 'POST' && r.path === '/service/tickets/1001/notes').length;
      const postsBefore = cwNotePosts();

      await savePsa({
        kind: 'fakedesk',
        fields: { url: FAKE_ORIGIN, hosting: 'cloud', tenant: FAKE_DESK_TENANT },
        secrets: { apiKey: FAKE_DESK_API_KEY },
      });

      // Company 250 was ConnectWise's: shown apart, not applied (FakeDesk's 250 would be another company).
      assert.equal(toolbox.services.directories.forCompany('250'), undefined);
      const companies = await json<{ mappings: { companyId: string }[]; otherPsaMappings: unknown[] }>(
        await toolbox.api('GET', '/api/admin/company-mappings', { session: admin }),
      );
      assert.deepEqual(companies.mappings, []);
      assert.deepEqual(companies.otherPsaMappings, [
        {
          psaKind: 'connectwise',
          psaLabel: 'ConnectWise PSA (Manage)',
          companyId: '250',
          directoryId: 'contoso',
          directoryName: 'Contoso Dental',
        },
      ]);
      const companiesPage = decode(await (await toolbox.request('/admin/companies', { cookie: admin.cookie })).text());
      assert.match(companiesPage, /Mapped under a previous PSA \(1\)/);
      // The technician's ConnectWise member is not FakeDesk's: kept, shown as such, not used.
      assert.deepEqual(toolbox.services.settings.current().technicians, {});
      const technicians = await json<{ psaKind: string; technicians: { userId: string; mapping: { psaKind: string } | null }[] }>(
        await toolbox.api('GET', '/api/admin/technicians', { session: admin }),
      );
      assert.equal(technicians.psaKind, 'fakedesk');
      assert.equal(technicians.technicians.find((row) => row.userId === techId)?.mapping?.psaKind, 'connectwise');
      const techniciansPage = decode(await (await toolbox.request('/admin/technicians', { cookie: admin.cookie })).text());
      assert.match(
        techniciansPage,
        /1 user is mapped to members of a previous PSA \(ConnectWise PSA \(Manage\)\): those mappings are not used\./,
      );

      // The open ConnectWise screen pop is not served, submitted or reopened against FakeDesk.
      const reopened = await toolbox.request(open.path, { cookie: tech.cookie });
      assert.equal(reopened.status, 409);
      const explained = decode(await reopened.text());
      assert.match(explained, /This screen pop came from ConnectWise/);
      assert.match(explained, /now connected to FakeDesk Service Cloud/);
      const late = await toolbox.request(open.path, { cookie: tech.cookie, form: { _csrf: tech.csrf, ...RESET_FORM } });
      assert.equal(late.status, 409);
      const again = await toolbox.request(`${open.path}/reopen`, { cookie: tech.cookie, form: { _csrf: tech.csrf } });
      assert.equal(again.status, 409);
      assert.equal(toolbox.graph.state.passwordChanges.filter((change) => change.userId === MEGAN).length, 1, 'the old screen pop ran');

      // The pending note goes nowhere, and the execution says why.
      const deadline = Date.now() + 10_000;
      let done = first;
      while ((done.note as { status: string }).status === 'pending') {
        assert.ok(Date.now() < deadline, 'the note retry never ran');
        await new Promise((resolve) => setTimeout(resolve, 100));
        done = await json<Record<string, unknown>>(await toolbox.request(`/api/executions/${executionId}`, { cookie: tech.cookie }));
      }
      assert.equal((done.note as { status: string }).status, 'failed');
      assert.match(
        (done.note as { error: string }).error,
        /^Not written: ticket #1001 is in ConnectWise, and the toolbox is now connected to FakeDesk, so the note has nowhere to go/,
      );
      const noteStep = (done.steps as { key: string; status: string }[]).find((step) => step.key === 'ticket-note');
      assert.equal(noteStep?.status, 'skipped');
      assert.equal(cwNotePosts(), postsBefore, 'the note was sent to ConnectWise after the switch');
      assert.equal(fake.state.requests.filter((request) => request.path.includes('/notes')).length, 0, 'the note was sent to FakeDesk');
      const page = decode(await (await toolbox.request(`/executions/${executionId}`, { cookie: tech.cookie })).text());
      assert.match(page, /This ticket is in ConnectWise, which is not the PSA the toolbox is connected to now\./);
      assert.ok(!page.includes(FAKE_ORIGIN), 'the ConnectWise ticket is linked into FakeDesk');

      // Back on ConnectWise: its mappings apply again.
      await savePsa(CONNECTWISE);
      assert.equal(toolbox.services.directories.forCompany('250')?.config.id, 'contoso');
      assert.equal(toolbox.services.settings.current().technicians[techId]?.memberId, '151');
    });
  });
}
