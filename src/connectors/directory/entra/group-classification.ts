import type { DirectoryGroup } from '../types.js';

/** The four kinds of group a technician meets in Microsoft 365 (reference §7). */
export type GroupKind = 'microsoft365' | 'security' | 'mailEnabledSecurity' | 'distribution';

/**
 * A group as the Entra connector knows it: the port's neutral group plus what decides how its
 * membership is changed here. Nothing outside this folder reads these fields.
 */
export type EntraGroup = DirectoryGroup & {
  kind: GroupKind;
  /** Membership comes from a rule: it cannot be changed by hand. */
  dynamic: boolean;
  /** Synchronised from on-premises AD: membership is changed there. */
  synced: boolean;
  roleAssignable: boolean;
  /** Where a membership change goes; null when it cannot be made here (dynamic or synced: `refusal` says why). */
  changeVia: 'graph' | 'exchange' | null;
};

/** The badge a technician reads for each kind. */
const KIND_BADGE: Record<GroupKind, string> = {
  microsoft365: 'Microsoft 365',
  security: 'Security',
  mailEnabledSecurity: 'Mail-enabled security',
  distribution: 'Distribution',
};

/** A group as Graph returns it with {@link GROUP_SELECT}; every field may be missing or null. */
export type GraphGroup = {
  id: string;
  displayName?: string | null;
  description?: string | null;
  mail?: string | null;
  groupTypes?: string[] | null;
  mailEnabled?: boolean | null;
  securityEnabled?: boolean | null;
  onPremisesSyncEnabled?: boolean | null;
  membershipRule?: string | null;
  isAssignableToRole?: boolean | null;
};

/** Reference §7's classification `$select`, plus the mail address and description the picker shows. */
export const GROUP_SELECT =
  'id,displayName,description,mail,groupTypes,mailEnabled,securityEnabled,onPremisesSyncEnabled,membershipRule,assignedLicenses,isAssignableToRole';

/**
 * Classifies a group from Graph's own flags (reference §7's table), which are trusted over any
 * hint a caller may have (a form's badge, a PSA note), as CIPP does:
 *
 * | kind                | rule                                         | changed through |
 * |---------------------|----------------------------------------------|-----------------|
 * | microsoft365        | groupTypes contains `Unified`                | Graph           |
 * | security            | not mail-enabled, security-enabled           | Graph           |
 * | mailEnabledSecurity | mail- and security-enabled, not Unified      | Exchange        |
 * | distribution        | mail-enabled, not security, not Unified      | Exchange        |
 *
 * Whatever the kind, a dynamic group (`DynamicMembership` or a rule) and a group synchronised
 * from on-prem AD cannot be changed here: `changeVia` is null and `refusal` says why. `badges` say
 * the kind in a technician's words, for the port's neutral group.
 */
export function classifyGroup(group: GraphGroup): EntraGroup {
  const groupTypes = group.groupTypes ?? [];
  const displayName = group.displayName || group.mail || group.id;
  const rule = group.membershipRule?.trim() || undefined;
  const dynamic = groupTypes.some((t) => t.toLowerCase() === 'dynamicmembership') || rule !== undefined;
  const synced = group.onPremisesSyncEnabled === true;
  const kind = groupKind(group);
  const changeVia = dynamic || synced ? null : kind === 'microsoft365' || kind === 'security' ? 'graph' : 'exchange';
  let refusal: string | undefined;
  if (dynamic) {
    refusal =
      `Membership of ${displayName} comes from a rule${rule ? `: ${rule}` : ''}. Members cannot be added or removed by hand; ` +
      'change the user’s details the rule looks at (or ask an admin to change the rule).';
  } else if (synced) {
    refusal =
      `${displayName} is synchronised from on-premises AD: change it there (Active Directory Users and Computers, or the toolbox’s AD connector). ` +
      'The change reaches Microsoft 365 with the next sync.';
  }
  return {
    id: group.id,
    displayName,
    ...(group.mail ? { mail: group.mail } : {}),
    ...(group.description ? { description: group.description } : {}),
    badges: [KIND_BADGE[kind], ...(dynamic ? ['Dynamic'] : []), ...(synced ? ['Synced'] : [])],
    // Exchange adds a member by their mailbox, which a just-created user gets minutes later.
    ...(changeVia === 'exchange' ? { needsMailbox: true } : {}),
    ...(synced ? { syncedFromOnPremises: true } : {}),
    kind,
    dynamic,
    synced,
    roleAssignable: group.isAssignableToRole === true,
    changeVia,
    ...(refusal ? { refusal } : {}),
  };
}

function groupKind(group: GraphGroup): GroupKind {
  if ((group.groupTypes ?? []).some((t) => t.toLowerCase() === 'unified')) return 'microsoft365';
  if (group.mailEnabled === true && group.securityEnabled === true) return 'mailEnabledSecurity';
  if (group.mailEnabled === true) return 'distribution';
  // Not mail-enabled: a security group (Graph has no group that is neither mail- nor security-enabled).
  return 'security';
}

/** Sorts by display name, as a technician reads a list. */
export function byGroupName(a: DirectoryGroup, b: DirectoryGroup): number {
  return a.displayName.localeCompare(b.displayName, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id);
}
