import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEMO_ADMIN } from '../../src/demo/demo-config.js';
import { createManualClock } from '../../src/lib/clock.js';
import { DEMO_HALO_API_AGENT, demoHaloPsa } from '../../src/simulators/halopsa/halopsa-seed.js';
import { createHaloPsaSimulator, type HaloPsaSimulator } from '../../src/simulators/halopsa/halopsa-simulator.js';
import { TEST_DATABASES } from '../helpers/test-databases.js';
import { createTestToolbox, EMPTY_CONSOLE_CONFIG, type TestToolbox } from '../helpers/test-toolbox.js';
import { type CliCheckLine, checkLines, runToolboxCli } from '../helpers/toolbox-cli.js';
import { upstream } from '../helpers/upstream.js';

/**
 * Issue 11's "done when" for HaloPSA: `toolbox check` (the real CLI, in its own process) and the
 * console's systems check (over the JSON API) pass against a Halo-hosted simulator with a right
 * set-up (1Stream's: "CRM Company", "API Key", "API Private Key", an API agent with a default
 * team), and fail with the right fix on a wrong client id or secret, a wrong or missing tenant, a
 * missing API agent, a missing default team and throttling (429 with Retry-After).
 */

const WRONG_SECRET = 'wrong-halo-client-secret-41c7';
const WRONG_CLIENT_ID = '00000000-1111-4222-8333-444444444444';

const LINES = [
  'HaloPSA URL answers',
  'Client ID, Client Secret and tenant accepted',
  'API agent',
  'API agent has a default team',
  'Can read tickets',
  'Can read clients',
  'Can read users (contacts)',
  'Can read agents',
  'Can add ticket notes',
];

const lineOf = <L extends { name: string }>(lines: L[], name: string): L => {
  const found = lines.find((line) => line.name === name);
  assert.ok(found, `no line '${name}' in ${JSON.stringify(lines.map((l) => l.name))}`);
  return found;
};

/** Runs `body` with the simulator's API agent changed (no agent, no team), and puts it back after. */
async function withApiAgent(sim: HaloPsaSimulator, change: 'none' | 'no-team', body: () => Promise<void>): Promise<void> {
  const agent = sim.state.agents.get(DEMO_HALO_API_AGENT.id);
  assert.ok(agent);
  const saved = { id: sim.state.apiAgentId, team: agent.team };
  if (change === 'none') sim.state.apiAgentId = null;
  else agent.team = '';
  try {
    await body();
  } finally {
    sim.state.apiAgentId = saved.id;
    agent.team = saved.team;
  }
}

/** Runs `body` with Halo answering 429 (with Retry-After) after a few requests, then lifts the limit. */
async function throttled(sim: HaloPsaSimulator, clock: ReturnType<typeof createManualClock>, body: () => Promise<void>): Promise<void> {
  // A fresh window of 3 requests: the URL, the token and the API agent get through, the reads do not.
  clock.advance(600_000);
  sim.state.rateLimit = { requests: 3, windowMs: 300_000 };
  try {
    await body();
  } finally {
    sim.state.rateLimit = undefined;
  }
}

describe('npm run toolbox -- check, on HaloPSA (the real CLI against a Halo-hosted simulator)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'toolbox-check-halopsa-'));
  const clock = createManualClock();
  const sim = createHaloPsaSimulator({ clock, hosted: true });
  let server: Awaited<ReturnType<HaloPsaSimulator['listen']>>;

  before(async () => {
    server = await sim.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await server.close();
  });

  let runs = 0;
  /** Runs `toolbox check` with a configuration file of this Halo connection; the secret comes from the environment. */
  async function check(psa: Record<string, unknown> = {}, env: Record<string, string> = {}) {
    const path = join(dir, `config-${++runs}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        psa: {
          kind: 'halopsa',
          url: server.url,
          hosting: 'hosted',
          tenant: demoHaloPsa.tenant,
          clientId: demoHaloPsa.clientId,
          clientSecret: 'env:HALO_SECRET',
          ...psa,
        },
      }),
    );
    const run = await runToolboxCli(['check'], {
      TOOLBOX_CONFIG: path,
      TOOLBOX_DATA_DIR: join(dir, 'data'),
      HALO_SECRET: demoHaloPsa.clientSecret,
      ...env,
    });
    const lines = checkLines(run.stdout, 'PSA (halopsa, file)');
    assert.deepEqual(
      lines.map((line) => line.name),
      LINES,
      run.stdout + run.stderr,
    );
    for (const secret of [demoHaloPsa.clientSecret, WRONG_SECRET]) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'a secret is printed');
    }
    return { ...run, lines, line: (name: string) => lineOf(lines, name) };
  }
  const states = (lines: CliCheckLine[]) => lines.map((line) => line.state);

  test('a right set-up passes every line (adding a note is not verifiable without writing one), exit 0', async () => {
    const run = await check();
    assert.equal(run.status, 0, run.stdout);
    assert.deepEqual(states(run.lines), [...LINES.slice(0, -1).map(() => 'PASS'), 'UNVERIFIABLE']);
    assert.match(run.line('API agent has a default team').message, /'Help Desk'/);
  });

  test('a wrong client secret: the token line names the API Key and API Private Key; exit 1', async () => {
    const run = await check({}, { HALO_SECRET: WRONG_SECRET });
    assert.equal(run.status, 1);
    const token = run.line('Client ID, Client Secret and tenant accepted');
    assert.equal(token.state, 'FAIL');
    assert.match(token.hint ?? '', /clientId \(1Stream: "API Key"\) and clientSecret \("API Private Key"\)/);
    assert.ok(run.lines.slice(2).every((line) => line.state === 'NOT RUN'));
  });

  test('a wrong tenant: the token line says so and names the tenant Halo reports; the keys are not blamed', async () => {
    const run = await check({ tenant: 'contoso' });
    assert.equal(run.status, 1);
    const token = run.line('Client ID, Client Secret and tenant accepted');
    assert.equal(token.state, 'FAIL');
    assert.match(token.message, /does not know the tenant 'contoso'/);
    assert.match(token.hint ?? '', /CRM Company.*probably 'northwind'/);
    assert.doesNotMatch(token.hint ?? '', /API Private Key/);
  });

  test('no API agent: its line says how to make the application log in as one', () =>
    withApiAgent(sim, 'none', async () => {
      const run = await check();
      assert.equal(run.status, 1);
      assert.equal(run.line('API agent').state, 'FAIL');
      assert.match(run.line('API agent').hint ?? '', /"Is an API-only Agent".*Login Type to "Agent"/);
      assert.equal(run.line('API agent has a default team').state, 'NOT RUN');
    }));

  test('the API agent has no default team: that line fails with where to set it, and the empty agent list is explained', () =>
    withApiAgent(sim, 'no-team', async () => {
      const run = await check();
      assert.equal(run.status, 1);
      assert.equal(run.line('API agent').state, 'PASS');
      assert.equal(run.line('API agent has a default team').state, 'FAIL');
      assert.match(
        run.line('API agent has a default team').hint ?? '',
        /Agents > 1Stream API and choose one of your teams as its Default Team/,
      );
      assert.equal(run.line('Can read agents').state, 'FAIL');
      assert.match(run.line('Can read agents').hint ?? '', /Default Team/);
    }));

  test('throttled (429 with Retry-After): a line says Halo is rate-limiting and how long to wait, never "wrong keys"', () =>
    throttled(sim, clock, async () => {
      const run = await check();
      assert.equal(run.status, 1);
      const first = run.lines.find((line) => line.state === 'FAIL');
      assert.ok(first, run.stdout);
      assert.equal(first.name, 'Can read tickets');
      assert.match(first.message, /rate-limiting us; try again in \d+ s/);
      assert.match(first.hint ?? '', /not a problem with the toolbox's settings/);
      assert.doesNotMatch(run.stdout, /API Private Key|Access Level/);
      assert.ok(run.lines.slice(LINES.indexOf('Can read tickets') + 1).every((line) => line.state === 'NOT RUN'));
    }));
});

for (const database of TEST_DATABASES) {
  describe(`HaloPSA systems check in the admin console (${database.name})`, { skip: database.skip }, () => {
    const HALO = 'https://northwind.halopsa.com';
    const CONNECTION = {
      kind: 'halopsa',
      fields: { url: HALO, hosting: 'hosted', tenant: demoHaloPsa.tenant, clientId: demoHaloPsa.clientId },
      secrets: { clientSecret: demoHaloPsa.clientSecret },
    };
    const clock = createManualClock();
    const sim = createHaloPsaSimulator({ clock, hosted: true });
    let toolbox: TestToolbox;
    let store: Awaited<ReturnType<typeof database.open>>;
    let admin: { cookie: string; csrf: string };
    const bodies: string[] = [];

    type Line = { name: string; ok: boolean; outcome?: string; message: string; hint?: string; upstreamCode?: string };
    type Run = { lastCheck: { results: Line[]; passed: number; failed: number; notRun: number }; members: { count: number } };

    const save = async (connection: { kind: string; fields: Record<string, string>; secrets: Record<string, string> }) => {
      const response = await toolbox.api('PUT', '/api/admin/psa', { session: admin, body: connection });
      const text = await response.text();
      bodies.push(text);
      assert.equal(response.status, 200, text);
    };
    const run = async () => {
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
      toolbox = await createTestToolbox({ store, config: EMPTY_CONSOLE_CONFIG, upstreams: { [HALO]: upstream(sim.fetch) } });
      admin = await toolbox.signIn(DEMO_ADMIN);
    });
    after(async () => {
      await toolbox.close();
      await store.drop();
    });

    test('a right set-up: every line passes (the note is not verifiable), the agents are pulled and the run is stored', async () => {
      await save(CONNECTION);
      const result = await run();
      assert.deepEqual(
        result.lastCheck.results.filter((line) => !line.ok).map((line) => [line.name, line.outcome]),
        [['Can add ticket notes', 'unverified']],
      );
      assert.equal(result.members.count, 2);
      const stored = (await (await toolbox.api('GET', '/api/admin/psa/check', { session: admin })).json()) as {
        lastCheck: { ranBy: string; results: Line[] };
      };
      assert.equal(stored.lastCheck.ranBy, DEMO_ADMIN.email);
      assert.equal(stored.lastCheck.results.length, LINES.length);
      const html = await (await toolbox.request('/admin/psa/check', { cookie: admin.cookie })).text();
      assert.match(html, /<li class="status-succeeded"><span class="badge">pass<\/span> <strong>API agent has a default team<\/strong>/);
      assert.match(html, /8 passed, 0 failed, 1 not verifiable/);
      // Nothing was written to Halo.
      assert.deepEqual(
        sim.state.requests.filter((r) => r.method !== 'GET' && r.path !== '/auth/token').map((r) => r.path),
        [],
      );
    });

    test('a wrong client secret, then a wrong client id: the token line names the API Key and API Private Key', async () => {
      for (const connection of [
        { ...CONNECTION, secrets: { clientSecret: WRONG_SECRET } },
        { ...CONNECTION, fields: { ...CONNECTION.fields, clientId: WRONG_CLIENT_ID } },
      ]) {
        await save(connection);
        const result = await run();
        const token = result.line('Client ID, Client Secret and tenant accepted');
        assert.equal(token.ok, false);
        assert.equal(token.upstreamCode, '401 invalid_client');
        assert.match(token.hint ?? '', /"API Key".*"API Private Key".*changes on save/);
        assert.equal(result.lastCheck.notRun, 7);
        assert.equal(result.members.count, 2, 'the agents pulled before are kept');
      }
      const html = await (await toolbox.request('/admin/psa/check', { cookie: admin.cookie })).text();
      assert.match(
        html,
        /<li class="status-failed"><span class="badge">fail<\/span> <strong>Client ID, Client Secret and tenant accepted<\/strong>/,
      );
      assert.match(html, /What to do: Re-enter clientId/);
    });

    test('a wrong tenant, and a hosted instance saved as self-hosted: the tenant fix, with the tenant of the address', async () => {
      await save({ ...CONNECTION, fields: { ...CONNECTION.fields, tenant: 'contoso' } });
      const wrong = await run();
      assert.equal(wrong.state('Client ID, Client Secret and tenant accepted'), 'fail');
      assert.match(wrong.line('Client ID, Client Secret and tenant accepted').message, /does not know the tenant 'contoso'/);
      assert.match(wrong.line('Client ID, Client Secret and tenant accepted').hint ?? '', /CRM Company.*probably 'northwind'/);

      const { tenant: _tenant, ...withoutTenant } = CONNECTION.fields;
      await save({ ...CONNECTION, fields: { ...withoutTenant, hosting: 'self-hosted' } });
      const missing = await run();
      assert.match(missing.line('Client ID, Client Secret and tenant accepted').message, /hosted by Halo and needs the tenant/);
      assert.match(missing.line('Client ID, Client Secret and tenant accepted').hint ?? '', /Hosted by Halo.*probably 'northwind'/);
    });

    test('no API agent, then an API agent without a default team: each line says what to set in Halo', async () => {
      await save(CONNECTION);
      await withApiAgent(sim, 'none', async () => {
        const result = await run();
        assert.equal(result.state('API agent'), 'fail');
        assert.match(result.line('API agent').hint ?? '', /Login Type to "Agent"/);
        assert.equal(result.state('API agent has a default team'), 'not-run');
      });
      await withApiAgent(sim, 'no-team', async () => {
        const result = await run();
        assert.equal(result.state('API agent'), 'pass');
        assert.equal(result.state('API agent has a default team'), 'fail');
        assert.match(result.line('API agent has a default team').hint ?? '', /Default Team/);
        assert.equal(result.state('Can read agents'), 'fail');
        const html = await (await toolbox.request('/admin/psa/check', { cookie: admin.cookie })).text();
        assert.match(html, /What to do: In HaloPSA, open Configuration &gt; Teams &amp; Agents &gt; Agents &gt; 1Stream API/);
      });
    });

    test('throttled (429 with Retry-After): the line says Halo is rate-limiting, the rest is not run, never "wrong keys"', () =>
      throttled(sim, clock, async () => {
        const result = await run();
        const tickets = result.line('Can read tickets');
        assert.equal(tickets.ok, false);
        assert.equal(tickets.upstreamCode, '429');
        assert.match(tickets.message, /try again in \d+ s/);
        assert.match(tickets.hint ?? '', /not a problem with the toolbox's settings/);
        assert.equal(result.lastCheck.failed, 1);
        assert.ok(!JSON.stringify(result.lastCheck).includes('API Private Key'));
      }));

    test('no secret, right or wrong, is in any response, log line, audit entry or stored check', async () => {
      const audit = JSON.stringify((await store.audit.list({}, { limit: 200, offset: 0 })).items);
      const stored = JSON.stringify(await store.settings.get('psa-members'));
      for (const secret of [demoHaloPsa.clientSecret, WRONG_SECRET]) {
        for (const text of bodies) assert.ok(!text.includes(secret), 'a response holds a secret');
        assert.ok(!toolbox.logText().includes(secret), 'the log holds a secret');
        assert.ok(!audit.includes(secret), 'the audit log holds a secret');
        assert.ok(!stored.includes(secret), 'the stored check holds a secret');
      }
    });
  });
}
