import type { DemoTenant } from '../../src/demo/demo-data.js';

/**
 * The MSP's own tenant as the consent and MSP-app tests set it up in the Graph simulator: where
 * the multi-tenant app is registered, with no users (the demo's `demoMspTenant` has its own, for
 * sign-in). Its `clientId`/`clientSecret` are a tenant field the simulator needs, never used.
 */
export const TEST_MSP_TENANT: DemoTenant = {
  key: 'northwind',
  tenantId: '6f1b2c3d-0000-4000-8000-000000000999',
  displayName: 'Northwind IT Services',
  verifiedDomains: ['northwind-it.example', 'northwindit.onmicrosoft.com'],
  clientId: '00000000-0000-4000-8000-000000000000',
  clientSecret: 'unused',
  users: [],
  groups: [],
  skus: [],
};

/** The MSP app's client id in those tests. */
export const TEST_MSP_CLIENT_ID = '7d9e8f10-2222-4333-8444-555566667777';
