import type { DirectoryConnector } from '../connectors/directory/types.js';
import { createSelfSignedCertificate } from '../lib/self-signed-certificate.js';
import { demoAutotaskApiUser } from '../simulators/autotask/autotask-seed.js';
import { type AutotaskSimulator, createAutotaskSimulator } from '../simulators/autotask/autotask-simulator.js';
import { type ConnectWiseSimulator, createConnectWiseSimulator } from '../simulators/connectwise/connectwise-simulator.js';
import { ENTRA_ROLE_TEMPLATES } from '../simulators/graph/admin-consent-routes.js';
import { createGraphSimulator, DEFAULT_APP_PERMISSIONS, type GraphSimulator } from '../simulators/graph/graph-simulator.js';
import { demoHaloPsa } from '../simulators/halopsa/halopsa-seed.js';
import { createHaloPsaSimulator, type HaloPsaSimulator } from '../simulators/halopsa/halopsa-simulator.js';
import { demoAdDomains } from './demo-active-directory.js';
import {
  buildDemoAdDirectories,
  buildDemoConfig,
  buildDemoMicrosoftBlock,
  DEMO_APP_ROLES,
  DEMO_MICROSOFT_SIGN_IN,
  DEMO_PRE_CONSENTED_TENANT,
  type DemoAdDirectory,
  type DemoMspAppDirectory,
  type DemoPsaKind,
  type DemoPsaSettings,
  withPreConsentedTenant,
} from './demo-config.js';
import { demoMspTenant, demoTenants } from './demo-data.js';
import { createDemoDirectoryConnector, DEMO_AD_KIND } from './demo-directory-connector.js';
import { SimulatedActiveDirectory } from './simulated-active-directory.js';

export { DEMO_ADMIN, DEMO_PSA_KINDS, DEMO_SCREENPOP_SECRET, DEMO_SIGN_IN, type DemoPsaKind } from './demo-config.js';

type EntraDemoConfig = ReturnType<typeof buildDemoConfig>;
/** The demo's configuration: the Microsoft 365 tenants' directories and the AD-only customer's. */
export type DemoSandboxConfig = Omit<EntraDemoConfig, 'directories'> & {
  directories: (EntraDemoConfig['directories'][number] | DemoMspAppDirectory | DemoAdDirectory)[];
  /** The MSP's Microsoft app (technician sign-in, tenants connected by consent). */
  microsoft: ReturnType<typeof buildDemoMicrosoftBlock>;
};

/**
 * What the demo's MSP app asks for: every permission the forms use, plus reading its own
 * registration (the app's systems check) and assigning Entra roles after consent.
 */
export const DEMO_MSP_APP_PERMISSIONS = [...DEFAULT_APP_PERMISSIONS, 'Application.Read.All', 'RoleManagement.ReadWrite.Directory'];
/** The roles the toolbox assigns after a consent (connect-tenant.ts), given to the pre-consented tenant at start. */
const PRE_CONSENT_ROLES = ['User Administrator', 'Exchange Administrator', 'Authentication Administrator'];

export type DemoSandbox = {
  /** The configuration object the demo runs on, as a configuration file would hold it. */
  config: DemoSandboxConfig;
  /**
   * The directory connectors only the sandbox has (the simulated AD domains' kind), to register
   * beside the built-in ones: the configuration above names that kind.
   */
  directoryConnectors: Record<string, DirectoryConnector<unknown>>;
  /** The simulated on-prem AD domains, by key (demo-active-directory.ts): state for tests and the demo. */
  activeDirectory: Record<string, SimulatedActiveDirectory>;
  /** The generated certificate, to trust for calls to the simulators. */
  caPem: string;
  /** Which PSA is simulated, and where. */
  psaKind: DemoPsaKind;
  psaUrl: string;
  /** The texts of the notes on a ticket of the simulated PSA, oldest first (tests read them). */
  psaNotes(ticketId: number): string[];
  /** The ConnectWise simulator, when the simulated PSA is ConnectWise. */
  connectWise?: ConnectWiseSimulator;
  autotask?: AutotaskSimulator;
  haloPsa?: HaloPsaSimulator;
  /** @deprecated the simulated PSA's address is `psaUrl`; kept for ConnectWise's callers. */
  connectWiseUrl: string;
  graphUrl: string;
  /** The Microsoft 365 simulator: its state (password changes) and knobs (latency). */
  graph: GraphSimulator;
  /**
   * Registers the toolbox's public URL on the MSP app (its consent and sign-in callbacks, as
   * the admin does in the app registration): the toolbox knows it only once its configuration
   * is read and its port bound.
   */
  registerPublicUrl(publicUrl: string): void;
  close(): Promise<void>;
};

export type DemoSandboxOptions = { psa?: DemoPsaKind; psaLatencyMs?: number; graphLatencyMs?: number; adLatencyMs?: number };

/**
 * Starts a PSA simulator (ConnectWise unless `psa` says Autotask or HaloPSA) and the Microsoft 365
 * simulator in this process, over HTTPS on loopback with a certificate generated now, holds the
 * demo's on-prem AD domains in memory, and returns the configuration that points the toolbox at
 * them. Used when no configuration file is given, and
 * by the end-to-end tests and benchmarks. The three PSA simulators hold the same demo companies,
 * contacts and tickets under the same ids, so every screen-pop URL works on each.
 */
export async function startDemoSandbox(options: DemoSandboxOptions = {}): Promise<DemoSandbox> {
  const certificate = await createSelfSignedCertificate({ hostnames: ['localhost', '127.0.0.1', '::1'] });
  const tls = { key: certificate.key, cert: certificate.cert };
  // One list for the app registration's web redirect URIs, read by the simulator at each request.
  const redirectUris: string[] = [];
  const graph = createGraphSimulator({
    latencyMs: options.graphLatencyMs ?? 0,
    tenants: [...demoTenants, demoMspTenant],
    mspApp: {
      homeTenant: demoMspTenant.key,
      clientId: demoMspTenant.clientId,
      clientSecret: demoMspTenant.clientSecret,
      displayName: 'Technician Toolbox (Northwind IT Services)',
      redirectUris,
      requiredPermissions: DEMO_MSP_APP_PERMISSIONS,
    },
    consentedTenants: [DEMO_PRE_CONSENTED_TENANT],
    // A browser goes through Entra's pages: pick the admin, Accept or Cancel.
    consentPage: true,
    signIn: {
      redirectUris: { [demoMspTenant.key]: redirectUris },
      appRoleAssignments: { [demoMspTenant.key]: { [DEMO_MICROSOFT_SIGN_IN.admin]: [DEMO_APP_ROLES.admin] } },
      groupsClaim: true,
    },
  });
  // The pre-consented tenant as the toolbox leaves one it connected: the forms' roles assigned.
  const roleTemplate = (name: string) => Object.entries(ENTRA_ROLE_TEMPLATES).find(([, role]) => role === name)?.[0] ?? '';
  for (const role of PRE_CONSENT_ROLES) graph.adminConsent.assignRoleByHand(DEMO_PRE_CONSENTED_TENANT, roleTemplate(role));
  const ms = await graph.listen({ port: 0, host: '127.0.0.1', tls });
  const psa = await startDemoPsa(options.psa ?? 'connectwise', options.psaLatencyMs ?? 0, tls);
  const entra = buildDemoConfig({ psa: psa.settings, graph: ms.url });
  const activeDirectory = Object.fromEntries(
    Object.entries(demoAdDomains).map(([key, seed]) => [key, new SimulatedActiveDirectory(seed, { latencyMs: options.adLatencyMs ?? 0 })]),
  );
  const config: DemoSandboxConfig = {
    ...entra,
    microsoft: buildDemoMicrosoftBlock(ms.url),
    directories: [...withPreConsentedTenant(entra.directories), ...buildDemoAdDirectories()],
  };
  return {
    config,
    directoryConnectors: { [DEMO_AD_KIND]: createDemoDirectoryConnector(activeDirectory) as DirectoryConnector<unknown> },
    activeDirectory,
    caPem: certificate.cert,
    psaKind: psa.settings.kind,
    psaUrl: psa.url,
    psaNotes: psa.notes,
    ...psa.simulator,
    connectWiseUrl: psa.url,
    graphUrl: ms.url,
    graph,
    registerPublicUrl(publicUrl) {
      const base = publicUrl.replace(/\/+$/, '');
      for (const path of ['/admin/microsoft/consent-callback', '/auth/microsoft/callback']) {
        if (!redirectUris.includes(`${base}${path}`)) redirectUris.push(`${base}${path}`);
      }
    },
    async close() {
      await Promise.all([psa.close(), ms.close()]);
    },
  };
}

type Tls = { key: string; cert: string };

async function startDemoPsa(kind: DemoPsaKind, latencyMs: number, tls: Tls) {
  if (kind === 'autotask') {
    // Autotask's own slow-down near the hourly threshold stays on: the demo never gets near it.
    const autotask = createAutotaskSimulator({ latencyMs });
    const server = await autotask.listen({ port: 0, host: '127.0.0.1', tls });
    return {
      settings: {
        kind,
        zoneDiscoveryUrl: server.zoneDiscoveryUrl,
        username: demoAutotaskApiUser.username,
        secret: demoAutotaskApiUser.secret,
        integrationCode: demoAutotaskApiUser.integrationCode,
      } as DemoPsaSettings,
      url: server.url,
      simulator: { autotask },
      notes: (ticketId: number) =>
        [...autotask.state.ticketNotes.values()]
          .filter((note) => Number(note.ticketID) === ticketId)
          .map((note) => `${String(note.title ?? '')}\n${String(note.description ?? '')}`),
      close: () => server.close(),
    };
  }
  if (kind === 'halopsa') {
    const haloPsa = createHaloPsaSimulator({ latencyMs });
    const server = await haloPsa.listen({ port: 0, host: '127.0.0.1', tls });
    return {
      settings: { kind, url: server.url, clientId: demoHaloPsa.clientId, clientSecret: demoHaloPsa.clientSecret } as DemoPsaSettings,
      url: server.url,
      simulator: { haloPsa },
      notes: (ticketId: number) =>
        (haloPsa.state.actions.get(ticketId) ?? []).filter((action) => action.note).map((action) => String(action.note)),
      close: () => server.close(),
    };
  }
  const connectWise = createConnectWiseSimulator({ latencyMs });
  const server = await connectWise.listen({ port: 0, host: '127.0.0.1', tls });
  return {
    settings: { kind: 'connectwise', url: server.url } as DemoPsaSettings,
    url: server.url,
    simulator: { connectWise },
    notes: (ticketId: number) =>
      (connectWise.state.notes.get(ticketId) ?? []).map((note) => String((note as { text?: unknown }).text ?? '')),
    close: () => server.close(),
  };
}
