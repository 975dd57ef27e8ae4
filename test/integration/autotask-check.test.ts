import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { createManualClock } from '../../src/lib/clock.js';
import { demoAutotaskApiUser } from '../../src/simulators/autotask/autotask-seed.js';
import { type AutotaskSimulator, createAutotaskSimulator } from '../../src/simulators/autotask/autotask-simulator.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, EMPTY_CONSOLE_CONFIG, type TestToolbox } from '../helpers/test-toolbox.js';
import { type CliCheckLine, checkLines, runToolboxCli } from '../helpers/toolbox-cli.js';
import { upstream } from '../helpers/upstream.js';

/**
 * Issue 11's "done when" for Autotask: `toolbox check` (the real CLI, in its own process) and the
 * console's systems check (over the JSON API) pass against the simulator with a right set-up, and
 * fail with the right fix, in an admin's words, on wrong keys, a wrong integration code, a wrong
 * zone and throttling. The simulator answers as Autotask does (reference autotask.md §1, §2, §8):
 * 500 `{errors}` from zone discovery, an empty 401 for any credential problem, 429 past the hourly
 * threshold.
 */

const WRONG_SECRET = 'wrong-autotask-secret-8d1f';
const WRONG_CODE = 'SOMEONEELSESTRACKINGID00042';
const UNKNOWN_USER = 'alex.owens@northwind-it.example';
const HOUR = 3_600_000;

const LINES = [
  'Autotask zone discovery',
  'Integration code accepted',
  'API user and secret accepted',
  'API request threshold headroom',
  'Ticket and note picklists readable',
  'Can read tickets',
  'Can read companies',
  'Can read contacts',
  'Can read resources (technicians)',
  'Can add ticket notes',
];

const lineOf = <L extends { name: string }>(lines: L[], name: string): L => {
  const found = lines.find((line) => line.name === name);
  assert.ok(found, `no line '${name}' in ${JSON.stringify(lines.map((l) => l.name))}`);
  return found;
};

/** A web server that is not Autotask: what a mistyped zoneDiscoveryUrl or zone reaches. */
const NOT_AUTOTASK = () =>
  new Response('<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>', { status: 404, headers: { 'content-type': 'text/html' } });

describe('npm run toolbox -- check, on Autotask (the real CLI against the simulator)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'toolbox-check-autotask-'));
  const clock = createManualClock();
  let sim: AutotaskSimulator;
  let server: Awaited<ReturnType<AutotaskSimulator['listen']>>;
  let otherZone: Awaited<ReturnType<AutotaskSimulator['listen']>>;
  let web: ReturnType<typeof createServer>;
  let webUrl = '';

  before(async () => {
    // Autotask's own slow-down near the threshold is off: it would only make the runs slower.
    sim = createAutotaskSimulator({ clock, usageLatencyMs: [0, 0] });
    server = await sim.listen({ port: 0 });
    // Another zone's API: it does not know this API user (401 for every call).
    otherZone = await createAutotaskSimulator({ apiUser: { username: 'other-api@elsewhere.example' } }).listen({ port: 0 });
    web = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  });
  after(async () => {
    await server.close();
    await otherZone.close();
    await new Promise((resolve) => web.close(resolve));
  });

  let runs = 0;
  /** Runs `toolbox check` with a configuration file of this Autotask connection; the secrets come from the environment. */
  async function check(psa: Record<string, unknown> = {}, env: Record<string, string> = {}) {
    const path = join(dir, `config-${++runs}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        psa: {
          kind: 'autotask',
          username: demoAutotaskApiUser.username,
          secret: 'env:AT_SECRET',
          integrationCode: 'env:AT_CODE',
          zoneDiscoveryUrl: server.zoneDiscoveryUrl,
          ...psa,
        },
      }),
    );
    const run = await runToolboxCli(['check'], {
      TOOLBOX_CONFIG: path,
      TOOLBOX_DATA_DIR: join(dir, 'data'),
      AT_SECRET: demoAutotaskApiUser.secret,
      AT_CODE: demoAutotaskApiUser.integrationCode,
      ...env,
    });
    const lines = checkLines(run.stdout, 'PSA (autotask, file)');
    assert.deepEqual(
      lines.map((line) => line.name),
      LINES,
      run.stdout + run.stderr,
    );
    for (const secret of [demoAutotaskApiUser.secret, demoAutotaskApiUser.integrationCode, WRONG_SECRET, WRONG_CODE]) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'a secret is printed');
    }
    return { ...run, lines, line: (name: string) => lineOf(lines, name) };
  }
  const states = (lines: CliCheckLine[]) => lines.map((line) => line.state);

  test('a right set-up passes every line (adding a note is not verifiable without writing one), exit 0', async () => {
    const run = await check();
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(states(run.lines), [...LINES.slice(0, -1).map(() => 'PASS'), 'UNVERIFIABLE']);
    assert.match(run.line('Can read resources (technicians)').message, /^3 resources found/);
  });

  test('a wrong secret: the credentials line fails with where the secret comes from; exit 1', async () => {
    const run = await check({}, { AT_SECRET: WRONG_SECRET });
    assert.equal(run.status, 1);
    assert.deepEqual(states(run.lines).slice(0, 4), ['PASS', 'PASS', 'FAIL', 'NOT RUN']);
    const credentials = run.line('API user and secret accepted');
    assert.match(credentials.message, /Autotask refused the API user’s credentials/);
    assert.match(credentials.hint ?? '', /CRM Password.*generate a new one on the API user/);
    assert.ok(run.lines.slice(3).every((line) => line.state === 'NOT RUN'));
  });

  test('a wrong integration code: its own line fails with where the tracking identifier is; the secret is not blamed', async () => {
    const run = await check({}, { AT_CODE: WRONG_CODE });
    assert.equal(run.status, 1);
    assert.deepEqual(states(run.lines).slice(0, 3), ['PASS', 'FAIL', 'NOT RUN']);
    assert.match(run.line('Integration code accepted').hint ?? '', /API Tracking Identifier/);
    assert.doesNotMatch(run.stdout, /CRM Password/);
  });

  test('a username zone discovery does not know: the discovery line says which username to enter', async () => {
    const run = await check({ username: UNKNOWN_USER });
    assert.equal(run.status, 1);
    assert.equal(run.line('Autotask zone discovery').state, 'FAIL');
    assert.match(
      run.line('Autotask zone discovery').hint ?? '',
      /does not know the username 'alex\.owens@northwind-it\.example'.*CRM Username/,
    );
    assert.ok(run.lines.slice(1).every((line) => line.state === 'NOT RUN'));
  });

  test('a wrong zone: discovery answers with another zone, which refuses the user; the fix names the zone it was sent to', async () => {
    const saved = { ...sim.state.zone };
    sim.state.zone = { zoneName: 'Zone 14', url: `${otherZone.url}/ATServicesRest/`, webUrl: 'https://ww14.autotask.net/' };
    try {
      const run = await check();
      assert.equal(run.status, 1);
      assert.match(run.line('Autotask zone discovery').message, /is in zone 'Zone 14'/);
      const credentials = run.line('API user and secret accepted');
      assert.equal(credentials.state, 'FAIL');
      assert.match(
        credentials.hint ?? '',
        /the zone may be wrong: the toolbox was sent to zone 'Zone 14' \(127\.0\.0\.1:\d+, web address ww14\.autotask\.net\)/,
      );
      assert.match(credentials.hint ?? '', /zoneDiscoveryUrl is set to .*remove it/);
    } finally {
      sim.state.zone = saved;
    }
  });

  test('a zoneDiscoveryUrl that points at the wrong place: the fix is to remove it', async () => {
    const run = await check({ zoneDiscoveryUrl: webUrl });
    assert.equal(run.status, 1);
    const discovery = run.line('Autotask zone discovery');
    assert.equal(discovery.state, 'FAIL');
    assert.match(
      discovery.hint ?? '',
      /did not answer as Autotask’s zone lookup does: zoneDiscoveryUrl points at the wrong place\. Remove/,
    );
  });

  test('usage near the hourly threshold: the threshold line says so and where to look, the credentials pass, the toolbox stops calling', async () => {
    // The earlier runs' requests age out first, so the usage is the 9,800 of the other integrations plus this run's.
    clock.advance(HOUR + 1);
    sim.state.threshold.addExternal(9_800);
    try {
      const run = await check();
      assert.equal(run.status, 1);
      assert.equal(run.line('API user and secret accepted').state, 'PASS');
      const headroom = run.line('API request threshold headroom');
      assert.equal(headroom.state, 'FAIL');
      assert.match(headroom.message, /^9,801 of 10,000 API requests used in the past 60 minutes \(98 %\).* near its hourly limit/);
      assert.match(headroom.hint ?? '', /API Activity by Hour/);
      assert.ok(
        run.lines.slice(4).every((line) => line.state === 'NOT RUN' && /no calls this near the hourly threshold/.test(line.message)),
      );
    } finally {
      clock.advance(HOUR + 1);
    }
  });

  test('throttled (429, the threshold used up): the threshold line fails with where to look, never "wrong keys"', async () => {
    sim.state.threshold.addExternal(10_000);
    try {
      const run = await check();
      assert.equal(run.status, 1);
      assert.deepEqual(states(run.lines).slice(0, 4), ['PASS', 'PASS', 'UNVERIFIABLE', 'FAIL']);
      const headroom = run.line('API request threshold headroom');
      assert.match(headroom.message, /hourly request threshold .* is used up/);
      assert.match(headroom.hint ?? '', /not a problem with the toolbox's settings.*API Activity by Hour/);
      assert.doesNotMatch(run.stdout, /CRM Password|refused the API user’s credentials/);
      assert.ok(run.lines.slice(4).every((line) => line.state === 'NOT RUN'));
    } finally {
      clock.advance(HOUR + 1);
    }
  });
});

for (const database of TEST_DATABASES) {
  describe(`Autotask systems check in the admin console (${database.name})`, { skip: database.skip }, () => {
    const AT = 'https://webservices5.autotask.test';
    const ZONE_14 = 'https://webservices14.autotask.test';
    const WEB = 'https://www.msp.test';
    const CONNECTION = {
      kind: 'autotask',
      fields: { username: demoAutotaskApiUser.username, zoneDiscoveryUrl: `${AT}/atservicesrest/v1.0/zoneInformation` },
      secrets: { secret: demoAutotaskApiUser.secret, integrationCode: demoAutotaskApiUser.integrationCode },
    };
    const clock = createManualClock();
    const sim = createAutotaskSimulator({ clock, usageLatencyMs: [0, 0] });
    const otherZone = createAutotaskSimulator({ apiUser: { username: 'other-api@elsewhere.example' } });
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    const bodies: string[] = [];

    type Line = { name: string; ok: boolean; outcome?: string; message: string; hint?: string; upstreamCode?: string };
    type Run = { lastCheck: { results: Line[]; passed: number; failed: number; notRun: number }; members: { count: number } };

    const save = async (connection: { kind: string; fields: Record<string, string>; secrets: Record<string, string> }) => {
      const response = await toolbox.api('PUT', '/api/admin/psa', { session: admin, body: connection });
      bodies.push(await response.clone().text());
      assert.equal(response.status, 200, await response.text());
    };
    const run = async (): Promise<Run & { line: (name: string) => Line; state: (name: string) => string }> => {
      const response = await toolbox.api('POST', '/api/admin/psa/check', { session: admin, body: {} });
      const text = await response.text();
      bodies.push(text);
      assert.equal(response.status, 200, text);
      const result = JSON.parse(text) as Run;
      assert.deepEqual(
        result.lastCheck.results.map((line) => line.name),
        LINES,
      );
      const line = (name: string) => lineOf(result.lastCheck.results, name);
      const state = (name: string) => {
        const found = line(name);
        return found.ok ? 'pass' : (found.outcome ?? 'fail');
      };
      return { ...result, line, state };
    };

    before(async () => {
      store = await database.open();
      toolbox = await createTestToolbox({
        store,
        config: EMPTY_CONSOLE_CONFIG,
        upstreams: {
          [AT]: upstream(sim.fetch),
          [ZONE_14]: upstream(otherZone.fetch),
          [WEB]: NOT_AUTOTASK,
        },
      });
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('a right set-up: every line passes (the note is not verifiable), the resources are pulled and the run is stored', async () => {
      await save(CONNECTION);
      const result = await run();
      assert.deepEqual(
        result.lastCheck.results.filter((line) => !line.ok).map((line) => [line.name, line.outcome]),
        [['Can add ticket notes', 'unverified']],
      );
      assert.equal(result.lastCheck.passed, 9);
      assert.equal(result.members.count, 3);
      // Stored: the page and the API show the last run after the fact.
      const stored = (await (await toolbox.api('GET', '/api/admin/psa/check', { session: admin })).json()) as {
        lastCheck: { ranBy: string; results: Line[] };
      };
      assert.equal(stored.lastCheck.ranBy, DEMO_ADMIN.email);
      assert.equal(stored.lastCheck.results.length, LINES.length);
      const html = await (await toolbox.request('/admin/psa/check', { cookie: admin.cookie })).text();
      assert.match(html, /<li class="status-succeeded"><span class="badge">pass<\/span> <strong>Autotask zone discovery<\/strong>/);
      assert.match(html, /9 passed, 0 failed, 1 not verifiable/);
      // Nothing was written to Autotask.
      assert.deepEqual(
        sim.state.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/query')).map((r) => r.path),
        [],
      );
    });

    test('a wrong secret: the credentials line fails with the fix, the rest is not run, the resources pulled before are kept', async () => {
      await save({ ...CONNECTION, secrets: { ...CONNECTION.secrets, secret: WRONG_SECRET } });
      const result = await run();
      assert.equal(result.state('API user and secret accepted'), 'fail');
      assert.equal(result.line('API user and secret accepted').upstreamCode, '401');
      assert.match(result.line('API user and secret accepted').hint ?? '', /CRM Password/);
      assert.equal(result.lastCheck.notRun, 7);
      assert.equal(result.members.count, 3);
      const html = await (await toolbox.request('/admin/psa/check', { cookie: admin.cookie })).text();
      assert.match(html, /<li class="status-failed"><span class="badge">fail<\/span> <strong>API user and secret accepted<\/strong>/);
      assert.match(html, /What to do: Re-enter the CRM Username, the CRM Password and the integration code/);
    });

    test('a wrong integration code, and a username zone discovery does not know: each on its own line with its fix', async () => {
      await save({ ...CONNECTION, secrets: { ...CONNECTION.secrets, integrationCode: WRONG_CODE } });
      const code = await run();
      assert.equal(code.state('Integration code accepted'), 'fail');
      assert.match(code.line('Integration code accepted').hint ?? '', /API Tracking Identifier/);
      assert.equal(code.state('API user and secret accepted'), 'not-run');

      await save({ ...CONNECTION, fields: { ...CONNECTION.fields, username: UNKNOWN_USER } });
      const user = await run();
      assert.equal(user.state('Autotask zone discovery'), 'fail');
      assert.equal(user.line('Autotask zone discovery').upstreamCode, '500');
      assert.match(user.line('Autotask zone discovery').hint ?? '', /does not know the username 'alex\.owens@northwind-it\.example'/);
    });

    test('a wrong zone: discovery sends the toolbox to a zone that refuses the user, or zoneDiscoveryUrl points at a web site', async () => {
      await save(CONNECTION);
      const saved = { ...sim.state.zone };
      sim.state.zone = { zoneName: 'Zone 14', url: `${ZONE_14}/ATServicesRest/`, webUrl: 'https://ww14.autotask.net/' };
      try {
        const zone = await run();
        assert.equal(zone.state('Autotask zone discovery'), 'pass');
        assert.equal(zone.state('API user and secret accepted'), 'fail');
        assert.match(
          zone.line('API user and secret accepted').hint ?? '',
          /the zone may be wrong: the toolbox was sent to zone 'Zone 14' \(webservices14\.autotask\.test, web address ww14\.autotask\.net\)/,
        );
      } finally {
        sim.state.zone = saved;
      }

      await save({ ...CONNECTION, fields: { ...CONNECTION.fields, zoneDiscoveryUrl: WEB } });
      const web = await run();
      assert.equal(web.state('Autotask zone discovery'), 'fail');
      assert.match(
        web.line('Autotask zone discovery').hint ?? '',
        /www\.msp\.test did not answer as Autotask’s zone lookup does.*Remove zoneDiscoveryUrl/,
      );
    });

    test('usage near the threshold, then the threshold used up (429): the threshold line says so, never "wrong keys"', async () => {
      await save(CONNECTION);
      sim.state.threshold.addExternal(9_800);
      const near = await run();
      assert.equal(near.state('API user and secret accepted'), 'pass');
      assert.equal(near.state('API request threshold headroom'), 'fail');
      assert.match(near.line('API request threshold headroom').message, /near its hourly limit/);
      assert.equal(near.state('Can read tickets'), 'not-run');

      sim.state.threshold.addExternal(200);
      const used = await run();
      assert.equal(used.state('API user and secret accepted'), 'unverified');
      const headroom = used.line('API request threshold headroom');
      assert.equal(headroom.ok, false);
      assert.equal(headroom.upstreamCode, '429');
      assert.match(headroom.hint ?? '', /not a problem with the toolbox's settings/);
      assert.ok(!JSON.stringify(used.lastCheck).includes('CRM Password'));
      assert.equal(used.lastCheck.failed, 1);
      const html = await (await toolbox.request('/admin/psa/check', { cookie: admin.cookie })).text();
      assert.match(html, /What to do: Your Autotask database has used up its hourly API request threshold/);

      // An hour later the threshold has room again and the check passes.
      clock.advance(HOUR + 1);
      const later = await run();
      assert.equal(later.state('API request threshold headroom'), 'pass');
      assert.equal(later.state('Can read resources (technicians)'), 'pass');
    });

    test('no secret, right or wrong, is in any response, log line, audit entry or stored check', async () => {
      const audit = JSON.stringify((await store.audit.list({}, { limit: 200, offset: 0 })).items);
      const stored = JSON.stringify(await store.settings.get('psa-members'));
      for (const secret of [demoAutotaskApiUser.secret, demoAutotaskApiUser.integrationCode, WRONG_SECRET, WRONG_CODE]) {
        for (const text of bodies) assert.ok(!text.includes(secret), 'a response holds a secret');
        assert.ok(!toolbox.logText().includes(secret), 'the log holds a secret');
        assert.ok(!audit.includes(secret), 'the audit log holds a secret');
        assert.ok(!stored.includes(secret), 'the stored check holds a secret');
      }
    });
  });
}
