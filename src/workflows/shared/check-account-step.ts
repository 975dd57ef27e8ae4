import { ToolboxError } from '../../lib/toolbox-error.js';
import type { WorkflowStep } from '../types.js';

/**
 * The first step of every workflow that acts on one user: read the account, refuse what this
 * toolbox must not touch (admin-role holders unless the directory allows it; synced users where
 * the change belongs in on-prem AD), before anything is changed.
 */
export function checkAccountStep<I>(options: {
  /** Why a synced user is refused, or undefined when the change is fine for synced users too. */
  refuseSynced?: (userPrincipalName: string) => string;
}): WorkflowStep<I> {
  return {
    key: 'check-account',
    label: 'Check the account can be changed here',
    stopOnFailure: true,
    async run({ directory, directoryConfig, targetUserId, facts }) {
      const user = await directory.getUser(targetUserId);
      facts.userPrincipalName = user.userPrincipalName;
      facts.displayName = user.displayName;
      if (user.onPremisesSyncEnabled && options.refuseSynced) {
        throw new ToolboxError({
          code: 'TBX_ERR_DIRECTORY_SYNCED_USER',
          message: options.refuseSynced(user.userPrincipalName),
          httpStatus: 409,
        });
      }
      const roles = await directory.listDirectoryRoles(user.id);
      const roleNames = roles.map((r) => r.displayName).join(', ');
      if (roles.length > 0 && !directoryConfig.allowPrivilegedTargets) {
        throw new ToolboxError({
          code: 'TBX_ERR_PRIVILEGED_TARGET',
          message: `${user.userPrincipalName} holds the admin role${roles.length > 1 ? 's' : ''} ${roleNames}. Privileged accounts are protected from technician changes; an administrator must do this, or allow it for this directory (allowPrivilegedTargets).`,
          httpStatus: 403,
        });
      }
      const state = user.accountEnabled ? 'enabled' : 'disabled';
      return {
        status: user.accountEnabled ? 'ok' : 'warning',
        message: `${user.displayName} (${user.userPrincipalName}), ${user.onPremisesSyncEnabled ? 'synchronised from on-premises AD' : 'cloud-only'}, ${state}${roles.length > 0 ? `, admin roles allowed by configuration: ${roleNames}` : ', no admin roles'}.`,
      };
    },
  };
}
