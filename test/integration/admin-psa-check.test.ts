import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { demoMembers, demoMsp } from '../../src/demo/demo-data.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { CW_ORIGIN, createTestToolbox, EMPTY_CONSOLE_CONFIG, type TestToolbox } from '../helpers/test-toolbox.js';

const CONNECTION = {
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
const WRONG_PRIVATE_KEY = 'wrong-private-key-5f0c1e';

/** The demo members plus two whose emails are the demo users' (differently cased), so matching has something to find. */
const MEMBERS = [
  ...demoMembers,
  { id: 160, identifier: 'bkim2', firstName: 'Bailey', lastName: 'Kim', email: 'Tech@Northwind-IT.example' },
  { id: 161, identifier: 'aowens2', firstName: 'Alex', lastName: 'Owens', email: 'ADMIN@northwind-it.example' },
];

type CheckView = {
  configured: boolean;
  lastCheck: {
    ranAt: string;
    ranBy: string;
    passed: number;
    failed: number;
    notRun: number;
    results: { name: string; ok: boolean; outcome?: string; message: string; hint?: string; upstreamCode?: string }[];
  } | null;
  members: { count: number; active: number; pulledAt: string | null; pullError: string | null } | null;
};

for (const database of TEST_DATABASES) {
  describe(`PSA systems check in the admin console (${database.name})`, { skip: database.skip }, () => {
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    let tech: { cookie: string; csrf: string };
    const bodies: string[] = [];
    const keep = async (response: Response) => {
      const text = await response.text();
      bodies.push(text);
      return text;
    };
    const view = async () => JSON.parse(await keep(await toolbox.api('GET', '/api/admin/psa/check', { session: admin }))) as CheckView;

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({ store, config: EMPTY_CONSOLE_CONFIG, cw: { seed: { members: MEMBERS } } });
      admin = await toolbox.signIn(DEMO_ADMIN);
      tech = await toolbox.signIn(DEMO_SIGN_IN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('without a PSA connection: a helpful empty state linking to the connection page, and the API says why', async () => {
      const page = await toolbox.request('/admin/psa/check', { cookie: admin.cookie });
      assert.equal(page.status, 200);
      const html = await keep(page);
      assert.match(html, /No PSA connection yet/);
      assert.match(html, /<a href="\/admin\/psa">Set up the PSA connection<\/a>/);
      assert.doesNotMatch(html, /Run the systems check<\/button>/);
      assert.deepEqual(await view(), { configured: false, lastCheck: null, members: null });
      const run = await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} });
      assert.equal(run.status, 503);
      assert.equal(((await run.json()) as { error: { code: string } }).error.code, 'TBX_ERR_PSA_NOT_CONFIGURED');
      assert.equal(toolbox.cw.state.requests.length, 0);
    });

    test('a technician gets 403 on the page, its button and both API operations', async () => {
      assert.equal((await toolbox.request('/admin/psa/check', { cookie: tech.cookie })).status, 403);
      assert.equal((await toolbox.request('/admin/psa/check', { cookie: tech.cookie, form: { _csrf: tech.csrf } })).status, 403);
      for (const method of ['GET', 'POST']) {
        const response = await toolbox.api(method, '/api/admin/psa/check', { session: tech, ...(method === 'POST' ? { body: {} } : {}) });
        assert.equal(response.status, 403, method);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'TBX_ERR_FORBIDDEN');
      }
      assert.equal(
        (await toolbox.api('POST', '/api/admin/psa/check', { session: { cookie: admin.cookie, csrf: 'wrong' }, body: {} })).status,
        403,
      );
    });

    test('all green on the simulator: one line per check, members pulled and stored, users mapped by email, audited', async () => {
      assert.equal((await toolbox.api('PUT', '/api/admin/psa', { session: admin, body: CONNECTION })).status, 200);
      const page = await toolbox.request('/admin/psa/check', { cookie: admin.cookie });
      assert.match(await keep(page), /Run the systems check<\/button>/);
      const ran = await toolbox.request('/admin/psa/check', { cookie: admin.cookie, form: { _csrf: admin.csrf } });
      assert.equal(ran.status, 303);
      assert.equal(ran.headers.get('location'), '/admin/psa/check?notice=ran');

      const html = await keep(await toolbox.request('/admin/psa/check?notice=ran', { cookie: admin.cookie }));
      for (const name of [
        'ConnectWise site and codebase',
        'ConnectWise API host answers',
        'API keys and clientId accepted',
        'Can read tickets',
        'Can read companies',
        'Can read contacts',
        'Can read members',
      ]) {
        assert.match(html, new RegExp(`<li class="status-succeeded"><span class="badge">pass</span> <strong>${name}</strong>`), name);
      }
      // Adding a note is not tried (it would change a customer's ticket): said so, never a green pass.
      assert.match(html, /<li class="status-unverified"><span class="badge">not verifiable<\/span> <strong>Can add ticket notes<\/strong>/);
      assert.match(html, /7 passed, 0 failed, 1 not verifiable/);
      assert.match(html, /4 members \(4 active\) pulled/);

      const json = await view();
      assert.equal(json.configured, true);
      assert.equal(json.lastCheck?.ranBy, DEMO_ADMIN.email);
      assert.equal(json.lastCheck?.results.length, 8);
      assert.deepEqual(
        json.lastCheck?.results.filter((line) => !line.ok).map((line) => [line.name, line.outcome]),
        [['Can add ticket notes', 'unverified']],
      );
      assert.deepEqual(json.members && { count: json.members.count, error: json.members.pullError }, { count: 4, error: null });

      const stored = await store.settings.get('psa-members');
      const doc = stored?.value as { members: { id: string; identifier: string; email?: string }[] };
      assert.deepEqual(doc.members.map((member) => member.identifier).sort(), ['aowens', 'aowens2', 'bkim', 'bkim2']);
      // Mapped by email, whatever its case.
      const users = await store.users.list();
      const idOf = (email: string) => users.find((user) => user.email === email)!.id;
      const technicians = toolbox.services.settings.current().technicians;
      assert.deepEqual(technicians[idOf(DEMO_SIGN_IN.email)], {
        psaKind: 'connectwise',
        memberId: '160',
        identifier: 'bkim2',
        name: 'Bailey Kim',
        source: 'auto',
      });
      assert.equal(technicians[idOf(DEMO_ADMIN.email)]?.memberId, '161');
      assert.equal(technicians[idOf('other.tech@northwind-it.example')], undefined);

      const audit = await store.audit.list({ action: 'psa.check' }, { limit: 5, offset: 0 });
      assert.equal(audit.items.length, 1);
      assert.equal(audit.items[0]?.actorEmail, DEMO_ADMIN.email);
      assert.equal((audit.items[0]!.after as { members: number }).members, 4);
      const autoMap = await store.audit.list({ action: 'technicians.auto-map' }, { limit: 5, offset: 0 });
      assert.equal(autoMap.items.length, 1);
      assert.equal((autoMap.items[0]!.after as Record<string, string>)[DEMO_SIGN_IN.email], 'bkim2');
      // The check wrote nothing to the PSA.
      assert.equal(toolbox.cw.state.requests.filter((request) => request.method !== 'GET').length, 0);
    });

    test('a wrong private key: the line fails with what to do, the members pulled before are kept', async () => {
      const saved = await toolbox.api('PUT', '/api/admin/psa', {
        session: admin,
        body: { ...CONNECTION, secrets: { privateKey: WRONG_PRIVATE_KEY } },
      });
      assert.equal(saved.status, 200);
      const run = await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} });
      assert.equal(run.status, 200);
      const result = JSON.parse(await keep(run)) as { lastCheck: NonNullable<CheckView['lastCheck']>; members: CheckView['members'] };
      const keys = result.lastCheck.results.find((line) => line.name === 'API keys and clientId accepted')!;
      assert.equal(keys.ok, false);
      assert.equal(keys.upstreamCode, '401 Unauthorized');
      assert.match(keys.message, /refused the API keys/);
      assert.match(keys.hint ?? '', /privateKey/);
      assert.match(keys.hint ?? '', /new key pair/);
      assert.equal(result.lastCheck.results.find((line) => line.name === 'Can read tickets')?.message.startsWith('Not tried'), true);
      assert.equal(result.members?.count, 4, 'a failed pull keeps the members pulled before');
      assert.match(result.members?.pullError ?? '', /refused the API keys/);

      const html = await keep(await toolbox.request('/admin/psa/check', { cookie: admin.cookie }));
      assert.match(html, /<li class="status-failed"><span class="badge">fail<\/span> <strong>API keys and clientId accepted<\/strong>/);
      // The checks skipped after it are "not run", not failures.
      assert.match(html, /<li class="status-not-run"><span class="badge">not run<\/span> <strong>Can read tickets<\/strong>/);
      assert.match(html, /2 passed, 1 failed, 5 not run/);
      assert.equal(result.lastCheck.failed, 1);
      assert.equal(result.lastCheck.notRun, 5);
      assert.match(html, /What to do: Re-check companyId/);
      assert.match(html, /The last pull failed/);
      // The mapping survives a failed pull.
      assert.equal(Object.keys(toolbox.services.settings.current().technicians).length, 2);
    });

    test('a rejected clientId says where the Client ID comes from; a missing one is refused when saving, naming the field', async () => {
      const saved = await toolbox.api('PUT', '/api/admin/psa', {
        session: admin,
        body: { ...CONNECTION, fields: { ...CONNECTION.fields, clientId: 'not-a-registered-client-id' } },
      });
      assert.equal(saved.status, 200);
      const result = (await (await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} })).json()) as {
        lastCheck: NonNullable<CheckView['lastCheck']>;
      };
      const keys = result.lastCheck.results.find((line) => line.name === 'API keys and clientId accepted')!;
      assert.equal(keys.ok, false);
      assert.match(keys.message, /refused the clientId/);
      assert.match(keys.hint ?? '', /developer\.connectwise\.com/);

      const missing = await toolbox.api('PUT', '/api/admin/psa', {
        session: admin,
        body: { ...CONNECTION, fields: { ...CONNECTION.fields, clientId: '' } },
      });
      assert.equal(missing.status, 400);
      const error = ((await missing.json()) as { error: { fields: { path: string; message: string }[] } }).error;
      assert.deepEqual(
        error.fields.map((field) => field.path),
        ['fields.clientId'],
      );
    });

    test('ConnectWise Cloud answers bad keys with 404: the hint says so', async () => {
      toolbox.cw.state.cloudMode = true;
      try {
        await toolbox.api('PUT', '/api/admin/psa', { session: admin, body: { ...CONNECTION, secrets: { privateKey: WRONG_PRIVATE_KEY } } });
        const result = (await (await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} })).json()) as {
          lastCheck: NonNullable<CheckView['lastCheck']>;
        };
        const keys = result.lastCheck.results.find((line) => line.name === 'API keys and clientId accepted')!;
        assert.equal(keys.ok, false);
        assert.match(keys.upstreamCode ?? '', /^404/);
        assert.match(keys.hint ?? '', /Cloud answers wrong API keys.*404/);
      } finally {
        toolbox.cw.state.cloudMode = false;
      }
    });

    test('throttled (429 with Retry-After): the check says ConnectWise is rate-limiting, never "wrong keys" or "check apiUrl"', async () => {
      await toolbox.api('PUT', '/api/admin/psa', { session: admin, body: CONNECTION });
      toolbox.cw.failNext('/system/info', 429, 1, { retryAfterSeconds: 30 });
      const atSignIn = (await (await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} })).json()) as {
        lastCheck: NonNullable<CheckView['lastCheck']>;
      };
      const host = atSignIn.lastCheck.results.find((line) => line.name === 'ConnectWise API host answers')!;
      assert.equal(host.ok, true, 'a 429 is an answer: apiUrl is right');
      const keys = atSignIn.lastCheck.results.find((line) => line.name === 'API keys and clientId accepted')!;
      assert.equal(keys.ok, false);
      assert.match(keys.message, /rate-limiting us; try again in 30 s/);
      assert.match(keys.hint ?? '', /HTTP 429\): this is not a problem with the toolbox's settings/);
      assert.equal(atSignIn.lastCheck.failed, 1);
      assert.ok(
        atSignIn.lastCheck.results.slice(3).every((line) => line.outcome === 'not-run' && /rate-limiting the toolbox/.test(line.message)),
      );

      toolbox.cw.failNext('/company/companies', 429, 1, { retryAfterSeconds: 30 });
      const midway = (await (await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} })).json()) as {
        lastCheck: NonNullable<CheckView['lastCheck']>;
      };
      const states = midway.lastCheck.results.map((line) => [line.name, line.ok ? 'pass' : (line.outcome ?? 'fail')]);
      assert.deepEqual(states.slice(3), [
        ['Can read tickets', 'pass'],
        ['Can read companies', 'fail'],
        ['Can read contacts', 'not-run'],
        ['Can read members', 'not-run'],
        ['Can add ticket notes', 'not-run'],
      ]);
      const companies = midway.lastCheck.results.find((line) => line.name === 'Can read companies')!;
      assert.doesNotMatch(companies.hint ?? '', /security role/);
    });

    test('the check and the technician mapping are in the OpenAPI document', async () => {
      const document = (await (await toolbox.api('GET', '/api/openapi.json', { session: admin })).json()) as {
        paths: Record<string, Record<string, { operationId: string }>>;
      };
      assert.equal(document.paths['/api/admin/psa/check']?.get?.operationId, 'getPsaSystemsCheck');
      assert.equal(document.paths['/api/admin/psa/check']?.post?.operationId, 'runPsaSystemsCheck');
      assert.equal(document.paths['/api/admin/technicians']?.get?.operationId, 'listTechnicianMappings');
      assert.equal(document.paths['/api/admin/technicians/{userId}']?.put?.operationId, 'saveTechnicianMapping');
      assert.equal(document.paths['/api/admin/technicians/auto-map']?.post?.operationId, 'autoMapTechnicians');
    });

    test('no key, right or wrong, is in any response, log line or audit entry', async () => {
      const audit = JSON.stringify((await store.audit.list({}, { limit: 100, offset: 0 })).items);
      const stored = JSON.stringify(await store.settings.get('psa-members'));
      for (const secret of [demoMsp.privateKey, WRONG_PRIVATE_KEY]) {
        for (const text of bodies) assert.ok(!text.includes(secret), 'a response holds a private key');
        assert.ok(!toolbox.logText().includes(secret), 'the log holds a private key');
        assert.ok(!audit.includes(secret), 'the audit log holds a private key');
        assert.ok(!stored.includes(secret));
      }
    });
  });
}
