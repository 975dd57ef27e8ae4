import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoTenants } from '../../demo/demo-data.js';
import { systemClock } from '../../lib/clock.js';
import { createHttpFetch } from '../../lib/http-fetch.js';
import { createLogger } from '../../lib/logger.js';
import { createSelfSignedCertificate } from '../../lib/self-signed-certificate.js';
import { createGraphSimulator } from '../../simulators/graph/graph-simulator.js';
import { SignInFailure } from './oidc-sign-in-client.js';
import { createSignInProviders } from './sign-in-providers.js';

// Over real HTTPS with the service's own fetch (createHttpFetch: its buffered responses, TLS trust),
// as in production; the integration tests reach the simulator in-process.
const contoso = demoTenants[0]!;
const PUBLIC_URL = 'https://toolbox.example';
let tls: { key: string; cert: string };
let fetch: ReturnType<typeof createHttpFetch>;
const closers: (() => Promise<void>)[] = [];

before(async () => {
  tls = await createSelfSignedCertificate({ hostnames: ['127.0.0.1'] });
  fetch = createHttpFetch({ extraCaPem: [tls.cert] });
});
after(async () => {
  for (const close of closers) await close();
  await fetch.close();
});

describe('Microsoft sign-in provider over HTTPS', () => {
  it('starts, and finishes with the verified identity and roles; a forged state is refused before any token call', async () => {
    const sim = createGraphSimulator({
      signIn: {
        redirectUris: { contoso: [`${PUBLIC_URL}/auth/microsoft/callback`] },
        appRoleAssignments: { contoso: { 'megan.bowen@contosodental.example': ['Toolbox.Technician'] } },
      },
    });
    const server = await sim.listen({ port: 0, host: '127.0.0.1', tls });
    closers.push(() => server.close());
    const providers = createSignInProviders({
      config: {
        publicUrl: PUBLIC_URL,
        oidc: undefined,
        microsoft: {
          clientId: contoso.clientId,
          clientSecret: contoso.clientSecret,
          tenantId: contoso.tenantId,
          authorityHost: server.url,
          graphUrl: server.url,
          roles: { admin: [], technician: ['Toolbox.Technician'] },
        },
      },
      fetch,
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
    });
    const microsoft = providers.microsoft!;
    assert.equal(providers.oidc, undefined);
    const { url, pending } = await microsoft.start();
    sim.signIn.autoSignIn('megan.bowen@contosodental.example');
    const redirect = await fetch(url, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    const callback = new URL(redirect.headers.get('location')!);

    const forged = new URLSearchParams(callback.searchParams);
    forged.set('state', 'forged');
    await assert.rejects(microsoft.finish(forged, pending), (error) => error instanceof SignInFailure && error.code === 'state-mismatch');

    const identity = await microsoft.finish(callback.searchParams, pending);
    assert.equal(identity.provider, `microsoft:${contoso.tenantId}`);
    assert.equal(identity.subject, contoso.users[0]!.id);
    assert.equal(identity.email, 'megan.bowen@contosodental.example');
    assert.deepEqual(identity.roleValues, ['Toolbox.Technician']);
  });

  it('is not offered without roles', () => {
    const providers = createSignInProviders({
      config: {
        publicUrl: PUBLIC_URL,
        oidc: undefined,
        microsoft: {
          clientId: contoso.clientId,
          clientSecret: 'x',
          tenantId: contoso.tenantId,
          authorityHost: 'https://login.test',
          graphUrl: 'https://graph.test',
          roles: undefined,
        },
      },
      fetch,
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
    });
    assert.deepEqual(providers, {});
  });
});
