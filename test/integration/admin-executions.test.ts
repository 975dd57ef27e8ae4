import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import type { ExecutionStatus, UserRecord } from '../../src/store/types.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const OTHER_TECH = { email: 'other.tech@northwind-it.example', password: 'another-tech-password' };
const TYPED_PASSWORD = 'Quartz-Lantern-7731!';

type Session = { cookie: string; csrf: string };
type Json = Record<string, unknown>;
type ListJson = { items: Json[]; total: number; limit: number; offset: number };

const decode = (html: string) =>
  html.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");
const shownPassword = (html: string) => /id="one-time-secret" class="secret-value" type="text" readonly="" value="([^"]+)"/.exec(html)?.[1];

for (const database of TEST_DATABASES) {
  describe(`execution log in the admin console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: Session;
    let tech: Session;
    let other: Session;
    let techUser: UserRecord;
    let otherUser: UserRecord;
    /** The generated-password reset the technician ran, and the password it showed. */
    let generated: { id: string; password: string };
    let typedId: string;
    let otherTechExecutionId: string;

    /** A screen pop, the form submitted, and the execution run to the end, as this session. */
    async function runPasswordReset(session: Session, form: Record<string, string>) {
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset', {
        cookie: session.cookie,
      });
      assert.equal(pop.status, 303);
      const launchPath = pop.headers.get('location')!;
      await (await toolbox.request(launchPath, { cookie: session.cookie })).text();
      const submit = await toolbox.request(launchPath, {
        cookie: session.cookie,
        form: { _csrf: session.csrf, user_id: MEGAN, must_change: 'on', revoke_sessions: 'on', ...form },
      });
      assert.equal(submit.status, 303, 'the form was not accepted');
      const id = submit.headers.get('location')!.split('/').pop()!;
      const json = await toolbox.waitForExecution(id, session.cookie);
      assert.equal(json.status, 'succeeded');
      return id;
    }

    /** An execution straight into the store, created at `at`, for the filter and paging tests. */
    async function insert(options: {
      at: string;
      form?: string;
      status?: ExecutionStatus;
      companyId: string;
      technician: UserRecord;
      target?: string;
      error?: string;
    }) {
      const id = `fx-${Math.random().toString(36).slice(2, 12)}`;
      await store.executions.createOnce(
        {
          id,
          launchId: null,
          psaKind: 'connectwise',
          formName: options.form ?? 'password_reset',
          technicianUserId: options.technician.id,
          technicianEmail: options.technician.email,
          ticketId: '1001',
          companyId: options.companyId,
          contactId: '301',
          directoryId: 'contoso',
          targetUserId: MEGAN,
          targetDisplay: options.target ?? 'Fixture User',
          inputs: { form: {}, reveal: null },
          secretSealed: null,
          secretExpiresAt: null,
          steps: [{ key: 'check-account', label: 'Check the account' }],
        },
        options.at,
      );
      if (options.status && options.status !== 'queued')
        await store.executions.setStatus(id, options.status, options.at, options.error ?? null);
      return id;
    }

    const list = async (session: Session, query: string) => {
      const response = await toolbox.api('GET', `/api/executions?${query}`, { session });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as ListJson;
    };

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
      other = await toolbox.signIn(OTHER_TECH);
      techUser = (await store.users.findByEmail(DEMO_SIGN_IN.email))!;
      otherUser = (await store.users.findByEmail(OTHER_TECH.email))!;

      const id = await runPasswordReset(tech, { password_mode: 'generated' });
      const page = await (await toolbox.request(`/executions/${id}`, { cookie: tech.cookie })).text();
      const password = shownPassword(page);
      assert.ok(password, 'the technician was not shown the new password');
      generated = { id, password: decode(password) };
      typedId = await runPasswordReset(tech, { password_mode: 'typed', password: TYPED_PASSWORD });
      otherTechExecutionId = await runPasswordReset(other, { password_mode: 'passphrase' });

      // Company 9001: seven executions over three days, two technicians, forms and statuses mixed.
      await insert({ at: '2026-03-01T10:00:00.000Z', companyId: '9001', technician: techUser, status: 'succeeded' });
      await insert({ at: '2026-03-02T00:00:00.000Z', companyId: '9001', technician: techUser, status: 'failed', error: 'It broke.' });
      await insert({ at: '2026-03-02T12:00:00.000Z', companyId: '9001', technician: otherUser, status: 'succeeded', form: 'reset_mfa' });
      await insert({ at: '2026-03-02T23:59:59.999Z', companyId: '9001', technician: otherUser, status: 'partial' });
      await insert({ at: '2026-03-03T00:00:00.000Z', companyId: '9001', technician: techUser, status: 'succeeded', form: 'reset_mfa' });
      await insert({ at: '2026-03-03T09:00:00.000Z', companyId: '9001', technician: otherUser, status: 'failed' });
      await insert({ at: '2026-03-03T18:00:00.000Z', companyId: '9001', technician: techUser, status: 'succeeded' });
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('each filter narrows the list; the total counts all matches', async () => {
      assert.equal((await list(admin, 'companyId=9001')).total, 7);
      const byForm = await list(admin, 'companyId=9001&form=reset_mfa');
      assert.equal(byForm.total, 2);
      assert.ok(byForm.items.every((item) => item.form === 'reset_mfa'));
      const byStatus = await list(admin, 'companyId=9001&status=failed');
      assert.equal(byStatus.total, 2);
      assert.ok(byStatus.items.every((item) => item.status === 'failed'));
      assert.ok(byStatus.items.some((item) => item.error === 'It broke.'));
      const byEmail = await list(admin, `companyId=9001&technician=${encodeURIComponent(OTHER_TECH.email)}`);
      assert.equal(byEmail.total, 3);
      assert.ok(byEmail.items.every((item) => (item.technician as { email: string }).email === OTHER_TECH.email));
      const byId = await list(admin, `companyId=9001&technician=${otherUser.id}`);
      assert.equal(byId.total, 3);
      const company250 = await list(admin, 'companyId=250');
      assert.equal(company250.total, 3, 'the three real screen-pop runs are for company 250');
      const combined = await list(admin, `companyId=9001&status=succeeded&form=password_reset&technician=${techUser.id}`);
      assert.equal(combined.total, 2);
    });

    test('date range: from is the start of its day, to includes its whole day; ISO times are exact', async () => {
      const oneDay = await list(admin, 'companyId=9001&from=2026-03-02&to=2026-03-02');
      assert.deepEqual(
        oneDay.items.map((item) => item.createdAt),
        ['2026-03-02T23:59:59.999Z', '2026-03-02T12:00:00.000Z', '2026-03-02T00:00:00.000Z'],
      );
      assert.equal((await list(admin, 'companyId=9001&from=2026-03-03')).total, 3);
      assert.equal((await list(admin, 'companyId=9001&to=2026-03-01')).total, 1);
      const exact = await list(admin, 'companyId=9001&from=2026-03-02T12:00:00Z&to=2026-03-03T00:00:00Z');
      assert.equal(exact.total, 3, 'ISO bounds are both included');
      const reversed = await toolbox.api('GET', '/api/executions?from=2026-03-03&to=2026-03-01', { session: admin });
      assert.equal(reversed.status, 400);
      const body = (await reversed.json()) as { error: { fields: { path: string }[] } };
      assert.deepEqual(
        body.error.fields.map((field) => field.path),
        ['query.to'],
      );
    });

    test('paging: newest first, limit and offset, totals; the page shows "Showing" and keeps the filters in its links', async () => {
      const first = await list(admin, 'companyId=9001&limit=3');
      const second = await list(admin, 'companyId=9001&limit=3&offset=3');
      const third = await list(admin, 'companyId=9001&limit=3&offset=6');
      assert.deepEqual([first.items.length, second.items.length, third.items.length], [3, 3, 1]);
      assert.deepEqual([first.total, second.total, third.total], [7, 7, 7]);
      assert.equal(first.limit, 3);
      assert.equal(second.offset, 3);
      const times = [...first.items, ...second.items, ...third.items].map((item) => String(item.createdAt));
      assert.deepEqual(times, [...times].sort().reverse());
      assert.equal(new Set([...first.items, ...second.items, ...third.items].map((item) => item.id)).size, 7);
      assert.equal((await list(admin, '')).limit, 50, 'the default page is 50');

      const page = await toolbox.request('/admin/executions?companyId=9001&status=&limit=3&offset=3', { cookie: admin.cookie });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Showing 4–6 of 7/);
      assert.ok(html.includes('href="/admin/executions?companyId=9001&amp;limit=3" rel="prev"'), 'no previous link with the filters');
      assert.ok(
        html.includes('href="/admin/executions?companyId=9001&amp;limit=3&amp;offset=6" rel="next"'),
        'no next link with the filters',
      );
      assert.ok(html.includes('href="/api/executions.csv?companyId=9001&amp;limit=3"'), 'the CSV link lacks the filters');
      assert.match(html, /<option value="[^"]+" selected="">Other Tech \(other.tech@northwind-it.example\)<\/option>|Any technician/);
    });

    test('bad filters get 400 naming the field, on the API and the page', async () => {
      const response = await toolbox.api('GET', '/api/executions?limit=500&offset=-1&status=done&from=yesterday', { session: admin });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string; fields: { path: string; message: string }[] } };
      assert.equal(body.error.code, 'TBX_ERR_VALIDATION');
      assert.deepEqual(body.error.fields.map((field) => field.path).sort(), ['query.from', 'query.limit', 'query.offset', 'query.status']);
      assert.match(body.error.fields.find((field) => field.path === 'query.from')!.message, /YYYY-MM-DD/);
      const unknown = await toolbox.api('GET', '/api/executions?technician=nobody@nowhere.example', { session: admin });
      assert.equal(unknown.status, 400);
      assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /No toolbox user/);
      const page = await toolbox.request('/admin/executions?from=yesterday', { cookie: admin.cookie });
      assert.equal(page.status, 400);
      assert.match(await page.text(), /YYYY-MM-DD/);
    });

    test('a technician sees only their own executions, on the API, the CSV and their own page', async () => {
      const own = await list(tech, `technician=${otherUser.id}&limit=200`);
      assert.ok(own.total >= 6);
      assert.ok(
        own.items.every((item) => (item.technician as { id: string }).id === techUser.id),
        'another technician’s execution leaked',
      );
      assert.ok(own.items.some((item) => item.id === generated.id));
      const csv = await (await toolbox.api('GET', '/api/executions.csv', { session: tech })).text();
      assert.ok(!csv.includes(OTHER_TECH.email));
      assert.ok(csv.includes(DEMO_SIGN_IN.email));

      const page = await toolbox.request('/executions?companyId=250', { cookie: tech.cookie });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Your executions/);
      assert.ok(html.includes(`/executions/${generated.id}`));
      assert.ok(!html.includes(otherTechExecutionId), 'the other technician’s execution is on the page');
      assert.ok(!html.includes('Any technician'), 'technicians get no technician filter');
      const home = await (await toolbox.request('/', { cookie: tech.cookie })).text();
      assert.ok(home.includes('href="/executions"'), 'the start page does not link the list');
      const signedOut = await toolbox.request('/executions');
      assert.equal(signedOut.status, 303);
    });

    test('technicians get 403 on the admin pages and another technician’s execution', async () => {
      for (const path of ['/admin/executions', `/admin/executions/${generated.id}`, '/admin/audit']) {
        assert.equal((await toolbox.request(path, { cookie: tech.cookie })).status, 403, path);
      }
      const rerunPage = await toolbox.request(`/admin/executions/${generated.id}/rerun`, {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf },
      });
      assert.equal(rerunPage.status, 403);
      const foreign = await toolbox.api('GET', `/api/executions/${otherTechExecutionId}`, { session: tech });
      assert.equal(foreign.status, 403);
      assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'TBX_ERR_FORBIDDEN');
      const foreignRerun = await toolbox.api('POST', `/api/executions/${otherTechExecutionId}/rerun`, { session: tech, body: {} });
      assert.equal(foreignRerun.status, 403);
      assert.match(((await foreignRerun.json()) as { error: { message: string } }).error.message, /belongs to another technician/);
      assert.equal((await toolbox.api('GET', '/api/executions/no-such-id', { session: admin })).status, 404);
      assert.equal((await toolbox.api('GET', '/api/executions')).status, 401);
    });

    test('the detail shows inputs, steps and the note text, and never the password; nor do the API and the CSV', async () => {
      const response = await toolbox.request(`/admin/executions/${generated.id}`, { cookie: admin.cookie });
      assert.equal(response.status, 200);
      const html = await response.text();
      for (const expected of [
        'Check the account',
        'Set a new password',
        'Write an internal note on the ticket',
        'passwordMode',
        'generated',
        'written',
        '#1001',
        'Megan Bowen',
        'Run again',
      ]) {
        assert.ok(html.includes(expected), `the detail lacks ${expected}`);
      }
      const notes = (toolbox.cw.state.notes.get(1001) ?? []) as unknown as { text: string }[];
      assert.equal(notes.filter((n) => n.text.includes(`execution ${generated.id}`)).length, 1, 'the note was not written');
      const noteText = (await store.executions.get(generated.id))!.noteText!;
      assert.match(noteText, /Set a new password: OK/);
      assert.ok(decode(html).includes(noteText), 'the note text is not on the page');

      const apiJson = await (await toolbox.api('GET', `/api/executions/${generated.id}`, { session: admin })).text();
      const listJson = await (await toolbox.api('GET', '/api/executions?limit=200', { session: admin })).text();
      const csv = await (await toolbox.api('GET', '/api/executions.csv', { session: admin })).text();
      for (const [where, text] of [
        ['detail page', decode(html)],
        ['detail JSON', apiJson],
        ['list JSON', listJson],
        ['CSV', csv],
        ['log', toolbox.logText()],
      ] as const) {
        assert.ok(!text.includes(generated.password), `the password appears in the ${where}`);
        assert.ok(!text.includes(TYPED_PASSWORD), `the typed password appears in the ${where}`);
      }
      const detail = JSON.parse(apiJson) as Json;
      assert.deepEqual(
        (detail.steps as { key: string; status: string }[]).map((step) => [step.key, step.status]),
        [
          ['check-account', 'ok'],
          ['reset-password', 'ok'],
          ['revoke-sessions', 'ok'],
          ['ticket-note', 'ok'],
        ],
      );
      assert.equal(detail.rerunOf, null);
      assert.ok(detail.launchId);
    });

    test('run again (console): a new execution with the same inputs runs to the end, with a new password and a new note', async () => {
      const notesBefore = toolbox.cw.state.notes.get(1001)?.length ?? 0;
      const changesBefore = toolbox.graph.state.passwordChanges.filter((change) => change.userId === MEGAN).length;
      // "Run again" never runs at once: an old-style post without a confirmed review leads to it.
      const unreviewed = await toolbox.request(`/admin/executions/${generated.id}/rerun`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf },
      });
      assert.equal(unreviewed.status, 303);
      assert.equal(unreviewed.headers.get('location'), `/executions/${generated.id}/rerun`);
      const reviewPage = await toolbox.request(`/executions/${generated.id}/rerun`, { cookie: admin.cookie });
      assert.equal(reviewPage.status, 200);
      const reviewHtml = decode(await reviewPage.text());
      assert.match(reviewHtml, /Check before it runs/);
      assert.match(reviewHtml, /Set a generated password on Megan Bowen \(megan\.bowen@contosodental\.example\); they must change it/);
      assert.match(reviewHtml, /Sign Megan Bowen out of all sessions/);
      assert.match(reviewHtml, />Reset the password of Megan Bowen</);
      assert.equal(
        toolbox.graph.state.passwordChanges.filter((change) => change.userId === MEGAN).length,
        changesBefore,
        'the review ran it',
      );
      assert.equal(toolbox.cw.state.notes.get(1001)?.length ?? 0, notesBefore, 'the review wrote a note');
      const token = /name="_review" value="([^"]+)"/.exec(reviewHtml)![1]!;
      const tampered = await toolbox.request(`/admin/executions/${generated.id}/rerun`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, _review: `${token}x` },
      });
      assert.equal(tampered.status, 409, 'a review token that does not match ran anyway');
      const response = await toolbox.request(`/admin/executions/${generated.id}/rerun`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, _review: token },
      });
      assert.equal(response.status, 303);
      const location = response.headers.get('location')!;
      assert.match(location, /^\/executions\/[\w-]+$/);
      const newId = location.split('/').pop()!;
      assert.notEqual(newId, generated.id);
      const json = await toolbox.waitForExecution(newId, admin.cookie);
      assert.equal(json.status, 'succeeded');
      assert.equal(json.rerunOf, generated.id);
      assert.equal(json.launchId, null);
      assert.equal(json.ticketId, '1001');
      assert.equal(json.companyId, '250');
      assert.deepEqual(json.target, { id: MEGAN, display: 'Megan Bowen (megan.bowen@contosodental.example)' });
      assert.deepEqual(json.inputs, { passwordMode: 'generated', mustChange: true, revokeSessions: true });
      assert.deepEqual((json.technician as { email: string }).email, DEMO_ADMIN.email);
      assert.equal(toolbox.cw.state.notes.get(1001)?.length, notesBefore + 1, 'no new note was written');
      assert.equal(toolbox.graph.state.passwordChanges.filter((change) => change.userId === MEGAN).length, changesBefore + 1);

      // Whoever ran it again is shown the new password once; it is not the old one.
      const page = await (await toolbox.request(location, { cookie: admin.cookie })).text();
      const password = shownPassword(page);
      assert.ok(password, 'the new password is not shown to whoever ran it again');
      assert.notEqual(decode(password), generated.password);
      assert.equal(toolbox.graph.state.checkPassword('6f1b2c3d-0000-4000-8000-000000000250', MEGAN, decode(password)), true);

      const audit = await toolbox.api('GET', `/api/admin/audit?action=execution.rerun&target=execution:${generated.id}`, {
        session: admin,
      });
      const entries = ((await audit.json()) as { items: { actorEmail: string; after: { executionId: string } }[] }).items;
      assert.equal(entries.length, 1);
      assert.equal(entries[0]!.actorEmail, DEMO_ADMIN.email);
      assert.equal(entries[0]!.after.executionId, newId);
      assert.ok(!JSON.stringify(entries).includes(decode(password)));

      const listed = await list(admin, 'companyId=250&limit=200');
      assert.ok(listed.items.some((item) => item.id === newId && item.rerunOf === generated.id));
    });

    test('run again (API): the technician may re-run their own; a session needs the CSRF header', async () => {
      const noCsrf = await toolbox.api('POST', `/api/executions/${generated.id}/rerun`, {
        session: { cookie: tech.cookie, csrf: 'wrong' },
        body: {},
      });
      assert.equal(noCsrf.status, 403);
      assert.equal(((await noCsrf.json()) as { error: { code: string } }).error.code, 'TBX_ERR_CSRF');
      const badForm = await toolbox.request(`/admin/executions/${generated.id}/rerun`, { cookie: admin.cookie, form: { _csrf: 'wrong' } });
      assert.equal(badForm.status, 403);

      const response = await toolbox.api('POST', `/api/executions/${otherTechExecutionId}/rerun`, { session: other, body: {} });
      assert.equal(response.status, 201);
      const body = (await response.json()) as { executionId: string; rerunOf: string; url: string };
      assert.equal(body.rerunOf, otherTechExecutionId);
      assert.ok(body.url.endsWith(`/executions/${body.executionId}`));
      const json = await toolbox.waitForExecution(body.executionId, other.cookie);
      assert.equal(json.status, 'succeeded');
      assert.equal((json.inputs as { passwordMode: string }).passwordMode, 'passphrase');

      // The technician's own list offers "Run again" and it works without JavaScript.
      const listPage = await (await toolbox.request('/executions', { cookie: other.cookie })).text();
      assert.ok(listPage.includes(`href="/executions/${body.executionId}/rerun"`));
      const review = await (await toolbox.request(`/executions/${body.executionId}/rerun`, { cookie: other.cookie })).text();
      const token = /name="_review" value="([^"]+)"/.exec(review)![1]!;
      const viaPage = await toolbox.request(`/executions/${body.executionId}/rerun`, {
        cookie: other.cookie,
        form: { _csrf: other.csrf, _review: token },
      });
      assert.equal(viaPage.status, 303);
      await toolbox.waitForExecution(viaPage.headers.get('location')!.split('/').pop()!, other.cookie);
    });

    test('a typed password cannot be re-run: 409 with a message to open the form again, nothing runs', async () => {
      const before = (await list(admin, 'companyId=250&limit=1')).total;
      const response = await toolbox.api('POST', `/api/executions/${typedId}/rerun`, { session: tech, body: {} });
      assert.equal(response.status, 409);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'TBX_ERR_RERUN_NEEDS_PASSWORD');
      assert.match(body.error.message, /open the form again/);
      const review = await toolbox.request(`/executions/${typedId}/rerun`, { cookie: tech.cookie });
      assert.equal(review.status, 409, 'the review of an impossible re-run offers to confirm it');
      assert.match(await review.text(), /open the form again/);
      const page = await toolbox.request(`/admin/executions/${typedId}/rerun`, {
        cookie: admin.cookie,
        form: { _csrf: admin.csrf, _review: 'from-an-old-page' },
      });
      assert.equal(page.status, 409);
      assert.match(await page.text(), /open the form again/);
      const techPage = await toolbox.request(`/executions/${typedId}/rerun`, {
        cookie: tech.cookie,
        form: { _csrf: tech.csrf, _review: 'from-an-old-page' },
      });
      assert.equal(techPage.status, 409);
      assert.match(await techPage.text(), /open the form again/);
      assert.equal((await list(admin, 'companyId=250&limit=1')).total, before, 'a refused re-run created an execution');
    });

    test('CSV: RFC 4180 quoting, CRLF lines, and cells a spreadsheet would run as a formula are defused', async () => {
      const technician = techUser;
      await insert({ at: '2026-04-01T10:00:00.000Z', companyId: '9002', technician, target: '=HYPERLINK("http://evil.example","x")' });
      await insert({
        at: '2026-04-01T11:00:00.000Z',
        companyId: '9002',
        technician,
        target: '+1+2',
        status: 'failed',
        error: 'a,b "c"\nline2',
      });
      await insert({ at: '2026-04-01T12:00:00.000Z', companyId: '9002', technician, target: '-3' });
      await insert({ at: '2026-04-01T13:00:00.000Z', companyId: '9002', technician, target: '@SUM(A1)' });
      const response = await toolbox.api('GET', '/api/executions.csv?companyId=9002', { session: admin });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="executions-.*\.csv"/);
      const csv = await response.text();
      const lines = csv.split('\r\n');
      assert.equal(lines[0], 'created,form,status,technician,ticket,company,contact,target,directory,note status,error');
      assert.equal(lines.at(-1), '', 'the last record ends with CRLF');
      assert.equal(
        lines[1],
        `2026-04-01T13:00:00.000Z,password_reset,queued,${DEMO_SIGN_IN.email},1001,9002,301,'@SUM(A1),contoso,pending,`,
      );
      assert.equal(lines[2], `2026-04-01T12:00:00.000Z,password_reset,queued,${DEMO_SIGN_IN.email},1001,9002,301,'-3,contoso,pending,`);
      assert.ok(csv.includes(`,'+1+2,contoso,pending,"a,b ""c""\nline2"\r\n`), 'the error cell is not quoted per RFC 4180');
      assert.ok(csv.includes(`,"'=HYPERLINK(""http://evil.example"",""x"")",contoso,`), 'the formula is not defused');
      assert.equal(csv.match(/\r\n/g)?.length, 5);
      const filtered = await (await toolbox.api('GET', '/api/executions.csv?companyId=9002&status=failed', { session: admin })).text();
      assert.equal(filtered.split('\r\n').length, 3, 'the CSV ignores the filters');
      const bad = await toolbox.api('GET', '/api/executions.csv?to=31/12/2026', { session: admin });
      assert.equal(bad.status, 400);
    });

    test('the OpenAPI document lists the execution and audit operations', async () => {
      const document = (await (await toolbox.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
      assert.ok(document.paths['/api/executions']?.get);
      assert.ok(document.paths['/api/executions.csv']?.get);
      assert.ok(document.paths['/api/executions/{id}']?.get);
      assert.ok(document.paths['/api/executions/{id}/rerun']?.post);
      assert.ok(document.paths['/api/admin/audit']?.get);
      const params = (document.paths['/api/executions']!.get as { parameters: { name: string }[] }).parameters.map((p) => p.name);
      assert.deepEqual(params.sort(), ['companyId', 'form', 'from', 'limit', 'offset', 'status', 'technician', 'to']);
    });

    test('a failed step shows its message, upstream code and timing on the detail page', async () => {
      const id = await insert({
        at: '2026-05-01T08:00:00.000Z',
        companyId: '9003',
        technician: techUser,
        status: 'failed',
        error: 'Stopped.',
      });
      await store.executions.updateStep(id, 1, {
        status: 'failed',
        message: 'Microsoft 365 refused: the app lacks User-PasswordProfile.ReadWrite.All.',
        upstreamCode: '403 Authorization_RequestDenied',
        startedAt: '2026-05-01T08:00:01.000Z',
        finishedAt: '2026-05-01T08:00:01.250Z',
        durationMs: 250,
      });
      const html = decode(await (await toolbox.request(`/admin/executions/${id}`, { cookie: admin.cookie })).text());
      for (const expected of [
        'the app lacks User-PasswordProfile.ReadWrite.All.',
        '<code>403 Authorization_RequestDenied</code>',
        '08:00:01 UTC',
        '250 ms',
        'Stopped.',
        'No note text was composed',
      ]) {
        assert.ok(html.includes(expected), `the detail lacks ${expected}`);
      }
    });

    test('empty results say what to do', async () => {
      const html = await (await toolbox.request('/admin/executions?companyId=nothing-here', { cookie: admin.cookie })).text();
      assert.match(html, /No execution matches these filters/);
    });
  });
}
