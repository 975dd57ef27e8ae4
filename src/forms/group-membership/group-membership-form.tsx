import type { DirectoryGroup } from '../../connectors/directory/types.js';
import type { GroupMembershipInput } from '../../workflows/group-membership/group-membership-workflow.js';
import { directoryOptionSources, groupOption, userOption } from '../directory-option-sources.js';
import { OptionList, SearchBox } from '../option-list.js';
import type { FieldErrors, FormData, FormDefinition, FormFieldsProps, FormValues } from '../types.js';
import { reviewGroupMembership } from './group-membership-review.js';

const ticked = (fields: FormValues, prefix: string) =>
  Object.keys(fields)
    .filter((key) => key.startsWith(prefix) && fields[key] === 'on')
    .map((key) => key.slice(prefix.length));

function GroupMembershipFields({ values, errors, target, data }: FormFieldsProps) {
  const groups = data?.ok ? (data.value as DirectoryGroup[]) : null;
  const mode = values.mode ?? 'user';
  return (
    <>
      <fieldset class="field">
        <legend>What to change</legend>
        <label class="choice" for="mode-user">
          <input type="radio" id="mode-user" name="mode" value="user" checked={mode === 'user'} />
          <span>{target.displayName}'s groups (and other users' alongside)</span>
        </label>
        <label class="choice" for="mode-group">
          <input type="radio" id="mode-group" name="mode" value="group" checked={mode === 'group'} />
          <span>A group's members</span>
        </label>
      </fieldset>

      <div data-shown-when="mode=user">
        <fieldset class="field" aria-describedby={errors.groups ? 'groups-error' : undefined}>
          <legend>Current groups of {target.displayName}: tick to remove</legend>
          {data && !data.ok ? (
            <p class="error" role="alert">
              The groups could not be listed: {data.message}
            </p>
          ) : null}
          {groups ? (
            <OptionList
              items={groups.map(groupOption)}
              field="remove_group"
              kind="checkbox"
              values={values}
              empty="No group memberships."
            />
          ) : null}
          <SearchBox
            id="group-search"
            label="Groups to add"
            source="groups"
            into="add-group-results"
            field="add_group"
            kind="checkbox"
            params={{ user: target.id }}
          />
          {errors.groups ? (
            <p class="error" role="alert" id="groups-error">
              {errors.groups}
            </p>
          ) : null}
        </fieldset>
        <fieldset class="field">
          <legend>Also for these users (optional)</legend>
          <SearchBox id="user-search" label="Find users" source="users" into="also-user-results" field="also_user" kind="checkbox" />
        </fieldset>
      </div>

      <div data-shown-when="mode=group">
        <fieldset class="field" aria-describedby={errors.group_id ? 'group_id-error' : undefined}>
          <legend>The group</legend>
          <SearchBox id="group-pick" label="Find the group" source="groups" into="group-pick-results" field="group_id" kind="radio" />
          <div
            id="group-members"
            data-options-load="members"
            data-options-when="group_id"
            data-options-field="remove_user"
            aria-live="polite"
          />
          {errors.group_id ? (
            <p class="error" role="alert" id="group_id-error">
              {errors.group_id}
            </p>
          ) : null}
        </fieldset>
        <fieldset class="field" aria-describedby={errors.members ? 'members-error' : undefined}>
          <legend>Members to add</legend>
          <OptionList items={[userOption(target)]} field="add_user" kind="checkbox" values={values} empty="" />
          <SearchBox id="member-search" label="Find more users" source="users" into="add-user-results" field="add_user" kind="checkbox" />
          {errors.members ? (
            <p class="error" role="alert" id="members-error">
              {errors.members}
            </p>
          ) : null}
        </fieldset>
      </div>
    </>
  );
}

/**
 * Group membership: a user's groups (and other users' alongside), or a group's members. Every list
 * comes live from the directory; dynamic and synced groups are shown with the reason they cannot be
 * changed here.
 */
export const groupMembershipForm: FormDefinition<GroupMembershipInput> = {
  label: 'Group membership',
  description:
    'Adds and removes group memberships the way each group needs: in Microsoft 365 through Graph or Exchange Online, in AD on the group itself.',
  defaults: () => ({ mode: 'user' }),
  load: ({ directory, target }) => directory.listUserGroups(target.id),
  optionSources: directoryOptionSources,
  parse(fields, target, data: FormData) {
    const errors: FieldErrors = {};
    const mode = fields.mode === 'group' ? 'group' : 'user';
    if (mode === 'user') {
      const users = [target.id, ...ticked(fields, 'also_user:').filter((id) => id !== target.id)];
      const current = data?.ok ? (data.value as DirectoryGroup[]) : [];
      const remove = ticked(fields, 'remove_group:');
      const add = ticked(fields, 'add_group:').filter((id) => !remove.includes(id));
      // A group the user is already in is not added again (the search marks it); for them alone
      // that is a refusal that names it, alongside other users only their additions run.
      const already = current.filter((group) => add.includes(group.id));
      if (remove.some((id) => !current.some((g) => g.id === id)))
        errors.groups = 'Some ticked groups are no longer among the current ones; the list has been refreshed.';
      else if (add.length + remove.length === 0) errors.groups = 'Tick a group to remove, or search for one to add.';
      else if (already.length > 0 && users.length === 1)
        errors.groups = `${target.displayName} is already a member of ${already.map((g) => g.displayName).join(', ')}: nothing to add there.`;
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      return {
        ok: true,
        input: {
          mode,
          userIds: users,
          groupId: null,
          add: users.flatMap((userId) =>
            add.filter((groupId) => userId !== target.id || !already.some((g) => g.id === groupId)).map((groupId) => ({ groupId, userId })),
          ),
          remove: users.flatMap((userId) => remove.map((groupId) => ({ groupId, userId }))),
        },
        secret: null,
        reveal: null,
      };
    }
    const groupId = fields.group_id?.trim() ?? '';
    const addUsers = ticked(fields, 'add_user:');
    const removeUsers = ticked(fields, 'remove_user:').filter((id) => !addUsers.includes(id));
    if (!groupId) errors.group_id = 'Search for the group and choose it.';
    else if (addUsers.length + removeUsers.length === 0) errors.members = 'Tick a member to remove, or a user to add.';
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    return {
      ok: true,
      input: {
        mode,
        userIds: [...new Set([...addUsers, ...removeUsers])],
        groupId,
        add: addUsers.map((userId) => ({ groupId, userId })),
        remove: removeUsers.map((userId) => ({ groupId, userId })),
      },
      secret: null,
      reveal: null,
    };
  },
  review: reviewGroupMembership,
  // Adding only grants access and is easily undone; a removal is reviewed first.
  reviewFirst: (input) => input.remove.length > 0,
  // Both modes' words are rendered; app.css shows the one for the checked mode (no script needed),
  // and app.js fills in the group's name once one is picked.
  submitLabel: (_values, target) => (
    <>
      <span class="submit-mode-user">Change the groups of {target.displayName}</span>
      <span class="submit-mode-group">
        Change the members of <span data-label-from="group_id">the chosen group</span>
      </span>
    </>
  ),
  Fields: GroupMembershipFields,
};
