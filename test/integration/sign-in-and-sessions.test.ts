import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';
import { DEMO_ADMIN, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { createManualClock } from '../../src/lib/clock.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { cookieOf } from '../helpers/http-cookies.js';
import { openTwoInstances, postgresUrl, TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, type TestToolbox } from '../helpers/test-toolbox.js';

/** Fills in the login form from `address` (the socket peer the app sees) and sends it, as a browser would. */
async function attemptSignIn(
  toolbox: TestToolbox,
  fields: { email: string; password: string; next?: string },
  init: { clientAddress?: string; headers?: Record<string, string> } = {},
) {
  const page = await toolbox.request('/login', init);
  const loginCookie = cookieOf(page, 'tbx_login')!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return toolbox.request('/login', { ...init, cookie: loginCookie, form: { _csrf: csrf, next: '/', ...fields } });
}

const WRONG = { email: DEMO_SIGN_IN.email, password: 'not-the-password' };
const RIGHT = { email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password };

for (const database of TEST_DATABASES) {
  describe(`sign-in throttle (${database.name})`, { skip: database.skip }, () => {
    test('10 failures from one address lock that account there (429, Retry-After, audit); elsewhere it still signs in; an admin unlocks; the lock runs out', async () => {
      const store = await database.open();
      const clock = createManualClock(Date.now());
      const toolbox = await createTestToolbox({ store, clock });
      try {
        const guesser = { clientAddress: '203.0.113.50' };
        for (let i = 1; i <= 9; i++) assert.equal((await attemptSignIn(toolbox, WRONG, guesser)).status, 401, `attempt ${i}`);
        const tenth = await attemptSignIn(toolbox, WRONG, guesser);
        assert.equal(tenth.status, 429);
        assert.equal(tenth.headers.get('retry-after'), '900');
        const page = await tenth.text();
        assert.match(page, /Too many failed sign-ins\. Try again in 15 minutes, or ask an administrator to unlock your account/);
        assert.match(page, /name="password"/, 'the 429 page is the sign-in form with the reason, not a bare error');

        // The right password from the guessing address is refused too, without a session.
        const locked = await attemptSignIn(toolbox, RIGHT, guesser);
        assert.equal(locked.status, 429);
        assert.equal(cookieOf(locked, 'tbx_session'), undefined);
        // The real user at another address is not shut out by someone else's guessing.
        assert.equal((await attemptSignIn(toolbox, RIGHT, { clientAddress: '198.51.100.20' })).status, 303);

        // A forged X-Forwarded-For does not move the guesser elsewhere: no proxy is configured.
        const forged = await attemptSignIn(toolbox, RIGHT, { ...guesser, headers: { 'x-forwarded-for': '198.51.100.99' } });
        assert.equal(forged.status, 429);

        const lockEntries = await store.audit.list({ action: 'sign-in.lock' }, { limit: 10, offset: 0 });
        assert.equal(lockEntries.total, 1);
        assert.equal(lockEntries.items[0]?.target, `user:${DEMO_SIGN_IN.email}`);
        assert.equal((lockEntries.items[0]!.after as { address: string }).address, '203.0.113.50');

        // The admin sees the lock on the users page and in the API, and lifts it.
        const admin = await toolbox.signIn(DEMO_ADMIN);
        const users = (await (await toolbox.api('GET', '/api/admin/users', { session: admin })).json()) as {
          users: { id: string; email: string; signInLockedUntil: string | null }[];
        };
        const tech = users.users.find((user) => user.email === DEMO_SIGN_IN.email)!;
        assert.ok(tech.signInLockedUntil, 'the API does not show the lock');
        assert.equal(users.users.find((user) => user.email === DEMO_ADMIN.email)?.signInLockedUntil, null);
        const usersPage = await (await toolbox.request('/admin/users', { cookie: admin.cookie })).text();
        assert.match(usersPage, /sign-in locked until/);
        assert.match(usersPage, new RegExp(`action="/admin/users/${tech.id}/unlock"`));

        const unlocked = await toolbox.api('POST', `/api/admin/users/${tech.id}/unlock`, { session: admin });
        assert.equal(unlocked.status, 200);
        assert.deepEqual(await unlocked.json(), { unlocked: 1 });
        const unlockEntries = await store.audit.list({ action: 'user.unlock' }, { limit: 10, offset: 0 });
        assert.equal(unlockEntries.items[0]?.target, `user:${DEMO_SIGN_IN.email}`);
        assert.equal(unlockEntries.items[0]?.actorEmail, DEMO_ADMIN.email);
        assert.equal((await attemptSignIn(toolbox, RIGHT, guesser)).status, 303, 'still locked after the unlock');

        // A technician may not unlock anyone.
        const techSession = await toolbox.signIn(DEMO_SIGN_IN);
        assert.equal((await toolbox.api('POST', `/api/admin/users/${tech.id}/unlock`, { session: techSession })).status, 403);

        // Locked again, then no admin: the lock runs out by itself after 15 minutes.
        for (let i = 1; i <= 10; i++) await attemptSignIn(toolbox, WRONG, guesser);
        assert.equal((await attemptSignIn(toolbox, RIGHT, guesser)).status, 429);
        clock.advance(14 * 60_000);
        const later = await attemptSignIn(toolbox, RIGHT, guesser);
        assert.equal(later.status, 429);
        assert.equal(later.headers.get('retry-after'), '60');
        clock.advance(60_000);
        assert.equal((await attemptSignIn(toolbox, RIGHT, guesser)).status, 303);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });

    test('the console unlocks with the same operation; an unknown e-mail locks the same way and never reaches the audit log', async () => {
      const store = await database.open();
      const toolbox = await createTestToolbox({ store });
      try {
        const guesser = { clientAddress: '203.0.113.60' };
        for (let i = 1; i <= 10; i++) await attemptSignIn(toolbox, WRONG, guesser);
        const nobody = { email: 'nobody-here@example.test', password: 'whatever-password' };
        for (let i = 1; i <= 9; i++) assert.equal((await attemptSignIn(toolbox, nobody, guesser)).status, 401);
        assert.equal(
          (await attemptSignIn(toolbox, nobody, guesser)).status,
          429,
          'an unknown e-mail must lock like a real one, or the lock tells who exists',
        );
        assert.doesNotMatch(JSON.stringify((await store.audit.list({}, { limit: 50, offset: 0 })).items), /nobody-here/);

        const admin = await toolbox.signIn(DEMO_ADMIN);
        const tech = (await store.users.findByEmail(DEMO_SIGN_IN.email))!;
        const unlock = await toolbox.request(`/admin/users/${tech.id}/unlock`, { cookie: admin.cookie, form: { _csrf: admin.csrf } });
        assert.equal(unlock.status, 303);
        assert.equal(unlock.headers.get('location'), '/admin/users?notice=unlocked');
        assert.equal((await store.audit.list({ action: 'user.unlock' }, { limit: 10, offset: 0 })).total, 1);
        assert.equal((await attemptSignIn(toolbox, RIGHT, guesser)).status, 303);
      } finally {
        await toolbox.close();
        await store.drop();
      }
    });
  });
}

describe('client address behind a configured reverse proxy', () => {
  const sqlite = TEST_DATABASES.find((database) => database.name === 'sqlite')!;
  test('X-Forwarded-For is read only from a trusted proxy, from the right', async () => {
    const store = await sqlite.open();
    const toolbox = await createTestToolbox({ store, config: { trustedProxies: ['10.0.0.0/8'] } });
    try {
      const viaProxy = (client: string) => ({ clientAddress: '10.1.2.3', headers: { 'x-forwarded-for': `192.0.2.1, ${client}` } });
      for (let i = 1; i <= 10; i++) await attemptSignIn(toolbox, WRONG, viaProxy('203.0.113.70'));
      // The client the proxy saw is locked; the left-most (client-supplied) entry does not matter.
      assert.equal((await attemptSignIn(toolbox, RIGHT, viaProxy('203.0.113.70'))).status, 429);
      // Another client through the same proxy is not.
      assert.equal((await attemptSignIn(toolbox, RIGHT, viaProxy('203.0.113.71'))).status, 303);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});

describe('next after sign-in, redirects and malformed requests', () => {
  const sqlite = TEST_DATABASES.find((database) => database.name === 'sqlite')!;
  test('next is a path on this site or the start page; a tab, CRLF or backslash never reaches Location', async () => {
    const store = await sqlite.open();
    const toolbox = await createTestToolbox({ store });
    try {
      const cases: [string, string][] = [
        ['/\t/evil.example/', '/'],
        ['/\n/evil.example/', '/'],
        ['/x\r\nSet-Cookie: stolen=1', '/'],
        ['/\\evil.example', '/'],
        ['/.//evil.example', '/'],
        ['//evil.example', '/'],
        ['https://evil.example/', '/'],
        ['javascript:alert(1)', '/'],
        ['/launches/abc?x=1#top', '/launches/abc?x=1#top'],
        ['/admin/audit?action=user unlock', '/admin/audit?action=user%20unlock'],
      ];
      for (const [next, expected] of cases) {
        const response = await attemptSignIn(toolbox, { ...RIGHT, next });
        assert.equal(response.status, 303, `next=${JSON.stringify(next)}`);
        assert.equal(response.headers.get('location'), expected, `next=${JSON.stringify(next)}`);
      }
      const page = await (await toolbox.request(`/login?next=${encodeURIComponent('/\t/evil.example/')}`)).text();
      assert.match(page, /name="next" value="\/"/);

      // A rerun link with a line break in its id is redirected encoded, not a 500.
      const session = await toolbox.signIn();
      const rerun = await toolbox.request('/executions/%0D%0Aevil/rerun', { cookie: session.cookie, form: { _csrf: session.csrf } });
      assert.equal(rerun.status, 303);
      assert.equal(rerun.headers.get('location'), '/executions/%0D%0Aevil/rerun');
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });

  test('a malformed body is a 400 page; an unknown option source or preview is a 400', async () => {
    const store = await sqlite.open();
    const toolbox = await createTestToolbox({ store });
    try {
      const broken = {
        'content-type': 'multipart/form-data; boundary=----toolbox',
        origin: 'http://toolbox.test',
      };
      const body = '------toolbox\r\nContent-Disposition: form-data; name="email"\r\n\r\nno end boundary';
      const login = await toolbox.app.request('http://toolbox.test/login', { method: 'POST', headers: broken, body });
      assert.equal(login.status, 400);
      assert.match(await login.text(), /This request was refused/);

      const session = await toolbox.signIn();
      const pop = await toolbox.request('/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=group_membership', {
        cookie: session.cookie,
      });
      const launch = pop.headers.get('location')!;
      const submit = await toolbox.app.request(`http://toolbox.test${launch}`, {
        method: 'POST',
        headers: { ...broken, cookie: session.cookie },
        body,
      });
      assert.equal(submit.status, 400);
      const logout = await toolbox.app.request('http://toolbox.test/logout', {
        method: 'POST',
        headers: { ...broken, cookie: session.cookie },
        body,
      });
      assert.equal(logout.status, 303, 'signing out does not need a readable body');

      const again = await toolbox.signIn();
      for (const source of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const options = await toolbox.request(`${launch}/options/${source}?q=ab`, { cookie: again.cookie });
        assert.equal(options.status, 400, `options/${source}`);
        assert.match(await options.text(), /This form has no search of that name/);
        const preview = await toolbox.request(`${launch}/previews/${source}`, { cookie: again.cookie });
        assert.equal(preview.status, 400, `previews/${source}`);
      }
      assert.equal((await toolbox.request(`${launch}/options/groups?q=ab`, { cookie: again.cookie })).status, 200);
    } finally {
      await toolbox.close();
      await store.drop();
    }
  });
});

for (const kind of ['sqlite', 'postgres'] as const) {
  const database = TEST_DATABASES.find((candidate) => candidate.name === kind)!;
  describe(`sessions across two instances (${kind})`, { skip: database.skip }, () => {
    test('sign-out revokes the session at once on every instance, with or without the form token', async () => {
      const { stores, close } = await openTwoInstances(kind);
      // One after the other on SQLite: in one process, better-sqlite3 waits for the other
      // connection's lock synchronously, which would stall the event loop the lock holder needs.
      const a = await createTestToolbox({ store: stores[0] });
      const b = await createTestToolbox({ store: stores[1] });
      try {
        for (const withToken of [true, false]) {
          const session = await a!.signIn();
          // Instance B has served this session, so any cache of it is warm.
          assert.equal((await b!.request('/', { cookie: session.cookie })).status, 200);
          const logout = await a!.request('/logout', { cookie: session.cookie, form: withToken ? { _csrf: session.csrf } : {} });
          assert.equal(logout.status, 303);
          assert.match(logout.headers.getSetCookie().join(';'), /tbx_session=;/);
          for (const [name, instance] of [
            ['A', a!],
            ['B', b!],
          ] as const) {
            const home = await instance.request('/', { cookie: session.cookie });
            assert.equal(home.status, 303, `instance ${name} still honours a signed-out session (${withToken ? 'with' : 'without'} _csrf)`);
            assert.equal(home.headers.get('location'), '/login');
          }
        }
      } finally {
        await Promise.all([a!.close(), b!.close()]);
        await close();
      }
    });
  });
}

/**
 * Two store handles on one PostgreSQL schema nobody has migrated yet: what two instances started
 * together on an empty database see. (Several instances are a PostgreSQL setup; SQLite serves one
 * process, and two SQLite connections cannot start concurrently inside one test process.)
 */
async function openEmptyPair(): Promise<{ stores: [Store, Store]; close(): Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const stores: [Store, Store] = [
    openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema }),
    openStore({ kind: 'postgres', url: postgresUrl }, { postgresSchema: schema }),
  ];
  return {
    stores,
    async close() {
      await Promise.all(stores.map((store) => store.close()));
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}

{
  const database = TEST_DATABASES.find((candidate) => candidate.name === 'postgres')!;
  describe('two instances starting together on an empty PostgreSQL database', { skip: database.skip }, () => {
    test('both come up, with each configured user once', async () => {
      for (let round = 0; round < 3; round++) {
        const { stores, close } = await openEmptyPair();
        const started = await Promise.allSettled(stores.map((store) => createTestToolbox({ store })));
        try {
          for (const result of started)
            assert.equal(result.status, 'fulfilled', `round ${round}: ${String((result as PromiseRejectedResult).reason)}`);
          const users = await stores[0].users.list();
          const emails = users.map((user) => user.email);
          assert.equal(new Set(emails).size, emails.length);
          assert.ok(emails.includes(DEMO_SIGN_IN.email) && emails.includes(DEMO_ADMIN.email));
          const toolbox = (started[1] as PromiseFulfilledResult<TestToolbox>).value;
          await toolbox.signIn(DEMO_ADMIN);
        } finally {
          await Promise.all(started.flatMap((result) => (result.status === 'fulfilled' ? [result.value.close()] : [])));
          await close();
        }
      }
    });
  });
}
