/**
 * The fictional MSP of the demo sandbox: Northwind IT Services and three customers, each with its
 * own ConnectWise company and Microsoft 365 tenant. Contacts' e-mail addresses match users in
 * their own tenant, with a few deliberate edge cases so every path of the launch page can be seen:
 * a contact with two candidate users (picker), one with no match (search box), a synced user
 * (refused: reset in on-prem AD) and an admin-role user (refused: privileged). A fourth customer,
 * Tailspin Toys, has no tenant: its directory is an on-prem Active Directory domain, simulated in
 * memory (demo-active-directory.ts).
 *
 * Everything here is invented. The client secrets are demo values that only the in-process
 * simulator accepts.
 */
export type DemoMember = { id: number; identifier: string; firstName: string; lastName: string; email: string };
export type DemoBoard = { id: number; name: string; statuses: { id: number; name: string }[] };
/**
 * A customer: served by its Microsoft 365 tenant (`tenantKey`, a key of `demoTenants`) or, for an
 * AD-only customer, by its simulated on-prem domain (`adDomainKey`, demo-active-directory.ts).
 */
export type DemoCompany = { id: number; identifier: string; name: string; tenantKey?: string; adDomainKey?: string };
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
  /**
   * For a synced user, what Entra Connect wrote about its AD account (Graph's onPremises*
   * properties; null in Graph when unset): base64 objectGUID, the SID, the on-prem names (the
   * demo's are those of its simulated domain, demo-active-directory.ts).
   */
  onPremisesImmutableId?: string;
  onPremisesSecurityIdentifier?: string;
  onPremisesSamAccountName?: string;
  onPremisesUserPrincipalName?: string;
  onPremisesDomainName?: string;
  /** Directory role display names held by the user, e.g. "Global Administrator". */
  directoryRoles?: string[];
  usageLocation?: string;
  assignedSkuIds?: string[];
  /**
   * Registered sign-in methods besides the password, which the Graph simulator adds to every user
   * with Graph's well-known password method id.
   */
  authMethods?: DemoAuthMethod[];
  /** The user's default second factor, as beta `signInPreferences.userPreferredMethodForSecondaryAuthentication`. */
  preferredSecondFactor?: 'push' | 'oath' | 'voiceMobile' | 'voiceAlternateMobile' | 'voiceOffice' | 'sms';
  /**
   * The Exchange Online mailbox. The Graph simulator gives every licensed user a regular mailbox;
   * this only sets its size (default under 2 GB).
   */
  mailbox?: { sizeGb?: number };
  /** Graph's `signInActivity.lastSignInDateTime`: left out for a user who never signed in. */
  lastSignInDateTime?: string;
  /** The id of the user's manager in the same tenant. */
  managerId?: string;
  /** Phones and tablets syncing the mailbox (Exchange ActiveSync), as Get-MobileDevice lists them. */
  mobileDevices?: DemoMobileDevice[];
};
export type DemoMobileDevice = {
  guid: string;
  friendlyName: string;
  deviceModel: string;
  deviceOs: string;
  deviceType: string;
  /** ActiveSync device id, part of the device's Exchange identity. */
  deviceId: string;
  firstSyncTime: string;
};
/**
 * One registered sign-in method, with the fields Graph returns for its type. Phone and e-mail
 * methods use Graph's fixed ids (one method per phone type, one e-mail method per user).
 * `hardwareOath` exists in Graph beta only; it is here so the toolbox can be shown a method it
 * cannot remove.
 */
export type DemoAuthMethod = { id: string; createdDateTime?: string } & (
  | { type: 'phone'; phoneNumber: string; phoneType: 'mobile' | 'alternateMobile' | 'office' }
  | { type: 'email'; emailAddress: string }
  | { type: 'microsoftAuthenticator'; displayName: string; deviceTag?: string; phoneAppVersion?: string }
  | { type: 'fido2'; displayName: string; model: string; aaGuid?: string }
  | { type: 'softwareOath' }
  | { type: 'windowsHelloForBusiness'; displayName: string; keyStrength?: 'normal' | 'weak' | 'unknown' }
  | { type: 'platformCredential'; displayName: string; platform?: 'iOS' | 'macOS' | 'windows' | 'android' | 'unknown' }
  | { type: 'externalAuthentication'; displayName: string; configurationId?: string }
  | { type: 'hardwareOath'; displayName?: string; serialNumber?: string }
);
/**
 * A group as Graph describes it. The kind follows from the flags (reference §7): `Unified` in
 * groupTypes is a Microsoft 365 group; otherwise mail + security is a mail-enabled security group
 * and mail alone a distribution list (both changed through Exchange Online); `DynamicMembership`
 * or a rule means members come from the rule; `onPremisesSyncEnabled` means AD masters it.
 */
export type DemoGroup = {
  id: string;
  displayName: string;
  description?: string;
  mail?: string;
  groupTypes: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  onPremisesSyncEnabled?: boolean;
  membershipRule?: string;
  /** Role-assignable: membership changes need RoleManagement.ReadWrite.Directory as well. */
  isAssignableToRole?: boolean;
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
/** Graph's fixed method ids: each phone type and the e-mail method have one id for every user. */
const MOBILE_PHONE_METHOD = '3179e48a-750b-4051-897c-87b9720928f7';
const ALTERNATE_MOBILE_METHOD = 'b6332ec1-7057-4abe-9331-3d72feddfe41';
const OFFICE_PHONE_METHOD = 'e37fc753-ff3b-4958-9484-eaa9425c82bc';
const EMAIL_METHOD = '3ddfcfc8-9383-446f-83cc-3ab9be4be18f';
/** The AAGUID of a YubiKey 5 series key (NFC), as attested. */
const YUBIKEY_5_AAGUID = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

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
  // Hybrid: Microsoft 365 synced from an on-prem domain (Lee Gu's password is changed in AD).
  { id: 251, identifier: 'FABRIKAM', name: 'Fabrikam Logistics', tenantKey: 'fabrikam', adDomainKey: 'fabrikam' },
  { id: 252, identifier: 'ADATUMLAW', name: 'Adatum Legal LLP', tenantKey: 'adatum' },
  // On-prem Active Directory only, no Microsoft 365.
  { id: 253, identifier: 'TAILSPIN', name: 'Tailspin Toys', adDomainKey: 'tailspin' },
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
  {
    id: 331,
    companyId: 253,
    firstName: 'Rob',
    lastName: 'Young',
    email: 'rob.young@tailspintoys.example',
    phone: '5550104001',
    title: 'Sales',
  },
  {
    id: 332,
    companyId: 253,
    firstName: 'Kim',
    lastName: 'Akers',
    email: 'workshop-lead@tailspintoys.example',
    phone: '5550104002',
    title: 'Workshop Lead',
  },
  { id: 333, companyId: 253, firstName: 'Jordan', lastName: 'Price', email: 'it@tailspintoys.example', phone: '5550104003' },
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
    id: 1031,
    summary: 'Rob locked out of his PC after the holidays',
    companyId: 253,
    contactId: 331,
    boardId: 1,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 1032,
    summary: 'Kim needs the VPN for working from home',
    companyId: 253,
    contactId: 332,
    boardId: 1,
    status: 'New',
    recordType: 'ServiceTicket',
  },
  {
    id: 1033,
    summary: 'Reset the IT admin account password',
    companyId: 253,
    contactId: 333,
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
        lastSignInDateTime: '2026-11-30T08:04:12Z',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        usageLocation: 'US',
        assignedSkuIds: [SKU_BUSINESS_PREMIUM],
        authMethods: [
          {
            type: 'microsoftAuthenticator',
            id: 'c2000000-0000-4000-8000-000000000011',
            displayName: 'iPhone 15',
            deviceTag: 'SoftwareTokenActivated',
            phoneAppVersion: '6.8.17',
            createdDateTime: '2025-03-04T15:22:10Z',
          },
          { type: 'phone', id: MOBILE_PHONE_METHOD, phoneNumber: '+1 5550101001', phoneType: 'mobile' },
        ],
        preferredSecondFactor: 'push',
        mobileDevices: [
          {
            guid: 'c3000000-0000-4000-8000-000000000011',
            friendlyName: 'iPhone 15',
            deviceModel: 'iPhone15C2',
            deviceOs: 'iOS 18.1 22B83',
            deviceType: 'iPhone',
            deviceId: 'ApplF17XK2Q9PN',
            firstSyncTime: '2025-03-04T15:40:00Z',
          },
        ],
      },
      {
        id: 'c0000000-0000-4000-8000-000000000002',
        userPrincipalName: 'dsiciliani@contosodental.example',
        displayName: 'Diego Siciliani',
        givenName: 'Diego',
        surname: 'Siciliani',
        mail: 'diego@contosodental.example',
        jobTitle: 'Dentist',
        lastSignInDateTime: '2026-12-01T16:47:03Z',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        usageLocation: 'US',
        assignedSkuIds: [SKU_BUSINESS_PREMIUM],
        // Every phone type plus e-mail and an app code: the default (sms) mobile number can only go last,
        // and the mobile number cannot go while the alternate mobile remains.
        authMethods: [
          { type: 'phone', id: MOBILE_PHONE_METHOD, phoneNumber: '+1 5550101002', phoneType: 'mobile' },
          { type: 'phone', id: ALTERNATE_MOBILE_METHOD, phoneNumber: '+1 5550109002', phoneType: 'alternateMobile' },
          { type: 'email', id: EMAIL_METHOD, emailAddress: 'diego.siciliani@outlook.example' },
          { type: 'softwareOath', id: 'c2000000-0000-4000-8000-000000000021' },
        ],
        preferredSecondFactor: 'sms',
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
        jobTitle: 'Dentist (admin account)',
        lastSignInDateTime: '2026-09-12T10:20:45Z',
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        authMethods: [
          {
            type: 'fido2',
            id: 'c2000000-0000-4000-8000-000000000031',
            displayName: 'Admin key',
            model: 'YubiKey 5 NFC',
            aaGuid: YUBIKEY_5_AAGUID,
            createdDateTime: '2024-11-18T09:41:00Z',
          },
        ],
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
        authMethods: [
          {
            type: 'microsoftAuthenticator',
            id: 'c2000000-0000-4000-8000-000000000041',
            displayName: 'Pixel 8',
            deviceTag: 'SoftwareTokenActivated',
            phoneAppVersion: '6.2410.7122',
            createdDateTime: '2024-06-02T08:15:00Z',
          },
          {
            type: 'fido2',
            id: 'c2000000-0000-4000-8000-000000000042',
            displayName: 'YubiKey (desk)',
            model: 'YubiKey 5C NFC',
            aaGuid: YUBIKEY_5_AAGUID,
            createdDateTime: '2024-06-02T08:20:00Z',
          },
        ],
        preferredSecondFactor: 'push',
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
      {
        id: 'c1000000-0000-4000-8000-000000000004',
        displayName: 'Billing Approvers',
        description: 'Approves refunds; also grants the billing share',
        mail: 'billing-approvers@contosodental.example',
        groupTypes: [],
        mailEnabled: true,
        securityEnabled: true,
        memberIds: ['c0000000-0000-4000-8000-000000000001'],
      },
      {
        id: 'c1000000-0000-4000-8000-000000000005',
        displayName: 'Helpdesk Admins (role-assignable)',
        groupTypes: [],
        mailEnabled: false,
        securityEnabled: true,
        isAssignableToRole: true,
        memberIds: ['c0000000-0000-4000-8000-000000000004'],
      },
      {
        id: 'c1000000-0000-4000-8000-000000000006',
        displayName: 'Clinic - Downtown',
        groupTypes: [],
        mailEnabled: false,
        securityEnabled: true,
        memberIds: ['c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002'],
      },
      {
        id: 'c1000000-0000-4000-8000-000000000007',
        displayName: 'Clinic - Riverside',
        groupTypes: [],
        mailEnabled: false,
        securityEnabled: true,
        memberIds: ['c0000000-0000-4000-8000-000000000002'],
      },
      {
        id: 'c1000000-0000-4000-8000-000000000008',
        displayName: 'Clinic - Uptown',
        mail: 'uptown@contosodental.example',
        groupTypes: ['Unified'],
        mailEnabled: true,
        securityEnabled: false,
        memberIds: [],
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
        authMethods: [{ type: 'phone', id: MOBILE_PHONE_METHOD, phoneNumber: '+1 5550102001', phoneType: 'mobile' }],
        preferredSecondFactor: 'sms',
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
        // From his account in Fabrikam's domain (demo-active-directory.ts).
        onPremisesImmutableId: 'AAAgXwAAAECAAAAAAAAAAg==',
        onPremisesSecurityIdentifier: 'S-1-5-21-2406158321-3947265174-1125541962-1104',
        onPremisesSamAccountName: 'lgu',
        usageLocation: 'US',
        authMethods: [
          {
            type: 'microsoftAuthenticator',
            id: 'f2000000-0000-4000-8000-000000000021',
            displayName: 'Galaxy S23',
            deviceTag: 'SoftwareTokenActivated',
            phoneAppVersion: '6.2409.6094',
            createdDateTime: '2024-09-30T13:05:00Z',
          },
        ],
        preferredSecondFactor: 'push',
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
        authMethods: [
          {
            type: 'microsoftAuthenticator',
            id: 'f2000000-0000-4000-8000-000000000031',
            displayName: 'iPhone 14 Pro',
            deviceTag: 'SoftwareTokenActivated',
            phoneAppVersion: '6.8.15',
            createdDateTime: '2024-02-12T10:00:00Z',
          },
          { type: 'phone', id: OFFICE_PHONE_METHOD, phoneNumber: '+1 5550102900', phoneType: 'office' },
        ],
        preferredSecondFactor: 'push',
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
      {
        id: 'f1000000-0000-4000-8000-000000000003',
        displayName: 'Dispatch Alerts',
        mail: 'dispatch-alerts@fabrikamlogistics.example',
        groupTypes: [],
        mailEnabled: true,
        securityEnabled: false,
        memberIds: ['f0000000-0000-4000-8000-000000000001'],
      },
      {
        id: 'f1000000-0000-4000-8000-000000000004',
        displayName: 'Warehouse Managers',
        mail: 'warehouse-managers@fabrikamlogistics.example',
        groupTypes: [],
        mailEnabled: true,
        securityEnabled: true,
        memberIds: ['f0000000-0000-4000-8000-000000000002'],
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
        authMethods: [
          {
            type: 'fido2',
            id: 'a2000000-0000-4000-8000-000000000011',
            displayName: 'YubiKey',
            model: 'YubiKey 5 NFC',
            aaGuid: YUBIKEY_5_AAGUID,
            createdDateTime: '2025-01-20T11:30:00Z',
          },
          {
            type: 'microsoftAuthenticator',
            id: 'a2000000-0000-4000-8000-000000000012',
            displayName: 'iPhone 13',
            deviceTag: 'SoftwareTokenActivated',
            phoneAppVersion: '6.8.12',
            createdDateTime: '2025-01-20T11:20:00Z',
          },
        ],
        preferredSecondFactor: 'push',
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
        // The office phone is the default: it can only be removed after the other two.
        authMethods: [
          {
            type: 'windowsHelloForBusiness',
            id: 'a2000000-0000-4000-8000-000000000021',
            displayName: 'ADATUM-LT-0142',
            keyStrength: 'normal',
            createdDateTime: '2024-10-07T07:58:00Z',
          },
          {
            type: 'microsoftAuthenticator',
            id: 'a2000000-0000-4000-8000-000000000022',
            displayName: 'Pixel 7',
            deviceTag: 'SoftwareTokenActivated',
            phoneAppVersion: '6.2408.5521',
            createdDateTime: '2024-10-07T08:03:00Z',
          },
          { type: 'phone', id: OFFICE_PHONE_METHOD, phoneNumber: '+44 2079460102', phoneType: 'office' },
        ],
        preferredSecondFactor: 'voiceOffice',
        // A leaver with a mailbox over the 50 GB a shared mailbox may hold without a licence.
        mailbox: { sizeGb: 52 },
        managerId: 'a0000000-0000-4000-8000-000000000001',
        mobileDevices: [
          {
            guid: 'a3000000-0000-4000-8000-000000000021',
            friendlyName: 'Pixel 7',
            deviceModel: 'Pixel 7',
            deviceOs: 'Android 14',
            deviceType: 'Android',
            deviceId: 'androidc1847429105',
            firstSyncTime: '2024-10-07T08:10:00Z',
          },
          {
            guid: 'a3000000-0000-4000-8000-000000000022',
            friendlyName: 'iPad (Outlook)',
            deviceModel: 'Outlook for iOS and Android',
            deviceOs: 'iPadOS 17.5',
            deviceType: 'Outlook',
            deviceId: '9B2F1E0C7D4A4E31',
            firstSyncTime: '2025-02-11T09:00:00Z',
          },
        ],
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
        authMethods: [
          { type: 'phone', id: MOBILE_PHONE_METHOD, phoneNumber: '+44 7700900103', phoneType: 'mobile' },
          { type: 'email', id: EMAIL_METHOD, emailAddress: 'johanna.lorenz@gmail.example' },
        ],
        preferredSecondFactor: 'voiceMobile',
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
        authMethods: [
          {
            type: 'microsoftAuthenticator',
            id: 'a2000000-0000-4000-8000-000000000041',
            displayName: 'iPhone 15 Pro',
            deviceTag: 'SoftwareTokenActivated',
            phoneAppVersion: '6.8.17',
            createdDateTime: '2024-05-14T16:45:00Z',
          },
        ],
        preferredSecondFactor: 'push',
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
      {
        id: 'a1000000-0000-4000-8000-000000000003',
        displayName: 'Partners',
        mail: 'partners@adatumlegal.example',
        groupTypes: [],
        mailEnabled: true,
        securityEnabled: false,
        memberIds: ['a0000000-0000-4000-8000-000000000001'],
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

/**
 * The MSP's own Microsoft 365 tenant (issue 13), where its one multi-tenant app is registered:
 * the app is this tenant's app (same client id and secret), its technicians sign in with
 * Microsoft against it. Kept out of `demoTenants` (the customers): only the demo sandbox's
 * simulator holds it. Alex is an admin by app role, Bailey a technician through the
 * "Service Desk" group, Morgan has neither and is refused.
 */
export const demoMspTenant: DemoTenant = {
  key: 'northwind',
  tenantId: '6f1b2c3d-0000-4000-8000-000000000100',
  displayName: 'Northwind IT Services',
  verifiedDomains: ['northwind-it.example', 'northwindit.onmicrosoft.com'],
  clientId: '7c3f0d2e-5a4b-4c6d-8e9f-0a1b2c3d4e5f',
  clientSecret: 'demo-msp-app-secret-not-secret',
  users: [
    {
      id: 'e0000000-0000-4000-8000-000000000001',
      userPrincipalName: 'alex.owens@northwind-it.example',
      displayName: 'Alex Owens',
      givenName: 'Alex',
      surname: 'Owens',
      mail: 'alex.owens@northwind-it.example',
      jobTitle: 'Service Desk Manager',
      accountEnabled: true,
      onPremisesSyncEnabled: false,
      directoryRoles: ['Global Administrator'],
    },
    {
      id: 'e0000000-0000-4000-8000-000000000002',
      userPrincipalName: 'bailey.kim@northwind-it.example',
      displayName: 'Bailey Kim',
      givenName: 'Bailey',
      surname: 'Kim',
      mail: 'bailey.kim@northwind-it.example',
      jobTitle: 'Service Desk Technician',
      accountEnabled: true,
      onPremisesSyncEnabled: false,
    },
    {
      id: 'e0000000-0000-4000-8000-000000000003',
      userPrincipalName: 'morgan.lee@northwind-it.example',
      displayName: 'Morgan Lee',
      givenName: 'Morgan',
      surname: 'Lee',
      mail: 'morgan.lee@northwind-it.example',
      jobTitle: 'Account Manager',
      accountEnabled: true,
      onPremisesSyncEnabled: false,
    },
  ],
  groups: [
    {
      id: 'e1000000-0000-4000-8000-000000000001',
      displayName: 'Service Desk',
      groupTypes: [],
      mailEnabled: false,
      securityEnabled: true,
      memberIds: ['e0000000-0000-4000-8000-000000000002'],
    },
  ],
  skus: [],
};
