import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { demoTenants } from '../../../demo/demo-data.js';
import { createManualClock } from '../../../lib/clock.js';
import { createLogger } from '../../../lib/logger.js';
import { createGraphSimulator, DEFAULT_APP_PERMISSIONS, type GraphSimulatorOptions } from '../../../simulators/graph/graph-simulator.js';
import { createEntraConnector } from './entra-connector.js';

const ORIGIN = 'https://graph.search.test';
const contoso = demoTenants[0]!;
const [megan, diego, diegoAdmin] = contoso.users as [(typeof contoso.users)[0], (typeof contoso.users)[0], (typeof contoso.users)[0]];

/** The connector against the Graph simulator in-process, as the test toolbox wires them. */
function setup(options: GraphSimulatorOptions = {}) {
  const sim = createGraphSimulator(options);
  const connector = createEntraConnector();
  const settings = connector.settings.parse({
    tenantId: contoso.tenantId,
    clientId: contoso.clientId,
    clientSecret: contoso.clientSecret,
    authorityHost: ORIGIN,
    graphUrl: ORIGIN,
  });
  const client = connector.create(settings, {
    fetch: async (input, init) => sim.handler(new Request(new URL(String(input)), init)),
    logger: createLogger({ level: 'debug', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    clock: createManualClock(),
    sleep: async () => {},
  });
  const userQueries = () => sim.state.requests.filter((r) => r.path === '/v1.0/users').map((r) => ({ query: r.query, status: r.status }));
  return { sim, client, userQueries };
}

describe('Entra user search', () => {
  it('finds users by last name, first name, display name, sign-in name and mail', async () => {
    const { client, userQueries } = setup();
    const ids = async (query: string) => (await client.searchUsers(query)).map((u) => u.id).sort();
    // Neither "siciliani" nor "bowen" starts a display name, a sign-in name or a mail address.
    assert.deepEqual(await ids('siciliani'), [diego.id, diegoAdmin.id].sort());
    assert.deepEqual(await ids('bowen'), [megan.id]);
    assert.deepEqual(await ids('Megan'), [megan.id]);
    assert.deepEqual(await ids('dsicil'), [diego.id]);
    assert.deepEqual(await ids('diego.admin@'), [diegoAdmin.id]);
    // A default query: no ConsistencyLevel header is needed, so a user created a moment ago is found.
    assert.ok(userQueries().every((r) => r.status === 200));
  });

  it('matches several words as first and last name, in either order, or as the display name', async () => {
    const { client } = setup();
    const ids = async (query: string) => (await client.searchUsers(query)).map((u) => u.id).sort();
    assert.deepEqual(await ids('megan bowen'), [megan.id]);
    assert.deepEqual(await ids('  Bowen   Megan '), [megan.id]);
    assert.deepEqual(await ids('meg bow'), [megan.id]);
    assert.deepEqual(await ids('Diego Siciliani (admin'), [diegoAdmin.id]);
    assert.deepEqual(await ids('megan siciliani'), []);
  });

  it('returns title, department, state, source and the last sign-in', async () => {
    const { client, userQueries } = setup();
    const [found] = await client.searchUsers('bowen');
    assert.equal(found?.jobTitle, 'Practice Manager');
    assert.equal(found?.department, 'Front Office');
    assert.equal(found?.accountEnabled, true);
    assert.equal(found?.onPremisesSyncEnabled, false);
    assert.equal(found?.lastSignIn, megan.lastSignInDateTime);
    assert.match(userQueries().at(-1)?.query ?? '', /\$select=[^&]*signInActivity/);
    // A user who never signed in is "never", not unknown.
    const [admin] = await client.searchUsers('it-admin');
    assert.equal(admin?.lastSignIn, null);
  });

  const refusals: [string, GraphSimulatorOptions][] = [
    ['without an Entra ID P1/P2 licence', { nonPremiumTenants: ['contoso'] }],
    ['without AuditLog.Read.All', { appPermissions: { contoso: DEFAULT_APP_PERMISSIONS.filter((p) => p !== 'AuditLog.Read.All') } }],
  ];
  for (const [why, options] of refusals) {
    it(`${why}: searches without the last sign-in, asking Graph for it only once`, async () => {
      const { client, userQueries } = setup(options);
      const [first] = await client.searchUsers('bowen');
      assert.equal(first?.id, megan.id);
      assert.equal(first?.jobTitle, 'Practice Manager');
      assert.equal('lastSignIn' in (first ?? {}), false, 'no last sign-in rather than a made-up one');
      assert.equal((await client.searchUsers('siciliani')).length, 2);
      const queries = userQueries();
      assert.deepEqual(
        queries.map((q) => q.status),
        [403, 200, 200],
      );
      assert.ok(!queries[2]?.query.includes('signInActivity'), 'the refusal is remembered');
    });
  }
});
