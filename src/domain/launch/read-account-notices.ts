import type { DirectoryConfig } from '../../config/config.js';
import type { DirectoryClient, DirectoryUser } from '../../connectors/directory/types.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { AccountRules } from '../../workflows/types.js';
import type { AccountRolesCache } from './account-roles-cache.js';

/**
 * What the form page says about the chosen account before submit, from the same rules the
 * workflow's check step applies when it runs: a refusal is announced, not discovered afterwards.
 */
export type AccountNotice =
  /** The run will be refused: the account holds admin roles and the directory does not allow it. */
  | { kind: 'privileged-refused'; roles: string[]; consequence: string }
  /** The account holds admin roles, and this directory allows changing it anyway. */
  | { kind: 'privileged-allowed'; roles: string[] }
  /** The roles could not be read: the run checks again, and may still refuse. */
  | { kind: 'roles-unknown'; reason: string }
  /** The run will be refused: the account is synchronised from on-premises AD. */
  | { kind: 'synced-refused'; reason: string };

/**
 * Reads the account's directory roles (the check step's rule) for a form whose workflow has
 * account rules. Never throws: a failed read is a notice, not a broken form page.
 */
export async function readAccountNotices(
  directory: { client: DirectoryClient; config: DirectoryConfig },
  user: DirectoryUser,
  rules: AccountRules | undefined,
  /** Remembers roles briefly across renders of the page; without it every render reads them. */
  rolesCache?: AccountRolesCache,
): Promise<AccountNotice[]> {
  if (!rules || !user.id) return [];
  const notices: AccountNotice[] = [];
  if (user.onPremisesSyncEnabled && !user.onPremisesAccount && rules.synced)
    notices.push({ kind: 'synced-refused', reason: rules.synced(user.userPrincipalName) });
  try {
    const load = async () => (await directory.client.listDirectoryRoles(user.id)).map((role) => role.displayName);
    const roles = rolesCache ? await rolesCache.read(directory.config.id, user.id, load) : await load();
    if (roles.length > 0)
      notices.push(
        directory.config.allowPrivilegedTargets
          ? { kind: 'privileged-allowed', roles }
          : { kind: 'privileged-refused', roles, consequence: rules.privileged },
      );
  } catch (error) {
    notices.push({
      kind: 'roles-unknown',
      reason: isToolboxError(error) ? error.message : 'The directory did not answer as expected; the details are in the service log.',
    });
  }
  return notices;
}
