import type { SimulatedDomainSeed } from './simulated-active-directory.js';

/**
 * The demo's on-premises Active Directory domains, held in memory by the sandbox
 * (simulated-active-directory.ts). Everything here is invented; the passwords are demo values
 * that only the simulated domain knows.
 *
 * - `tailspin`: Tailspin Toys (PSA company 253), an AD-only customer (no Microsoft 365): a user
 *   locked out by wrong passwords, one found only through a proxy address, a Domain Admin (the
 *   privileged guard refuses him), a leaver already in the "Disabled users" OU.
 * - `fabrikam`: Fabrikam Logistics' domain, synchronised to its tenant by Entra Connect: the AD
 *   side of the tenant's synced users (demo-data.ts, `onPremisesSyncEnabled: true`), with the
 *   objectGUID, objectSid and sAMAccountName their Entra `onPremises…` values are made from.
 */
export const DEMO_AD_DOMAIN_KEYS = ['tailspin', 'fabrikam'] as const;
export type DemoAdDomainKey = (typeof DEMO_AD_DOMAIN_KEYS)[number];

/** Windows Server's default domain policy, the lockout threshold set as MSPs commonly do. */
const DEFAULT_DOMAIN_POLICY = { minLength: 7, complexity: true, historyLength: 24, maxAgeDays: 42, lockoutThreshold: 5 };

/** The groups every domain has, by their well-known RIDs and SIDs (Domain Admins 512, Domain Users 513, BUILTIN\Administrators). */
function wellKnownGroups(prefix: string) {
  return [
    {
      objectGUID: `${prefix}-0000-4000-8000-000000000512`,
      rid: 512,
      name: 'Domain Admins',
      description: 'Designated administrators of the domain',
      container: 'Users',
      system: true,
    },
    {
      objectGUID: `${prefix}-0000-4000-8000-000000000513`,
      rid: 513,
      name: 'Domain Users',
      description: 'All domain users',
      container: 'Users',
      system: true,
    },
    {
      objectGUID: `${prefix}-0000-4000-8000-000000000544`,
      rid: 'S-1-5-32-544',
      name: 'Administrators',
      description: 'Administrators have complete and unrestricted access to the computer/domain',
      container: 'Builtin',
      scope: 'domainLocal' as const,
      system: true,
      memberGroups: ['Domain Admins'],
    },
  ];
}

export const demoAdDomains: Record<DemoAdDomainKey, SimulatedDomainSeed> = {
  tailspin: {
    dnsName: 'ad.tailspintoys.example',
    domainSid: 'S-1-5-21-1004336348-1177238915-682003330',
    dcHost: 'dc1.ad.tailspintoys.example',
    upnSuffixes: ['tailspintoys.example'],
    passwordPolicy: DEFAULT_DOMAIN_POLICY,
    organizationalUnits: ['Tailspin', 'Tailspin/Staff', 'Tailspin/Staff/Sales', 'Tailspin/Staff/Workshop', 'Tailspin/Disabled users'],
    groups: [
      ...wellKnownGroups('7a000000'),
      {
        objectGUID: '7a100000-0000-4000-8000-000000000001',
        rid: 1201,
        name: 'Workshop',
        description: 'Workshop floor: shared drive and label printers',
        container: 'Tailspin/Staff/Workshop',
      },
      {
        objectGUID: '7a100000-0000-4000-8000-000000000002',
        rid: 1202,
        name: 'Sales Team',
        mail: 'sales@tailspintoys.example',
        container: 'Tailspin/Staff/Sales',
        kind: 'distribution',
        scope: 'universal',
      },
      {
        objectGUID: '7a100000-0000-4000-8000-000000000003',
        rid: 1203,
        name: 'VPN Users',
        description: 'May connect to the office VPN',
        container: 'Tailspin',
      },
    ],
    users: [
      {
        // Locked out after wrong passwords: the password reset ticket (1031) unlocks him.
        objectGUID: '7a200000-0000-4000-8000-000000000001',
        rid: 1105,
        sAMAccountName: 'ryoung',
        userPrincipalName: 'rob.young@tailspintoys.example',
        displayName: 'Rob Young',
        givenName: 'Rob',
        surname: 'Young',
        mail: 'rob.young@tailspintoys.example',
        jobTitle: 'Sales Representative',
        department: 'Sales',
        container: 'Tailspin/Staff/Sales',
        lockedOut: true,
        password: 'Demo-only-Sales-2026!',
        lastLogon: '2026-11-28T08:31:00Z',
        memberOf: ['Sales Team', 'VPN Users'],
      },
      {
        // Her contact address is an alias: found through proxyAddresses (smtp:), after mail and UPN.
        objectGUID: '7a200000-0000-4000-8000-000000000002',
        rid: 1106,
        sAMAccountName: 'kakers',
        userPrincipalName: 'kim.akers@tailspintoys.example',
        displayName: 'Kim Akers',
        givenName: 'Kim',
        surname: 'Akers',
        mail: 'kim.akers@tailspintoys.example',
        proxyAddresses: ['SMTP:kim.akers@tailspintoys.example', 'smtp:workshop-lead@tailspintoys.example'],
        jobTitle: 'Workshop Lead',
        department: 'Workshop',
        container: 'Tailspin/Staff/Workshop',
        password: 'Demo-only-Workshop-2026!',
        lastLogon: '2026-12-01T07:02:00Z',
        memberOf: ['Workshop'],
      },
      {
        // A Domain Admin: the privileged guard refuses changes to him (ticket 1033).
        objectGUID: '7a200000-0000-4000-8000-000000000003',
        rid: 1107,
        sAMAccountName: 'jprice.admin',
        userPrincipalName: 'jordan.price.admin@tailspintoys.example',
        displayName: 'Jordan Price (admin)',
        givenName: 'Jordan',
        surname: 'Price',
        mail: 'it@tailspintoys.example',
        jobTitle: 'Office Manager (IT admin account)',
        container: 'Users',
        password: 'Demo-only-Admin-2026!',
        lastLogon: '2026-11-15T16:40:00Z',
        memberOf: ['Domain Admins'],
      },
      {
        objectGUID: '7a200000-0000-4000-8000-000000000004',
        rid: 1108,
        sAMAccountName: 'jprice',
        userPrincipalName: 'jordan.price@tailspintoys.example',
        displayName: 'Jordan Price',
        givenName: 'Jordan',
        surname: 'Price',
        mail: 'jordan.price@tailspintoys.example',
        jobTitle: 'Office Manager',
        container: 'Tailspin/Staff',
        password: 'Demo-only-Office-2026!',
        lastLogon: '2026-12-01T08:15:00Z',
        memberOf: ['VPN Users'],
      },
      {
        // A leaver, already disabled and moved to the "Disabled users" OU.
        objectGUID: '7a200000-0000-4000-8000-000000000005',
        rid: 1109,
        sAMAccountName: 'pcoleman',
        userPrincipalName: 'pat.coleman@tailspintoys.example',
        displayName: 'Pat Coleman',
        givenName: 'Pat',
        surname: 'Coleman',
        mail: 'pat.coleman@tailspintoys.example',
        jobTitle: 'Driver',
        container: 'Tailspin/Disabled users',
        enabled: false,
        password: 'Demo-only-Leaver-2026!',
        lastLogon: '2026-06-30T17:05:00Z',
      },
    ],
  },
  fabrikam: {
    dnsName: 'corp.fabrikamlogistics.example',
    domainSid: 'S-1-5-21-2406158321-3947265174-1125541962',
    dcHost: 'dc1.corp.fabrikamlogistics.example',
    upnSuffixes: ['fabrikamlogistics.example'],
    passwordPolicy: DEFAULT_DOMAIN_POLICY,
    organizationalUnits: ['Fabrikam', 'Fabrikam/Warehouse', 'Fabrikam/Disabled users'],
    groups: [
      ...wellKnownGroups('5f000000'),
      {
        objectGUID: '5f100000-0000-4000-8000-000000000001',
        rid: 1201,
        name: 'Warehouse Managers',
        mail: 'warehouse-managers@fabrikamlogistics.example',
        container: 'Fabrikam/Warehouse',
      },
    ],
    users: [
      {
        // Lee Gu's on-prem account: his Entra user (demo-data.ts) is synchronised from it.
        objectGUID: '5f200000-0000-4000-8000-000000000002',
        rid: 1104,
        sAMAccountName: 'lgu',
        userPrincipalName: 'lee.gu@fabrikamlogistics.example',
        displayName: 'Lee Gu',
        givenName: 'Lee',
        surname: 'Gu',
        mail: 'lee.gu@fabrikamlogistics.example',
        proxyAddresses: ['SMTP:lee.gu@fabrikamlogistics.example'],
        jobTitle: 'Warehouse Lead',
        container: 'Fabrikam/Warehouse',
        password: 'Demo-only-Warehouse-2026!',
        lastLogon: '2026-11-30T06:55:00Z',
        memberOf: ['Warehouse Managers'],
      },
    ],
  },
};
