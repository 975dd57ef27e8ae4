/** The offboarding form as it opens by default (every step but the manager, now, in UTC), as posted. */
export const OFFBOARDING_DEFAULT_FIELDS: Readonly<Record<string, string>> = {
  block_sign_in: 'on',
  revoke_sessions: 'on',
  reset_password: 'on',
  remove_mfa: 'on',
  remove_mobile_devices: 'on',
  convert_to_shared: 'on',
  hide_from_gal: 'on',
  remove_groups: 'on',
  remove_licences: 'on',
  when: 'now',
  time_zone: 'UTC',
};
