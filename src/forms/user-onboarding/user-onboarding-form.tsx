import { z } from 'zod';
import { requirePart } from '../../connectors/directory/directory-capabilities.js';
import type {
  DirectoryClient,
  DirectoryContainer,
  DirectoryGroup,
  DirectoryUser,
  SubscribedSku,
  VerifiedDomain,
} from '../../connectors/directory/types.js';
import { checkPassword, describePasswordRules } from '../../domain/passwords/check-password.js';
import { generateForUser } from '../../domain/passwords/generate-for-user.js';
import { renewPassword } from '../../domain/passwords/renew-password.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import { zonedTimeToUtc } from '../../lib/zoned-time.js';
import type { UserOnboardingInput } from '../../workflows/user-onboarding/user-onboarding-workflow.js';
import { ContainerSelect, containerNamed, loadContainers } from '../container-field.js';
import { directoryOptionSources, groupOption } from '../directory-option-sources.js';
import { OptionList, SearchBox } from '../option-list.js';
import { DEFAULT_TIME_ZONE, notATimeZone, TimeZoneField, timeZoneFrom } from '../time-zone-field.js';
import type { FieldErrors, FormDefinition, FormFieldsProps, FormValues } from '../types.js';
import { reviewUserOnboarding } from './user-onboarding-review.js';

const PATTERNS = ['{first}.{last}', '{f}{last}', '{first}{l}', '{first}', '{last}.{first}'] as const;

const onboardingDefaults = z.strictObject({
  usernamePattern: z.enum(PATTERNS).optional(),
  defaultDomain: z.string().min(3).optional(),
  usageLocation: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US or GB')
    .optional(),
  licenses: z
    .array(z.string())
    .optional()
    .describe('licences ticked by default: product names (Microsoft 365 Business Premium) or SKU part numbers (SPB)'),
  groups: z.array(z.string()).optional().describe('group ids ticked by default'),
  passwordMode: z.enum(['generated', 'passphrase', 'typed']).optional(),
  mustChange: z.boolean().optional(),
  timeZone: z
    .string()
    .refine((zone) => timeZoneFrom(zone) !== null, { message: 'must be an IANA time zone such as Europe/London' })
    .optional(),
  organizationalUnit: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Active Directory: the OU new users are created in, by its DN (OU=Staff,DC=contoso,DC=example) or its path as the form shows it (Staff / Sales)',
    ),
});
type OnboardingDefaults = z.infer<typeof onboardingDefaults>;

/** `containers`: the OUs to create the user in, null for a directory without them (Entra). */
type Loaded = {
  domains: VerifiedDomain[];
  skus: SubscribedSku[];
  defaultGroups: DirectoryGroup[];
  containers: DirectoryContainer[] | null;
};

const slug = (value: string) =>
  value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** The username a pattern gives for a name: `{first}.{last}` → `megan.bowen`. */
export function usernameFrom(pattern: string, first: string, last: string): string {
  const f = slug(first);
  const l = slug(last);
  return pattern
    .replace('{first}', f)
    .replace('{last}', l)
    .replace('{f}', f.slice(0, 1))
    .replace('{l}', l.slice(0, 1))
    .replace(/^\.+|\.+$/g, '');
}

export type SignInName = { ok: true; upn: string } | { ok: false; incomplete: boolean; message: string };

/**
 * The new user's sign-in name from the form's fields: the typed username, or else the customer's
 * pattern applied to the name, at the chosen domain. The one place it is built: the live preview
 * and the submitted form both use it, so what is previewed is what is created.
 */
export function signInNameFrom(fields: FormValues): SignInName {
  const typed = (fields.username ?? '').trim();
  const first = (fields.first_name ?? '').trim();
  const last = (fields.last_name ?? '').trim();
  const domain = (fields.domain ?? '').trim().toLowerCase();
  if (!typed && (!first || !last))
    return { ok: false, incomplete: true, message: 'Type the first and last name (or a username) to see the sign-in name.' };
  const username = (typed || usernameFrom(fields.username_pattern ?? PATTERNS[0], first, last)).toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(username))
    return { ok: false, incomplete: false, message: 'Use letters, digits, dots, dashes and underscores only.' };
  if (!domain) return { ok: false, incomplete: true, message: 'Choose the domain to see the sign-in name.' };
  return { ok: true, upn: `${username}@${domain}` };
}

const takenMessage = (upn: string, by: DirectoryUser) => `${upn} is already taken by ${by.displayName}: type another username.`;

type Availability = { kind: 'free' } | { kind: 'taken'; by: DirectoryUser } | { kind: 'unknown'; message: string } | { kind: 'unchecked' };

/** Whether a sign-in name is free, by the same read the workflow's first step makes. */
async function availabilityOf(directory: DirectoryClient, upn: string): Promise<Availability> {
  try {
    const [user] = await directory.findUsersByUpn(upn);
    return user ? { kind: 'taken', by: user } : { kind: 'free' };
  } catch (error) {
    return { kind: 'unknown', message: isToolboxError(error) ? error.message : 'The directory did not answer as expected.' };
  }
}

/** The sign-in name the form will create, and whether it is free (when checked). */
function SignInNamePreview({ name, availability }: { name: SignInName; availability: Availability }) {
  if (!name.ok) return <p class={name.incomplete ? 'muted' : 'error'}>{name.message}</p>;
  return (
    <p>
      Sign-in name: <code>{name.upn}</code> {availability.kind === 'free' ? <span class="badge badge-free">free</span> : null}
      {availability.kind === 'taken' ? (
        <>
          <span class="badge badge-taken">taken</span> <span class="error">{takenMessage(name.upn, availability.by)}</span>
        </>
      ) : null}
      {availability.kind === 'unknown' ? <span class="muted">Could not check whether it is free: {availability.message}</span> : null}
    </p>
  );
}

const PHONE = /^\+?[0-9 ()./-]{3,30}$/;
const PHONE_HINT = 'With the country code, e.g. +1 425 555 0100.';

const PREVIEW_FIELDS = 'first_name last_name username username_pattern domain';

function Text(props: {
  field: string;
  label: string;
  values: FormValues;
  errors: FieldErrors;
  required?: boolean;
  hint?: string;
  type?: string;
  inputmode?: 'tel' | 'text';
  autocomplete?: string;
}) {
  const error = props.errors[props.field];
  return (
    <div class="field">
      <label for={props.field}>{props.label}</label>
      <input
        type={props.type ?? 'text'}
        id={props.field}
        name={props.field}
        value={props.values[props.field] ?? ''}
        required={props.required}
        inputmode={props.inputmode}
        // The technician types someone else's details: their own browser's suggestions would be wrong.
        autocomplete={props.autocomplete ?? 'off'}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${props.field}-error` : props.hint ? `${props.field}-hint` : undefined}
      />
      {props.hint ? (
        <small class="hint" id={`${props.field}-hint`}>
          {props.hint}
        </small>
      ) : null}
      {error ? (
        <p class="error" role="alert" id={`${props.field}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function UserOnboardingFields({ values, errors, target, data, directory }: FormFieldsProps) {
  const loaded = data?.ok ? (data.value as Loaded) : null;
  const offers = directory.offer.offers;
  // The customer's default licences (by product name or part number) and groups are ticked on the first render only.
  const firstRender = values.defaults_applied === 'on';
  const defaultLicences = new Set(
    (values.default_licences ?? '')
      .split('\n')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const licenceValues: FormValues = { ...values };
  for (const sku of loaded?.skus ?? []) {
    const isDefault = defaultLicences.has(sku.skuPartNumber.toLowerCase()) || defaultLicences.has(sku.displayName.toLowerCase());
    if (firstRender && isDefault && sku.available > 0) licenceValues[`licence:${sku.skuId}`] = 'on';
  }
  const groupValues: FormValues = { ...values };
  for (const group of loaded?.defaultGroups ?? []) if (firstRender && group.refusal === undefined) groupValues[`group:${group.id}`] = 'on';
  return (
    <>
      {data && !data.ok ? (
        <p class="error" role="alert">
          The directory’s domains{offers('assign-licences') ? ' and licences' : ''} could not be read: {data.message}
        </p>
      ) : null}
      <fieldset class="field">
        <legend>Name and sign-in</legend>
        <Text field="first_name" label="First name" values={values} errors={errors} required />
        <Text field="last_name" label="Last name" values={values} errors={errors} required />
        <Text field="display_name" label="Display name" values={values} errors={errors} hint="Left empty: first and last name." />
        <Text
          field="username"
          label="Username"
          values={values}
          errors={errors}
          hint={`Left empty: from the pattern ${values.username_pattern ?? PATTERNS[0]}, e.g. ${usernameFrom(values.username_pattern ?? PATTERNS[0], 'Jane', 'Doe')}.`}
        />
        <input type="hidden" name="username_pattern" value={values.username_pattern ?? PATTERNS[0]} />
        <div class="field">
          <label for="domain">Domain</label>
          <select id="domain" name="domain">
            {(loaded?.domains ?? []).map((domain) => (
              <option value={domain.name} selected={values.domain ? values.domain === domain.name : domain.isDefault}>
                {domain.name}
              </option>
            ))}
          </select>
          {errors.domain ? (
            <p class="error" role="alert">
              {errors.domain}
            </p>
          ) : null}
        </div>
        {/* Rendered here as the values stand; app.js asks the server again as the name changes. */}
        <div class="sign-in-preview" id="sign-in-preview" aria-live="polite" data-preview="username" data-preview-fields={PREVIEW_FIELDS}>
          <SignInNamePreview
            name={signInNameFrom({ ...values, domain: values.domain || (loaded?.domains.find((d) => d.isDefault)?.name ?? '') })}
            availability={{ kind: 'unchecked' }}
          />
        </div>
        {/* Only where licences are offered: it is what they need, and AD has no such attribute to set. */}
        {offers('assign-licences') ? (
          <Text
            field="usage_location"
            label="Usage location (country code)"
            values={values}
            errors={errors}
            hint="Two letters, e.g. US, GB: licences need it."
          />
        ) : null}
        {loaded?.containers ? (
          <ContainerSelect
            field="ou"
            label="Organizational unit"
            containers={loaded.containers}
            value={values.ou}
            emptyLabel="The domain’s default place for new users"
            hint="Where the account is created: the OU decides which group policies and sync rules apply to it."
            error={errors.ou}
          />
        ) : null}
      </fieldset>

      {offers('assign-licences') ? (
        <fieldset class="field" aria-describedby={errors.licences ? 'licences-error' : undefined}>
          <legend>Licences</legend>
          {loaded ? (
            <OptionList
              items={loaded.skus.map((sku) => ({
                value: sku.skuId,
                label: sku.displayName,
                // The part number too: it is what admin centres and older notes show.
                ...(sku.displayName !== sku.skuPartNumber ? { detail: sku.skuPartNumber } : {}),
                badges: [`${sku.available} of ${sku.total} free`],
                ...(sku.available < 1 ? { disabledReason: 'No free seats: buy one or free one before onboarding.' } : {}),
              }))}
              field="licence"
              kind="checkbox"
              values={licenceValues}
              empty="The tenant has no licences."
            />
          ) : null}
          {errors.licences ? (
            <p class="error" role="alert" id="licences-error">
              {errors.licences}
            </p>
          ) : null}
        </fieldset>
      ) : null}

      <fieldset class="field">
        <legend>Groups</legend>
        {loaded && loaded.defaultGroups.length > 0 ? (
          <OptionList items={loaded.defaultGroups.map(groupOption)} field="group" kind="checkbox" values={groupValues} empty="" />
        ) : null}
        <SearchBox
          id="onboard-group-search"
          label="Groups to add"
          source="groups"
          into="onboard-group-results"
          field="group"
          kind="checkbox"
        />
      </fieldset>

      {offers('set-manager') ? (
        <fieldset class="field" aria-describedby="manager-hint">
          <legend>Manager</legend>
          <small class="hint" id="manager-hint">
            Optional: whom the new user reports to.
          </small>
          {target.id ? (
            <OptionList
              items={[
                {
                  value: target.id,
                  label: `${target.displayName} (the contact on the ticket)`,
                  detail: target.userPrincipalName,
                  badges: [],
                },
              ]}
              field="manager"
              kind="radio"
              values={values}
              empty=""
            />
          ) : null}
          <SearchBox id="manager-search" label="Find the manager" source="users" into="manager-results" field="manager" kind="radio" />
        </fieldset>
      ) : null}

      <fieldset class="field">
        <legend>Copy from an existing user (optional)</legend>
        <SearchBox id="copy-search" label="Find the user to copy" source="users" into="copy-results" field="copy_from" kind="radio" />
        <label class="choice" for="copy_groups">
          <input type="checkbox" id="copy_groups" name="copy_groups" value="on" checked={values.copy_groups === 'on'} />
          <span>Copy their groups</span>
        </label>
        {offers('copy-attributes') ? (
          <label class="choice" for="copy_attributes">
            <input type="checkbox" id="copy_attributes" name="copy_attributes" value="on" checked={values.copy_attributes === 'on'} />
            <span>Copy their job title, department and office (what you type below wins)</span>
          </label>
        ) : null}
      </fieldset>

      <fieldset class="field">
        <legend>Job and phones</legend>
        <Text field="job_title" label="Job title" values={values} errors={errors} />
        <Text field="department" label="Department" values={values} errors={errors} />
        <Text field="office" label="Office" values={values} errors={errors} />
        <Text field="mobile_phone" label="Mobile phone" values={values} errors={errors} type="tel" inputmode="tel" hint={PHONE_HINT} />
        <Text field="business_phone" label="Business phone" values={values} errors={errors} type="tel" inputmode="tel" hint={PHONE_HINT} />
      </fieldset>

      <fieldset class="field" aria-describedby={errors.password ? 'password-error' : undefined}>
        <legend>Password</legend>
        {(['generated', 'passphrase', 'typed'] as const).map((mode) => (
          <label class="choice" for={`password_mode-${mode}`}>
            <input
              type="radio"
              id={`password_mode-${mode}`}
              name="password_mode"
              value={mode}
              checked={(values.password_mode ?? 'generated') === mode}
            />
            <span>
              {mode === 'generated' ? 'Generate a password' : mode === 'passphrase' ? 'Generate a passphrase' : 'Type a password'}
            </span>
          </label>
        ))}
        <div class="field" data-shown-when="password_mode=typed">
          <label for="password">Password</label>
          <input type="password" id="password" name="password" autocomplete="new-password" aria-describedby="password-hint" />
          <small class="hint" id="password-hint">
            {describePasswordRules(directory.passwordPolicy)}
          </small>
        </div>
        {errors.password ? (
          <p class="error" role="alert" id="password-error">
            {errors.password}
          </p>
        ) : null}
        <label class="choice" for="must_change">
          <input type="checkbox" id="must_change" name="must_change" value="on" checked={values.must_change === 'on'} />
          <span>Must change the password at first sign-in</span>
        </label>
      </fieldset>

      <fieldset class="field" aria-describedby={errors.when ? 'when-error' : undefined}>
        <legend>Start date</legend>
        <label class="choice" for="when-now">
          <input type="radio" id="when-now" name="when" value="now" checked={(values.when ?? 'now') === 'now'} />
          <span>Create now</span>
        </label>
        <label class="choice" for="when-later">
          <input type="radio" id="when-later" name="when" value="later" checked={values.when === 'later'} />
          <span>Create at a date and time</span>
        </label>
        <div data-shown-when="when=later" class="row">
          <div class="field">
            <label for="run_at">Date and time</label>
            <input type="datetime-local" id="run_at" name="run_at" value={values.run_at ?? ''} />
          </div>
          <TimeZoneField values={values} />
        </div>
        {errors.when ? (
          <p class="error" role="alert" id="when-error">
            {errors.when}
          </p>
        ) : null}
      </fieldset>
    </>
  );
}

const ticked = (fields: FormValues, prefix: string) =>
  Object.keys(fields)
    .filter((key) => key.startsWith(prefix) && fields[key] === 'on')
    .map((key) => key.slice(prefix.length));

/**
 * User onboarding: a new user, now or at a start date. On Microsoft 365 with licences, groups and a
 * manager; on Active Directory in the chosen OU, with groups (what a directory lacks is not offered).
 */
export const userOnboardingForm: FormDefinition<UserOnboardingInput> = {
  // The domain picker: a sign-in name needs one of the directory's domains.
  needs: ['domains'],
  label: 'User onboarding',
  description:
    'Creates a user with licences, groups and a manager where the directory has them (in the chosen OU on Active Directory), in the order that works; now or at a start date.',
  createsUser: true,
  optionSources: directoryOptionSources,
  defaultsSchema: onboardingDefaults,
  defaults: (custom) => {
    const preset = (custom ?? {}) as OnboardingDefaults;
    return {
      username_pattern: preset.usernamePattern ?? PATTERNS[0],
      ...(preset.defaultDomain ? { domain: preset.defaultDomain } : {}),
      usage_location: preset.usageLocation ?? '',
      ...(preset.organizationalUnit ? { ou: preset.organizationalUnit } : {}),
      password_mode: preset.passwordMode ?? 'generated',
      must_change: (preset.mustChange ?? true) ? 'on' : '',
      when: 'now',
      time_zone: timeZoneFrom(preset.timeZone ?? '') ?? DEFAULT_TIME_ZONE,
      defaults_applied: 'on',
      // One per line: product names hold commas ("Dynamics 365 Field Service, Enterprise Edition").
      ...(preset.licenses ? { default_licences: preset.licenses.join('\n') } : {}),
    };
  },
  async load({ directory, defaults }): Promise<Loaded> {
    const groupIds = (defaults as OnboardingDefaults | undefined)?.groups ?? [];
    const [domains, skus, defaultGroups, containers] = await Promise.all([
      requirePart(directory, 'domains').listVerifiedDomains(),
      // Licences only where the directory has them (the form offers none otherwise).
      directory.licences ? directory.licences.listSubscribedSkus() : Promise.resolve([]),
      // A default group that no longer exists is left out, not an error on the form.
      Promise.all(groupIds.map((id) => directory.getGroup(id).catch(() => null))).then((groups) => groups.filter((g) => g !== null)),
      // OUs only where the directory has them (AD's move part).
      loadContainers(directory),
    ]);
    return { domains, skus, defaultGroups, containers };
  },
  // The user to be created is named by the input itself.
  renewSecret: (input, _user, policy) =>
    renewPassword(input.passwordMode, { userPrincipalName: input.userPrincipalName, displayName: input.displayName }, policy),
  parse(fields, _target, data, directory) {
    const offers = directory.offer.offers;
    const errors: FieldErrors = {};
    const loaded = data?.ok ? (data.value as Loaded) : null;
    const first = (fields.first_name ?? '').trim();
    const last = (fields.last_name ?? '').trim();
    if (!first) errors.first_name = 'Enter the first name.';
    if (!last) errors.last_name = 'Enter the last name.';
    const displayName = (fields.display_name ?? '').trim() || `${first} ${last}`.trim();
    const signIn = signInNameFrom(fields);
    if (!signIn.ok && !signIn.incomplete && first && last) errors.username = signIn.message;
    const upn = signIn.ok ? signIn.upn : '';
    const domain = (fields.domain ?? '').trim().toLowerCase();
    if (!loaded) errors.domain = 'The directory’s domains could not be read: try again.';
    else if (!loaded.domains.some((d) => d.name.toLowerCase() === domain))
      errors.domain = `Choose one of the ${loaded.containers ? 'domain’s UPN suffixes' : 'tenant’s verified domains'}.`;
    for (const phone of ['mobile_phone', 'business_phone']) {
      const value = (fields[phone] ?? '').trim();
      if (value && !PHONE.test(value)) errors[phone] = 'Use digits, spaces, + ( ) . and - only, e.g. +1 425 555 0100.';
    }
    // Asked only where licences are offered (they need it); elsewhere it is neither shown nor sent.
    const usageLocation = offers('assign-licences') ? (fields.usage_location ?? '').trim().toUpperCase() : undefined;
    if (usageLocation !== undefined && !/^[A-Z]{2}$/.test(usageLocation))
      errors.usage_location = 'Enter a two-letter country code, e.g. US or GB.';
    // The OU must be one the directory listed: a value sent from elsewhere is not created blindly.
    const ouValue = (fields.ou ?? '').trim();
    const container = loaded?.containers && ouValue ? containerNamed(loaded.containers, ouValue) : undefined;
    if (loaded?.containers && ouValue && !container) errors.ou = 'Choose one of the listed OUs.';
    const skuIds = offers('assign-licences') ? ticked(fields, 'licence:') : [];
    const full = skuIds.map((id) => loaded?.skus.find((s) => s.skuId === id)).filter((sku) => !sku || sku.available < 1);
    if (full.length > 0) errors.licences = `No free seats for ${full.map((s) => s?.displayName ?? 'that licence').join(', ')}.`;

    const mode = fields.password_mode === 'passphrase' || fields.password_mode === 'typed' ? fields.password_mode : 'generated';
    let secret = mode === 'typed' ? '' : generateForUser(mode, { userPrincipalName: upn, displayName }, directory.passwordPolicy);
    if (mode === 'typed') {
      secret = fields.password ?? '';
      const check = checkPassword(directory.passwordPolicy, secret, { userPrincipalName: upn, displayName });
      if (!secret) errors.password = 'Type the password, or choose a generated one.';
      else if (!check.ok) errors.password = check.problems.join(' ');
    }

    let scheduledFor: UserOnboardingInput['scheduledFor'] = null;
    let runAt: number | undefined;
    if (fields.when === 'later') {
      const zone = timeZoneFrom(fields.time_zone ?? '');
      const instant = zone ? zonedTimeToUtc(fields.run_at ?? '', zone) : null;
      if (!zone) errors.when = notATimeZone(fields.time_zone ?? '');
      else if (instant === null) errors.when = 'Enter the date and time to create the user at.';
      else if (instant < Date.now() + 60_000) errors.when = 'That time has passed: choose a later one, or create now.';
      else if (instant > Date.now() + 90 * 86_400_000) errors.when = 'Choose a start within 90 days.';
      else {
        runAt = instant;
        scheduledFor = { at: new Date(instant).toISOString(), timeZone: zone };
      }
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors };

    const copyFrom = (fields.copy_from ?? '').trim();
    return {
      ok: true,
      input: {
        givenName: first,
        surname: last,
        displayName,
        userPrincipalName: upn,
        ...(usageLocation !== undefined ? { usageLocation } : {}),
        ...(fields.job_title?.trim() ? { jobTitle: fields.job_title.trim() } : {}),
        ...(fields.department?.trim() ? { department: fields.department.trim() } : {}),
        ...(fields.office?.trim() ? { officeLocation: fields.office.trim() } : {}),
        ...(fields.mobile_phone?.trim() ? { mobilePhone: fields.mobile_phone.trim() } : {}),
        ...(fields.business_phone?.trim() ? { businessPhone: fields.business_phone.trim() } : {}),
        mustChange: fields.must_change === 'on',
        passwordMode: mode,
        skuIds,
        groupIds: ticked(fields, 'group:'),
        managerId: (offers('set-manager') && (fields.manager ?? '').trim()) || null,
        copyFrom: copyFrom
          ? {
              userId: copyFrom,
              groups: fields.copy_groups === 'on',
              attributes: offers('copy-attributes') && fields.copy_attributes === 'on',
            }
          : null,
        scheduledFor,
        container: container ? { id: container.id, path: container.path } : null,
      },
      secret,
      reveal: mode === 'typed' ? null : { label: 'New password' },
      targetDisplay: `${displayName} (${upn})`,
      ...(runAt ? { runAt } : {}),
    };
  },
  review: reviewUserOnboarding,
  // It creates, it removes nothing, and the button names the action.
  reviewFirst: () => false,
  // The button names the person as their name is typed (app.js fills the span from the fields);
  // without script it says what the server has, e.g. after a refused submit.
  submitLabel: (values) => {
    const name = [values.first_name, values.last_name]
      .map((part) => (part ?? '').trim())
      .filter(Boolean)
      .join(' ');
    return (
      <>
        Create the account of{' '}
        <span data-text-from="first_name last_name" data-text-empty="the new user">
          {name || 'the new user'}
        </span>
      </>
    );
  },
  previews: {
    // The sign-in name as the technician types, and whether it is free in the directory now.
    username: async ({ directory, fields }) => {
      const name = signInNameFrom(fields);
      const availability: Availability = name.ok ? await availabilityOf(directory, name.upn) : { kind: 'unchecked' };
      return <SignInNamePreview name={name} availability={availability} />;
    },
  },
  // Without JavaScript there is no preview: a taken name is refused here, next to the field, before
  // anything is recorded (the workflow's first step checks again, in case it was taken since).
  async verify({ directory, input }): Promise<FieldErrors> {
    const availability = await availabilityOf(directory, input.userPrincipalName);
    return availability.kind === 'taken' ? { username: takenMessage(input.userPrincipalName, availability.by) } : {};
  },
  Fields: UserOnboardingFields,
};
