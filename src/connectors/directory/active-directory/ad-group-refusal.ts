/**
 * Why a group's membership is not changed from the toolbox, in a technician's words, or
 * undefined: the one rule, used to show the group (the picker) and to refuse the change.
 */
export function adGroupRefusal(
  group: { displayName: string; protected: boolean },
  options: { primaryOf?: string; outsideBase?: boolean } = {},
): string | undefined {
  if (options.primaryOf !== undefined) {
    return `${group.displayName} is ${options.primaryOf}’s primary group in Active Directory, which cannot be removed here; set another primary group in Active Directory Users and Computers first.`;
  }
  if (group.protected) {
    return `${group.displayName} is a protected administrators’ group: its membership is changed in Active Directory Users and Computers by a domain administrator, not from the toolbox.`;
  }
  if (options.outsideBase) {
    return `${group.displayName} is outside the part of the domain the toolbox works in (its base DN): its membership is changed in Active Directory Users and Computers.`;
  }
  return undefined;
}
