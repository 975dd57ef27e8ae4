import { z } from 'zod';
import type {
  DirectoryConnector,
  DirectoryCore,
  DirectoryGroup,
  DirectoryUser,
  NewUser,
  PasswordPolicy,
} from '../../src/connectors/directory/types.js';
import { ToolboxError } from '../../src/lib/toolbox-error.js';

/**
 * A directory kind that exists only in the tests and has only the port's core: no sessions, no
 * sign-in methods, no licences, no mailbox, no manager, no domains, no unlock, no move. It is what
 * a minimal connector looks like (one folder, one registry line), and what the toolbox offers such
 * a directory is the point of the tests that register it. Its state is in memory and shared by
 * every client built from the same directory (`name`), so a test can look at what a run changed.
 */
const settingsSchema = z.strictObject({ directoryName: z.string().min(1) });
export type CoreDirectorySettings = z.infer<typeof settingsSchema>;

type StoredUser = DirectoryUser & { password: string | null; mustChange: boolean; privileged?: boolean };
type StoredGroup = DirectoryGroup & { members: Set<string> };

export type CoreDirectoryState = { users: Map<string, StoredUser>; groups: Map<string, StoredGroup> };

/** Its own rules, unlike Entra's: 12 characters, three classes, non-ASCII allowed, the name rule enforced by the directory. */
export const CORE_DIRECTORY_POLICY: PasswordPolicy = {
  source: 'the core directory',
  minLength: 12,
  maxLength: 128,
  minCharacterClasses: 3,
  printableAsciiOnly: false,
  nameParts: 'directory',
  historyLength: 5,
};

const states = new Map<string, CoreDirectoryState>();

/** The in-memory state of a core directory by its name, seeded the first time it is asked for. */
export function coreDirectoryState(name: string): CoreDirectoryState {
  let state = states.get(name);
  if (!state) {
    state = seed();
    states.set(name, state);
  }
  return state;
}

function seed(): CoreDirectoryState {
  const user = (id: string, first: string, last: string, extra: Partial<StoredUser> = {}): [string, StoredUser] => {
    const upn = `${first}.${last}@contosodental.example`.toLowerCase();
    return [
      id,
      {
        id,
        userPrincipalName: upn,
        displayName: `${first} ${last}`,
        mail: upn,
        givenName: first,
        surname: last,
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        password: null,
        mustChange: false,
        ...extra,
      },
    ];
  };
  const group = (id: string, displayName: string, members: string[], refusal?: string): [string, StoredGroup] => [
    id,
    { id, displayName, badges: ['Global security'], members: new Set(members), ...(refusal ? { refusal } : {}) },
  ];
  return {
    users: new Map([
      user('cd-megan', 'Megan', 'Bowen'),
      user('cd-adele', 'Adele', 'Vance'),
      user('cd-admin', 'Domain', 'Admin', { privileged: true }),
    ]),
    groups: new Map([
      group('cd-staff', 'Staff', ['cd-megan', 'cd-adele']),
      group('cd-billing', 'Billing', ['cd-megan']),
      group('cd-builtin', 'Builtin Users', ['cd-megan'], 'Builtin Users is managed by the directory itself: it cannot be changed here.'),
    ]),
  };
}

const view = ({ password: _password, mustChange: _mustChange, privileged: _privileged, ...user }: StoredUser): DirectoryUser => user;
const groupView = ({ members: _members, ...group }: StoredGroup): DirectoryGroup => group;

function notFound(what: string): ToolboxError {
  return new ToolboxError({
    code: 'TBX_ERR_DIRECTORY_NOT_FOUND',
    message: `${what} was not found in the core directory.`,
    httpStatus: 404,
  });
}

function createClient(settings: CoreDirectorySettings): DirectoryCore {
  const state = coreDirectoryState(settings.directoryName);
  const userOf = (id: string) => {
    const found = state.users.get(id);
    if (!found) throw notFound(`User ${id}`);
    return found;
  };
  const groupOf = (id: string) => {
    const found = state.groups.get(id);
    if (!found) throw notFound(`Group ${id}`);
    return found;
  };
  const writable = (id: string) => {
    const group = groupOf(id);
    if (group.refusal) throw new ToolboxError({ code: 'TBX_ERR_DIRECTORY_GROUP_READ_ONLY', message: group.refusal, httpStatus: 409 });
    return group;
  };
  const users = () => [...state.users.values()];
  const lower = (value: string) => value.trim().toLowerCase();
  return {
    findUsersByEmail: async (email) =>
      users()
        .filter((user) => user.mail === lower(email))
        .map(view),
    findUsersByUpn: async (upn) =>
      users()
        .filter((user) => user.userPrincipalName === lower(upn))
        .map(view),
    findUsersByDisplayName: async (name) =>
      users()
        .filter((user) => lower(user.displayName) === lower(name))
        .map(view),
    searchUsers: async (query) =>
      users()
        .filter((user) => lower(user.displayName).startsWith(lower(query)) || user.userPrincipalName.startsWith(lower(query)))
        .map(view),
    getUser: async (id) => view(userOf(id)),
    listDirectoryRoles: async (id) => (userOf(id).privileged ? [{ id: 'domain-admins', displayName: 'Domain Admins' }] : []),
    passwordPolicy: async () => CORE_DIRECTORY_POLICY,
    async resetPassword(id, input) {
      const user = userOf(id);
      user.password = input.password;
      user.mustChange = input.forceChangeNextSignIn;
    },
    async setAccountEnabled(id, enabled) {
      userOf(id).accountEnabled = enabled;
    },
    searchGroups: async (query) =>
      [...state.groups.values()].filter((group) => lower(group.displayName).startsWith(lower(query))).map(groupView),
    getGroup: async (id) => groupView(groupOf(id)),
    listUserGroups: async (id) => [...state.groups.values()].filter((group) => group.members.has(id)).map(groupView),
    listGroupMembers: async (id) => [...groupOf(id).members].flatMap((member) => (state.users.has(member) ? [view(userOf(member))] : [])),
    async addGroupMember(groupId, userId) {
      const group = writable(groupId);
      userOf(userId);
      if (group.members.has(userId)) return 'already-member';
      group.members.add(userId);
      return 'added';
    },
    async removeGroupMember(groupId, userId) {
      const group = writable(groupId);
      return group.members.delete(userId) ? 'removed' : 'not-member';
    },
    async createUser(user: NewUser) {
      if (users().some((existing) => existing.userPrincipalName === lower(user.userPrincipalName))) {
        throw new ToolboxError({ code: 'TBX_ERR_DIRECTORY_UPN_TAKEN', message: `${user.userPrincipalName} is taken.`, httpStatus: 409 });
      }
      const id = `cd-${state.users.size + 1}`;
      const stored: StoredUser = {
        id,
        userPrincipalName: lower(user.userPrincipalName),
        displayName: user.displayName,
        accountEnabled: true,
        onPremisesSyncEnabled: false,
        password: user.password,
        mustChange: user.forceChangeNextSignIn,
      };
      state.users.set(id, stored);
      return view(stored);
    },
    systemsCheck: async () => [{ name: 'Bind to the core directory', ok: true, message: 'Bound.' }],
  };
}

const proof = (label: string) => [{ label, checkName: `Right to ${label}` }];

/** The connector: only `create`'s core, and proofs for the core capabilities only. */
export const coreDirectoryConnector: DirectoryConnector<CoreDirectorySettings> = {
  kind: 'core-directory',
  label: 'Core-only directory (tests)',
  settings: settingsSchema,
  fields: [{ name: 'directoryName', label: 'Directory name' }],
  capabilities: {
    signIn: { label: 'Bind to the directory', checkName: 'Bind to the core directory' },
    proofs: {
      accountCheck: proof('read protected groups'),
      resetPassword: proof('reset passwords'),
      enableDisable: proof('disable accounts'),
      groups: proof('write group members'),
      createUsers: proof('create users'),
    },
  },
  setupGuide: { intro: 'Nothing to set up: it lives in the test process.', permissions: [], roles: [] },
  maxConcurrentRequests: 4,
  create: (settings) => createClient(settings),
};
