import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createMspTenantGraph } from '../../src/connectors/directory/entra/msp-tenant-graph.js';
import { demoTenants } from '../../src/demo/demo-data.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createGraphSimulator } from '../../src/simulators/graph/graph-simulator.js';
import { runToolboxCli } from '../helpers/toolbox-cli.js';

// `toolbox microsoft-certificate`: the key pair and certificate an admin uploads to the MSP app,
// then used as the app's credential against the simulator (which holds only the certificate).
const dir = mkdtempSync(join(tmpdir(), 'msp-cert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('toolbox microsoft-certificate', () => {
  test('writes a private key (owner only) and a certificate the MSP app then signs in with; never overwrites', async () => {
    const run = await runToolboxCli(['microsoft-certificate', '--out-dir', dir, '--days', '120'], {});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Thumbprint [0-9A-F]{40}, valid until \d{4}-\d{2}-\d{2}/);
    assert.equal(statSync(join(dir, 'msp-app.key')).mode & 0o777, 0o600);
    const privateKeyPem = readFileSync(join(dir, 'msp-app.key'), 'utf8');
    const certificatePem = readFileSync(join(dir, 'msp-app.crt'), 'utf8');
    assert.doesNotMatch(run.stdout + run.stderr, /PRIVATE KEY/);

    const home = {
      ...structuredClone(demoTenants[0]!),
      key: 'northwind',
      tenantId: '6f1b2c3d-0000-4000-8000-000000000999',
      verifiedDomains: ['northwind-it.example'],
    };
    const graph = createGraphSimulator({
      tenants: [home],
      mspApp: {
        homeTenant: 'northwind',
        clientId: '7d9e8f10-2222-4333-8444-555566667777',
        certificates: [certificatePem],
        redirectUris: [],
        requiredPermissions: ['Application.Read.All'],
      },
    });
    // In-process: the simulator's handler as the network.
    const origin = 'https://login.sim.test';
    const msGraph = createMspTenantGraph(
      {
        mspApp: {
          clientId: '7d9e8f10-2222-4333-8444-555566667777',
          tenantId: home.tenantId,
          credential: { kind: 'certificate', privateKeyPem, certificatePem },
          authorityHost: origin,
          graphUrl: origin,
        },
        fetch: (input, init) => graph.handler(new Request(String(input), init as RequestInit)),
        clock: systemClock,
        logger: createLogger({ level: 'silent' }),
      },
      home.tenantId,
    );
    const app = await msGraph.application();
    assert.equal(app?.credentialEndDates[0]?.kind, 'certificate');
    assert.equal(app?.credentialEndDates[0]?.endDateTime.slice(0, 10), /valid until (\d{4}-\d{2}-\d{2})/.exec(run.stdout)?.[1]);

    const again = await runToolboxCli(['microsoft-certificate', '--out-dir', dir], {});
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /already exists/);
    assert.equal(readFileSync(join(dir, 'msp-app.key'), 'utf8'), privateKeyPem);
  });
});
