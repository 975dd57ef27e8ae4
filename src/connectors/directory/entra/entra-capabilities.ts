import type { CapabilityProof, DirectoryCapability, DirectorySetupGuide } from '../types.js';

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

export const ENTRA_SIGN_IN: CapabilityProof = { label: 'Sign-in to the tenant', checkName: 'Sign-in to the tenant' };

export const ENTRA_CAPABILITY_PROOFS: Record<DirectoryCapability, CapabilityProof[]> = {
  readRoles: [{ label: 'Read directory roles (RoleManagement.Read.Directory)', checkName: 'Read directory roles' }],
  resetPassword: [graph('User.ReadWrite.All'), userAdministrator],
  revokeSessions: [graph('User.RevokeSessions.All')],
  authMethods: [
    graph('UserAuthenticationMethod.ReadWrite.All'),
    { label: 'Entra role Authentication Administrator', checkName: 'Entra role for MFA resets' },
  ],
  groups: [graph('GroupMember.ReadWrite.All'), { label: 'Read groups', checkName: 'Read groups' }],
  distributionGroups: exchange,
  editUsers: [graph('User.ReadWrite.All'), userAdministrator],
  createUsers: [graph('User.ReadWrite.All'), userAdministrator],
  licences: [graph('LicenseAssignment.ReadWrite.All')],
  mailboxSettings: [graph('MailboxSettings.ReadWrite')],
  mailboxes: exchange,
  tenantInfo: [graph('Domain.Read.All'), graph('Organization.Read.All')],
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
