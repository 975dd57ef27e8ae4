import { requirePart } from '../../connectors/directory/directory-capabilities.js';
import type { DirectoryClient } from '../../connectors/directory/types.js';
import { formatScheduledTime } from '../../lib/format-scheduled-time.js';
import { plural } from '../../lib/plural.js';
import type { UserOffboardingInput } from '../../workflows/user-offboarding/user-offboarding-workflow.js';
import type { ChangeReview, ReviewContext } from '../types.js';

const AUDIENCE_WORDS = { all: 'everyone', contactsOnly: 'colleagues and their contacts', none: 'colleagues only' } as const;

/** A read for a count or a name: its failure leaves the line without it instead of failing the review. */
const attempt = <T>(read: () => Promise<T>): Promise<T | null> => read().catch(() => null);

async function personName(directory: DirectoryClient, idOrAddress: string): Promise<string> {
  if (idOrAddress.includes('@')) return idOrAddress;
  const user = await attempt(() => directory.getUser(idOrAddress));
  return user ? user.displayName : idOrAddress;
}

/**
 * Every step that will run, in the workflow's order, with what the directory holds now: how many
 * sign-in methods, groups and licences go, and who gets the mail. Counts are the state at review
 * time; the note records what the run found.
 */
export async function reviewUserOffboarding({ input, target, directory }: ReviewContext<UserOffboardingInput>): Promise<ChangeReview> {
  const [methods, groups, licences, manager, forwardTo, delegate] = await Promise.all([
    input.removeMfa && directory.authMethods ? attempt(() => requirePart(directory, 'authMethods').listAuthMethods(target.id)) : null,
    input.removeGroups ? attempt(() => directory.listUserGroups(target.id)) : null,
    input.removeLicenses && directory.licences ? attempt(() => requirePart(directory, 'licences').listLicenses(target.id)) : null,
    input.removeManager && directory.manager ? attempt(() => requirePart(directory, 'manager').getManager(target.id)) : null,
    input.forwarding ? personName(directory, input.forwarding.to) : null,
    input.mailboxAccess ? personName(directory, input.mailboxAccess.delegateUserId) : null,
  ]);
  const changes: string[] = [];
  if (input.blockSignIn) changes.push('Block sign-in');
  if (input.revokeSessions) changes.push('Sign the user out of all sessions');
  if (input.resetPassword) changes.push('Replace the password with a random one nobody is shown');
  if (input.removeMfa) {
    const removable = methods?.filter((method) => method.removable && method.kind !== 'password');
    changes.push(
      removable
        ? `Remove ${plural(removable.length, 'sign-in method', 'sign-in methods')}${removable.length > 0 ? `: ${removable.map((m) => m.label).join('; ')}` : ''}`
        : 'Remove every sign-in method but the password (the list could not be read)',
    );
  }
  if (input.removeMobileDevices) changes.push('Remove every mobile device from the mailbox');
  if (input.forwarding) changes.push(`Forward mail to ${forwardTo}${input.forwarding.keepCopy ? ', keeping a copy' : ', keeping no copy'}`);
  if (input.outOfOffice) changes.push(`Turn on an automatic reply to ${AUDIENCE_WORDS[input.outOfOffice.externalAudience]}`);
  if (input.mailboxAccess) {
    const rights = [input.mailboxAccess.fullAccess ? 'full access' : '', input.mailboxAccess.sendAs ? 'send as' : ''].filter(Boolean);
    changes.push(`Give ${delegate} ${rights.join(' and ')} to the mailbox`);
  }
  if (input.convertToShared) changes.push('Convert the mailbox to shared');
  if (input.hideFromAddressLists) changes.push('Hide from the address book');
  if (input.removeGroups) {
    const changeable = groups?.filter((group) => group.refusal === undefined);
    // The primary group (AD) stays by design and is named; others that stay are counted.
    const primary = groups?.filter((group) => group.primary).map((group) => group.displayName) ?? [];
    const kept = groups ? groups.length - (changeable?.length ?? 0) - primary.length : 0;
    const stays = [
      kept > 0 ? `; ${plural(kept, 'group stays', 'groups stay')} (not changeable here)` : '',
      primary.length > 0 ? `; ${primary.join(', ')} stays (the primary group)` : '',
    ].join('');
    changes.push(
      !changeable
        ? 'Remove from every group that can be changed here (the list could not be read)'
        : changeable.length === 0
          ? `Remove from no group: none can be changed here${stays}`
          : `Remove from ${plural(changeable.length, 'group', 'groups')}: ${changeable.map((g) => g.displayName).join(', ')}${stays}`,
    );
  }
  if (input.removeLicenses) {
    const direct = licences?.filter((licence) => !licence.viaGroup);
    changes.push(
      direct
        ? `Remove ${plural(direct.length, 'licence', 'licences')}${direct.length > 0 ? `: ${direct.map((l) => l.displayName).join(', ')}` : ''}`
        : 'Remove every directly assigned licence (the list could not be read)',
    );
  }
  if (input.removeManager) changes.push(manager ? `Remove the manager (${manager.displayName})` : 'Remove the manager (none is set now)');
  if (input.moveTo) {
    const from = target.container ? ` from ${target.container.path || target.container.id}` : '';
    changes.push(`Move the account${from} to ${input.moveTo.path || input.moveTo.id}`);
  }
  const when = input.scheduledFor ? formatScheduledTime(input.scheduledFor.at, input.scheduledFor.timeZone) : undefined;
  return {
    changes,
    when,
    action: input.scheduledFor ? `Schedule the offboarding of ${target.displayName}` : `Offboard ${target.displayName}`,
  };
}
