import type { AuthMethod, DirectoryParts } from '../../connectors/directory/types.js';
import { isToolboxError } from '../../lib/toolbox-error.js';

/** Some tenants remove only part of the methods per call (reference §6): re-list and go again, bounded. */
export const MAX_PASSES = 5;

/**
 * The order that works: everything but phones first, then office and alternate phones, the mobile
 * phone last. A default phone method cannot go while anything else is registered, and an alternate
 * mobile cannot stay without the mobile.
 */
export function removalOrder(methods: AuthMethod[]): AuthMethod[] {
  const rank = (m: AuthMethod) => (m.kind !== 'phone' ? 0 : m.phoneType === 'mobile' ? 3 : m.phoneType === 'alternateMobile' ? 2 : 1);
  return [...methods].sort((a, b) => rank(a) - rank(b) || Number(a.isDefault) - Number(b.isDefault));
}

export async function removeMethods(
  directory: DirectoryParts['authMethods'],
  userId: string,
  wanted: (methods: AuthMethod[]) => AuthMethod[],
) {
  const removed: AuthMethod[] = [];
  const problems = new Map<string, { method: AuthMethod; message: string }>();
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const targets = removalOrder(wanted(await directory.listAuthMethods(userId)));
    if (targets.length === 0) break;
    const deferred: AuthMethod[] = [];
    for (const method of targets) {
      try {
        await directory.removeAuthMethod(userId, method);
        if (!removed.some((m) => m.id === method.id)) removed.push(method);
        problems.delete(method.id);
      } catch (error) {
        if (!isToolboxError(error)) throw error;
        // The default method goes only when it is the last one: try it again after the others.
        if (error.code === 'TBX_ERR_DIRECTORY_DEFAULT_METHOD') deferred.push(method);
        problems.set(method.id, { method, message: error.message });
      }
    }
    for (const method of deferred) {
      try {
        await directory.removeAuthMethod(userId, method);
        if (!removed.some((m) => m.id === method.id)) removed.push(method);
        problems.delete(method.id);
      } catch (error) {
        if (!isToolboxError(error)) throw error;
        problems.set(method.id, { method, message: error.message });
      }
    }
  }
  const remaining = wanted(await directory.listAuthMethods(userId));
  return { removed: removed.filter((m) => !remaining.some((r) => r.id === m.id)), remaining, problems: [...problems.values()] };
}
