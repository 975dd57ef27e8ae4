import { ToolboxError } from '../../lib/toolbox-error.js';
import type { AccountRules, WorkflowStep } from '../types.js';

/** The refusal of an account holding admin roles, the same words at run time and wherever it is checked. */
export function privilegedRefusal(userPrincipalName: string, roleNames: string[]): ToolboxError {
  return new ToolboxError({
    code: 'TBX_ERR_PRIVILEGED_TARGET',
    message: `${userPrincipalName} holds the admin role${roleNames.length > 1 ? 's' : ''} ${roleNames.join(', ')}. Privileged accounts are protected from technician changes; an administrator must do this, or allow it for this directory (allowPrivilegedTargets).`,
    httpStatus: 403,
  });
}

/**
 * The first step of every workflow that acts on one user: read the account, refuse what this
 * toolbox must not touch (admin-role holders unless the directory allows it; synced users where
 * the change belongs in on-prem AD), before anything is changed. The workflow declares the same
 * rules (`accountRules`), so the form page warns before submit.
 */
export function checkAccountStep<I>(rules: AccountRules): WorkflowStep<I> {
  return {
    key: 'check-account',
    label: 'Check the account can be changed here',
    kind: 'check',
    needs: ['accountCheck'],
    stopOnFailure: true,
    async run({ directory, directoryConfig, targetUserId, facts }) {
      const user = await directory.getUser(targetUserId);
      facts.userPrincipalName = user.userPrincipalName;
      facts.displayName = user.displayName;
      // A synced user whose AD account this company's directory reaches (a hybrid company) is changed
      // there; without one, the change would be refused or undone by the next sync.
      if (user.onPremisesSyncEnabled && !user.onPremisesAccount && rules.synced) {
        throw new ToolboxError({
          code: 'TBX_ERR_DIRECTORY_SYNCED_USER',
          message: rules.synced(user.userPrincipalName),
          httpStatus: 409,
        });
      }
      const roles = await directory.listDirectoryRoles(user.id);
      const roleNames = roles.map((r) => r.displayName);
      if (roles.length > 0 && !directoryConfig.allowPrivilegedTargets) throw privilegedRefusal(user.userPrincipalName, roleNames);
      const state = user.accountEnabled ? 'enabled' : 'disabled';
      const account = user.onPremisesAccount;
      if (account) facts.onPremisesAccount = `${account.userPrincipalName} in ${account.directoryName}`;
      const source = account
        ? `${user.onPremisesSyncEnabled ? 'synchronised from' : 'only in'} on-premises AD (account ${account.userPrincipalName}${account.path ? ` in ${account.path}` : ''}, ${account.directoryName})`
        : user.onPremisesSyncEnabled
          ? 'synchronised from on-premises AD'
          : 'cloud-only';
      return {
        status: user.accountEnabled ? 'ok' : 'warning',
        message: `${user.displayName} (${user.userPrincipalName}), ${source}, ${state}${roles.length > 0 ? `, admin roles allowed by configuration: ${roleNames.join(', ')}` : ', no admin roles'}.`,
      };
    },
  };
}
