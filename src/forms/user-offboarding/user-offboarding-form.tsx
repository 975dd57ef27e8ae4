import { z } from 'zod';
import type { DirectoryClient, DirectoryContainer, DirectoryUser, MailboxInfo } from '../../connectors/directory/types.js';
import { zonedTimeToUtc } from '../../lib/zoned-time.js';
import type { UserOffboardingInput } from '../../workflows/user-offboarding/user-offboarding-workflow.js';
import { ContainerSelect, containerNamed, loadContainers } from '../container-field.js';
import { directoryOptionSources } from '../directory-option-sources.js';
import { OptionList, SearchBox } from '../option-list.js';
import { DEFAULT_TIME_ZONE, notATimeZone, TimeZoneField, timeZoneFrom } from '../time-zone-field.js';
import type { FieldErrors, FormDefinition, FormFieldsProps, FormValues } from '../types.js';
import { reviewUserOffboarding } from './user-offboarding-review.js';

/** The ticks, each the workflow step it asks for (`step`): a step the directory cannot do is not offered. */
const TOGGLES = [
  { field: 'block_sign_in', key: 'blockSignIn', step: 'block-sign-in', label: 'Block sign-in', on: true },
  { field: 'revoke_sessions', key: 'revokeSessions', step: 'revoke-sessions', label: 'Sign the user out of all sessions', on: true },
  {
    field: 'reset_password',
    key: 'resetPassword',
    step: 'reset-password',
    label: 'Replace the password with a random one (nobody sees it)',
    on: true,
  },
  { field: 'remove_mfa', key: 'removeMfa', step: 'remove-mfa', label: 'Remove sign-in methods (MFA)', on: true },
  {
    field: 'remove_mobile_devices',
    key: 'removeMobileDevices',
    step: 'remove-mobile-devices',
    label: 'Remove mobile devices from the mailbox',
    on: true,
  },
  {
    field: 'convert_to_shared',
    key: 'convertToShared',
    step: 'convert-to-shared',
    label: 'Convert the mailbox to a shared mailbox (before licences go)',
    on: true,
  },
  { field: 'hide_from_gal', key: 'hideFromAddressLists', step: 'hide-from-address-lists', label: 'Hide from the address book', on: true },
  {
    field: 'remove_groups',
    key: 'removeGroups',
    step: 'remove-groups',
    label: 'Remove from groups (the list is kept in the note, for a rehire)',
    on: true,
  },
  { field: 'remove_licences', key: 'removeLicenses', step: 'remove-licences', label: 'Remove licences', on: true },
  { field: 'remove_manager', key: 'removeManager', step: 'remove-manager', label: 'Remove the manager', on: false },
] as const;

const AUDIENCES = [
  { value: 'all', label: 'Everyone outside' },
  { value: 'contactsOnly', label: 'Only their contacts' },
  { value: 'none', label: 'Nobody outside' },
] as const;

const offboardingDefaults = z.strictObject({
  ...Object.fromEntries(TOGGLES.map((toggle) => [toggle.key, z.boolean().optional()])),
  timeZone: z
    .string()
    .refine((zone) => timeZoneFrom(zone) !== null, { message: 'must be an IANA time zone such as Europe/London' })
    .optional(),
  outOfOfficeExternalAudience: z.enum(['all', 'contactsOnly', 'none']).optional(),
  disabledUsersOu: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Active Directory: the OU offboarded accounts are moved to (ticked by default when set), by its DN (OU=Disabled users,DC=contoso,DC=example) or its path as the form shows it (Disabled users)',
    ),
});
type OffboardingDefaults = z.infer<typeof offboardingDefaults>;

/** `containers`: the OUs to move the account to, null for a directory without them (Entra). */
type LoadedContext = {
  manager: DirectoryUser | null;
  mailbox: MailboxInfo | null;
  containers: DirectoryContainer[] | null;
  errors: string[];
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function Toggle({ field, label, values }: { field: string; label: string; values: FormValues }) {
  return (
    <label class="choice" for={field}>
      <input type="checkbox" id={field} name={field} value="on" checked={values[field] === 'on'} />
      <span>{label}</span>
    </label>
  );
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="error" role="alert" id={`${id}-error`}>
      {message}
    </p>
  ) : null;
}

const managerOption = (manager: DirectoryUser, field: string, values: FormValues) => (
  <OptionList
    items={[{ value: manager.id, label: `${manager.displayName} (manager)`, detail: manager.userPrincipalName, badges: [] }]}
    field={field}
    kind="radio"
    values={values}
    empty=""
  />
);

function UserOffboardingFields({ values, errors, target, data, directory }: FormFieldsProps) {
  const context = data?.ok ? (data.value as LoadedContext) : null;
  const manager = context?.manager ?? null;
  const offers = directory.offer.offers;
  return (
    <>
      {target.onPremisesSyncEnabled ? (
        <p class="warning" role="status">
          {target.displayName} is synchronised from on-premises AD: blocking sign-in, the password and hiding from the address book must be
          done there; the toolbox reports them as such and does the rest.
        </p>
      ) : null}
      {context?.mailbox ? (
        <p class="muted">
          Mailbox {context.mailbox.primarySmtpAddress}: {context.mailbox.type === 'shared' ? 'already shared' : 'regular'}
          {context.mailbox.sizeGb !== undefined ? `, ${context.mailbox.sizeGb} GB` : ''}
          {context.mailbox.sizeGb !== undefined && context.mailbox.sizeGb >= 49 ? ' (over 50 GB a shared mailbox keeps its licence)' : ''}.
        </p>
      ) : null}
      {context && context.errors.length > 0 ? <p class="warning">{context.errors.join(' ')}</p> : null}
      {data && !data.ok ? (
        <p class="warning" role="status">
          The mailbox and manager could not be read: {data.message}
        </p>
      ) : null}

      <fieldset class="field" aria-describedby={errors.toggles ? 'toggles-error' : undefined}>
        <legend>Steps</legend>
        {TOGGLES.filter((toggle) => offers(toggle.step)).map((toggle) => (
          <Toggle field={toggle.field} label={toggle.label} values={values} />
        ))}
        <FieldError id="toggles" message={errors.toggles} />
      </fieldset>

      {offers('move-to-ou') && context?.containers ? (
        <fieldset class="field" aria-describedby={errors.move ? 'move-error' : undefined}>
          <legend>Move to another OU</legend>
          <Toggle field="move" label="Move the account to a disabled users OU (last, after everything else)" values={values} />
          <div data-shown-when="move=on">
            <ContainerSelect
              field="move_to"
              label="OU"
              containers={context.containers}
              value={values.move_to}
              emptyLabel="Choose the OU"
              hint={target.container ? `Now in ${target.container.path || target.container.id}.` : undefined}
            />
          </div>
          <FieldError id="move" message={errors.move} />
        </fieldset>
      ) : null}

      {offers('forwarding') ? (
        <fieldset class="field" aria-describedby={errors.forward ? 'forward-error' : undefined}>
          <legend>Forward mail</legend>
          <Toggle field="forward" label="Forward new mail" values={values} />
          <div data-shown-when="forward=on">
            {manager ? managerOption(manager, 'forward_user', values) : null}
            <SearchBox id="forward-search" label="To a user" source="users" into="forward-user-results" field="forward_user" kind="radio" />
            <div class="field">
              <label for="forward_address">Or to an address</label>
              <input type="email" id="forward_address" name="forward_address" value={values.forward_address ?? ''} autocomplete="off" />
            </div>
            <Toggle field="keep_copy" label="Keep a copy in the mailbox" values={values} />
          </div>
          <FieldError id="forward" message={errors.forward} />
        </fieldset>
      ) : null}

      {offers('out-of-office') ? (
        <fieldset class="field" aria-describedby={errors.ooo ? 'ooo-error' : undefined}>
          <legend>Out-of-office reply</legend>
          <Toggle field="ooo" label="Turn on an automatic reply" values={values} />
          <div data-shown-when="ooo=on">
            <div class="field">
              <label for="ooo_internal">Reply inside the organisation</label>
              <textarea id="ooo_internal" name="ooo_internal" rows={3}>
                {values.ooo_internal ?? ''}
              </textarea>
            </div>
            <div class="field">
              <label for="ooo_external">Reply outside the organisation</label>
              <textarea id="ooo_external" name="ooo_external" rows={3}>
                {values.ooo_external ?? ''}
              </textarea>
            </div>
            <div class="field">
              <label for="ooo_audience">Who outside gets it</label>
              <select id="ooo_audience" name="ooo_audience">
                {AUDIENCES.map((option) => (
                  <option value={option.value} selected={values.ooo_audience === option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <FieldError id="ooo" message={errors.ooo} />
        </fieldset>
      ) : null}

      {offers('mailbox-access') ? (
        <fieldset class="field" aria-describedby={errors.access ? 'access-error' : undefined}>
          <legend>Mailbox access for someone else</legend>
          <Toggle field="access" label="Give someone access to the mailbox" values={values} />
          <div data-shown-when="access=on">
            {manager ? managerOption(manager, 'access_user', values) : null}
            <SearchBox
              id="access-search"
              label="Find the person"
              source="users"
              into="access-user-results"
              field="access_user"
              kind="radio"
            />
            <Toggle field="access_full" label="Full access" values={values} />
            <Toggle field="access_automap" label="Add it to their Outlook automatically" values={values} />
            <Toggle field="access_send_as" label="Send as" values={values} />
          </div>
          <FieldError id="access" message={errors.access} />
        </fieldset>
      ) : null}

      <fieldset class="field" aria-describedby={errors.when ? 'when-error' : undefined}>
        <legend>When</legend>
        <label class="choice" for="when-now">
          <input type="radio" id="when-now" name="when" value="now" checked={(values.when ?? 'now') === 'now'} />
          <span>Now</span>
        </label>
        <label class="choice" for="when-later">
          <input type="radio" id="when-later" name="when" value="later" checked={values.when === 'later'} />
          <span>Later, at a date and time</span>
        </label>
        <div data-shown-when="when=later" class="row">
          <div class="field">
            <label for="run_at">Date and time</label>
            <input type="datetime-local" id="run_at" name="run_at" value={values.run_at ?? ''} />
          </div>
          <TimeZoneField values={values} />
        </div>
        <FieldError id="when" message={errors.when} />
      </fieldset>
    </>
  );
}

/**
 * User offboarding: lock the account, hand the mailbox over, remove groups and licences in the safe
 * order, now or at a set time; on Active Directory, move the account to a disabled users OU last.
 * Contradictory choices are refused before anything runs.
 */
export const userOffboardingForm: FormDefinition<UserOffboardingInput> = {
  label: 'User offboarding',
  description:
    'Locks the account, hands its mailbox over and removes its groups (on Active Directory: then moves it to a disabled users OU), in the order that loses nothing; now or at a set time.',
  optionSources: directoryOptionSources,
  defaultsSchema: offboardingDefaults,
  defaults: (custom) => {
    const preset = (custom ?? {}) as OffboardingDefaults & Record<string, boolean | undefined>;
    const values: FormValues = {
      when: 'now',
      time_zone: timeZoneFrom(preset.timeZone ?? '') ?? DEFAULT_TIME_ZONE,
      ooo_audience: preset.outOfOfficeExternalAudience ?? 'all',
      keep_copy: 'on',
      access_full: 'on',
      access_automap: 'on',
    };
    for (const toggle of TOGGLES) values[toggle.field] = (preset[toggle.key] ?? toggle.on) ? 'on' : '';
    // The customer's disabled users OU, ticked: without one the technician chooses (and ticks) it.
    if (preset.disabledUsersOu) {
      values.move = 'on';
      values.move_to = preset.disabledUsersOu;
    }
    return values;
  },
  async load({ directory, target }: { directory: DirectoryClient; target: DirectoryUser }): Promise<LoadedContext> {
    const errors: string[] = [];
    // Each only where the directory has it: no manager to offer, no mailbox to describe otherwise.
    const [manager, mailbox, containers] = await Promise.all([
      (directory.manager?.getManager(target.id) ?? Promise.resolve(null)).catch((error: Error) => {
        errors.push(`Manager: ${error.message}`);
        return null;
      }),
      (directory.mailbox?.getMailbox(target.id) ?? Promise.resolve(null)).catch((error: Error) => {
        errors.push(`Mailbox: ${error.message}`);
        return null;
      }),
      loadContainers(directory).catch((error: Error) => {
        errors.push(`OUs: ${error.message}`);
        return null;
      }),
    ]);
    return { manager, mailbox, containers, errors };
  },
  parse(fields, target, data, directory) {
    const errors: FieldErrors = {};
    const offers = directory.offer.offers;
    // A tick for a step the directory does not offer counts as not ticked, whatever was sent.
    const chosen = (field: string, step: string) => offers(step) && fields[field] === 'on';
    const on = (field: string) => fields[field] === 'on';
    const toggles = Object.fromEntries(TOGGLES.map((toggle) => [toggle.key, chosen(toggle.field, toggle.step)])) as Record<
      (typeof TOGGLES)[number]['key'],
      boolean
    >;

    let forwarding: UserOffboardingInput['forwarding'] = null;
    if (chosen('forward', 'forwarding')) {
      const address = (fields.forward_address ?? '').trim();
      const user = (fields.forward_user ?? '').trim();
      if (user === target.id || address.toLowerCase() === target.userPrincipalName.toLowerCase())
        errors.forward = 'Mail cannot be forwarded to the user being offboarded.';
      else if (address && !EMAIL.test(address)) errors.forward = `"${address}" is not an e-mail address.`;
      else if (!address && !user) errors.forward = 'Choose a user or type an address to forward to.';
      else forwarding = { to: address || user, keepCopy: on('keep_copy') };
    }

    let outOfOffice: UserOffboardingInput['outOfOffice'] = null;
    if (chosen('ooo', 'out-of-office')) {
      const internalMessage = (fields.ooo_internal ?? '').trim();
      const externalMessage = (fields.ooo_external ?? '').trim() || internalMessage;
      const audience = fields.ooo_audience === 'contactsOnly' || fields.ooo_audience === 'none' ? fields.ooo_audience : 'all';
      if (!internalMessage && !externalMessage) errors.ooo = 'Write the reply, or turn the automatic reply off.';
      else if (internalMessage.length > 4000 || externalMessage.length > 4000) errors.ooo = 'Keep each reply under 4,000 characters.';
      else outOfOffice = { internalMessage: internalMessage || externalMessage, externalMessage, externalAudience: audience };
    }

    let mailboxAccess: UserOffboardingInput['mailboxAccess'] = null;
    if (chosen('access', 'mailbox-access')) {
      const delegate = (fields.access_user ?? '').trim();
      if (!delegate) errors.access = 'Choose who gets access.';
      else if (delegate === target.id) errors.access = 'The user being offboarded cannot be given their own mailbox.';
      else if (!on('access_full') && !on('access_send_as')) errors.access = 'Tick full access, send as, or both.';
      else
        mailboxAccess = {
          delegateUserId: delegate,
          fullAccess: on('access_full'),
          sendAs: on('access_send_as'),
          autoMapping: on('access_automap'),
        };
    }

    let moveTo: UserOffboardingInput['moveTo'] = null;
    if (chosen('move', 'move-to-ou')) {
      const containers = data?.ok ? (data.value as LoadedContext).containers : null;
      // Only an OU the directory listed: a value sent from elsewhere is not moved to blindly.
      const container = containers ? containerNamed(containers, fields.move_to) : undefined;
      if (!containers) errors.move = 'The OUs could not be read: try again, or leave the move out.';
      else if (!container) errors.move = 'Choose the OU to move the account to, or untick the move.';
      else moveTo = { id: container.id, path: container.path };
    }

    // Removing the licence of a mailbox that is not shared deletes the mailbox (reference §9.2).
    const mailboxHandedOver = chosen('forward', 'forwarding') || chosen('ooo', 'out-of-office') || chosen('access', 'mailbox-access');
    if (toggles.removeLicenses && !toggles.convertToShared && mailboxHandedOver) {
      errors.toggles =
        'Removing licences without converting to a shared mailbox deletes the mailbox, so forwarding, the automatic reply and mailbox access would be lost. Convert to shared, or leave those out.';
    }
    const anything = Object.values(toggles).some(Boolean) || mailboxHandedOver || moveTo !== null;
    if (!anything) errors.toggles = 'Nothing is ticked: choose at least one step.';

    let scheduledFor: UserOffboardingInput['scheduledFor'] = null;
    let runAt: number | undefined;
    if (fields.when === 'later') {
      const zone = timeZoneFrom(fields.time_zone ?? '');
      const instant = zone ? zonedTimeToUtc(fields.run_at ?? '', zone) : null;
      if (!zone) errors.when = notATimeZone(fields.time_zone ?? '');
      else if (instant === null) errors.when = 'Enter the date and time to run at.';
      else if (instant < Date.now() + 60_000) errors.when = 'That time has passed: choose a time at least a minute from now, or run now.';
      else if (instant > Date.now() + 90 * 86_400_000) errors.when = 'Choose a time within 90 days.';
      else {
        runAt = instant;
        scheduledFor = { at: new Date(instant).toISOString(), timeZone: zone };
      }
    }

    if (Object.keys(errors).length > 0) return { ok: false, errors };
    return {
      ok: true,
      input: { ...toggles, forwarding, outOfOffice, mailboxAccess, scheduledFor, moveTo },
      secret: null,
      reveal: null,
      ...(runAt ? { runAt } : {}),
    };
  },
  review: reviewUserOffboarding,
  reviewFirst: () => true,
  submitLabel: (_values, target) => `Review the offboarding of ${target.displayName}`,
  Fields: UserOffboardingFields,
};
