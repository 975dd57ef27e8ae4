import type { DirectoryClient } from '../../connectors/directory/types.js';
import { plural } from '../../lib/plural.js';
import type { GroupMembershipInput } from '../../workflows/group-membership/group-membership-workflow.js';
import type { ChangeReview, ReviewContext } from '../types.js';

type Pair = { groupId: string; userId: string };

/** Names for every group and user in the pairs, read in parallel (each at most once). */
async function namesFor(directory: DirectoryClient, pairs: Pair[]) {
  const groupIds = [...new Set(pairs.map((pair) => pair.groupId))];
  const userIds = [...new Set(pairs.map((pair) => pair.userId))];
  const [groups, users] = await Promise.all([
    Promise.all(groupIds.map(async (id) => [id, (await directory.getGroup(id)).displayName] as const)),
    Promise.all(userIds.map(async (id) => [id, (await directory.getUser(id)).displayName] as const)),
  ]);
  return { group: new Map(groups), user: new Map(users) };
}

/** Group changes reviewed per user (mode user) or per group (mode group), removals first as they run. */
export async function reviewGroupMembership({ input, directory }: ReviewContext<GroupMembershipInput>): Promise<ChangeReview> {
  const names = await namesFor(directory, [...input.remove, ...input.add]);
  const changes: string[] = [];
  const line = (pairs: Pair[], action: 'add' | 'remove') => {
    if (input.mode === 'group' && input.groupId) {
      if (pairs.length === 0) return;
      const members = pairs.map((pair) => names.user.get(pair.userId));
      const group = names.group.get(input.groupId);
      changes.push(
        action === 'remove'
          ? `Remove ${plural(pairs.length, 'member', 'members')} from ${group}: ${members.join(', ')}`
          : `Add ${plural(pairs.length, 'member', 'members')} to ${group}: ${members.join(', ')}`,
      );
      return;
    }
    for (const userId of input.userIds) {
      const groups = pairs.filter((pair) => pair.userId === userId).map((pair) => names.group.get(pair.groupId));
      if (groups.length === 0) continue;
      const user = names.user.get(userId);
      changes.push(
        action === 'remove'
          ? `Remove ${user} from ${plural(groups.length, 'group', 'groups')}: ${groups.join(', ')}`
          : `Add ${user} to ${plural(groups.length, 'group', 'groups')}: ${groups.join(', ')}`,
      );
    }
  };
  line(input.remove, 'remove');
  line(input.add, 'add');
  const who =
    input.mode === 'group' && input.groupId
      ? `the members of ${names.group.get(input.groupId)}`
      : input.userIds.length === 1
        ? `the groups of ${names.user.get(input.userIds[0] ?? '')}`
        : `the groups of ${plural(input.userIds.length, 'user', 'users')}`;
  return { changes, action: `Change ${who}` };
}
