/**
 * The five form names 1Stream's screen-pop URLs use, in the seed's order, whether or not this
 * build can run them yet. A name here with no entry in the form registry is "known but not
 * available"; a registered form missing from `forms.enabled` is "not enabled".
 */
export const FORM_CATALOGUE = [
  { name: 'password_reset', label: 'Password Reset' },
  { name: 'user_onboarding', label: 'User Onboarding' },
  { name: 'user_offboarding', label: 'User Offboarding' },
  { name: 'reset_mfa', label: 'Reset MFA' },
  { name: 'group_membership', label: 'Group Membership' },
] as const;

export type KnownFormName = (typeof FORM_CATALOGUE)[number]['name'];

/** The URL template an admin pastes into 1Stream for one form. */
export function screenPopTemplate(publicUrl: string, formName: string): string {
  return `${publicUrl}/hooks/screenpop?ticket_id=@ticketid&company_id=@companyid&contact_id=@contactid&form_name=${formName}`;
}
