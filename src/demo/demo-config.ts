import { FORM_CATALOGUE } from '../forms/catalogue.js';
import { demoCompanies, demoMsp, demoTenants } from './demo-data.js';

/** The demo sign-in; printed at start. Not a secret: it only opens the demo sandbox. */
export const DEMO_SIGN_IN = { email: 'tech@northwind-it.example', password: 'demo-technician-pass', name: 'Bailey Kim' };
export const DEMO_ADMIN = { email: 'admin@northwind-it.example', password: 'demo-admin-password', name: 'Alex Owens' };
/**
 * The demo's screen-pop webhook secret; printed at start inside the screen-pop URLs. Not a secret
 * either: it opens only the demo sandbox's simulated PSA. Every real install sets its own.
 */
export const DEMO_SCREENPOP_SECRET = 'demo-screenpop-secret-not-secret';

/**
 * The configuration of the fictional MSP, as a configuration file would hold it, pointing at
 * ConnectWise and Microsoft identity/Graph simulators at these base URLs.
 */
export function buildDemoConfig(urls: { connectWise: string; graph: string }) {
  return {
    psa: {
      kind: 'connectwise',
      siteUrl: urls.connectWise,
      apiUrl: urls.connectWise,
      companyId: demoMsp.connectWiseCompanyId,
      publicKey: demoMsp.publicKey,
      privateKey: demoMsp.privateKey,
      clientId: demoMsp.clientId,
    },
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
    forms: { enabled: FORM_CATALOGUE.map((form) => form.name) },
    users: [
      { email: DEMO_SIGN_IN.email, password: DEMO_SIGN_IN.password, role: 'technician', name: DEMO_SIGN_IN.name },
      { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password, role: 'admin', name: DEMO_ADMIN.name },
    ],
  };
}
