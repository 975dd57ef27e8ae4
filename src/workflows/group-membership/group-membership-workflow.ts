import { z } from 'zod';
import type { DirectoryClient, DirectoryGroup, DirectoryUser } from '../../connectors/directory/types.js';
import { isOutcomeUnknown, isToolboxError, ToolboxError } from '../../lib/toolbox-error.js';
import { privilegedRefusal } from '../shared/check-account-step.js';
import type { AccountRules, StepContext, Workflow } from '../types.js';

const pair = z.object({ groupId: z.string(), userId: z.string() });

/** What the group membership form runs with (its `parse` makes it; stored with the execution). */
export const groupMembershipInput = z.object({
  /** `user`: change these users' groups; `group`: change this group's members. Same pairs either way. */
  mode: z.enum(['user', 'group']),
  /** The users to change (mode user: the chosen users; mode group: those added and removed). */
  userIds: z.array(z.string()),
  /** Mode group: the group being edited. */
  groupId: z.string().nullable(),
  /** Pairs to add and remove, as group id → user ids. */
  add: z.array(pair),
  remove: z.array(pair),
});
export type GroupMembershipInput = z.infer<typeof groupMembershipInput>;

type Pair = { groupId: string; userId: string };

async function describe(directory: DirectoryClient, pairs: Pair[]) {
  const groups = new Map<string, DirectoryGroup>();
  const users = new Map<string, DirectoryUser>();
  for (const pair of pairs) {
    if (!groups.has(pair.groupId)) groups.set(pair.groupId, await directory.getGroup(pair.groupId));
    if (!users.has(pair.userId)) users.set(pair.userId, await directory.getUser(pair.userId));
  }
  return { groups, users };
}

/**
 * Runs one kind of change over every pair, reporting each: a pair that fails does not stop the
 * others, and the step names exactly which pairs did what, so the note can be pasted back for a
 * rehire.
 */
async function changeMemberships(context: StepContext<GroupMembershipInput>, pairs: Pair[], action: 'add' | 'remove') {
  if (pairs.length === 0) return { status: 'skipped' as const, message: `Nothing to ${action}.` };
  const { groups, users } = await describe(context.directory, pairs);
  const done: string[] = [];
  const already: string[] = [];
  const failed: string[] = [];
  for (const pair of pairs) {
    const group = groups.get(pair.groupId)!;
    const user = users.get(pair.userId)!;
    const what = `${user.displayName} ${action === 'add' ? 'to' : 'from'} ${group.displayName}`;
    try {
      const result =
        action === 'add'
          ? await context.directory.addGroupMember(pair.groupId, pair.userId)
          : await context.directory.removeGroupMember(pair.groupId, pair.userId);
      // After an interruption, "already" is most likely this run's own earlier attempt.
      if (result === 'added' || result === 'removed' || context.interrupted) done.push(what);
      else already.push(what);
    } catch (error) {
      // A lost answer is the engine's to resolve (the step runs again and reads the state), not a failed pair.
      if (!isToolboxError(error) || isOutcomeUnknown(error)) throw error;
      failed.push(`${what}: ${error.message}`);
    }
  }
  const verb = action === 'add' ? 'Added' : 'Removed';
  const parts = [
    done.length > 0 ? `${verb}: ${done.join('; ')}.` : '',
    already.length > 0 ? `${action === 'add' ? 'Already members' : 'Not members'}: ${already.join('; ')}.` : '',
  ].filter(Boolean);
  const key = action === 'add' ? 'groupsAdded' : 'groupsRemoved';
  context.facts[key] = done;
  if (done.length > 0) context.markChanged();
  if (failed.length > 0) {
    throw new ToolboxError({ code: 'TBX_ERR_GROUP_CHANGES_FAILED', message: [...parts, `Failed: ${failed.join(' ')}`].join(' ') });
  }
  return { status: 'ok' as const, message: parts.join(' ') || 'Nothing changed.', changed: done.length > 0 };
}

/** Every user the run changes is checked; the form page warns about the one it opened for. */
const ACCOUNT_RULES: AccountRules = {
  privileged: 'The toolbox will refuse any group change that includes this account, and nothing will be changed.',
};

/**
 * Group membership: check every user, remove, add (the connector decides how from the group
 * itself: in Microsoft 365, Graph for Microsoft 365 and security groups, Exchange Online for
 * distribution and mail-enabled security groups), then read the memberships back.
 */
export const groupMembershipWorkflow: Workflow<GroupMembershipInput> = {
  title: 'Group membership',
  accountRules: ACCOUNT_RULES,
  steps: [
    {
      key: 'check-accounts',
      label: 'Check the account can be changed here',
      labelFor: (input) =>
        input.userIds.length > 1
          ? `Check the ${input.userIds.length} accounts can be changed here`
          : 'Check the account can be changed here',
      kind: 'check',
      needs: ['accountCheck'],
      stopOnFailure: true,
      async run({ input, directory, directoryConfig }) {
        const lines: string[] = [];
        for (const userId of input.userIds) {
          const user = await directory.getUser(userId);
          const roles = await directory.listDirectoryRoles(userId);
          if (roles.length > 0 && !directoryConfig.allowPrivilegedTargets)
            throw privilegedRefusal(
              user.userPrincipalName,
              roles.map((r) => r.displayName),
            );
          lines.push(`${user.displayName} (${user.userPrincipalName})`);
        }
        return { status: 'ok', message: `${lines.join('; ')}: no admin roles.` };
      },
    },
    {
      key: 'remove-memberships',
      label: 'Remove memberships',
      kind: 'change',
      needs: ['groups'],
      // The directory answers "already a member" / "not a member": only what is missing is written.
      idempotency: 'check-then-act',
      stopOnFailure: false,
      run: (context) => changeMemberships(context, context.input.remove, 'remove'),
    },
    {
      key: 'add-memberships',
      label: 'Add memberships',
      kind: 'change',
      needs: ['groups'],
      // The directory answers "already a member" / "not a member": only what is missing is written.
      idempotency: 'check-then-act',
      stopOnFailure: false,
      run: (context) => changeMemberships(context, context.input.add, 'add'),
    },
    {
      key: 'verify',
      label: 'Check the memberships now',
      kind: 'check',
      needs: [],
      stopOnFailure: false,
      async run({ input, directory }) {
        const problems: string[] = [];
        const byUser = new Map<string, Set<string>>();
        for (const userId of new Set([...input.add, ...input.remove].map((p) => p.userId))) {
          byUser.set(userId, new Set((await directory.listUserGroups(userId)).map((g) => g.id)));
        }
        const name = async (pair: Pair) => {
          const [group, user] = await Promise.all([directory.getGroup(pair.groupId), directory.getUser(pair.userId)]);
          return `${user.displayName} / ${group.displayName}`;
        };
        for (const pair of input.add) if (!byUser.get(pair.userId)?.has(pair.groupId)) problems.push(`not yet in: ${await name(pair)}`);
        for (const pair of input.remove) if (byUser.get(pair.userId)?.has(pair.groupId)) problems.push(`still in: ${await name(pair)}`);
        if (problems.length > 0) {
          return {
            status: 'warning',
            message: `Membership read back differs: ${problems.join('; ')}. Exchange changes can take a few minutes to show in Microsoft 365.`,
          };
        }
        return { status: 'ok', message: 'Every change is visible in Microsoft 365.' };
      },
    },
  ],
};
