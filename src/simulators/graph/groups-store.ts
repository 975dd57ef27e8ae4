import type { DemoGroup } from '../../demo/demo-data.js';

/**
 * Groups and their members, one list per tenant, shared by the Graph routes and the Exchange
 * Online `InvokeCommand` route so both see the same membership (reference §7 and §10).
 *
 * Which side may change a group's members follows reference §7's table: Graph changes Microsoft
 * 365 and security groups; Exchange changes distribution lists and mail-enabled security groups;
 * neither changes a dynamic group (its rule decides) or a group synchronised from on-prem AD.
 */
export type SimGroup = DemoGroup;

export type GroupKindName = 'microsoft365' | 'security' | 'mailEnabledSecurity' | 'distribution';

/** Properties Graph knows on a group (the subset the simulator serves). */
export const GROUP_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'mail',
  'mailNickname',
  'groupTypes',
  'mailEnabled',
  'securityEnabled',
  'onPremisesSyncEnabled',
  'membershipRule',
  'membershipRuleProcessingState',
  'isAssignableToRole',
  'assignedLicenses',
  'proxyAddresses',
  'visibility',
  'createdDateTime',
];
/** Graph's default projection of a group without $select (a subset of the real one). */
const DEFAULT_GROUP_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'mail',
  'mailNickname',
  'groupTypes',
  'mailEnabled',
  'securityEnabled',
  'onPremisesSyncEnabled',
  'membershipRule',
  'isAssignableToRole',
  'proxyAddresses',
  'visibility',
  'createdDateTime',
];

export function groupKind(group: SimGroup): GroupKindName {
  if (group.groupTypes.includes('Unified')) return 'microsoft365';
  if (group.mailEnabled && group.securityEnabled) return 'mailEnabledSecurity';
  if (group.mailEnabled) return 'distribution';
  return 'security';
}

export const isDynamic = (group: SimGroup) => group.groupTypes.includes('DynamicMembership') || !!group.membershipRule;

/** A group as Graph returns it, projected on `fields` (or the default set). */
export function toGraphGroup(group: SimGroup, fields: string[] | undefined): Record<string, unknown> {
  const nickname = group.mail?.split('@')[0] ?? group.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const full: Record<string, unknown> = {
    id: group.id,
    displayName: group.displayName,
    description: group.description ?? null,
    mail: group.mail ?? null,
    mailNickname: nickname,
    groupTypes: [...group.groupTypes],
    mailEnabled: group.mailEnabled,
    securityEnabled: group.securityEnabled,
    // Graph answers null for groups that were never synchronised.
    onPremisesSyncEnabled: group.onPremisesSyncEnabled ? true : null,
    membershipRule: group.membershipRule ?? null,
    membershipRuleProcessingState: isDynamic(group) ? 'On' : null,
    isAssignableToRole: group.isAssignableToRole ? true : null,
    assignedLicenses: [],
    proxyAddresses: group.mail ? [`SMTP:${group.mail}`] : [],
    visibility: group.groupTypes.includes('Unified') ? 'Private' : null,
    createdDateTime: '2024-01-08T09:00:00Z',
  };
  return Object.fromEntries((fields ?? DEFAULT_GROUP_PROPERTIES).map((f) => [f, full[f] ?? null]));
}

export type GroupRefusal = { status: number; code: string; message: string };

/**
 * Why Graph refuses to change this group's members, or undefined when it may. Texts from
 * reference §7 (seen by CIPP users), except the dynamic-group one, which is *unverified*.
 */
export function graphMembershipRefusal(group: SimGroup): GroupRefusal | undefined {
  if (group.onPremisesSyncEnabled) {
    return {
      status: 400,
      code: 'Request_BadRequest',
      message:
        'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
    };
  }
  if (isDynamic(group)) {
    // *unverified*: Graph's text for a manual change to a dynamic group.
    return {
      status: 400,
      code: 'Request_BadRequest',
      message: 'Insufficient privileges to complete the operation. Members of a dynamic membership group cannot be added or removed.',
    };
  }
  const kind = groupKind(group);
  if (kind === 'mailEnabledSecurity' || kind === 'distribution') {
    return { status: 400, code: 'Request_BadRequest', message: 'Cannot Update a mail-enabled security groups and or distribution list.' };
  }
  return undefined;
}

/**
 * Why Exchange refuses to change this group's members through the *DistributionGroupMember
 * cmdlets, or undefined when it may. All texts are *unverified* approximations of Exchange's.
 */
export function exchangeMembershipRefusal(group: SimGroup): string | undefined {
  const kind = groupKind(group);
  if (group.onPremisesSyncEnabled) {
    return `The action 'Add-DistributionGroupMember', 'Members', can't be performed on the object '${group.displayName}' because the object is being synchronized from your on-premises organization. This action should be performed on the object in your on-premises organization.`;
  }
  if (kind === 'microsoft365') {
    return `The operation couldn't be performed because object '${group.displayName}' is a Microsoft 365 group. Use Add-UnifiedGroupLinks (or Microsoft Graph) to change its members.`;
  }
  if (kind === 'security') {
    return `The operation couldn't be performed because object '${group.displayName}' couldn't be found as a distribution group: it is a security group that is not mail-enabled. Use Microsoft Graph to change its members.`;
  }
  if (isDynamic(group)) return `The group '${group.displayName}' has dynamic membership; its members can't be changed.`;
  return undefined;
}

/** Finds a group by id, mail or display name (Exchange's Identity) or by id only (Graph). */
export function findGroup(groups: SimGroup[], identity: string, byNameOrMail = false): SimGroup | undefined {
  const needle = identity.toLowerCase();
  return groups.find(
    (g) => g.id === needle || (byNameOrMail && (g.mail?.toLowerCase() === needle || g.displayName.toLowerCase() === needle)),
  );
}

export function addMember(group: SimGroup, userId: string): boolean {
  if (group.memberIds.includes(userId)) return false;
  group.memberIds.push(userId);
  return true;
}

export function removeMember(group: SimGroup, userId: string): boolean {
  const index = group.memberIds.indexOf(userId);
  if (index < 0) return false;
  group.memberIds.splice(index, 1);
  return true;
}
