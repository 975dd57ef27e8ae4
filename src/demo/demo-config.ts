import { builtInForms } from '../forms/index.js';
import { demoCompanies, demoMsp, demoMspTenant, demoTenants } from './demo-data.js';
import { DEMO_AD_KIND } from './demo-directory-connector.js';

/** The demo sign-in; printed at start. Not a secret: it only opens the demo sandbox. */
export const DEMO_SIGN_IN = { email: 'tech@northwind-it.example', password: 'demo-technician-pass', name: 'Bailey Kim' };
export const DEMO_ADMIN = { email: 'admin@northwind-it.example', password: 'demo-admin-password', name: 'Alex Owens' };
/**
 * The demo's screen-pop webhook secret; printed at start inside the screen-pop URLs. Not a secret
 * either: it opens only the demo sandbox's simulated PSA. Every real install sets its own.
 */
export const DEMO_SCREENPOP_SECRET = 'demo-screenpop-secret-not-secret';

/** The PSAs the demo sandbox can simulate (`TOOLBOX_DEMO_PSA`). */
export const DEMO_PSA_KINDS = ['connectwise', 'autotask', 'halopsa'] as const;
export type DemoPsaKind = (typeof DEMO_PSA_KINDS)[number];

/** The `psa` block pointing at the demo's simulated PSA: demo values, accepted by the simulators only. */
export type DemoPsaSettings =
  | { kind: 'connectwise'; url: string }
  | { kind: 'autotask'; zoneDiscoveryUrl: string; username: string; secret: string; integrationCode: string }
  | { kind: 'halopsa'; url: string; clientId: string; clientSecret: string };

function demoPsaBlock(psa: DemoPsaSettings): Record<string, unknown> {
  if (psa.kind === 'connectwise') {
    return {
      kind: 'connectwise',
      siteUrl: psa.url,
      apiUrl: psa.url,
      companyId: demoMsp.connectWiseCompanyId,
      publicKey: demoMsp.publicKey,
      privateKey: demoMsp.privateKey,
      clientId: demoMsp.clientId,
    };
  }
  return { ...psa };
}

/** The `directories` entry of an AD-only demo customer: a simulated domain of the running sandbox. */
export type DemoAdDirectory = { id: string; kind: typeof DEMO_AD_KIND; name: string; domain: string; psaCompanyIds: number[] };

/**
 * The directories of the demo's AD-only customers (kind `demo-active-directory`, which only a
 * running sandbox registers: see demo-directory-connector.ts), one per simulated domain that
 * serves a company.
 */
export function buildDemoAdDirectories(): DemoAdDirectory[] {
  const served = new Map<string, number[]>();
  for (const company of demoCompanies) {
    if (company.adDomainKey) served.set(company.adDomainKey, [...(served.get(company.adDomainKey) ?? []), company.id]);
  }
  return [...served].map(([domain, psaCompanyIds]) => ({
    id: `${domain}-ad`,
    kind: DEMO_AD_KIND,
    name: `${demoCompanies.find((company) => company.adDomainKey === domain)?.name ?? domain} (on-prem AD)`,
    domain,
    psaCompanyIds,
  }));
}

/**
 * The configuration of the fictional MSP, as a configuration file would hold it, pointing at a
 * simulated PSA (ConnectWise unless told otherwise) and Microsoft identity/Graph simulators. The
 * AD-only customer's simulated domain is added by the sandbox (buildDemoAdDirectories), which
 * also registers its directory kind.
 */
export function buildDemoConfig(urls: { connectWise?: string; psa?: DemoPsaSettings; graph: string }) {
  const psa = urls.psa ?? { kind: 'connectwise' as const, url: urls.connectWise ?? '' };
  return {
    psa: demoPsaBlock(psa) as { kind: DemoPsaKind } & Record<string, unknown>,
    directories: demoTenants.map((tenant) => ({
      id: tenant.key,
      kind: 'entra',
      name: tenant.displayName,
      tenantId: tenant.tenantId,
      clientId: tenant.clientId,
      clientSecret: tenant.clientSecret,
      authorityHost: urls.graph,
      graphUrl: urls.graph,
      psaCompanyIds: demoCompanies.filter((company) => company.tenantKey === tenant.key).map((company) => company.id),
    })),
    screenpop: { secret: DEMO_SCREENPOP_SECRET },
    // The sandbox is for trying every form; a real install starts with none enabled.
    forms: { enabled: [...builtInForms.names] },
    users: [
      { email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password, role: 'technician', name: DEMO_SIGN_IN.name },
      { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password, role: 'admin', name: DEMO_ADMIN.name },
    ],
  };
}

/** The app roles the demo's MSP app defines (its `appRoles`), as the `roles` lists name them. */
export const DEMO_APP_ROLES = { admin: 'Toolbox.Admin', technician: 'Toolbox.Technician' } as const;
/** The MSP tenant's group whose members are technicians (matched against the `groups` claim). */
export const DEMO_TECHNICIAN_GROUP = demoMspTenant.groups[0]?.id ?? '';
/** Who signs in with Microsoft in the demo (the simulator's sign-in page lists them); printed at start. */
export const DEMO_MICROSOFT_SIGN_IN = {
  admin: 'alex.owens@northwind-it.example',
  technician: 'bailey.kim@northwind-it.example',
  refused: 'morgan.lee@northwind-it.example',
} as const;
/**
 * The customer tenant that consented to the MSP app before the demo starts: its directory names
 * only its tenant (`credential: msp-app`). Contoso: the forms tried first go through the MSP app.
 */
export const DEMO_PRE_CONSENTED_TENANT = 'contoso';

/**
 * The `microsoft` block of the demo, as a configuration file would hold it: the MSP's app in
 * its own (simulated) tenant, identity platform and Graph at the simulator, and who may sign in
 * with Microsoft as what. The secret is a demo value the simulator alone accepts.
 */
export function buildDemoMicrosoftBlock(graphUrl: string) {
  return {
    clientId: demoMspTenant.clientId,
    clientSecret: demoMspTenant.clientSecret,
    tenantId: demoMspTenant.tenantId,
    authorityHost: graphUrl,
    graphUrl,
    roles: { admin: [DEMO_APP_ROLES.admin], technician: [DEMO_APP_ROLES.technician, DEMO_TECHNICIAN_GROUP] },
  };
}

/** A customer tenant connected through the MSP app: its tenant only, the app's credential is used. */
export type DemoMspAppDirectory = {
  id: string;
  kind: 'entra';
  name: string;
  credential: 'msp-app';
  tenantId: string;
  psaCompanyIds: number[];
};

/** The demo's directories with the pre-consented tenant switched from its own app registration to the MSP app. */
export function withPreConsentedTenant<T extends { id: string; kind: string; name: string; psaCompanyIds: number[] }>(
  directories: T[],
): (T | DemoMspAppDirectory)[] {
  return directories.map((directory) => {
    if (directory.id !== DEMO_PRE_CONSENTED_TENANT || !('tenantId' in directory)) return directory;
    const { id, name, psaCompanyIds } = directory;
    return { id, kind: 'entra', name, credential: 'msp-app', tenantId: String(directory.tenantId), psaCompanyIds };
  });
}
