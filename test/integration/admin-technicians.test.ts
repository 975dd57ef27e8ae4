import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoMembers, demoMsp } from '../../src/demo/demo-data.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
/** Two members carrying the demo users' emails (differently cased); the demo data has none. */
const MEMBERS = [
  ...demoMembers,
  { id: 160, identifier: 'bkim2', firstName: 'Bailey', lastName: 'Kim', email: 'TECH@northwind-it.example' },
  { id: 161, identifier: 'aowens2', firstName: 'Alex', lastName: 'Owens', email: 'Admin@Northwind-IT.example' },
];

type Technician = {
  userId: string;
  email: string;
  mapping: { psaKind: string; memberId: string; identifier: string; name: string; source: 'auto' | 'manual' } | null;
  clearedByAdmin: boolean;
};
type TechniciansView = { revision: string | null; membersPulledAt: string | null; members: { id: string }[]; technicians: Technician[] };
type ApiError = { error: { code: string; message: string; fields?: { path: string; message: string }[] } };

for (const database of TEST_DATABASES) {
  describe(`technician mapping in the admin console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    let tech: { cookie: string; csrf: string };
    let techId: string;
    let adminId: string;
    let otherId: string;
    const bodies: string[] = [];
    const keep = async (response: Response) => {
      const text = await response.text();
      bodies.push(text);
      return text;
    };
    const list = async () =>
      JSON.parse(await keep(await toolbox.api('GET', '/api/admin/technicians', { session: admin }))) as TechniciansView;
    const mappingOf = async (userId: string) => (await list()).technicians.find((row) => row.userId === userId)!;

    before(async () => {
      store = await database.open();
      // The demo configuration: the PSA and directories come from the file, so a password reset runs end to end.
      toolbox = await createTestToolbox({ store, cw: { seed: { members: MEMBERS } } });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
      const users = await store.users.list();
      const idOf = (email: string) => users.find((user) => user.email === email)!.id;
      techId = idOf(DEMO_SIGN_IN.email);
      adminId = idOf(DEMO_ADMIN.email);
      otherId = idOf('other.tech@northwind-it.example');
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('before any systems check: the page says to run it, and mapping is refused with the same advice', async () => {
      const page = await toolbox.request('/admin/technicians', { cookie: admin.cookie });
      assert.equal(page.status, 200);
      const html = await keep(page);
      assert.match(html, /Run the systems check to pull the members/);
      assert.match(html, /href="\/admin\/psa\/check"/);
      const view = await list();
      assert.equal(view.membersPulledAt, null);
      assert.equal(view.technicians.length, 3);
      const autoMap = await toolbox.api('POST', '/api/admin/technicians/auto-map', { session: admin, body: {} });
      assert.equal(autoMap.status, 409);
      assert.equal(((await autoMap.json()) as ApiError).error.code, 'TBX_ERR_NO_PSA_MEMBERS');
      const put = await toolbox.api('PUT', `/api/admin/technicians/${techId}`, { session: admin, body: { memberId: '150' } });
      assert.equal(put.status, 409);
      assert.match(((await put.json()) as ApiError).error.message, /Run the systems check/);
    });

    test('a technician gets 403 on the page, its forms and every API operation', async () => {
      assert.equal((await toolbox.request('/admin/technicians', { cookie: tech.cookie })).status, 403);
      assert.equal((await toolbox.request('/admin/technicians/auto-map', { cookie: tech.cookie, form: { _csrf: tech.csrf } })).status, 403);
      const form = { _csrf: tech.csrf, memberId: '150', action: 'save' };
      assert.equal((await toolbox.request(`/admin/technicians/${techId}`, { cookie: tech.cookie, form })).status, 403);
      for (const [method, path, body] of [
        ['GET', '/api/admin/technicians', undefined],
        ['PUT', `/api/admin/technicians/${techId}`, { memberId: '150' }],
        ['POST', '/api/admin/technicians/auto-map', {}],
      ] as const) {
        const response = await toolbox.api(method, path, { session: tech, ...(body ? { body } : {}) });
        assert.equal(response.status, 403, `${method} ${path}`);
        assert.equal(((await response.json()) as ApiError).error.code, 'TBX_ERR_FORBIDDEN');
      }
      assert.equal(toolbox.services.settings.current().technicianMappingsRevision, null);
    });

    test('the systems check pulls the members and maps users by email, case-insensitively', async () => {
      const run = await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} });
      assert.equal(run.status, 200);
      const view = await list();
      assert.equal(view.members.length, 4);
      assert.deepEqual(view.technicians.find((row) => row.userId === techId)?.mapping, {
        psaKind: 'connectwise',
        memberId: '160',
        identifier: 'bkim2',
        name: 'Bailey Kim',
        source: 'auto',
      });
      assert.equal(view.technicians.find((row) => row.userId === adminId)?.mapping?.memberId, '161');
      assert.equal(view.technicians.find((row) => row.userId === otherId)?.mapping, null);
      const html = await keep(await toolbox.request('/admin/technicians', { cookie: admin.cookie }));
      assert.match(html, /Bailey Kim \(bkim2\) <span class="badge">auto: matched by email<\/span>/);
      assert.match(html, /<label for="member-[^"]+">PSA member for Other Tech<\/label>/);
    });

    test('matching by e-mail says why a user was not matched; the picker shows each member’s e-mail', async () => {
      const api = await toolbox.api('POST', '/api/admin/technicians/auto-map', { session: admin, body: {} });
      assert.equal(api.status, 200);
      const result = JSON.parse(await keep(api)) as { unmatched: number; notMatched: { email: string; reason: string }[] };
      assert.equal(result.unmatched, 1);
      assert.equal(result.notMatched[0]?.email, 'other.tech@northwind-it.example');
      assert.match(result.notMatched[0]!.reason, /No PSA member has the e-mail other\.tech@northwind-it\.example\./);

      const posted = await toolbox.request('/admin/technicians/auto-map', { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      assert.equal(posted.status, 303);
      const html = await keep(await toolbox.request(posted.headers.get('location')!, { cookie: admin.cookie }));
      assert.match(html, /Matched by e-mail: nothing changed\. 1 user has no matching member: the reason is under each one\./);
      assert.match(html, /Not matched by e-mail: No PSA member has the e-mail other\.tech@northwind-it\.example\./);
      assert.match(html, /<option value="160"[^>]*>Bailey Kim \(bkim2\) · TECH@northwind-it\.example/);
    });

    test('bad input names the field; an unknown user is 404; a stale revision is 409; nothing changes', async () => {
      const before = toolbox.services.settings.current().technicianMappingsRevision;
      const empty = await toolbox.api('PUT', `/api/admin/technicians/${techId}`, { session: admin, body: { memberId: '' } });
      assert.equal(empty.status, 400);
      assert.deepEqual(
        ((await empty.json()) as ApiError).error.fields?.map((field) => field.path),
        ['body.memberId'],
      );
      const unknown = await toolbox.api('PUT', `/api/admin/technicians/${techId}`, { session: admin, body: { memberId: '99999' } });
      assert.equal(unknown.status, 400);
      const unknownError = ((await unknown.json()) as ApiError).error;
      assert.equal(unknownError.fields?.[0]?.path, 'memberId');
      assert.match(unknownError.message, /not one of the PSA members pulled/);
      const noUser = await toolbox.api('PUT', '/api/admin/technicians/no-such-user', { session: admin, body: { memberId: '150' } });
      assert.equal(noUser.status, 404);
      const stale = await toolbox.api('PUT', `/api/admin/technicians/${techId}`, {
        session: admin,
        body: { memberId: '150', revision: 'stale-revision' },
      });
      assert.equal(stale.status, 409);
      const pageError = await toolbox.request(`/admin/technicians/${techId}`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, memberId: '', action: 'save', revision: before ?? '' },
      });
      assert.equal(pageError.status, 400);
      assert.match(await keep(pageError), /Choose a PSA member before saving/);
      assert.equal(toolbox.services.settings.current().technicianMappingsRevision, before);
      assert.equal((await mappingOf(techId)).mapping?.memberId, '160');
    });

    test('a manual choice survives automatic matching and another systems check; clearing is remembered too', async () => {
      // Through the console: the admin picks Alex Owens (aowens, 150) for themself.
      const { revision } = await list();
      const saved = await toolbox.request(`/admin/technicians/${adminId}`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, memberId: '150', action: 'save', revision: revision ?? '' },
      });
      assert.equal(saved.status, 303);
      assert.equal(saved.headers.get('location'), '/admin/technicians?notice=saved');
      assert.deepEqual((await mappingOf(adminId)).mapping, {
        psaKind: 'connectwise',
        memberId: '150',
        identifier: 'aowens',
        name: 'Alex Owens',
        source: 'manual',
      });
      // Through the API: the other technician is cleared on purpose.
      const cleared = await toolbox.api('PUT', `/api/admin/technicians/${otherId}`, { session: admin, body: { memberId: null } });
      assert.equal(cleared.status, 200);
      // A member with the other technician's email appears; matching must still leave them unmapped.
      toolbox.cw.state.members.set(162, {
        ...(toolbox.cw.state.members.get(160) as object),
        id: 162,
        identifier: 'otech',
        officeEmail: 'other.tech@northwind-it.example',
        primaryEmail: 'other.tech@northwind-it.example',
      });

      const autoMap = await toolbox.api('POST', '/api/admin/technicians/auto-map', { session: admin, body: {} });
      assert.equal(autoMap.status, 200);
      assert.equal(((await autoMap.json()) as { keptManual: number }).keptManual, 2);
      assert.equal((await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} })).status, 200);
      const page = await toolbox.request('/admin/technicians/auto-map', { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      assert.equal(page.status, 303);

      const view = await list();
      const row = (userId: string) => view.technicians.find((technician) => technician.userId === userId)!;
      assert.deepEqual(row(adminId).mapping, {
        psaKind: 'connectwise',
        memberId: '150',
        identifier: 'aowens',
        name: 'Alex Owens',
        source: 'manual',
      });
      assert.equal(row(otherId).mapping, null);
      assert.equal(row(otherId).clearedByAdmin, true);
      assert.equal(row(techId).mapping?.source, 'auto');
      const html = await keep(await toolbox.request('/admin/technicians', { cookie: admin.cookie }));
      assert.match(html, /Alex Owens \(aowens\) <span class="badge">manual<\/span>/);
      assert.match(html, /None \(cleared by an admin\)/);

      const audit = await store.audit.list({ action: 'technician.map' }, { limit: 10, offset: 0 });
      assert.equal(audit.items[0]?.target, `technician:${DEMO_ADMIN.email}`);
      assert.deepEqual(audit.items[0]?.after, { member: 'aowens', source: 'manual' });
      assert.deepEqual(audit.items[0]?.before, { member: 'aowens2', source: 'auto' });
      assert.equal((await store.audit.list({ action: 'technician.clear' }, { limit: 10, offset: 0 })).items.length, 1);
      // Put the other technician's member away again for the tests below.
      toolbox.cw.state.members.delete(162);
    });

    async function runPasswordReset(): Promise<{ json: Record<string, unknown>; noteStep: { status: string; message: string } }> {
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', {
        cookie: tech.cookie,
      });
      assert.equal(pop.status, 303);
      const path = pop.headers.get('location')!;
      await (await toolbox.request(path, { cookie: tech.cookie })).text();
      const submitted = await toolbox.request(path, {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, user_id: MEGAN, password_mode: 'generated', must_change: 'on', revoke_sessions: 'on' },
      });
      assert.equal(submitted.status, 303);
      const json = await toolbox.waitForExecution(submitted.headers.get('location')!.split('/').pop()!, tech.cookie);
      const noteStep = (json.steps as { key: string; status: string; message: string }[]).find((step) => step.key === 'ticket-note')!;
      return { json, noteStep };
    }

    test('a password reset’s ticket note carries the technician’s PSA member', async () => {
      const notesBefore = toolbox.cw.state.notes.get(1001)?.length ?? 0;
      const { json, noteStep } = await runPasswordReset();
      assert.equal(json.status, 'succeeded');
      assert.equal(noteStep.status, 'ok');
      assert.match(noteStep.message, /as member bkim2/);
      const notes = toolbox.cw.state.notes.get(1001) ?? [];
      assert.equal(notes.length, notesBefore + 1);
      assert.deepEqual(notes.at(-1)?.member, { id: 160, identifier: 'bkim2', name: 'Bailey Kim' });
      const post = toolbox.cw.state.requests
        .filter((request) => request.method === 'POST' && request.path === '/service/tickets/1001/notes')
        .at(-1);
      // A MemberReference by id: every field of a reference is optional, and the id names the member.
      assert.deepEqual((post!.body as { member: unknown }).member, { id: 160 });
    });

    test('a member ConnectWise refuses: the note is still written, exactly once, and the log says why', async () => {
      // The member left the PSA after the mapping was made.
      toolbox.cw.state.members.delete(160);
      const notesBefore = toolbox.cw.state.notes.get(1001)?.length ?? 0;
      const postsBefore = toolbox.cw.state.requests.filter((request) => request.method === 'POST').length;
      const { json, noteStep } = await runPasswordReset();
      assert.equal(json.status, 'succeeded');
      assert.equal(noteStep.status, 'ok');
      assert.match(noteStep.message, /by the API member: ConnectWise refused member bkim2 \(400 InvalidObject\)/);
      const notes = toolbox.cw.state.notes.get(1001) ?? [];
      assert.equal(notes.length, notesBefore + 1, 'the note was lost or written twice');
      assert.equal((notes.at(-1)!.member as { identifier: string }).identifier, 'APIMember');
      const posts = toolbox.cw.state.requests.filter((request) => request.method === 'POST').slice(postsBefore);
      assert.deepEqual(
        posts.map((request) => [request.status, 'member' in (request.body as object)]),
        [
          [400, true],
          [201, false],
        ],
      );
      assert.match(toolbox.logText(), /refused to attribute the ticket note to the technician’s member/);
      assert.equal((json.note as { status: string }).status, 'written');
    });

    test('no secret in any response, log line or audit entry', async () => {
      const audit = JSON.stringify((await store.audit.list({}, { limit: 100, offset: 0 })).items);
      for (const secret of [demoMsp.privateKey, DEMO_ADMIN.password, DEMO_SIGN_IN.password]) {
        for (const text of bodies) assert.ok(!text.includes(secret), 'a response holds a secret');
        assert.ok(!toolbox.logText().includes(secret), 'the log holds a secret');
        assert.ok(!audit.includes(secret), 'the audit log holds a secret');
      }
    });
  });
}
