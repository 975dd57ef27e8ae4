import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import type { FetchLike } from '../../src/lib/http-fetch.js';
import { demoAutotaskApiUser } from '../../src/simulators/autotask/autotask-seed.js';
import { createAutotaskSimulator } from '../../src/simulators/autotask/autotask-simulator.js';
import { demoHaloPsa } from '../../src/simulators/halopsa/halopsa-seed.js';
import { createHaloPsaSimulator } from '../../src/simulators/halopsa/halopsa-simulator.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { TEST_ORIGIN, type TestToolbox } from '../helpers/test-toolbox.js';
import { type TestSession, withTestToolbox } from '../helpers/with-test-toolbox.js';

const decode = (value: string) =>
  value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");

/** Each launcher button's form: its hidden fields, by the form it opens. */
function launcherForms(html: string): Record<string, Record<string, string>> {
  const forms: Record<string, Record<string, string>> = {};
  for (const match of html.matchAll(/<form method="post" action="[^"]*"[^>]*>([\s\S]*?)<\/form>/g)) {
    const fields = Object.fromEntries(
      [...(match[1] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, decode(m[2]!)]),
    );
    if (fields.form_name) forms[fields.form_name] = fields;
  }
  return forms;
}

/** A simulator's in-process fetch as a host of the test network. */
const hostOf =
  (simFetch: FetchLike) =>
  async (request: Request): Promise<Response> =>
    simFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text(),
      signal: request.signal,
    });

const AUTOTASK_ORIGIN = 'https://autotask.toolbox.test';
const HALO_ORIGIN = 'https://halo.toolbox.test';

/**
 * A toolbox connected to one of the window-launcher PSAs, its simulator on the test network, and
 * what the tests need to know about that PSA: its ticket variable, what it calls the launcher, how
 * its ticket 1001 is numbered, and the record reads (ticket, company, contact) the simulator saw.
 */
type LauncherPsa = {
  kind: 'autotask' | 'halopsa';
  label: string;
  name: string;
  variable: string;
  run(
    database: (typeof TEST_DATABASES)[number],
    body: (toolbox: TestToolbox, session: TestSession, psa: PsaView) => Promise<void>,
  ): Promise<void>;
};
type PsaView = {
  /** How the PSA shows ticket 1001 to technicians. */
  ticketNumber: string;
  /** The record reads (ticket, company, contact) the simulator has answered, as paths, from `from`. */
  recordReads(from: number): string[];
  requestCount(): number;
  /** Every request the simulator saw, as `METHOD path`. */
  log(): string[];
  expectedReads: { ticket: string; others: string[] };
};

const PSAS: LauncherPsa[] = [
  {
    kind: 'autotask',
    label: 'Autotask PSA',
    name: 'LiveLink',
    // The vendors' own variables, pinned here: changing them is a decision, not a refactoring.
    variable: '[Ticket: ID]',
    async run(database, body) {
      const sim = createAutotaskSimulator({ usageLatencyMs: [0, 0] });
      await withTestToolbox(
        database,
        {
          upstreams: { [AUTOTASK_ORIGIN]: hostOf(sim.fetch) },
          config: {
            psa: {
              kind: 'autotask',
              username: demoAutotaskApiUser.username,
              secret: demoAutotaskApiUser.secret,
              integrationCode: demoAutotaskApiUser.integrationCode,
              zoneDiscoveryUrl: AUTOTASK_ORIGIN,
            },
          },
        },
        (toolbox, session) =>
          body(toolbox, session, {
            ticketNumber: String(sim.state.tickets.get(1001)?.ticketNumber),
            recordReads: (from) =>
              sim.state.requests
                .slice(from)
                .filter((r) => r.method === 'GET' && /^(Tickets|Companies|Contacts)\/\d+$/.test(r.path))
                .map((r) => r.path),
            requestCount: () => sim.state.requests.length,
            log: () => sim.state.requests.map((r) => `${r.method} ${r.path}`),
            expectedReads: { ticket: 'Tickets/1001', others: ['Companies/250', 'Contacts/301'] },
          }),
      );
    },
  },
  {
    kind: 'halopsa',
    label: 'HaloPSA',
    name: 'custom button',
    variable: '{$ID}',
    async run(database, body) {
      const sim = createHaloPsaSimulator();
      await withTestToolbox(
        database,
        {
          upstreams: { [HALO_ORIGIN]: hostOf(sim.fetch) },
          config: { psa: { kind: 'halopsa', url: HALO_ORIGIN, clientId: demoHaloPsa.clientId, clientSecret: demoHaloPsa.clientSecret } },
        },
        (toolbox, session) =>
          body(toolbox, session, {
            ticketNumber: '#1001',
            recordReads: (from) =>
              sim.state.requests
                .slice(from)
                .filter((r) => r.method === 'GET' && /^\/api\/(Tickets|Client|Users)\/\d+$/i.test(r.path))
                .map((r) => r.path),
            requestCount: () => sim.state.requests.length,
            log: () => sim.state.requests.map((r) => `${r.method} ${r.path}`),
            expectedReads: { ticket: '/api/Tickets/1001', others: ['/api/Client/250', '/api/Users/301'] },
          }),
      );
    },
  },
];

for (const database of TEST_DATABASES) {
  for (const psa of PSAS) {
    describe(`the ${psa.name} of ${psa.label} opens the ticket launcher (${database.name})`, { skip: database.skip }, () => {
      test('the screen-pop page gives the URL to paste, with the PSA’s own ticket variable, and the steps in its words', async () => {
        await psa.run(database, async (toolbox) => {
          const admin = await toolbox.signIn(DEMO_ADMIN);
          const view = (await (await toolbox.api('GET', '/api/admin/screenpop', { session: admin })).json()) as {
            ticketLauncher: {
              declared: boolean;
              name: string;
              opens: string;
              url: string;
              frameAncestor: string | null;
              psa: { kind: string };
              steps: { text: string; values: { label: string; value: string }[] }[];
            };
          };
          const url = `${TEST_ORIGIN}/launcher?ticket_id=${psa.variable}`;
          assert.equal(view.ticketLauncher.psa.kind, psa.kind);
          assert.equal(view.ticketLauncher.declared, true);
          assert.equal(view.ticketLauncher.name, psa.name);
          assert.equal(view.ticketLauncher.opens, 'window');
          assert.equal(view.ticketLauncher.url, url);
          assert.equal(view.ticketLauncher.frameAncestor, null, 'a window launcher is never framed');
          const values = Object.fromEntries(view.ticketLauncher.steps.flatMap((step) => step.values.map((v) => [v.label, v.value])));
          assert.equal(values.URL, url, 'the URL to paste is among the steps');
          assert.ok(view.ticketLauncher.steps.length >= 3, 'where to go, what to enter, how to use it');

          const page = decode(await (await toolbox.request('/admin/screenpop', { cookie: admin.cookie })).text());
          assert.match(page, /Open the forms from inside the PSA/);
          assert.ok(page.includes(`${psa.label}: ${psa.name}`), 'the card names the PSA and its launcher');
          assert.ok(page.includes(`value="${url}"`), 'the URL stands in a read-only field to copy, with the variable as the PSA writes it');
          assert.ok(!page.includes('may show the pod'), 'nothing about framing for a window launcher');
          assert.match(page, /The URL carries no secret/);
        });
      });

      test('the URL as the PSA fills it in lists the forms for the ticket’s company and contact, and opens the chosen one filled', async () => {
        await psa.run(database, async (toolbox, session, view) => {
          const before = view.requestCount();
          const page = await toolbox.request('/launcher?ticket_id=1001', { cookie: session.cookie });
          const html = decode(await page.text());
          assert.equal(page.status, 200, html.slice(0, 500));
          assert.ok(html.includes(`${view.ticketNumber}</a> Megan locked out after password expiry`), 'the ticket as the PSA numbers it');
          assert.match(html, /Contoso Dental · Megan Bowen · megan\.bowen@contosodental\.example/);
          const forms = launcherForms(html);
          assert.ok(forms.password_reset, 'the enabled forms are offered');
          assert.deepEqual(forms.password_reset, {
            _csrf: session.csrf,
            ticket_id: '1001',
            company_id: '250',
            contact_id: '301',
            form_name: 'password_reset',
          });
          // The company and contact came from the ticket: read after it.
          const reads = view.recordReads(before);
          assert.equal(reads[0], view.expectedReads.ticket);
          assert.deepEqual(reads.slice(1).sort(), view.expectedReads.others);

          const afterList = view.requestCount();
          const opened = await toolbox.request('/launcher', { cookie: session.cookie, form: forms.password_reset! });
          assert.equal(opened.status, 303);
          const location = opened.headers.get('location')!;
          assert.match(location, /^\/launches\/[A-Za-z0-9_-]+$/);
          const form = await toolbox.request(location, { cookie: session.cookie });
          assert.equal(form.status, 200);
          const formHtml = decode(await form.text());
          assert.match(formHtml, /<h1>Password reset<\/h1>/);
          assert.match(formHtml, /Megan locked out after password expiry/);
          assert.match(formHtml, /Matched from the contact by e-mail address/);
          assert.deepEqual(view.recordReads(afterList), [], 'the launch read the records the launcher had just read');

          const launch = await toolbox.services.store.launches.get(location.split('/').pop()!);
          assert.equal(launch?.psaKind, psa.kind);
          assert.equal(launch?.ticketId, '1001');
          assert.deepEqual(launch?.extraParams, { via: 'launcher' });
        });
      });

      test('the URL with the variable left unfilled says the PSA did not fill it in, and reads nothing', async () => {
        await psa.run(database, async (toolbox, session, view) => {
          const before = view.requestCount();
          const page = await toolbox.request(`/launcher?ticket_id=${encodeURIComponent(psa.variable)}`, { cookie: session.cookie });
          assert.equal(page.status, 400);
          const html = decode(await page.text());
          assert.ok(
            html.includes(`ticket_id still holds the placeholder "${psa.variable}": the PSA did not fill it in`),
            html.slice(0, 800),
          );
          assert.equal(view.requestCount(), before, 'the PSA was called for an unfilled link');
        });
      });
    });
  }

  describe(`an Autotask LiveLink set up with the ticket number instead of its id (${database.name})`, { skip: database.skip }, () => {
    test('opens the same ticket, looked up by its number once for the launcher and the launch together', async () => {
      await PSAS[0]!.run(database, async (toolbox, session, view) => {
        const page = await toolbox.request(`/launcher?ticket_id=${encodeURIComponent(view.ticketNumber)}`, { cookie: session.cookie });
        const html = decode(await page.text());
        assert.equal(page.status, 200, html.slice(0, 500));
        assert.ok(html.includes(`${view.ticketNumber}</a> Megan locked out after password expiry`));
        const forms = launcherForms(html);
        assert.equal(forms.password_reset?.company_id, '250');
        assert.equal(forms.password_reset?.contact_id, '301');
        const opened = await toolbox.request('/launcher', { cookie: session.cookie, form: forms.password_reset! });
        assert.equal(opened.status, 303);
        const form = decode(await (await toolbox.request(opened.headers.get('location')!, { cookie: session.cookie })).text());
        assert.match(form, /Matched from the contact by e-mail address/);
        assert.equal(view.log().filter((entry) => entry === 'POST Tickets/query').length, 1, 'the number was looked up again');
      });
    });
  });
}
