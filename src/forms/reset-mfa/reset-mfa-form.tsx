import { z } from 'zod';
import { requirePart } from '../../connectors/directory/directory-capabilities.js';
import type { AuthMethod } from '../../connectors/directory/types.js';
import type { ResetMfaInput } from '../../workflows/reset-mfa/reset-mfa-workflow.js';
import type { FieldErrors, FormData, FormDefinition, FormFieldsProps } from '../types.js';
import { reviewResetMfa } from './reset-mfa-review.js';

const LIFETIMES = [
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
  { minutes: 480, label: '8 hours' },
  { minutes: 1440, label: '1 day' },
];

const KIND_NAMES: Record<string, string> = {
  password: 'Password',
  phone: 'Phone',
  email: 'E-mail',
  fido2: 'Security key (FIDO2)',
  microsoftAuthenticator: 'Microsoft Authenticator',
  softwareOath: 'Authenticator code (OATH)',
  temporaryAccessPass: 'Temporary Access Pass',
  windowsHelloForBusiness: 'Windows Hello for Business',
  platformCredential: 'Platform credential',
  externalAuthentication: 'External method',
  other: 'Other',
};

const methodsOf = (data: FormData): AuthMethod[] | null => (data?.ok ? (data.value as AuthMethod[]) : null);
export const methodField = (id: string) => `remove_method:${id}`;

function MethodsTable({ methods, values }: { methods: AuthMethod[]; values: FormFieldsProps['values'] }) {
  if (methods.length === 0) return <p role="status">No sign-in methods are registered.</p>;
  return (
    <table class="methods">
      <caption class="muted">Registered now (read live from the directory)</caption>
      <thead>
        <tr>
          <th scope="col">Remove</th>
          <th scope="col">Type</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {methods.map((method) => {
          const id = `method-${method.id}`;
          return (
            <tr>
              <td>
                <input
                  type="checkbox"
                  id={id}
                  name={methodField(method.id)}
                  value="on"
                  checked={values[methodField(method.id)] === 'on'}
                  disabled={!method.removable}
                  aria-label={`Remove ${method.label}`}
                  data-checks="mode-selected"
                />
              </td>
              <td>
                <label for={id}>{KIND_NAMES[method.kind] ?? method.kind}</label>
                {method.isDefault ? <span class="badge">default</span> : null}
              </td>
              <td>{method.removable ? method.label : `${method.label} (cannot be removed)`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ResetMfaFields({ values, errors, data, directory }: FormFieldsProps) {
  const methods = methodsOf(data);
  // As the server reads it: ticks mean "only the ones ticked".
  const ticked = Object.keys(values).some((key) => key.startsWith('remove_method:') && values[key] === 'on');
  const mode = ticked ? 'selected' : (values.mode ?? 'all');
  return (
    <>
      <fieldset class="field" aria-describedby={errors.mode ? 'mode-error' : undefined}>
        <legend>Sign-in methods to remove</legend>
        <label class="choice" for="mode-all">
          <input type="radio" id="mode-all" name="mode" value="all" checked={mode === 'all'} data-unchecks="remove_method:" />
          <span>
            All of them, except the password
            <small class="hint">the user registers again at the next sign-in</small>
          </span>
        </label>
        <label class="choice" for="mode-selected">
          <input type="radio" id="mode-selected" name="mode" value="selected" checked={mode === 'selected'} disabled={!methods} />
          <span>
            Only the ones ticked below
            <small class="hint">ticking a method chooses this</small>
          </span>
        </label>
        {data && !data.ok ? (
          <p class="error" role="alert" id="methods-error">
            The methods could not be listed: {data.message} You can still remove all of them.
          </p>
        ) : null}
        {methods ? <MethodsTable methods={methods} values={values} /> : null}
        {errors.mode ? (
          <p class="error" role="alert" id="mode-error">
            {errors.mode}
          </p>
        ) : null}
      </fieldset>
      {directory.offer.offers('temporary-access-pass') ? (
        <fieldset class="field">
          <legend>Temporary Access Pass</legend>
          <label class="choice" for="tap">
            <input type="checkbox" id="tap" name="tap" value="on" checked={values.tap === 'on'} />
            <span>
              Issue one, so the user can register new methods without the old ones
              <small class="hint">shown to you once; the tenant's authentication methods policy must allow it</small>
            </span>
          </label>
          <div class="field" data-shown-when="tap=on">
            <label for="tap_lifetime">Valid for</label>
            <select id="tap_lifetime" name="tap_lifetime" aria-describedby={errors.tap_lifetime ? 'tap_lifetime-error' : undefined}>
              {LIFETIMES.map((option) => (
                <option value={String(option.minutes)} selected={values.tap_lifetime === String(option.minutes)}>
                  {option.label}
                </option>
              ))}
            </select>
            {errors.tap_lifetime ? (
              <p class="error" role="alert" id="tap_lifetime-error">
                {errors.tap_lifetime}
              </p>
            ) : null}
          </div>
          <div data-shown-when="tap=on">
            <label class="choice" for="tap_once">
              <input type="checkbox" id="tap_once" name="tap_once" value="on" checked={values.tap_once === 'on'} />
              <span>Usable once</span>
            </label>
          </div>
        </fieldset>
      ) : null}
      {directory.offer.offers('revoke-sessions') ? (
        <div class="field">
          <label class="choice" for="revoke_sessions">
            <input type="checkbox" id="revoke_sessions" name="revoke_sessions" value="on" checked={values.revoke_sessions === 'on'} />
            <span>Sign the user out of all sessions</span>
          </label>
        </div>
      ) : null}
    </>
  );
}

/** What an admin may pre-set per customer. */
const resetMfaDefaults = z.strictObject({
  mode: z.enum(['all', 'selected']).optional(),
  temporaryAccessPass: z.boolean().optional(),
  tapLifetimeMinutes: z
    .number()
    .refine((minutes) => LIFETIMES.some((option) => option.minutes === minutes), {
      message: `must be one of ${LIFETIMES.map((o) => o.minutes).join(', ')}`,
    })
    .optional(),
  tapUsableOnce: z.boolean().optional(),
  revokeSessions: z.boolean().optional(),
});
type ResetMfaDefaults = z.infer<typeof resetMfaDefaults>;

const onOff = (value: boolean | undefined, fallback: boolean) => ((value ?? fallback) ? 'on' : '');

/** MFA reset: the user's methods listed live; remove all or some; optional Temporary Access Pass. */
export const resetMfaForm: FormDefinition<ResetMfaInput> = {
  // The list of methods it loads.
  needs: ['authMethods'],
  label: 'MFA reset',
  description: 'Removes registered sign-in methods so the user registers again, optionally with a Temporary Access Pass.',
  defaultsSchema: resetMfaDefaults,
  defaults: (custom) => {
    const preset = (custom ?? {}) as ResetMfaDefaults;
    return {
      mode: preset.mode ?? 'all',
      tap: onOff(preset.temporaryAccessPass, true),
      tap_lifetime: String(preset.tapLifetimeMinutes ?? 60),
      tap_once: onOff(preset.tapUsableOnce, true),
      revoke_sessions: onOff(preset.revokeSessions, true),
    };
  },
  load: ({ directory, target }) => requirePart(directory, 'authMethods').listAuthMethods(target.id),
  parse(fields, _target, data, directory) {
    const errors: FieldErrors = {};
    const methods = methodsOf(data);
    const methodIds = Object.keys(fields)
      .filter((key) => key.startsWith('remove_method:') && fields[key] === 'on')
      .map((key) => key.slice('remove_method:'.length));
    // Ticked methods mean only those, whatever the radio says: a tick left under "All of them"
    // (no script to switch the radio, or a slip) must never remove more than was ticked.
    const mode = methodIds.length > 0 ? 'selected' : (fields.mode ?? 'all');
    if (mode !== 'all' && mode !== 'selected') errors.mode = 'Choose which methods to remove.';
    if (mode === 'selected') {
      if (!methods) errors.mode = 'The methods could not be listed, so none can be picked: choose "All of them", or try again.';
      else if (methodIds.length === 0) errors.mode = 'Tick at least one method, or choose "All of them".';
      else {
        const unknown = methodIds.filter((id) => !methods.some((m) => m.id === id && m.removable));
        if (unknown.length > 0)
          errors.mode = 'Some ticked methods are no longer registered or cannot be removed; the list has been refreshed.';
      }
    }
    const tap = directory.offer.offers('temporary-access-pass') && fields.tap === 'on';
    const lifetime = Number(fields.tap_lifetime ?? '60');
    if (tap && !LIFETIMES.some((option) => option.minutes === lifetime)) errors.tap_lifetime = 'Choose one of the offered lifetimes.';
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    return {
      ok: true,
      input: {
        mode: mode as ResetMfaInput['mode'],
        methodIds: mode === 'selected' ? methodIds : [],
        temporaryAccessPass: tap ? { lifetimeInMinutes: lifetime, isUsableOnce: fields.tap_once === 'on' } : null,
        revokeSessions: directory.offer.offers('revoke-sessions') && fields.revoke_sessions === 'on',
      },
      secret: null,
      reveal: tap ? { label: 'Temporary Access Pass' } : null,
    };
  },
  review: reviewResetMfa,
  reviewFirst: () => true,
  submitLabel: (_values, target) => `Review the MFA reset of ${target.displayName}`,
  Fields: ResetMfaFields,
};
