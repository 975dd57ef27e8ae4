import type { PsaScreenPopVariables } from '../connectors/psa/types.js';

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

/**
 * The URL template an admin pastes into 1Stream for one form. The values are the PSA's own 1Stream
 * variables (the connector's `screenPop`), which 1Stream replaces with the call's ids.
 */
export function screenPopTemplate(publicUrl: string, formName: string, variables: PsaScreenPopVariables): string {
  return `${publicUrl}/hooks/screenpop?ticket_id=${variables.ticket}&company_id=${variables.company}&contact_id=${variables.contact}&form_name=${formName}`;
}
