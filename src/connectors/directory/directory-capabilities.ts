import { ToolboxError } from '../../lib/toolbox-error.js';
import type { CoreCapability, DirectoryCapability, DirectoryClient, DirectoryConnector, DirectoryPart, DirectoryParts } from './types.js';

/** Every core capability: each connector has all of them. */
export const CORE_CAPABILITIES: readonly CoreCapability[] = ['accountCheck', 'resetPassword', 'enableDisable', 'groups', 'createUsers'];

/** Every optional part, by the client member that holds it. */
export const DIRECTORY_PARTS: readonly DirectoryPart[] = [
  'unlock',
  'move',
  'sessions',
  'authMethods',
  'temporaryAccessPass',
  'licences',
  'mailbox',
  'automaticReplies',
  'mobileDevices',
  'manager',
  'profile',
  'domains',
  'syncSource',
];

/**
 * What each capability lets the toolbox do, as the end of "it cannot …", for the pages that say
 * why a form or a step is not offered for a directory.
 */
export const CAPABILITY_WORDS: Record<DirectoryCapability, string> = {
  accountCheck: 'check whether an account is privileged',
  resetPassword: 'set passwords',
  enableDisable: 'block or allow sign-in',
  groups: 'change group memberships',
  createUsers: 'create users',
  unlock: 'unlock accounts',
  move: 'move accounts to another container',
  sessions: 'sign users out of their sessions',
  authMethods: 'list or remove sign-in (MFA) methods',
  temporaryAccessPass: 'issue Temporary Access Passes',
  licences: 'assign or remove licences',
  mailbox: 'manage mailboxes',
  automaticReplies: 'set automatic (out-of-office) replies',
  mobileDevices: 'remove mobile devices',
  manager: 'set or remove managers',
  profile: 'copy profile attributes',
  domains: 'list the domains a sign-in name may use',
  syncSource: 'find the on-premises account of a synced user',
};

const isPart = (capability: DirectoryCapability): capability is DirectoryPart =>
  (DIRECTORY_PARTS as readonly string[]).includes(capability);

/** What a client can do: the core, and each part it has. */
export function capabilitiesOf(client: DirectoryClient): ReadonlySet<DirectoryCapability> {
  return new Set<DirectoryCapability>([...CORE_CAPABILITIES, ...DIRECTORY_PARTS.filter((part) => client[part] !== undefined)]);
}

/** What a connector's clients can do, from its declaration (no client needed: the forms catalogue). */
export function connectorCapabilities(connector: Pick<DirectoryConnector, 'capabilities'>): ReadonlySet<DirectoryCapability> {
  const declared = Object.keys(connector.capabilities.proofs) as DirectoryCapability[];
  return new Set<DirectoryCapability>([...CORE_CAPABILITIES, ...declared.filter(isPart)]);
}

/** The capabilities of `needs` the directory lacks, in `needs`' order. */
export function missingCapabilities(needs: readonly DirectoryCapability[], has: ReadonlySet<DirectoryCapability>): DirectoryCapability[] {
  return needs.filter((capability) => !has.has(capability));
}

/** "cannot sign users out of their sessions or issue Temporary Access Passes", to follow a subject. */
export function cannotSentence(missing: readonly DirectoryCapability[]): string {
  const words = missing.map((capability) => CAPABILITY_WORDS[capability]);
  const list = words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
  return `cannot ${list}`;
}

/**
 * A part the caller needs, or a clear refusal: for steps and forms that declared the part (so the
 * engine and the forms only call them where the directory has it); reaching the refusal means a
 * declaration is missing.
 */
export function requirePart<P extends DirectoryPart>(client: DirectoryClient, part: P): DirectoryParts[P] {
  const found = client[part];
  if (found) return found as DirectoryParts[P];
  throw new ToolboxError({
    code: 'TBX_ERR_DIRECTORY_CAPABILITY_MISSING',
    message: `This directory ${cannotSentence([part])}.`,
    httpStatus: 409,
  });
}
