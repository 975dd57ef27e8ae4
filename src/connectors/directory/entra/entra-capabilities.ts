import type { CapabilityProof, DirectoryConnector, DirectorySetupGuide } from '../types.js';

/**
 * What each capability needs in a Microsoft 365 tenant and which line of the Entra systems check
 * (entra-connector.ts) proves it. The line names are the check's own: a line renamed there shows
 * in the forms catalogue as "not reported by the last check", never as a false pass.
 */
const graph = (permission: string): CapabilityProof => ({ label: `Microsoft Graph ${permission}`, checkName: `Permission ${permission}` });
const userAdministrator: CapabilityProof = { label: 'Entra role User Administrator', checkName: 'Entra role for password resets' };
const exchange: CapabilityProof[] = [
  { label: 'Exchange Online Exchange.ManageAsApp', checkName: 'Permission Exchange.ManageAsApp' },
  { label: 'Exchange Online commands (Exchange Administrator role)', checkName: 'Exchange Online commands' },
];
const editUsers = [graph('User.ReadWrite.All'), userAdministrator];
const authMethods = [
  graph('UserAuthenticationMethod.ReadWrite.All'),
  { label: 'Entra role Authentication Administrator', checkName: 'Entra role for MFA resets' },
];

export const ENTRA_SIGN_IN: CapabilityProof = { label: 'Sign-in to the tenant', checkName: 'Sign-in to the tenant' };

/**
 * Every core capability and every part the Entra client has (no `unlock`, no `move`). Group
 * changes go through Exchange Online for distribution lists and mail-enabled security groups,
 * which many tenants never set up: for `groups` those lines count only for that part.
 */
export const ENTRA_CAPABILITY_PROOFS: DirectoryConnector['capabilities']['proofs'] = {
  accountCheck: [{ label: 'Read directory roles (RoleManagement.Read.Directory)', checkName: 'Read directory roles' }],
  resetPassword: editUsers,
  enableDisable: editUsers,
  groups: [
    graph('GroupMember.ReadWrite.All'),
    { label: 'Read groups', checkName: 'Read groups' },
    ...exchange.map((proof) => ({ ...proof, partial: 'distribution lists and mail-enabled security groups' })),
  ],
  createUsers: editUsers,
  sessions: [graph('User.RevokeSessions.All')],
  authMethods,
  temporaryAccessPass: authMethods,
  licences: [graph('LicenseAssignment.ReadWrite.All')],
  mailbox: exchange,
  automaticReplies: [graph('MailboxSettings.ReadWrite')],
  mobileDevices: exchange,
  manager: editUsers,
  profile: editUsers,
  domains: [graph('Domain.Read.All'), graph('Organization.Read.All')],
};

export const ENTRA_SETUP_GUIDE: DirectorySetupGuide = {
  intro:
    'Each customer tenant needs an app registration (Entra admin center → App registrations → New registration) with a client secret (Certificates & secrets → New client secret: copy its Value) or a certificate, admin consent for these application permissions, and these Entra roles on its service principal (Roles and administrators → Add assignments).',
  permissions: [
    { name: 'User.ReadWrite.All', why: 'password resets, onboarding and offboarding' },
    { name: 'User.RevokeSessions.All', why: 'revoking sessions' },
    { name: 'UserAuthenticationMethod.ReadWrite.All', why: 'MFA resets and Temporary Access Passes' },
    { name: 'GroupMember.ReadWrite.All', why: 'group membership changes' },
    { name: 'LicenseAssignment.ReadWrite.All', why: 'adding and removing licences' },
    { name: 'MailboxSettings.ReadWrite', why: 'out of office when offboarding' },
    { name: 'RoleManagement.Read.Directory', why: 'seeing which users hold admin roles' },
    { name: 'Domain.Read.All and Organization.Read.All', why: 'domains and licences when onboarding' },
    { name: 'AuditLog.Read.All (optional)', why: 'last sign-in in user search results (needs Entra ID P1 or P2)' },
    { name: 'Exchange.ManageAsApp (Office 365 Exchange Online)', why: 'distribution lists and mailboxes' },
  ],
  roles: [
    { name: 'User Administrator', why: 'password resets (Privileged Authentication Administrator for admin accounts)' },
    { name: 'Authentication Administrator', why: 'removing sign-in methods' },
    { name: 'Exchange Administrator', why: 'distribution lists, shared mailboxes (with Exchange.ManageAsApp)' },
  ],
};
