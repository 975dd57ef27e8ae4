import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { withAutotask } from '../../../../test/helpers/autotask-sim.js';
import type { FetchLike } from '../../../lib/http-fetch.js';
import { checkLineState } from '../../systems-check.js';

const NAMES = [
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

const states = (results: { name: string; ok: boolean; outcome?: 'not-run' | 'unverified' | 'warning' }[]) =>
  results.map((r) => [r.name, checkLineState(r)]);

describe('Autotask systems check', () => {
  it('passes line by line with good settings, and writes nothing', () =>
    withAutotask({}, async ({ client, sim, server }) => {
      const results = await client.systemsCheck();
      assert.deepEqual(states(results), [
        [NAMES[0], 'pass'],
        [NAMES[1], 'pass'],
        [NAMES[2], 'pass'],
        [NAMES[3], 'pass'],
        [NAMES[4], 'pass'],
        [NAMES[5], 'pass'],
        [NAMES[6], 'pass'],
        [NAMES[7], 'pass'],
        [NAMES[8], 'pass'],
        // Adding a note is not tried (it would change a ticket): not verifiable, not a pass.
        [NAMES[9], 'unverified'],
      ]);
      const host = new URL(server.url).host;
      assert.equal(
        results[0]?.message,
        `The API user 'toolbox-api@northwind-it.example' is in zone 'Simulated Zone 5': its API is at ${host}, its web address ${host}.`,
      );
      assert.match(results[3]?.message ?? '', /^\d+ of 10,000 API requests used in the past 60 minutes/);
      assert.equal(
        results[4]?.message,
        "6 ticket statuses and 2 queues; notes are written with publish 'Internal Only' and note type 'Internal Notes'.",
      );
      assert.equal(results[8]?.message, '3 resources found (3 active).');
      assert.equal(sim.state.ticketNotes.size, 0);
      assert.deepEqual(
        sim.state.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/query')).map((r) => r.path),
        [],
      );
    }));

  it('wrong secret: the credentials line fails with where the secret comes from, the rest is not run', () =>
    withAutotask({ settings: { secret: 'not-the-secret' } }, async ({ client }) => {
      const results = await client.systemsCheck();
      assert.deepEqual(
        results.map((r) => checkLineState(r)),
        ['pass', 'pass', 'fail', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run'],
      );
      const line = results[2];
      assert.equal(line?.upstreamCode, '401');
      assert.match(line?.hint ?? '', /CRM Password/);
      assert.match(line?.hint ?? '', /generate a new one on the API user/);
      assert.doesNotMatch(JSON.stringify(results), /not-the-secret/);
    }));

  it('wrong zone: discovery sends the toolbox to a zone that does not know the user, and the fix names the zone', async () => {
    await withAutotask({ sim: { apiUser: { username: 'other-api@elsewhere.example' } } }, async (otherZone) => {
      await withAutotask(
        {
          sim: { zone: { url: `${otherZone.server.url}/ATServicesRest/`, zoneName: 'Zone 14', webUrl: 'https://ww14.autotask.example/' } },
        },
        async ({ client }) => {
          const results = await client.systemsCheck();
          assert.equal(checkLineState(results[0] ?? { ok: false }), 'pass');
          assert.match(results[0]?.message ?? '', /zone 'Zone 14'/);
          const line = results[2];
          assert.equal(checkLineState(line ?? { ok: true }), 'fail');
          assert.match(
            line?.hint ?? '',
            /the zone may be wrong: the toolbox was sent to zone 'Zone 14' \(127\.0\.0\.1:\d+, web address ww14\.autotask\.example\)/,
          );
          assert.match(line?.hint ?? '', /zoneDiscoveryUrl is set to .*: unless a proxy needs it, remove it/);
        },
      );
    });
  });

  it('unknown username: zone discovery fails and says which username to enter', () =>
    withAutotask({ settings: { username: 'alex.owens@northwind-it.example' } }, async ({ client }) => {
      const results = await client.systemsCheck();
      assert.deepEqual(
        results.map((r) => checkLineState(r)),
        ['fail', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run'],
      );
      assert.equal(results[0]?.upstreamCode, '500');
      assert.match(
        results[0]?.hint ?? '',
        /does not know the username 'alex\.owens@northwind-it\.example'.*not a technician’s e-mail address/,
      );
    }));

  it('wrong integration code: the zone is still found, the code line fails with where to find it, the credentials are not tried', () =>
    withAutotask({ settings: { integrationCode: 'SOMEONE-ELSES-CODE' } }, async ({ client }) => {
      const results = await client.systemsCheck();
      assert.deepEqual(
        results.slice(0, 4).map((r) => checkLineState(r)),
        ['pass', 'fail', 'not-run', 'not-run'],
      );
      assert.match(results[1]?.hint ?? '', /API Tracking Identifier/);
      // With a refused code every call is refused: a 401 there would say nothing about the secret.
      assert.match(results[2]?.message ?? '', /refused integration code/);
    }));

  it('threshold headroom: a warning from 50 %, a failure with the fix from 80 %', async () => {
    for (const [used, state] of [
      [5_500, 'warning'],
      [8_600, 'fail'],
    ] as const) {
      await withAutotask({}, async ({ client, sim }) => {
        sim.state.threshold.addExternal(used);
        const results = await client.systemsCheck();
        const line = results.find((r) => r.name === 'API request threshold headroom');
        assert.equal(checkLineState(line ?? { ok: true }), state, String(used));
        assert.match(line?.hint ?? '', /API Activity by Hour/);
      });
    }
  });

  it('threshold used up (429): the threshold line fails with where to look, the credentials are not blamed, the rest is not run', () =>
    withAutotask({}, async ({ client, sim }) => {
      sim.state.threshold.addExternal(10_000);
      const results = await client.systemsCheck();
      assert.deepEqual(states(results), [
        [NAMES[0], 'pass'],
        [NAMES[1], 'pass'],
        [NAMES[2], 'unverified'],
        [NAMES[3], 'fail'],
        ...NAMES.slice(4).map((name) => [name, 'not-run']),
      ]);
      assert.equal(results[3]?.upstreamCode, '429');
      assert.match(results[3]?.message ?? '', /hourly request threshold .* is used up/);
      assert.match(results[3]?.hint ?? '', /not a problem with the toolbox's settings.*API Activity by Hour/);
      assert.doesNotMatch(JSON.stringify(results), /CRM Password/);
      assert.match(results[4]?.message ?? '', /^Not tried: Autotask refuses every call until the database’s usage drops/);
    }));

  it('usage at 98 %: the threshold line says the database is near its limit, and the toolbox makes no more calls', () =>
    withAutotask({}, async ({ client, sim }) => {
      sim.state.threshold.addExternal(9_800);
      const results = await client.systemsCheck();
      assert.deepEqual(
        results.map((r) => checkLineState(r)),
        ['pass', 'pass', 'pass', 'fail', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run'],
      );
      assert.match(results[3]?.message ?? '', /^9,801 of 10,000 API requests .* near its hourly limit/);
      assert.equal(sim.state.requests.filter((r) => r.path.endsWith('/query')).length, 0);
    }));

  it('too many calls at once (thread limit): the threshold line says so, and the reads still run', () =>
    withAutotask({}, async ({ client, sim }) => {
      sim.failNext('ThresholdInformation', 429, 3, { body: { errors: ['Thread Threshold Exceeded: too many threads.'] } });
      const results = await client.systemsCheck();
      assert.equal(checkLineState(results[2] ?? { ok: true }), 'unverified');
      assert.equal(checkLineState(results[3] ?? { ok: true }), 'fail');
      assert.match(results[3]?.hint ?? '', /at most 3 calls at once/);
      assert.equal(checkLineState(results[5] ?? { ok: false }), 'pass');
    }));

  it('zoneDiscoveryUrl pointing at a web server that is not Autotask: the fix is to remove it', async () => {
    const web = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<html><body>Not Found</body></html>');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
      await withAutotask({ settings: { zoneDiscoveryUrl: url } }, async ({ client }) => {
        const results = await client.systemsCheck();
        assert.equal(checkLineState(results[0] ?? { ok: true }), 'fail');
        assert.match(
          results[0]?.hint ?? '',
          /did not answer as Autotask’s zone lookup does: zoneDiscoveryUrl points at the wrong place\. Remove zoneDiscoveryUrl/,
        );
        assert.ok(results.slice(1).every((r) => checkLineState(r) === 'not-run'));
      });
    } finally {
      await new Promise((resolve) => web.close(resolve));
    }
  });

  it('never throws when nothing answers', () =>
    withAutotask({ fetch: (async () => Promise.reject(new TypeError('fetch failed'))) as FetchLike }, async ({ client }) => {
      const results = await client.systemsCheck();
      assert.deepEqual(
        results.map((r) => r.name),
        NAMES,
      );
      assert.equal(checkLineState(results[0] ?? { ok: true }), 'fail');
      assert.match(results[0]?.message ?? '', /could not be reached/);
      assert.ok(results.slice(1).every((r) => checkLineState(r) === 'not-run'));
    }));
});
