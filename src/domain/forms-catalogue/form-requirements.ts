/**
 * What each form needs in a customer's tenant, as the names of the Entra systems-check lines
 * that prove it (src/connectors/directory/entra/entra-connector.ts), from the permissions listed
 * per form in docs/forms.md. Keep the three in step: a line renamed in the connector shows here
 * as "not reported by the last check" rather than as a false pass.
 */
export type DirectoryRequirement = {
  /** What the admin grants, in the words of the Entra admin center. */
  label: string;
  /** The systems-check line that reports it. */
  checkName: string;
  /** Needed only for part of the form (e.g. distribution lists): a failure is worth knowing, not blocking. */
  partial?: string;
};

const graph = (permission: string, partial?: string): DirectoryRequirement => ({
  label: `Microsoft Graph ${permission}`,
  checkName: `Permission ${permission}`,
  ...(partial ? { partial } : {}),
});
const exchange: DirectoryRequirement[] = [
  {
    label: 'Exchange Online Exchange.ManageAsApp',
    checkName: 'Permission Exchange.ManageAsApp',
    partial: 'distribution lists and mail-enabled security groups',
  },
  {
    label: 'Exchange Online commands (Exchange Administrator role)',
    checkName: 'Exchange Online commands',
    partial: 'distribution lists and mail-enabled security groups',
  },
];
const signIn: DirectoryRequirement = { label: 'Sign-in to the tenant', checkName: 'Sign-in to the tenant' };
const readRoles: DirectoryRequirement = {
  label: 'Read directory roles (RoleManagement.Read.Directory)',
  checkName: 'Read directory roles',
};
const userAdministrator: DirectoryRequirement = { label: 'Entra role User Administrator', checkName: 'Entra role for password resets' };

export const FORM_DIRECTORY_REQUIREMENTS: Record<string, DirectoryRequirement[]> = {
  password_reset: [signIn, graph('User.ReadWrite.All'), graph('User.RevokeSessions.All'), readRoles, userAdministrator],
  reset_mfa: [
    signIn,
    graph('UserAuthenticationMethod.ReadWrite.All'),
    graph('User.RevokeSessions.All'),
    readRoles,
    { label: 'Entra role Authentication Administrator', checkName: 'Entra role for MFA resets' },
  ],
  group_membership: [
    signIn,
    graph('GroupMember.ReadWrite.All'),
    { label: 'Read groups', checkName: 'Read groups' },
    readRoles,
    ...exchange,
  ],
  user_offboarding: [
    signIn,
    graph('User.ReadWrite.All'),
    graph('User.RevokeSessions.All'),
    graph('UserAuthenticationMethod.ReadWrite.All'),
    graph('GroupMember.ReadWrite.All'),
    graph('LicenseAssignment.ReadWrite.All'),
    graph('MailboxSettings.ReadWrite'),
    readRoles,
    userAdministrator,
    { ...exchange[0]!, partial: 'mailbox conversion, forwarding, access and mobile devices' },
    { ...exchange[1]!, partial: 'mailbox conversion, forwarding, access and mobile devices' },
  ],
  user_onboarding: [
    signIn,
    graph('User.ReadWrite.All'),
    graph('LicenseAssignment.ReadWrite.All'),
    graph('Domain.Read.All'),
    graph('Organization.Read.All'),
    graph('GroupMember.ReadWrite.All'),
    userAdministrator,
    ...exchange,
  ],
};
