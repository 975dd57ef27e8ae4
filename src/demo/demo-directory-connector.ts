import { z } from 'zod';
import { createActiveDirectoryClient } from '../connectors/directory/active-directory/active-directory-client.js';
import { activeDirectoryConnector } from '../connectors/directory/active-directory/active-directory-connector.js';
import type { ActiveDirectoryLdap } from '../connectors/directory/active-directory/active-directory-ldap.js';
import type { DirectoryConnector } from '../connectors/directory/types.js';
import type { SimulatedActiveDirectory } from './simulated-active-directory.js';

/**
 * The directory kind of the demo's simulated on-prem domains. It is not in the built-in registry
 * (connectors/directory/index.ts): only a running demo sandbox registers it (start-toolbox.ts
 * passes the sandbox's connectors next to the built-in ones, as it passes the simulators' URLs),
 * so no real configuration can select it.
 */
export const DEMO_AD_KIND = 'demo-active-directory';

export type DemoActiveDirectorySettings = { domain: string };

/**
 * A connector over the sandbox's in-memory domains: the real Active Directory client
 * (createActiveDirectoryClient: the same mapping, policy, refusals and systems check) on a
 * simulated domain in place of the LDAP connection. Its capabilities and setup guide are the real
 * connector's, so the forms catalogue and the forms treat it as the AD connector.
 */
export function createDemoDirectoryConnector(
  domains: Record<string, SimulatedActiveDirectory>,
): DirectoryConnector<DemoActiveDirectorySettings> {
  const keys = Object.keys(domains);
  return {
    kind: DEMO_AD_KIND,
    label: 'Simulated AD (demo)',
    settings: z.object({
      domain: z.string().refine((key) => keys.includes(key), { message: `must be one of the demo's domains: ${keys.join(', ')}` }),
    }),
    fields: [
      {
        name: 'domain',
        label: 'Simulated domain',
        type: 'select',
        options: keys.map((key) => ({ value: key, label: domains[key]?.dnsDomainName ?? key })),
        help: 'A domain the demo sandbox holds in memory; a real install connects to a domain controller (Active Directory kind).',
      },
    ],
    capabilities: activeDirectoryConnector.capabilities,
    setupGuide: activeDirectoryConnector.setupGuide,
    maxConcurrentRequests: activeDirectoryConnector.maxConcurrentRequests,
    create(settings, deps) {
      const domain = domains[settings.domain];
      if (!domain) throw new Error(`the demo sandbox has no simulated domain "${settings.domain}"`);
      // The simulated domain has every public operation of ActiveDirectoryLdap (its type says so:
      // SimulatedActiveDirectory implements them); the class's private connection is what it replaces.
      return createActiveDirectoryClient(domain as unknown as ActiveDirectoryLdap, { now: () => deps.clock.now() });
    },
  };
}
