import {
  type GroupMembershipInput,
  groupMembershipInput,
  groupMembershipWorkflow,
} from '../../workflows/group-membership/group-membership-workflow.js';
import type { ToolboxForm } from '../types.js';
import { groupMembershipForm } from './group-membership-form.js';

/** The Group Membership form, defined once: its 1Stream name and label, its input, its fields, its workflow. */
export const groupMembership: ToolboxForm<GroupMembershipInput> = {
  name: 'group_membership',
  label: 'Group Membership',
  input: groupMembershipInput,
  form: groupMembershipForm,
  workflow: groupMembershipWorkflow,
};
