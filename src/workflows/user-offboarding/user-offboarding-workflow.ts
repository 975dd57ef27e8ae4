import { z } from 'zod';
import { requirePart } from '../../connectors/directory/directory-capabilities.js';
import type { DirectoryCapability } from '../../connectors/directory/types.js';
import { generatePassword } from '../../domain/passwords/generate-password.js';
import { isOutcomeUnknown, ToolboxError } from '../../lib/toolbox-error.js';
import { checkAccountStep } from '../shared/check-account-step.js';
import { removeMethods } from '../shared/remove-auth-methods.js';
import type { AccountRules, Idempotency, StepOutcome, Workflow, WorkflowStep } from '../types.js';

/** What the offboarding runs with (its form's `parse` makes it; stored with the execution). */
export const userOffboardingInput = z.object({
  blockSignIn: z.boolean(),
  revokeSessions: z.boolean(),
  resetPassword: z.boolean(),
  removeMfa: z.boolean(),
  removeMobileDevices: z.boolean(),
  forwarding: z.object({ to: z.string(), keepCopy: z.boolean() }).nullable(),
  outOfOffice: z
    .object({ internalMessage: z.string(), externalMessage: z.string(), externalAudience: z.enum(['none', 'contactsOnly', 'all']) })
    .nullable(),
  mailboxAccess: z
    .object({ delegateUserId: z.string(), fullAccess: z.boolean(), sendAs: z.boolean(), autoMapping: z.boolean() })
    .nullable(),
  convertToShared: z.boolean(),
  hideFromAddressLists: z.boolean(),
  removeGroups: z.boolean(),
  removeLicenses: z.boolean(),
  removeManager: z.boolean(),
  /** When the run was asked for (UTC ISO) and in which zone it was typed, for the record. */
  scheduledFor: z.object({ at: z.string(), timeZone: z.string() }).nullable(),
  /**
   * The container to move the account to, for a directory with containers (an AD "disabled users"
   * OU, by its DN, with the path the form showed); null: not moved.
   */
  moveTo: z.object({ id: z.string(), path: z.string() }).nullable().default(null),
});
export type UserOffboardingInput = z.infer<typeof userOffboardingInput>;

/** Beyond this a shared mailbox needs a licence of its own (reference §9.1, ConvertToShared). */
const SHARED_MAILBOX_LIMIT_GB = 49;

const skip = (message = 'Not requested.'): StepOutcome => ({ status: 'skipped', message });

/**
 * One of the steps the technician ticks: skipped ("Not requested.") unless `wanted` says the input
 * asks for it. Every one is optional (`optional` says what for): offboarding on a directory
 * without mailboxes still locks the account and removes its groups.
 */
function step(definition: {
  key: string;
  label: string;
  idempotency: Idempotency;
  needs: DirectoryCapability[];
  optional: string;
  advisory?: true;
  wanted: (input: UserOffboardingInput) => boolean;
  run: WorkflowStep<UserOffboardingInput>['run'];
}): WorkflowStep<UserOffboardingInput> {
  const { wanted, run, ...declared } = definition;
  return {
    ...declared,
    kind: 'change',
    stopOnFailure: false,
    run: (context) => (wanted(context.input) ? run(context) : Promise.resolve(skip())),
  };
}

/** Synced accounts are offboarded too: the steps that belong in on-prem AD say so instead. */
const ACCOUNT_RULES: AccountRules = {
  privileged: 'The toolbox will refuse to offboard this account, and nothing will be changed.',
};

/**
 * Offboarding in the order that loses nothing: lock the account first (sign-in, sessions, password,
 * MFA, phones), then set up the mailbox for whoever takes over (forwarding, out of office, access),
 * convert it to shared, and only then remove groups and licences: removing the licence of a
 * mailbox that is not yet shared deletes it. The move to a "disabled users" OU (AD) comes last:
 * such OUs are often outside what Entra Connect synchronises, and leaving its scope deletes the
 * cloud account, so everything else is done first. Steps a synced user needs done in on-prem AD
 * are reported as such, not attempted. On AD alone: disable, random password, groups, move.
 */
export const userOffboardingWorkflow: Workflow<UserOffboardingInput> = {
  title: 'User offboarding',
  accountRules: ACCOUNT_RULES,
  steps: [
    checkAccountStep<UserOffboardingInput>(ACCOUNT_RULES),
    step({
      key: 'block-sign-in',
      label: 'Block sign-in',
      idempotency: 'check-then-act',
      needs: ['enableDisable'],
      optional: 'blocking sign-in',
      wanted: (input) => input.blockSignIn,
      run: async ({ directory, targetUserId, facts, interrupted }) => {
        const user = await directory.getUser(targetUserId);
        facts.synced = user.onPremisesSyncEnabled;
        // A synced user whose AD account the directory reaches (hybrid) is disabled there.
        if (user.onPremisesSyncEnabled && !user.onPremisesAccount) {
          return {
            status: 'warning',
            message:
              'Synchronised from on-premises AD: disable the account there (userAccountControl); a cloud change would be overwritten.',
            changed: false,
          };
        }
        // Interrupted after the write: blocked by this run's earlier attempt, not before it.
        if (!user.accountEnabled)
          return interrupted
            ? { status: 'ok', message: 'Sign-in blocked.' }
            : { status: 'ok', message: 'Sign-in was already blocked.', changed: false };
        await directory.setAccountEnabled(targetUserId, false);
        return { status: 'ok', message: 'Sign-in blocked.' };
      },
    }),
    step({
      key: 'revoke-sessions',
      label: 'Sign the user out of all sessions',
      idempotency: 'repeatable',
      needs: ['sessions'],
      optional: 'signing the user out of all sessions',
      wanted: (input) => input.revokeSessions,
      run: async ({ directory, targetUserId }) => {
        await requirePart(directory, 'sessions').revokeSessions(targetUserId);
        return { status: 'ok', message: 'Refresh tokens and session cookies revoked.' };
      },
    }),
    step({
      key: 'reset-password',
      label: 'Set a random password',
      idempotency: 'repeatable',
      needs: ['resetPassword'],
      optional: 'replacing the password',
      wanted: (input) => input.resetPassword,
      run: async ({ directory, targetUserId }) => {
        const user = await directory.getUser(targetUserId);
        if (user.onPremisesSyncEnabled && !user.onPremisesAccount)
          return { status: 'warning', message: 'Synchronised from on-premises AD: reset the password there.', changed: false };
        // Made here, at run time, and never kept: nobody needs it, and a scheduled run may be days away.
        await directory.resetPassword(targetUserId, { password: generatePassword({ length: 24 }), forceChangeNextSignIn: false });
        return { status: 'ok', message: 'Password replaced with a random one nobody is shown.' };
      },
    }),
    step({
      key: 'remove-mfa',
      label: 'Remove sign-in methods',
      idempotency: 'check-then-act',
      needs: ['authMethods'],
      optional: 'removing sign-in methods',
      wanted: (input) => input.removeMfa,
      run: async ({ directory, targetUserId, markChanged }) => {
        const result = await removeMethods(requirePart(directory, 'authMethods'), targetUserId, (methods) =>
          methods.filter((m) => m.removable && m.kind !== 'password'),
        );
        if (result.remaining.length > 0) {
          if (result.removed.length > 0) markChanged();
          throw new ToolboxError({
            code: 'TBX_ERR_MFA_METHODS_LEFT',
            message: `Still registered: ${result.remaining.map((m) => m.label).join('; ')}.`,
          });
        }
        return result.removed.length > 0
          ? { status: 'ok', message: `Removed: ${result.removed.map((m) => m.label).join('; ')}.` }
          : skip('No methods besides the password.');
      },
    }),
    step({
      key: 'remove-mobile-devices',
      label: 'Remove mobile devices',
      idempotency: 'check-then-act',
      needs: ['mobileDevices'],
      optional: 'removing mobile devices',
      advisory: true,
      wanted: (input) => input.removeMobileDevices,
      run: async ({ directory, targetUserId, markChanged }) => {
        const mobileDevices = requirePart(directory, 'mobileDevices');
        const devices = await mobileDevices.listMobileDevices(targetUserId);
        for (const device of devices) {
          await mobileDevices.removeMobileDevice(targetUserId, device.id);
          // A later device that fails must not hide the ones already removed.
          markChanged();
        }
        return devices.length > 0
          ? { status: 'ok', message: `Removed: ${devices.map((d) => d.name).join('; ')}.` }
          : skip('No mobile devices.');
      },
    }),
    step({
      key: 'forwarding',
      label: 'Forward mail',
      idempotency: 'repeatable',
      needs: ['mailbox'],
      optional: 'forwarding mail',
      advisory: true,
      wanted: (input) => input.forwarding !== null,
      run: async ({ input, directory, targetUserId }) => {
        const forwarding = input.forwarding!;
        // The form gives a typed address as is, a picked user by id: Exchange wants an address.
        const to = forwarding.to.includes('@') ? forwarding.to : (await directory.getUser(forwarding.to)).userPrincipalName;
        await requirePart(directory, 'mailbox').setMailboxForwarding(targetUserId, { to, keepCopy: forwarding.keepCopy });
        return {
          status: 'ok',
          message: `Mail forwarded to ${to}${forwarding.keepCopy ? ', a copy kept in the mailbox' : ', no copy kept'}.`,
        };
      },
    }),
    step({
      key: 'out-of-office',
      label: 'Set the out-of-office reply',
      idempotency: 'repeatable',
      needs: ['automaticReplies'],
      optional: 'the out-of-office reply',
      wanted: (input) => input.outOfOffice !== null,
      run: async ({ input, directory, targetUserId }) => {
        await requirePart(directory, 'automaticReplies').setAutomaticReplies(targetUserId, input.outOfOffice);
        return { status: 'ok', message: `Out-of-office on (external audience: ${input.outOfOffice!.externalAudience}).` };
      },
    }),
    step({
      key: 'mailbox-access',
      label: 'Give mailbox access',
      idempotency: 'repeatable',
      needs: ['mailbox'],
      optional: 'mailbox access for someone else',
      advisory: true,
      wanted: (input) => input.mailboxAccess !== null,
      run: async ({ input, directory, targetUserId }) => {
        const grant = input.mailboxAccess!;
        const delegate = await directory.getUser(grant.delegateUserId);
        await requirePart(directory, 'mailbox').grantMailboxAccess(targetUserId, grant);
        const rights = [
          grant.fullAccess ? `full access${grant.autoMapping ? ' (added to their Outlook)' : ''}` : '',
          grant.sendAs ? 'send as' : '',
        ].filter(Boolean);
        return { status: 'ok', message: `${delegate.displayName} (${delegate.userPrincipalName}) got ${rights.join(' and ')}.` };
      },
    }),
    step({
      key: 'convert-to-shared',
      label: 'Convert the mailbox to a shared mailbox',
      idempotency: 'check-then-act',
      needs: ['mailbox'],
      optional: 'converting the mailbox to shared',
      advisory: true,
      wanted: (input) => input.convertToShared,
      run: async ({ directory, targetUserId, facts, interrupted }) => {
        const mailbox = await requirePart(directory, 'mailbox').getMailbox(targetUserId);
        if (!mailbox) return skip('The user has no Exchange Online mailbox.');
        const convert = mailbox.type !== 'shared';
        if (convert) await requirePart(directory, 'mailbox').convertMailboxToShared(targetUserId);
        // A shared mailbox found by a run interrupted in this step was converted by its earlier attempt.
        const converted = convert || interrupted;
        facts.mailboxShared = true;
        if (mailbox.sizeGb !== undefined && mailbox.sizeGb >= SHARED_MAILBOX_LIMIT_GB) {
          facts.keepLicences = true;
          return {
            status: 'warning',
            message: `${converted ? 'Converted' : 'It was already a shared mailbox'}, but the mailbox holds ${mailbox.sizeGb} GB: over 50 GB a shared mailbox needs a licence (Exchange Online Plan 2), so licences are kept.`,
            changed: converted,
          };
        }
        return {
          status: 'ok',
          message: converted ? 'Converted to a shared mailbox.' : 'It was already a shared mailbox.',
          changed: converted,
        };
      },
    }),
    step({
      key: 'hide-from-address-lists',
      label: 'Hide from the address book',
      idempotency: 'repeatable',
      needs: ['mailbox'],
      optional: 'hiding from the address book',
      advisory: true,
      wanted: (input) => input.hideFromAddressLists,
      run: async ({ directory, targetUserId, facts }) => {
        if (facts.synced)
          return { status: 'warning', message: 'Synchronised from on-premises AD: set msExchHideFromAddressLists there.', changed: false };
        await requirePart(directory, 'mailbox').setHiddenFromAddressLists(targetUserId, true);
        return { status: 'ok', message: 'Hidden from the global address list.' };
      },
    }),
    step({
      key: 'remove-groups',
      label: 'Remove from groups',
      idempotency: 'check-then-act',
      needs: ['groups'],
      optional: 'removing groups',
      wanted: (input) => input.removeGroups,
      run: async ({ directory, targetUserId, facts, markChanged }) => {
        const groups = await directory.listUserGroups(targetUserId);
        const removed: string[] = [];
        const kept: string[] = [];
        const primary: string[] = [];
        const failed: string[] = [];
        for (const group of groups) {
          // Every AD account keeps a primary group (Domain Users): said, not a problem.
          if (group.primary) {
            primary.push(group.displayName);
            continue;
          }
          if (group.refusal !== undefined) {
            kept.push(`${group.displayName} (${group.refusal})`);
            continue;
          }
          try {
            await directory.removeGroupMember(group.id, targetUserId);
            removed.push(group.displayName);
          } catch (error) {
            // A lost answer is the engine's to resolve (the step runs again and reads the state), not a failed group.
            if (isOutcomeUnknown(error)) throw error;
            failed.push(`${group.displayName}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        // Kept for a rehire: the note lists them by name.
        facts.groupsRemoved = removed;
        const parts = [
          removed.length > 0 ? `Removed from: ${removed.join('; ')}.` : 'Member of no group that can be changed here.',
          primary.length > 0 ? `Kept: ${primary.join('; ')} (the primary group, which every Active Directory account keeps).` : '',
          kept.length > 0 ? `Left (cannot be changed here): ${kept.join('; ')}.` : '',
        ].filter(Boolean);
        if (removed.length > 0) markChanged();
        if (failed.length > 0)
          throw new ToolboxError({ code: 'TBX_ERR_GROUP_CHANGES_FAILED', message: `${parts.join(' ')} Failed: ${failed.join(' ')}` });
        return { status: kept.length > 0 ? 'warning' : 'ok', message: parts.join(' '), changed: removed.length > 0 };
      },
    }),
    step({
      key: 'remove-licences',
      label: 'Remove licences',
      idempotency: 'check-then-act',
      needs: ['licences'],
      optional: 'removing licences',
      wanted: (input) => input.removeLicenses,
      run: async ({ input, directory, targetUserId, facts }) => {
        if (input.convertToShared && !facts.mailboxShared) {
          return {
            status: 'warning',
            message: 'Not removed: the mailbox was not converted to shared, and removing the licence now would delete it.',
            changed: false,
          };
        }
        if (facts.keepLicences)
          return { status: 'warning', message: 'Kept: the shared mailbox is over 50 GB and needs its licence.', changed: false };
        const licences = await requirePart(directory, 'licences').listLicenses(targetUserId);
        const direct = licences.filter((l) => !l.viaGroup);
        const viaGroup = licences.filter((l) => l.viaGroup);
        if (direct.length > 0)
          await requirePart(directory, 'licences').removeLicenses(
            targetUserId,
            direct.map((l) => l.skuId),
          );
        const parts = [
          direct.length > 0 ? `Removed: ${direct.map((l) => l.displayName).join(', ')}.` : 'No directly assigned licences.',
          viaGroup.length > 0
            ? `Still assigned through a group: ${viaGroup.map((l) => l.displayName).join(', ')} (remove the group membership).`
            : '',
        ].filter(Boolean);
        return { status: viaGroup.length > 0 ? 'warning' : 'ok', message: parts.join(' '), changed: direct.length > 0 };
      },
    }),
    step({
      key: 'remove-manager',
      label: 'Remove the manager',
      idempotency: 'check-then-act',
      needs: ['manager'],
      optional: 'removing the manager',
      wanted: (input) => input.removeManager,
      run: async ({ directory, targetUserId }) => {
        const manager = await requirePart(directory, 'manager').getManager(targetUserId);
        if (!manager) return skip('No manager was set.');
        await requirePart(directory, 'manager').removeManager(targetUserId);
        return { status: 'ok', message: `Manager ${manager.displayName} removed.` };
      },
    }),
    {
      ...step({
        key: 'move-to-ou',
        label: 'Move to the disabled users OU',
        // moveUser reads where the account is before it moves it: run again, it finds it there.
        idempotency: 'check-then-act',
        needs: ['move'],
        optional: 'moving the account to a disabled users OU',
        wanted: (input) => input.moveTo !== null,
        run: async ({ input, directory, targetUserId, interrupted }) => {
          const to = input.moveTo!;
          const where = to.path || to.id;
          const from = (await directory.getUser(targetUserId)).container;
          const result = await requirePart(directory, 'move').moveUser(targetUserId, to.id);
          if (result === 'already-there') {
            // Interrupted after the write: moved by this run's earlier attempt, not before it.
            return interrupted
              ? { status: 'ok', message: `Moved to ${where}.` }
              : { status: 'ok', message: `It was already in ${where}.`, changed: false };
          }
          return { status: 'ok', message: `Moved ${from ? `from ${from.path || from.id} ` : ''}to ${where}.` };
        },
      }),
      labelFor: (input) => (input.moveTo ? `Move to ${input.moveTo.path || input.moveTo.id}` : 'Move to the disabled users OU'),
    },
    {
      key: 'verify',
      label: 'Check the end state',
      kind: 'check',
      // Reads back only what this directory has: a part it lacks had its steps left out.
      needs: [],
      stopOnFailure: false,
      async run({ input, directory, targetUserId, facts }) {
        const differences: string[] = [];
        const user = await directory.getUser(targetUserId);
        if (input.blockSignIn && (!user.onPremisesSyncEnabled || user.onPremisesAccount) && user.accountEnabled)
          differences.push('sign-in is not blocked');
        if (input.removeMfa && directory.authMethods) {
          const left = (await directory.authMethods.listAuthMethods(targetUserId)).filter((m) => m.kind !== 'password');
          if (left.length > 0) differences.push(`sign-in methods left: ${left.map((m) => m.label).join('; ')}`);
        }
        if (input.convertToShared && facts.mailboxShared && directory.mailbox) {
          const mailbox = await directory.mailbox.getMailbox(targetUserId);
          if (mailbox && mailbox.type !== 'shared') differences.push('the mailbox is not shared');
          if (input.forwarding && mailbox && !mailbox.forwardingTo) differences.push('forwarding is not set');
        }
        if (input.removeGroups) {
          const left = (await directory.listUserGroups(targetUserId)).filter((g) => g.refusal === undefined);
          if (left.length > 0) differences.push(`still in: ${left.map((g) => g.displayName).join('; ')}`);
        }
        if (input.moveTo && user.container && user.container.id.toLowerCase() !== input.moveTo.id.toLowerCase())
          differences.push(`it is in ${user.container.path || user.container.id}, not ${input.moveTo.path || input.moveTo.id}`);
        if (differences.length > 0) return { status: 'warning', message: `Read back differs: ${differences.join('; ')}.` };
        return { status: 'ok', message: 'Read back: every requested change is in place.' };
      },
    },
  ],
};
