import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoMsp } from '../../demo/demo-data.js';
import { createConnectWiseSimulator } from './connectwise-simulator.js';

const BASE = `https://api-na.cw.test/${demoMsp.codebase}apis/3.0`;
const headers = {
  authorization: `Basic ${Buffer.from(`${demoMsp.connectWiseCompanyId}+${demoMsp.publicKey}:${demoMsp.privateKey}`).toString('base64')}`,
  clientid: demoMsp.clientId,
  'content-type': 'application/json',
  accept: 'application/vnd.connectwise.com+json; version=2025.1',
};
const post = (sim: ReturnType<typeof createConnectWiseSimulator>, body: unknown) =>
  sim.fetch(`${BASE}/service/tickets/1001/notes`, { method: 'POST', headers, body: JSON.stringify(body) });
const NOTE = { text: 'Done', internalAnalysisFlag: true };

describe('ConnectWise simulator: ServiceNote.member', () => {
  it('attributes a note to the member named by id or identifier, else to the API member', async () => {
    const sim = createConnectWiseSimulator();
    const byId = (await (await post(sim, { ...NOTE, member: { id: 150 } })).json()) as { member: unknown };
    assert.deepEqual(byId.member, { id: 150, identifier: 'aowens', name: 'Alex Owens' });
    const byIdentifier = await post(sim, { ...NOTE, member: { identifier: 'BKIM' } });
    assert.equal(byIdentifier.status, 201);
    assert.equal(((await byIdentifier.json()) as { member: { id: number } }).member.id, 151);
    const plain = (await (await post(sim, NOTE)).json()) as { member: { identifier: string } };
    assert.equal(plain.member.identifier, 'APIMember');
    assert.deepEqual(
      sim.state.notes.get(1001)?.map((note) => (note.member as { identifier: string }).identifier),
      ['aowens', 'bkim', 'APIMember'],
    );
  });

  it('refuses an unknown or malformed member with 400 {code, message, errors[field member]} and stores nothing', async () => {
    const sim = createConnectWiseSimulator();
    for (const member of [{ id: 4242 }, { identifier: 'nobody' }, { id: '150' }, 'aowens', {}]) {
      const response = await post(sim, { ...NOTE, member });
      assert.equal(response.status, 400, JSON.stringify(member));
      const body = (await response.json()) as { code: string; message: string; errors: { field: string }[] };
      assert.equal(body.code, 'InvalidObject');
      assert.equal(body.message, 'serviceNote object is invalid');
      assert.equal(body.errors[0]?.field, 'member');
    }
    assert.equal(sim.state.notes.get(1001), undefined);
  });
});
