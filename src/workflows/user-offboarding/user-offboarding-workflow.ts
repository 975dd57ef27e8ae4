import { generatePassword } from '../../domain/passwords/generate-password.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import { checkAccountStep } from '../shared/check-account-step.js';
import { removeMethods } from '../shared/remove-auth-methods.js';
import type { AccountRules, Idempotency, StepOutcome, Workflow, WorkflowStep } from '../types.js';

export type UserOffboardingInput = {
  blockSignIn: boolean;
  revokeSessions: boolean;
  resetPassword: boolean;
  removeMfa: boolean;
  removeMobileDevices: boolean;
  forwarding: { to: string; keepCopy: boolean } | null;
  outOfOffice: { internalMessage: string; externalMessage: string; externalAudience: 'none' | 'contactsOnly' | 'all' } | null;
  mailboxAccess: { delegateUserId: string; fullAccess: boolean; sendAs: boolean; autoMapping: boolean } | null;
  convertToShared: boolean;
  hideFromAddressLists: boolean;
  removeGroups: boolean;
  removeLicenses: boolean;
  removeManager: boolean;
  /** When the run was asked for (UTC ISO) and in which zone it was typed, for the record. */
  scheduledFor: { at: string; timeZone: string } | null;
};

/** Beyond this a shared mailbox needs a licence of its own (reference §9.1, ConvertToShared). */
const SHARED_MAILBOX_LIMIT_GB = 49;

const skip = (message = 'Not requested.'): StepOutcome => ({ status: 'skipped', message });

function step(
  key: string,
  label: string,
  idempotency: Idempotency,
  wanted: boolean,
  run: WorkflowStep<UserOffboardingInput>['run'],
): WorkflowStep<UserOffboardingInput> {
  return { key, label, kind: 'change', idempotency, stopOnFailure: false, run: wanted ? run : async () => skip() };
}

/** Synced accounts are offboarded too: the steps that belong in on-prem AD say so instead. */
const ACCOUNT_RULES: AccountRules = {
  privileged: 'The toolbox will refuse to offboard this account, and nothing will be changed.',
};

/**
 * Offboarding on Microsoft 365, in the order that loses nothing: lock the account first (sign-in,
 * sessions, password, MFA, phones), then set up the mailbox for whoever takes over (forwarding,
 * out of office, access), convert it to shared, and only then remove groups and licences: removing
 * the licence of a mailbox that is not yet shared deletes it. Steps a synced user needs done in
 * on-prem AD are reported as such, not attempted.
 */
export const userOffboardingWorkflow: Workflow<UserOffboardingInput> = {
  formName: 'user_offboarding',
  title: 'User offboarding',
  accountRules: ACCOUNT_RULES,
  steps: (input) => [
    checkAccountStep<UserOffboardingInput>(ACCOUNT_RULES),
    step('block-sign-in', 'Block sign-in', 'check-then-act', input.blockSignIn, async ({ directory, targetUserId, facts, interrupted }) => {
      const user = await directory.getUser(targetUserId);
      facts.synced = user.onPremisesSyncEnabled;
      if (user.onPremisesSyncEnabled) {
        return {
          status: 'warning',
          message: 'Synchronised from on-premises AD: disable the account there (userAccountControl); a cloud change would be overwritten.',
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
    }),
    step(
      'revoke-sessions',
      'Sign the user out of all sessions',
      'repeatable',
      input.revokeSessions,
      async ({ directory, targetUserId }) => {
        await directory.revokeSessions(targetUserId);
        return { status: 'ok', message: 'Refresh tokens and session cookies revoked.' };
      },
    ),
    step('reset-password', 'Set a random password', 'repeatable', input.resetPassword, async ({ directory, targetUserId }) => {
      const user = await directory.getUser(targetUserId);
      if (user.onPremisesSyncEnabled)
        return { status: 'warning', message: 'Synchronised from on-premises AD: reset the password there.', changed: false };
      // Made here, at run time, and never kept: nobody needs it, and a scheduled run may be days away.
      await directory.resetPassword(targetUserId, { password: generatePassword({ length: 24 }), forceChangeNextSignIn: false });
      return { status: 'ok', message: 'Password replaced with a random one nobody is shown.' };
    }),
    step('remove-mfa', 'Remove sign-in methods', 'check-then-act', input.removeMfa, async ({ directory, targetUserId, markChanged }) => {
      const result = await removeMethods(directory, targetUserId, (methods) => methods.filter((m) => m.removable && m.kind !== 'password'));
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
    }),
    step(
      'remove-mobile-devices',
      'Remove mobile devices',
      'check-then-act',
      input.removeMobileDevices,
      async ({ directory, targetUserId, markChanged }) => {
        const devices = await directory.listMobileDevices(targetUserId);
        for (const device of devices) {
          await directory.removeMobileDevice(targetUserId, device.id);
          // A later device that fails must not hide the ones already removed.
          markChanged();
        }
        return devices.length > 0
          ? { status: 'ok', message: `Removed: ${devices.map((d) => d.name).join('; ')}.` }
          : skip('No mobile devices.');
      },
    ),
    step('forwarding', 'Forward mail', 'repeatable', input.forwarding !== null, async ({ directory, targetUserId }) => {
      const forwarding = input.forwarding!;
      // The form gives a typed address as is, a picked user by id: Exchange wants an address.
      const to = forwarding.to.includes('@') ? forwarding.to : (await directory.getUser(forwarding.to)).userPrincipalName;
      await directory.setMailboxForwarding(targetUserId, { to, keepCopy: forwarding.keepCopy });
      return {
        status: 'ok',
        message: `Mail forwarded to ${to}${forwarding.keepCopy ? ', a copy kept in the mailbox' : ', no copy kept'}.`,
      };
    }),
    step('out-of-office', 'Set the out-of-office reply', 'repeatable', input.outOfOffice !== null, async ({ directory, targetUserId }) => {
      await directory.setAutomaticReplies(targetUserId, input.outOfOffice);
      return { status: 'ok', message: `Out-of-office on (external audience: ${input.outOfOffice!.externalAudience}).` };
    }),
    step('mailbox-access', 'Give mailbox access', 'repeatable', input.mailboxAccess !== null, async ({ directory, targetUserId }) => {
      const grant = input.mailboxAccess!;
      const delegate = await directory.getUser(grant.delegateUserId);
      await directory.grantMailboxAccess(targetUserId, grant);
      const rights = [
        grant.fullAccess ? `full access${grant.autoMapping ? ' (added to their Outlook)' : ''}` : '',
        grant.sendAs ? 'send as' : '',
      ].filter(Boolean);
      return { status: 'ok', message: `${delegate.displayName} (${delegate.userPrincipalName}) got ${rights.join(' and ')}.` };
    }),
    step(
      'convert-to-shared',
      'Convert the mailbox to a shared mailbox',
      'check-then-act',
      input.convertToShared,
      async ({ directory, targetUserId, facts, interrupted }) => {
        const mailbox = await directory.getMailbox(targetUserId);
        if (!mailbox) return skip('The user has no Exchange Online mailbox.');
        const convert = mailbox.type !== 'shared';
        if (convert) await directory.convertMailboxToShared(targetUserId);
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
    ),
    step(
      'hide-from-address-lists',
      'Hide from the address book',
      'repeatable',
      input.hideFromAddressLists,
      async ({ directory, targetUserId, facts }) => {
        if (facts.synced)
          return { status: 'warning', message: 'Synchronised from on-premises AD: set msExchHideFromAddressLists there.', changed: false };
        await directory.setHiddenFromAddressLists(targetUserId, true);
        return { status: 'ok', message: 'Hidden from the global address list.' };
      },
    ),
    step(
      'remove-groups',
      'Remove from groups',
      'check-then-act',
      input.removeGroups,
      async ({ directory, targetUserId, facts, markChanged }) => {
        const groups = await directory.listUserGroups(targetUserId);
        const removed: string[] = [];
        const kept: string[] = [];
        const failed: string[] = [];
        for (const group of groups) {
          if (group.changeVia === null) {
            kept.push(`${group.displayName} (${group.refusal ?? 'read-only here'})`);
            continue;
          }
          try {
            await directory.removeGroupMember(group.id, targetUserId);
            removed.push(group.displayName);
          } catch (error) {
            failed.push(`${group.displayName}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        // Kept for a rehire: the note lists them by name.
        facts.groupsRemoved = removed;
        const parts = [
          removed.length > 0 ? `Removed from: ${removed.join('; ')}.` : 'Member of no group that can be changed here.',
          kept.length > 0 ? `Left (cannot be changed here): ${kept.join('; ')}.` : '',
        ].filter(Boolean);
        if (removed.length > 0) markChanged();
        if (failed.length > 0)
          throw new ToolboxError({ code: 'TBX_ERR_GROUP_CHANGES_FAILED', message: `${parts.join(' ')} Failed: ${failed.join(' ')}` });
        return { status: kept.length > 0 ? 'warning' : 'ok', message: parts.join(' '), changed: removed.length > 0 };
      },
    ),
    step('remove-licences', 'Remove licences', 'check-then-act', input.removeLicenses, async ({ directory, targetUserId, facts }) => {
      if (input.convertToShared && !facts.mailboxShared) {
        return {
          status: 'warning',
          message: 'Not removed: the mailbox was not converted to shared, and removing the licence now would delete it.',
          changed: false,
        };
      }
      if (facts.keepLicences)
        return { status: 'warning', message: 'Kept: the shared mailbox is over 50 GB and needs its licence.', changed: false };
      const licences = await directory.listLicenses(targetUserId);
      const direct = licences.filter((l) => !l.viaGroup);
      const viaGroup = licences.filter((l) => l.viaGroup);
      if (direct.length > 0)
        await directory.removeLicenses(
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
    }),
    step('remove-manager', 'Remove the manager', 'check-then-act', input.removeManager, async ({ directory, targetUserId }) => {
      const manager = await directory.getManager(targetUserId);
      if (!manager) return skip('No manager was set.');
      await directory.removeManager(targetUserId);
      return { status: 'ok', message: `Manager ${manager.displayName} removed.` };
    }),
    {
      key: 'verify',
      label: 'Check the end state',
      kind: 'check',
      stopOnFailure: false,
      async run({ directory, targetUserId, facts }) {
        const differences: string[] = [];
        const user = await directory.getUser(targetUserId);
        if (input.blockSignIn && !user.onPremisesSyncEnabled && user.accountEnabled) differences.push('sign-in is not blocked');
        if (input.removeMfa) {
          const left = (await directory.listAuthMethods(targetUserId)).filter((m) => m.kind !== 'password');
          if (left.length > 0) differences.push(`sign-in methods left: ${left.map((m) => m.label).join('; ')}`);
        }
        if (input.convertToShared && facts.mailboxShared) {
          const mailbox = await directory.getMailbox(targetUserId);
          if (mailbox && mailbox.type !== 'shared') differences.push('the mailbox is not shared');
          if (input.forwarding && mailbox && !mailbox.forwardingTo) differences.push('forwarding is not set');
        }
        if (input.removeGroups) {
          const left = (await directory.listUserGroups(targetUserId)).filter((g) => g.changeVia !== null);
          if (left.length > 0) differences.push(`still in: ${left.map((g) => g.displayName).join('; ')}`);
        }
        if (differences.length > 0) return { status: 'warning', message: `Read back differs: ${differences.join('; ')}.` };
        return { status: 'ok', message: 'Read back: every requested change is in place.' };
      },
    },
  ],
};
