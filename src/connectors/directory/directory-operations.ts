import { ToolboxError } from '../../lib/toolbox-error.js';
import type { DirectoryClient, DirectoryCore, DirectoryPart, DirectoryParts } from './types.js';

/**
 * Every operation of the directory port by name, in ONE table: the on-prem agent carries exactly
 * these and nothing else (no arbitrary commands), and the toolbox's relayed client offers exactly
 * these. The table is typed against the port: a method added to `DirectoryCore` or a part added to
 * `DirectoryParts` fails the typecheck here until it is listed (missing keys), and a name that is
 * not in the port fails too (excess keys). Each operation is plain data in and out, so its
 * arguments and answer cross the link as JSON.
 *
 * The value says whether the operation changes the directory (`write`) or only reads it (`read`):
 * a read whose answer was lost can simply be asked again; a write's cannot (see the relay).
 */
export type OperationKind = 'read' | 'write';

export const DIRECTORY_CORE_OPERATIONS = {
  findUsersByEmail: 'read',
  findUsersByUpn: 'read',
  findUsersByDisplayName: 'read',
  searchUsers: 'read',
  getUser: 'read',
  listDirectoryRoles: 'read',
  passwordPolicy: 'read',
  resetPassword: 'write',
  setAccountEnabled: 'write',
  searchGroups: 'read',
  getGroup: 'read',
  listUserGroups: 'read',
  listGroupMembers: 'read',
  addGroupMember: 'write',
  removeGroupMember: 'write',
  createUser: 'write',
  systemsCheck: 'read',
} as const satisfies Record<keyof DirectoryCore, OperationKind>;

export const DIRECTORY_PART_OPERATIONS = {
  unlock: { unlockAccount: 'write' },
  move: { searchContainers: 'read', moveUser: 'write' },
  sessions: { revokeSessions: 'write' },
  authMethods: { listAuthMethods: 'read', removeAuthMethod: 'write' },
  temporaryAccessPass: { createTemporaryAccessPass: 'write' },
  licences: { listLicenses: 'read', removeLicenses: 'write', listSubscribedSkus: 'read', addLicenses: 'write' },
  mailbox: {
    getMailbox: 'read',
    convertMailboxToShared: 'write',
    setMailboxForwarding: 'write',
    setHiddenFromAddressLists: 'write',
    grantMailboxAccess: 'write',
  },
  automaticReplies: { setAutomaticReplies: 'write' },
  mobileDevices: { listMobileDevices: 'read', removeMobileDevice: 'write' },
  manager: { getManager: 'read', setManager: 'write', removeManager: 'write' },
  profile: { getUserProfile: 'read', updateUserProfile: 'write' },
  domains: { listVerifiedDomains: 'read' },
  syncSource: { findSyncedAccount: 'read' },
} as const satisfies { [P in DirectoryPart]: Record<keyof DirectoryParts[P], OperationKind> };

/** One operation as it crosses the link: a core method (`part` null) or a part's method, and its arguments. */
export type DirectoryOperation = { part: DirectoryPart | null; method: string; args: unknown[] };

const own = (table: object, key: string) => Object.hasOwn(table, key);

/** Whether the port has this operation, and whether it writes; undefined for anything else. */
export function operationKind(part: string | null, method: string): OperationKind | undefined {
  if (part === null) return own(DIRECTORY_CORE_OPERATIONS, method) ? DIRECTORY_CORE_OPERATIONS[method as keyof DirectoryCore] : undefined;
  if (!own(DIRECTORY_PART_OPERATIONS, part)) return undefined;
  const methods = DIRECTORY_PART_OPERATIONS[part as DirectoryPart] as Record<string, OperationKind>;
  return own(methods, method) ? methods[method] : undefined;
}

/** `unlock.unlockAccount`, `getUser`: how logs and messages name an operation (never its arguments). */
export const operationName = (operation: Pick<DirectoryOperation, 'part' | 'method'>) =>
  operation.part ? `${operation.part}.${operation.method}` : operation.method;

/**
 * Runs one operation on a local client (the agent's side). Anything not in the table, a part the
 * client does not have, or arguments that are not a list are refused without calling anything.
 */
export async function runDirectoryOperation(client: DirectoryClient, operation: DirectoryOperation): Promise<unknown> {
  const refuse = (why: string) =>
    new ToolboxError({ code: 'TBX_ERR_AGENT_OPERATION_REFUSED', httpStatus: 400, message: `The agent refused ${why}.` });
  if (typeof operation.method !== 'string' || !operationKind(operation.part, operation.method)) {
    throw refuse('an operation that is not one of the directory port’s');
  }
  if (!Array.isArray(operation.args)) throw refuse(`${operationName(operation)}: its arguments are not a list`);
  const target: Record<string, unknown> | undefined =
    operation.part === null
      ? (client as unknown as Record<string, unknown>)
      : (client[operation.part] as Record<string, unknown> | undefined);
  if (!target) throw refuse(`${operationName(operation)}: this directory has no ${operation.part} part`);
  const method = target[operation.method];
  // A client whose part lacks one of the table's operations (an older agent): refused by name, nothing called.
  if (typeof method !== 'function')
    throw refuse(`${operationName(operation)}: this directory's ${operation.part ?? 'core'} has no ${operation.method}`);
  return (method as (...args: unknown[]) => Promise<unknown>).apply(target, operation.args);
}

/**
 * A directory client whose every call is sent elsewhere (the toolbox's side of the agent link):
 * the core and exactly the given parts, each method a `send` of its name and arguments.
 */
export function createRelayedDirectoryClient(
  parts: readonly DirectoryPart[],
  send: (operation: DirectoryOperation) => Promise<unknown>,
): DirectoryClient {
  const relay = (part: DirectoryPart | null, table: Record<string, OperationKind>) =>
    Object.fromEntries(Object.keys(table).map((method) => [method, (...args: unknown[]) => send({ part, method, args })]));
  const client: Record<string, unknown> = relay(null, DIRECTORY_CORE_OPERATIONS);
  for (const part of parts) client[part] = relay(part, DIRECTORY_PART_OPERATIONS[part]);
  return client as DirectoryClient;
}
