/**
 * The fictional MSP of the demo sandbox: Northwind IT Services and three customers, each with its
 * own ConnectWise company and Microsoft 365 tenant. Contacts' e-mail addresses match users in
 * their own tenant, with a few deliberate edge cases so every path of the launch page can be seen:
 * a contact with two candidate users (picker), one with no match (search box), a synced user
 * (refused: reset in on-prem AD) and an admin-role user (refused: privileged).
 *
 * Everything here is invented. The client secrets are demo values that only the in-process
 * simulator accepts.
 */
export type DemoMember = { id: number; identifier: string; firstName: string; lastName: string; email: string };
export type DemoBoard = { id: number; name: string; statuses: { id: number; name: string }[] };
export type DemoCompany = { id: number; identifier: string; name: string; tenantKey: string };
export type DemoContact = {
  id: number;
  companyId: number;
  firstName: string;
  lastName: string;
  email?: string;
  phone?: string;
  mobile?: string;
  title?: string;
};
export type DemoTicket = {
  id: number;
  summary: string;
  companyId: number;
  contactId: number;
  boardId: number;
  status: string;
  recordType: 'ServiceTicket' | 'ProjectTicket';
};
export type DemoUser = {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string;
  surname: string;
  mail: string;
  otherMails?: string[];
  proxyAddresses?: string[];
  jobTitle?: string;
  department?: string;
  accountEnabled: boolean;
  onPremisesSyncEnabled: boolean;
  /** Directory role display names held by the user, e.g. "Global Administrator". */
  directoryRoles?: string[];
  usageLocation?: string;
  assignedSkuIds?: string[];
};
export type DemoGroup = {
  id: string;
  displayName: string;
  mail?: string;
  groupTypes: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  onPremisesSyncEnabled?: boolean;
  membershipRule?: string;
  memberIds: string[];
};
export type DemoSku = { skuId: string; skuPartNumber: string; prepaidEnabled: number; consumedUnits: number };
export type DemoTenant = {
  key: string;
  tenantId: string;
  displayName: string;
  verifiedDomains: string[];
  clientId: string;
  clientSecret: string;
  users: DemoUser[];
  groups: DemoGroup[];
  skus: DemoSku[];
};

const SKU_BUSINESS_PREMIUM = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46';
const SKU_EXCHANGE_ONLINE = '4b9405b0-7788-4568-add1-99614e613b69';

export const demoMsp = {
  name: 'Northwind IT Services',
  connectWiseCompanyId: 'northwind',
  publicKey: 'demoPublicKey01',
  privateKey: 'demo-private-key-not-secret',
  clientId: '5b3f6a7e-0c1d-4e2f-9a8b-7c6d5e4f3a21',
  codebase: 'v2025_1/',
};

export const demoMembers: DemoMember[] = [
  { id: 150, identifier: 'aowens', firstName: 'Alex', lastName: 'Owens', email: 'alex.owens@northwind-it.example' },
  { id: 151, identifier: 'bkim', firstName: 'Bailey', lastName: 'Kim', email: 'bailey.kim@northwind-it.example' },
];

export const demoBoards: DemoBoard[] = [
  {
    id: 1,
    name: 'Help Desk',
    statuses: [
      { id: 11, name: 'New' },
      { id: 12, name: 'In Progress' },
      { id: 13, name: 'Waiting on Client' },
      { id: 14, name: 'Resolved' },
    ],
  },
  {
    id: 2,
    name: 'Onboarding',
    statuses: [
      { id: 21, name: 'New' },
      { id: 22, name: 'Scheduled' },
      { id: 23, name: 'Completed' },
    ],
  },
];

export const demoCompanies: DemoCompany[] = [
  { id: 250, identifier: 'CONTOSODENT', name: 'Contoso Dental', tenantKey: 'contoso' },
  { id: 251, identifier: 'FABRIKAM', name: 'Fabrikam Logistics', tenantKey: 'fabrikam' },
  { id: 252, identifier: 'ADATUMLAW', name: 'Adatum Legal LLP', tenantKey: 'adatum' },
];

export const demoContacts: DemoContact[] = [
  {
    id: 301,
    companyId: 250,
    firstName: 'Megan',
    lastName: 'Bowen',
    email: 'megan.bowen@contosodental.example',
    phone: '5550101001',
    title: 'Practice Manager',
  },
  {
    id: 302,
    companyId: 250,
    firstName: 'Diego',
    lastName: 'Siciliani',
    email: 'diego@contosodental.example',
    mobile: '5550101002',
    title: 'Dentist',
  },
  {
    id: 303,
    companyId: 250,
    firstName: 'Pat',
    lastName: 'Admin',
    email: 'it-admin@contosodental.example',
    phone: '5550101003',
    title: 'IT Contact',
  },
  {
    id: 311,
    companyId: 251,
    firstName: 'Lidia',
    lastName: 'Holloway',
    email: 'lidia.holloway@fabrikamlogistics.example',
    phone: '5550102001',
  },
  { id: 312, companyId: 251, firstName: 'Lee', lastName: 'Gu', email: 'lee.gu@fabrikamlogistics.example', phone: '5550102002' },
  { id: 313, companyId: 251, firstName: 'Nestor', lastName: 'Wilke', email: 'nestor.wilke@gmail.example', phone: '5550102003' },
  { id: 321, companyId: 252, firstName: 'Isaiah', lastName: 'Langer', email: 'isaiah.langer@adatumlegal.example', phone: '5550103001' },
  { id: 322, companyId: 252, firstName: 'Grady', lastName: 'Archie', email: 'grady.archie@adatumlegal.example', phone: '5550103002' },
  { id: 323, companyId: 252, firstName: 'Johanna', lastName: 'Lorenz', email: 'johanna.lorenz@adatumlegal.example', mobile: '5550103003' },
];

export const demoTickets: DemoTicket[] = [
  {
    id: 1001,
    summary: 'Megan locked out after password expiry',
    companyId: 250,
    contactId: 301,
    boardId: 1,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 1002,
    summary: 'Reset Authenticator for Diego (new phone)',
    companyId: 250,
    contactId: 302,
    boardId: 1,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 1003,
    summary: 'IT admin account password change',
    companyId: 250,
    contactId: 303,
    boardId: 1,
    status: 'In Progress',
    recordType: 'ServiceTicket',
  },
  {
    id: 1011,
    summary: 'Lidia needs access to the Dispatch group',
    companyId: 251,
    contactId: 311,
    boardId: 1,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 1012,
    summary: 'Password reset for Lee (synced account)',
    companyId: 251,
    contactId: 312,
    boardId: 1,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 1013,
    summary: 'New starter: warehouse supervisor',
    companyId: 251,
    contactId: 313,
    boardId: 2,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 1021,
    summary: 'Leaver: Grady Archie last day Friday',
    companyId: 252,
    contactId: 322,
    boardId: 1,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 1022,
    summary: 'Isaiah forgot his password',
    companyId: 252,
    contactId: 321,
    boardId: 1,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 2001,
    summary: 'Office move: migrate user accounts',
    companyId: 252,
    contactId: 323,
    boardId: 2,
    status: 'New',
    recordType: 'ProjectTicket',
  },
];

export const demoTenants: DemoTenant[] = [
  {
    key: 'contoso',
    tenantId: '6f1b2c3d-0000-4000-8000-000000000250',
    displayName: 'Contoso Dental',
    verifiedDomains: ['contosodental.example', 'contosodental.onmicrosoft.example'],
    clientId: '0a1b2c3d-1111-4111-8111-000000000250',
    clientSecret: 'demo-secret-contoso',
    users: [
      {
        id: 'c0000000-0000-4000-8000-000000000001',
        userPrincipalName: 'megan.bowen@contosodental.example',
        displayName: 'Megan Bowen',
        givenName: 'Megan',
        surname: 'Bowen',
        mail: 'megan.bowen@contosodental.example',
        jobTitle: 'Practice Manager',
        department: 'Front Office',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        usageLocation: 'US',
        assignedSkuIds: [SKU_BUSINESS_PREMIUM],
      },
      {
        id: 'c0000000-0000-4000-8000-000000000002',
        userPrincipalName: 'dsiciliani@contosodental.example',
        displayName: 'Diego Siciliani',
        givenName: 'Diego',
        surname: 'Siciliani',
        mail: 'diego@contosodental.example',
        jobTitle: 'Dentist',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        usageLocation: 'US',
        assignedSkuIds: [SKU_BUSINESS_PREMIUM],
      },
      {
        // Shares Diego's address as an alias: the launch page must offer a choice.
        id: 'c0000000-0000-4000-8000-000000000003',
        userPrincipalName: 'diego.admin@contosodental.example',
        displayName: 'Diego Siciliani (admin)',
        givenName: 'Diego',
        surname: 'Siciliani',
        mail: 'diego.admin@contosodental.example',
        proxyAddresses: ['smtp:diego@contosodental.example'],
        accountEnabled: true,
        onPremisesSyncEnabled: false,
      },
      {
        id: 'c0000000-0000-4000-8000-000000000004',
        userPrincipalName: 'it-admin@contosodental.example',
        displayName: 'Contoso IT Admin',
        givenName: 'Pat',
        surname: 'Admin',
        mail: 'it-admin@contosodental.example',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        directoryRoles: ['Global Administrator'],
      },
      {
        id: 'c0000000-0000-4000-8000-000000000005',
        userPrincipalName: 'reception@contosodental.example',
        displayName: 'Reception Desk',
        givenName: 'Reception',
        surname: 'Desk',
        mail: 'reception@contosodental.example',
        accountEnabled: false,
        onPremisesSyncEnabled: false,
      },
    ],
    groups: [
      {
        id: 'c1000000-0000-4000-8000-000000000001',
        displayName: 'All Staff',
        mail: 'allstaff@contosodental.example',
        groupTypes: ['Unified'],
        mailEnabled: true,
        securityEnabled: false,
        memberIds: ['c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002'],
      },
      {
        id: 'c1000000-0000-4000-8000-000000000002',
        displayName: 'Clinical Records Access',
        groupTypes: [],
        mailEnabled: false,
        securityEnabled: true,
        memberIds: ['c0000000-0000-4000-8000-000000000002'],
      },
      {
        id: 'c1000000-0000-4000-8000-000000000003',
        displayName: 'Front Desk DL',
        mail: 'frontdesk@contosodental.example',
        groupTypes: [],
        mailEnabled: true,
        securityEnabled: false,
        memberIds: ['c0000000-0000-4000-8000-000000000001'],
      },
    ],
    skus: [
      { skuId: SKU_BUSINESS_PREMIUM, skuPartNumber: 'SPB', prepaidEnabled: 10, consumedUnits: 2 },
      { skuId: SKU_EXCHANGE_ONLINE, skuPartNumber: 'EXCHANGESTANDARD', prepaidEnabled: 2, consumedUnits: 2 },
    ],
  },
  {
    key: 'fabrikam',
    tenantId: '6f1b2c3d-0000-4000-8000-000000000251',
    displayName: 'Fabrikam Logistics',
    verifiedDomains: ['fabrikamlogistics.example'],
    clientId: '0a1b2c3d-1111-4111-8111-000000000251',
    clientSecret: 'demo-secret-fabrikam',
    users: [
      {
        id: 'f0000000-0000-4000-8000-000000000001',
        userPrincipalName: 'lidia.holloway@fabrikamlogistics.example',
        displayName: 'Lidia Holloway',
        givenName: 'Lidia',
        surname: 'Holloway',
        mail: 'lidia.holloway@fabrikamlogistics.example',
        jobTitle: 'Dispatcher',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        usageLocation: 'US',
        assignedSkuIds: [SKU_BUSINESS_PREMIUM],
      },
      {
        id: 'f0000000-0000-4000-8000-000000000002',
        userPrincipalName: 'lee.gu@fabrikamlogistics.example',
        displayName: 'Lee Gu',
        givenName: 'Lee',
        surname: 'Gu',
        mail: 'lee.gu@fabrikamlogistics.example',
        jobTitle: 'Warehouse Lead',
        accountEnabled: true,
        onPremisesSyncEnabled: true,
        usageLocation: 'US',
      },
      {
        id: 'f0000000-0000-4000-8000-000000000003',
        userPrincipalName: 'admin@fabrikamlogistics.example',
        displayName: 'Fabrikam Global Admin',
        givenName: 'Fabrikam',
        surname: 'Admin',
        mail: 'admin@fabrikamlogistics.example',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        directoryRoles: ['Global Administrator'],
      },
      {
        id: 'f0000000-0000-4000-8000-000000000004',
        userPrincipalName: 'nestor.wilke@fabrikamlogistics.example',
        displayName: 'Nestor Wilke',
        givenName: 'Nestor',
        surname: 'Wilke',
        mail: 'nestor.wilke@fabrikamlogistics.example',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
      },
    ],
    groups: [
      {
        id: 'f1000000-0000-4000-8000-000000000001',
        displayName: 'Dispatch',
        groupTypes: [],
        mailEnabled: false,
        securityEnabled: true,
        memberIds: [],
      },
      {
        id: 'f1000000-0000-4000-8000-000000000002',
        displayName: 'All Drivers (dynamic)',
        groupTypes: ['DynamicMembership'],
        mailEnabled: false,
        securityEnabled: true,
        membershipRule: '(user.jobTitle -eq "Driver")',
        memberIds: [],
      },
    ],
    skus: [{ skuId: SKU_BUSINESS_PREMIUM, skuPartNumber: 'SPB', prepaidEnabled: 5, consumedUnits: 1 }],
  },
  {
    key: 'adatum',
    tenantId: '6f1b2c3d-0000-4000-8000-000000000252',
    displayName: 'Adatum Legal LLP',
    verifiedDomains: ['adatumlegal.example'],
    clientId: '0a1b2c3d-1111-4111-8111-000000000252',
    clientSecret: 'demo-secret-adatum',
    users: [
      {
        id: 'a0000000-0000-4000-8000-000000000001',
        userPrincipalName: 'isaiah.langer@adatumlegal.example',
        displayName: 'Isaiah Langer',
        givenName: 'Isaiah',
        surname: 'Langer',
        mail: 'isaiah.langer@adatumlegal.example',
        jobTitle: 'Associate',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        usageLocation: 'GB',
        assignedSkuIds: [SKU_BUSINESS_PREMIUM],
      },
      {
        id: 'a0000000-0000-4000-8000-000000000002',
        userPrincipalName: 'grady.archie@adatumlegal.example',
        displayName: 'Grady Archie',
        givenName: 'Grady',
        surname: 'Archie',
        mail: 'grady.archie@adatumlegal.example',
        jobTitle: 'Paralegal',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        usageLocation: 'GB',
        assignedSkuIds: [SKU_BUSINESS_PREMIUM],
      },
      {
        id: 'a0000000-0000-4000-8000-000000000003',
        userPrincipalName: 'jlorenz@adatumlegal.example',
        displayName: 'Johanna Lorenz',
        givenName: 'Johanna',
        surname: 'Lorenz',
        mail: 'jlorenz@adatumlegal.example',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
      },
      {
        id: 'a0000000-0000-4000-8000-000000000004',
        userPrincipalName: 'helpdesk-admin@adatumlegal.example',
        displayName: 'Adatum Helpdesk Admin',
        givenName: 'Helpdesk',
        surname: 'Admin',
        mail: 'helpdesk-admin@adatumlegal.example',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        directoryRoles: ['User Administrator'],
      },
    ],
    groups: [
      {
        id: 'a1000000-0000-4000-8000-000000000001',
        displayName: 'Litigation Team',
        groupTypes: ['Unified'],
        mail: 'litigation@adatumlegal.example',
        mailEnabled: true,
        securityEnabled: false,
        memberIds: ['a0000000-0000-4000-8000-000000000001'],
      },
      {
        id: 'a1000000-0000-4000-8000-000000000002',
        displayName: 'File Server Users (synced)',
        groupTypes: [],
        mailEnabled: false,
        securityEnabled: true,
        onPremisesSyncEnabled: true,
        memberIds: ['a0000000-0000-4000-8000-000000000002'],
      },
    ],
    skus: [{ skuId: SKU_BUSINESS_PREMIUM, skuPartNumber: 'SPB', prepaidEnabled: 3, consumedUnits: 2 }],
  },
];

/** The demo technician and admin, created at start when no configuration file is given. */
export const demoUsers = [
  { email: 'admin@northwind-it.example', name: 'Alex Owens', role: 'admin' as const },
  { email: 'tech@northwind-it.example', name: 'Bailey Kim', role: 'technician' as const },
];
