import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEMO_SCREENPOP_SECRET, DEMO_SIGN_IN } from '../../src/demo/demo-config.js';
import { startToolbox } from '../../src/start-toolbox.js';
import { cookieOf, csrfIn } from '../helpers/http-cookies.js';

const POP = `/hooks/screenpop?ticket_id=1001&company_id=250&contact_id=301&form_name=password_reset&secret=${DEMO_SCREENPOP_SECRET}`;
/** Technicians popping at once: the screen-pop benchmark's concurrency. */
const TECHNICIANS = 20;

/**
 * Autotask limits threads per object endpoint (3 at once per endpoint and tracking identifier,
 * reference autotask.md §8), not per connection. A screen pop reads three endpoints (Tickets,
 * Companies, Contacts), so 20 technicians popping at once must all be served, each endpoint
 * running its 3 calls at once and never a 4th. With the connection held to 3 calls in all, the
 * toolbox refused such a burst (503, "busy") that Autotask itself would have answered.
 */
describe('a burst of screen pops on Autotask', () => {
  test(`${TECHNICIANS} pops at once are all served; each endpoint runs 3 calls at once, never 4`, { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'toolbox-autotask-burst-'));
    const toolbox = await startToolbox({
      env: { TOOLBOX_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', TOOLBOX_DEMO_PSA: 'autotask' },
      demo: { psaLatencyMs: 50 },
    });
    try {
      const autotask = toolbox.sandbox?.autotask;
      assert.ok(autotask, 'the demo simulates Autotask');
      // The most calls the simulated Autotask had running at once, per endpoint.
      const threads = autotask.state.threads;
      const acquire = threads.acquire.bind(threads);
      const most = new Map<string, number>();
      threads.acquire = (key) => {
        const release = acquire(key);
        const endpoint = key.split('|')[1] ?? key;
        most.set(endpoint, Math.max(most.get(endpoint) ?? 0, threads.active(key)));
        return release;
      };

      const base = toolbox.url;
      const page = await fetch(`${base}/login`);
      const login = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookieOf(page, 'tbx_login')!, 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: new URLSearchParams({
          _csrf: csrfIn(await page.text())!,
          email: DEMO_SIGN_IN.email,
          password: DEMO_SIGN_IN.password,
          next: '/',
        }),
      });
      const cookie = cookieOf(login, 'tbx_session')!;
      assert.ok(cookie, 'signed in');
      const pop = () => fetch(`${base}${POP}`, { headers: { cookie }, redirect: 'manual' });
      const openForm = async (response: Response) => {
        await response.body?.cancel();
        const form = await fetch(`${base}${response.headers.get('location')}`, { headers: { cookie } });
        return { status: form.status, html: await form.text() };
      };

      // One pop first: zone, picklists and Graph token are looked up, and the connection learns how long a read takes.
      const first = await openForm(await pop());
      assert.equal(first.status, 200);
      most.clear();

      const pops = await Promise.all(Array.from({ length: TECHNICIANS }, pop));
      const statuses = pops.map((response) => response.status);
      assert.deepEqual(
        statuses.filter((status) => status !== 303),
        [],
        `every pop is accepted (303); got ${statuses.join(' ')}`,
      );
      const forms = await Promise.all(pops.map(openForm));
      for (const form of forms) {
        assert.equal(form.status, 200);
        assert.match(form.html, /name="user_id"/, 'the form, filled from Autotask');
      }

      assert.deepEqual(
        autotask.state.requests.filter((entry) => entry.status === 429).map((entry) => entry.path),
        [],
        'Autotask refused nothing (no thread or threshold 429)',
      );
      for (const endpoint of ['tickets', 'companies', 'contacts']) {
        assert.equal(most.get(endpoint), 3, `${endpoint}: 3 calls at once, the most Autotask allows (saw ${most.get(endpoint)})`);
      }
    } finally {
      await toolbox.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
