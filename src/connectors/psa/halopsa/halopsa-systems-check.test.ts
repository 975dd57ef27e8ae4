import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HaloHarnessOptions, withHalo } from '../../../../test/helpers/halopsa-harness.js';
import { DEMO_HALO_API_AGENT } from '../../../simulators/halopsa/halopsa-seed.js';
import { checkLineState, type SystemsCheckResult } from '../../systems-check.js';

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

async function check(options: HaloHarnessOptions): Promise<SystemsCheckResult[]> {
  let results: SystemsCheckResult[] = [];
  await withHalo(options, async ({ client }) => {
    results = await client.systemsCheck();
  });
  assert.deepEqual(
    results.map((line) => line.name),
    LINES,
  );
  return results;
}

const line = (results: SystemsCheckResult[], name: string) => {
  const found = results.find((result) => result.name === name);
  assert.ok(found, name);
  return found;
};
const states = (results: SystemsCheckResult[]) => Object.fromEntries(results.map((result) => [result.name, checkLineState(result)]));

describe('HaloPSA systems check', () => {
  it('passes line by line against a well set-up Halo, and leaves the note write unverified', async () => {
    const results = await check({});
    assert.deepEqual(states(results), {
      'HaloPSA URL answers': 'pass',
      'Client ID, Client Secret and tenant accepted': 'pass',
      'API agent': 'pass',
      'API agent has a default team': 'pass',
      'Can read tickets': 'pass',
      'Can read clients': 'pass',
      'Can read users (contacts)': 'pass',
      'Can read agents': 'pass',
      'Can add ticket notes': 'unverified',
    });
    assert.match(line(results, 'API agent').message, /'1Stream API'/);
    assert.match(line(results, 'API agent has a default team').message, /'Help Desk'/);
    assert.match(line(results, 'Can read agents').message, /2 agents found \(2 active\)/);
    assert.match(line(results, 'Can add ticket notes').message, /'Private Note' \(id 3\)/);
  });

  it('asks for one token per run, and uses it for the rest of the run (no second sign-in against a rate-limited Halo)', async () => {
    await withHalo({}, async ({ client, sim }) => {
      await client.systemsCheck();
      assert.equal(sim.tokensIssued(), 1);
      // Each run tests the credentials afresh, even with a token still cached.
      await client.systemsCheck();
      assert.equal(sim.tokensIssued(), 2);
    });
  });

  it('points at the API Key and API Private Key when the secret is wrong, and runs nothing after', async () => {
    const results = await check({ settings: { clientSecret: 'wrong' } });
    const token = line(results, 'Client ID, Client Secret and tenant accepted');
    assert.equal(checkLineState(token), 'fail');
    assert.equal(token.upstreamCode, '401 invalid_client');
    assert.match(token.hint ?? '', /clientId \(1Stream: "API Key"\) and clientSecret \("API Private Key"\)/);
    assert.match(token.hint ?? '', /changes on save/);
    for (const name of LINES.slice(2)) assert.equal(checkLineState(line(results, name)), 'not-run', name);
  });

  it('says the tenant is wrong, or missing, with the likely tenant of a halopsa.com address', async () => {
    const wrong = await check({ sim: { hosted: true }, settings: { tenant: 'contoso' } });
    const wrongLine = line(wrong, 'Client ID, Client Secret and tenant accepted');
    assert.equal(checkLineState(wrongLine), 'fail');
    assert.match(wrongLine.message, /tenant 'contoso'/);
    assert.match(wrongLine.hint ?? '', /CRM Company/);
    // Halo reports its tenant at /api/authinfo: the hint names it.
    assert.match(wrongLine.hint ?? '', /probably 'northwind' \(the tenant it reports at \/api\/authinfo\)/);

    // The simulator answers for northwind.halopsa.com: the request still goes over its socket.
    const missing = await check({
      sim: { hosted: true },
      settings: { url: 'http://northwind.halopsa.com' },
      fetch: (real, url) => (input, init) => real(String(input).replace('http://northwind.halopsa.com', url), init),
    });
    const missingLine = line(missing, 'Client ID, Client Secret and tenant accepted');
    assert.match(missingLine.message, /needs the tenant/);
    assert.match(missingLine.hint ?? '', /probably 'northwind'/);
    assert.equal(checkLineState(line(missing, 'HaloPSA URL answers')), 'pass');
    assert.match(line(missing, 'HaloPSA URL answers').message, /reports the tenant 'northwind'/);
  });

  it('fails the default-team line with the fix when the API agent has no team, and explains the empty agent list', async () => {
    const results = await check({ sim: { seed: { apiAgent: { ...DEMO_HALO_API_AGENT, team: '' } } } });
    const team = line(results, 'API agent has a default team');
    assert.equal(checkLineState(team), 'fail');
    assert.match(team.hint ?? '', /Configuration > Teams & Agents > Agents > 1Stream API.*Default Team/);
    const agents = line(results, 'Can read agents');
    assert.equal(checkLineState(agents), 'fail');
    assert.match(agents.hint ?? '', /Default Team/);
    assert.equal(checkLineState(line(results, 'API agent')), 'pass');
  });

  it('says how to make the application log in as an agent when it has none', async () => {
    const results = await check({ sim: { seed: { apiAgent: null } } });
    const agent = line(results, 'API agent');
    assert.equal(checkLineState(agent), 'fail');
    assert.match(agent.hint ?? '', /Login Type to "Agent"/);
    assert.equal(checkLineState(line(results, 'API agent has a default team')), 'not-run');
  });

  it('warns about a regular agent used as the API agent, and fails a disabled one', async () => {
    const regular = await check({ sim: { seed: { apiAgent: { ...DEMO_HALO_API_AGENT, isapiagent: false } } } });
    assert.equal(checkLineState(line(regular, 'API agent')), 'warning');
    const disabled = await check({ sim: { seed: { apiAgent: { ...DEMO_HALO_API_AGENT, isdisabled: true } } } });
    assert.equal(checkLineState(line(disabled, 'API agent')), 'fail');
  });

  it('names the permission when a read is refused', async () => {
    const results = await check({ sim: { forbidden: [{ path: '/api/Users' }] } });
    const users = line(results, 'Can read users (contacts)');
    assert.equal(checkLineState(users), 'fail');
    assert.equal(users.upstreamCode, '403');
    assert.match(users.hint ?? '', /Users Access Level/);
    assert.equal(checkLineState(line(results, 'Can read clients')), 'pass');
  });

  it('fails the note line when the note outcome does not exist, listing the ones there are', async () => {
    const results = await check({ settings: { noteOutcomeId: 999 } });
    const note = line(results, 'Can add ticket notes');
    assert.equal(checkLineState(note), 'fail');
    assert.match(note.message, /no outcome with id 999/);
    assert.match(note.hint ?? '', /Private Note \(3\)/);
  });

  it('fails the URL line and runs nothing else when nothing answers there', async () => {
    const results = await check({ settings: { url: 'http://127.0.0.1:9' } });
    assert.equal(checkLineState(line(results, 'HaloPSA URL answers')), 'fail');
    assert.match(line(results, 'HaloPSA URL answers').hint ?? '', /address you sign in to Halo at/);
    assert.equal(checkLineState(line(results, 'Client ID, Client Secret and tenant accepted')), 'not-run');
  });

  it('says Halo is throttling, not that the settings are wrong, and runs nothing after the 429', async () => {
    const results = await check({ sim: { rateLimit: { requests: 4, windowMs: 300_000 } } });
    const throttled = results.filter((result) => result.upstreamCode === '429');
    assert.equal(throttled.length, 1);
    const first = throttled[0]!;
    assert.equal(checkLineState(first), 'fail');
    assert.match(first.message, /rate-limiting us; try again in 300 s/);
    assert.match(first.hint ?? '', /HTTP 429\): this is not a problem with the toolbox's settings/);
    assert.doesNotMatch(first.hint ?? '', /Access Level/);
    const after = results.slice(results.indexOf(first) + 1);
    assert.ok(after.length > 0);
    for (const result of after) {
      assert.equal(checkLineState(result), 'not-run', result.name);
      assert.equal(result.message, 'Not tried: HaloPSA is rate-limiting the toolbox (see above).');
    }
  });

  it('a 429 on the token request fails the token line with the wait, never "wrong client id"', async () => {
    let results: SystemsCheckResult[] = [];
    await withHalo({}, async ({ client, sim }) => {
      sim.failNext('/auth/token', 429, 3, { retryAfterSeconds: 30 });
      results = await client.systemsCheck();
    });
    const token = line(results, 'Client ID, Client Secret and tenant accepted');
    assert.equal(token.upstreamCode, '429');
    assert.match(token.message, /try again in 30 s/);
    assert.doesNotMatch(`${token.message} ${token.hint}`, /API Key|Client ID and Secret/);
    for (const name of LINES.slice(2)) assert.equal(checkLineState(line(results, name)), 'not-run', name);
  });

  it('a 429 on the API agent lookup is not "create an agent"', async () => {
    let results: SystemsCheckResult[] = [];
    await withHalo({}, async ({ client, sim }) => {
      sim.failNext('/api/Agent/me', 429, 3, { retryAfterSeconds: 60 });
      results = await client.systemsCheck();
    });
    const agent = line(results, 'API agent');
    assert.equal(checkLineState(agent), 'fail');
    assert.doesNotMatch(agent.hint ?? '', /Login Type/);
    assert.match(agent.hint ?? '', /HTTP 429/);
    assert.equal(checkLineState(line(results, 'Can read tickets')), 'not-run');
  });
});
