import type { DirectoryUser } from '../../connectors/directory/types.js';
import type { AccountNotice } from '../../domain/launch/read-account-notices.js';

const roleWords = (roles: string[]) => `the admin role${roles.length > 1 ? 's' : ''} ${roles.join(', ')}`;

/**
 * Before submit, what the run will refuse about the chosen account (a synced or privileged one),
 * worded for this form by its workflow's account rules; a role read that failed is said too.
 */
export function AccountNotices({ notices, user }: { notices: AccountNotice[]; user: DirectoryUser }) {
  return (
    <>
      {notices.map((notice) => {
        switch (notice.kind) {
          case 'synced-refused':
            return (
              <p class="warning" role="status" data-account-notice="synced">
                {notice.reason} The toolbox will refuse this, and nothing will be changed.
              </p>
            );
          case 'privileged-refused':
            return (
              <p class="warning" role="status" data-account-notice="privileged">
                {user.displayName} holds {roleWords(notice.roles)}. Privileged accounts are protected: {lowerFirst(notice.consequence)} An
                administrator must do this, or allow privileged accounts for this directory (allowPrivilegedTargets).
              </p>
            );
          case 'privileged-allowed':
            return (
              <p class="warning" role="status" data-account-notice="privileged-allowed">
                {user.displayName} holds {roleWords(notice.roles)}. This directory allows the toolbox to change privileged accounts: take
                extra care.
              </p>
            );
          default:
            return (
              <p class="warning" role="status" data-account-notice="roles-unknown">
                Whether this account holds an admin role could not be checked ({notice.reason}). The run checks again before changing
                anything, and refuses an admin account.
              </p>
            );
        }
      })}
    </>
  );
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
