import { formatScheduledTime } from '../../lib/format-scheduled-time.js';
import { plural } from '../../lib/plural.js';
import type { UserOnboardingInput } from '../../workflows/user-onboarding/user-onboarding-workflow.js';
import type { ChangeReview, ReviewContext } from '../types.js';

/** The account that will exist afterwards, and what it gets; names are read for groups and people. */
export async function reviewUserOnboarding({ input, directory }: ReviewContext<UserOnboardingInput>): Promise<ChangeReview> {
  const nameOf = async (read: () => Promise<{ displayName: string }>, fallback: string) =>
    read()
      .then((found) => found.displayName)
      .catch(() => fallback);
  const [skus, groups, manager, copyFrom] = await Promise.all([
    input.skuIds.length > 0 && directory.licences ? directory.licences.listSubscribedSkus().catch(() => []) : [],
    Promise.all(input.groupIds.map((id) => nameOf(() => directory.getGroup(id), id))),
    input.managerId ? nameOf(() => directory.getUser(input.managerId as string), input.managerId) : null,
    input.copyFrom ? nameOf(() => directory.getUser(input.copyFrom!.userId), input.copyFrom.userId) : null,
  ]);
  const where = input.container ? ` in ${input.container.path || input.container.id}` : '';
  const changes = [`Create ${input.displayName} as ${input.userPrincipalName}${where}, with a new password shown to you once`];
  if (copyFrom) {
    const what = [input.copyFrom?.attributes ? 'attributes' : '', input.copyFrom?.groups ? 'groups' : ''].filter(Boolean).join(' and ');
    if (what) changes.push(`Copy the ${what} of ${copyFrom}`);
  }
  if (input.skuIds.length > 0) {
    const names = input.skuIds.map((id) => skus.find((sku) => sku.skuId === id)?.displayName ?? id);
    changes.push(`Assign ${plural(names.length, 'licence', 'licences')}: ${names.join(', ')}`);
  }
  if (manager) changes.push(`Set the manager to ${manager}`);
  if (groups.length > 0) changes.push(`Add to ${plural(groups.length, 'group', 'groups')}: ${groups.join(', ')}`);
  return {
    changes,
    when: input.scheduledFor ? formatScheduledTime(input.scheduledFor.at, input.scheduledFor.timeZone) : undefined,
    action: `Create the account of ${input.displayName}`,
  };
}
