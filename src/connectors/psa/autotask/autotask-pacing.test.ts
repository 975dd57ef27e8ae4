import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withAutotask } from '../../../../test/helpers/autotask-sim.js';
import { rejection } from '../../../../test/helpers/rejection.js';
import { createManualClock } from '../../../lib/clock.js';
import { PACING, pacingFor, ThresholdPacer } from './autotask-pacing.js';

describe('Autotask threshold pacing: the policy', () => {
  it('goes, waits longer as usage grows, and stops short of the limit', () => {
    assert.deepEqual(pacingFor(7_999, 10_000), { kind: 'go' });
    assert.deepEqual(pacingFor(8_000, 10_000), { kind: 'wait', ms: PACING.slowMs, used: 8_000, threshold: 10_000 });
    assert.deepEqual(pacingFor(9_000, 10_000), { kind: 'wait', ms: PACING.slowerMs, used: 9_000, threshold: 10_000 });
    assert.deepEqual(pacingFor(9_700, 10_000), { kind: 'stop', used: 9_700, threshold: 10_000 });
    assert.deepEqual(pacingFor(5, 0), { kind: 'go' }, 'an unreadable threshold does not block');
  });

  it('estimates usage from the last reading plus its own calls, and reads again after a minute (15 s when busy)', () => {
    const clock = createManualClock();
    const pacer = new ThresholdPacer(clock);
    assert.equal(pacer.needsRefresh(), true);
    assert.deepEqual(pacer.decide(), { kind: 'go' });
    pacer.update({ threshold: 100, timeframeMinutes: 60, used: 70 });
    for (let i = 0; i < 10; i++) pacer.noteCall();
    assert.deepEqual(pacer.estimate(), { threshold: 100, timeframeMinutes: 60, used: 80 });
    assert.equal(pacer.decide().kind, 'wait');
    clock.advance(PACING.busyRefreshMs - 1);
    assert.equal(pacer.needsRefresh(), false);
    clock.advance(1);
    assert.equal(pacer.needsRefresh(), true, 'busy: read again after 15 s');
    pacer.update({ threshold: 100, timeframeMinutes: 60, used: 10 });
    clock.advance(PACING.busyRefreshMs);
    assert.equal(pacer.needsRefresh(), false, 'quiet: a minute between readings');
    pacer.exhausted();
    assert.deepEqual(pacer.decide(), { kind: 'stop', used: 100, threshold: 100, refused: true });
  });

  it('does not ask again after every call when the reading fails', () => {
    const clock = createManualClock();
    const pacer = new ThresholdPacer(clock);
    pacer.readingFailed();
    assert.equal(pacer.needsRefresh(), false);
    assert.deepEqual(pacer.decide(), { kind: 'go' }, 'no reading: calls go');
    clock.advance(PACING.refreshMs);
    assert.equal(pacer.needsRefresh(), true);
  });
});

describe('Autotask threshold pacing: against the simulator', () => {
  it('slows its calls as the database nears its hourly threshold, then stops before it', () =>
    withAutotask({ sim: { requestThreshold: 1000 } }, async ({ client, sim, delays, clock, requests }) => {
      // Other integrations of the same database have used 85 % of the hour's budget.
      sim.state.threshold.addExternal(850);
      await client.getCompany('250');
      assert.deepEqual(delays, [], 'no reading yet: the first call goes');
      await client.getCompany('251');
      assert.deepEqual(delays, [PACING.slowMs], 'the reading made after the first call says 85 %');

      sim.state.threshold.addExternal(70);
      clock.advance(PACING.busyRefreshMs);
      await client.getCompany('252');
      await client.getCompany('250');
      assert.deepEqual(delays.slice(-1), [PACING.slowerMs], 'above 90 %: longer pauses');

      sim.state.threshold.addExternal(60);
      clock.advance(PACING.busyRefreshMs);
      const before = requests('GET', 'Contacts/302').length;
      const error = await rejection(client.getContact('302'));
      assert.equal(error.code, 'TBX_ERR_PSA_RATE_LIMITED');
      assert.equal(error.retryable, true);
      assert.match(error.message, /has used 9\d\d of 1,000 API requests of the past hour/);
      assert.equal(requests('GET', 'Contacts/302').length, before, 'nothing was sent');
      assert.ok(sim.state.threshold.count() < 1000, 'the toolbox never took the database to its limit');
    }));

  it('reads the usage about once a minute, not after every call, even when the reading is refused', () =>
    withAutotask({ sim: { forbidden: [{ path: 'ThresholdInformation' }] } }, async ({ client, clock, requests }) => {
      for (const id of ['250', '251', '252', '250']) await client.getCompany(id);
      assert.equal(requests('GET', 'ThresholdInformation').length, 1);
      clock.advance(PACING.refreshMs);
      await client.getCompany('251');
      await client.getCompany('252');
      assert.deepEqual(
        requests('GET', 'ThresholdInformation').map((r) => r.status),
        [403, 403],
      );
    }));

  it('stops calling when Autotask says the threshold is used up, until a new reading says otherwise', () =>
    withAutotask({ sim: { requestThreshold: 5 } }, async ({ client, sim, clock, requests }) => {
      await client.getCompany('250');
      // The second call waits for the reading the first one started: 2 of 5 used, go.
      await client.getCompany('251');
      sim.state.threshold.addExternal(10);
      const error = await rejection(client.getCompany('251'));
      assert.equal(error.code, 'TBX_ERR_PSA_RATE_LIMITED');
      assert.equal(error.upstream?.status, 429);
      assert.match(error.message, /hourly request threshold \(shared by every integration\) is used up/);
      const sent = requests('GET', 'Companies/252').length;
      assert.match((await rejection(client.getCompany('252'))).message, /Autotask said a moment ago that the hourly request threshold/);
      assert.equal(requests('GET', 'Companies/252').length, sent, 'refused here, not sent');

      // An hour later the budget is back; the next reading lets calls through again.
      clock.advance(60 * 60_000);
      await client.getCompany('250');
      assert.ok(requests('GET', 'ThresholdInformation').some((r) => r.status === 200));
      assert.equal((await client.getCompany('252')).name, 'Adatum Legal LLP');
    }));
});
