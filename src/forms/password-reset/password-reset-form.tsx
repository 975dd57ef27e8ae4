import { z } from 'zod';
import { checkPassword, describePasswordRules } from '../../domain/passwords/check-password.js';
import { generateForUser } from '../../domain/passwords/generate-for-user.js';
import { renewPassword } from '../../domain/passwords/renew-password.js';
import type { PasswordResetInput } from '../../workflows/password-reset/password-reset-workflow.js';
import type { FieldErrors, FormDefinition, FormFieldsProps } from '../types.js';
import { reviewPasswordReset } from './password-reset-review.js';

const MODES = [
  { value: 'generated', label: 'Generate a password', hint: '16 random characters without look-alikes' },
  { value: 'passphrase', label: 'Generate a passphrase', hint: 'four words, easier to read out on the phone' },
  { value: 'typed', label: 'Type a password', hint: 'you choose it; the rules are under the field below' },
] as const;

function PasswordResetFields({ values, errors, directory }: FormFieldsProps) {
  const mode = values.password_mode ?? 'generated';
  return (
    <>
      <fieldset class="field" aria-describedby={errors.password_mode ? 'password_mode-error' : undefined}>
        <legend>New password</legend>
        {MODES.map((option) => (
          <label class="choice" for={`password_mode-${option.value}`}>
            <input
              type="radio"
              id={`password_mode-${option.value}`}
              name="password_mode"
              value={option.value}
              checked={mode === option.value}
              data-toggles={option.value === 'typed' ? 'typed-password' : undefined}
            />
            <span>
              {option.label}
              <small class="hint">{option.hint}</small>
            </span>
          </label>
        ))}
        {errors.password_mode ? (
          <p class="error" id="password_mode-error" role="alert">
            {errors.password_mode}
          </p>
        ) : null}
      </fieldset>
      <div class="field" id="typed-password" data-shown-when="password_mode=typed">
        <label for="password">Password (only when typing one)</label>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="new-password"
          maxlength={256}
          aria-describedby={errors.password ? 'password-error password-hint' : 'password-hint'}
          aria-invalid={errors.password ? 'true' : undefined}
        />
        <small class="hint" id="password-hint">
          {describePasswordRules(directory.passwordPolicy)}
        </small>
        {errors.password ? (
          <p class="error" id="password-error" role="alert">
            {errors.password}
          </p>
        ) : null}
      </div>
      <div class="field">
        <label class="choice" for="must_change">
          <input type="checkbox" id="must_change" name="must_change" value="on" checked={values.must_change === 'on'} />
          <span>Must change the password at next sign-in</span>
        </label>
        {directory.offer.offers('unlock') ? (
          <label class="choice" for="unlock">
            <input type="checkbox" id="unlock" name="unlock" value="on" checked={values.unlock === 'on'} />
            <span>Unlock the account if it is locked out</span>
          </label>
        ) : null}
        {directory.offer.offers('revoke-sessions') ? (
          <label class="choice" for="revoke_sessions">
            <input type="checkbox" id="revoke_sessions" name="revoke_sessions" value="on" checked={values.revoke_sessions === 'on'} />
            <span>Sign the user out of all sessions</span>
          </label>
        ) : null}
      </div>
    </>
  );
}

/** What an admin may pre-set per customer. */
const passwordResetDefaults = z.strictObject({
  passwordMode: z.enum(['generated', 'passphrase', 'typed']).optional(),
  mustChange: z.boolean().optional(),
  revokeSessions: z.boolean().optional(),
});
type PasswordResetDefaults = z.infer<typeof passwordResetDefaults>;

const onOff = (value: boolean | undefined, fallback: boolean) => ((value ?? fallback) ? 'on' : '');

/**
 * Password reset: a new password (generated, passphrase or typed, to the directory's policy),
 * must-change, unlock where the directory has lockouts, revoke sessions where it has them.
 */
export const passwordResetForm: FormDefinition<PasswordResetInput> = {
  label: 'Password reset',
  description:
    'Sets a new password on the account (in Microsoft 365, or in AD for an on-premises or synced account) and shows it to you once.',
  defaultsSchema: passwordResetDefaults,
  defaults: (custom) => {
    const preset = (custom ?? {}) as PasswordResetDefaults;
    return {
      password_mode: preset.passwordMode ?? 'generated',
      must_change: onOff(preset.mustChange, true),
      revoke_sessions: onOff(preset.revokeSessions, true),
      // Shown only where the directory has lockouts (AD): a locked-out caller is why many resets happen.
      unlock: 'on',
    };
  },
  renewSecret: (input, user, policy) => renewPassword(input.passwordMode, user, policy),
  parse(fields, target, _data, directory) {
    const errors: FieldErrors = {};
    const mode = fields.password_mode ?? 'generated';
    if (mode !== 'generated' && mode !== 'passphrase' && mode !== 'typed') {
      errors.password_mode = 'Choose how to make the new password.';
      return { ok: false, errors };
    }
    let secret: string;
    if (mode === 'typed') {
      const typed = fields.password ?? '';
      if (!typed) errors.password = 'Type the new password, or choose a generated one.';
      else {
        const check = checkPassword(directory.passwordPolicy, typed, {
          userPrincipalName: target.userPrincipalName,
          displayName: target.displayName,
        });
        if (!check.ok) errors.password = check.problems.join(' ');
      }
      secret = typed;
    } else {
      secret = generateForUser(
        mode,
        { userPrincipalName: target.userPrincipalName, displayName: target.displayName },
        directory.passwordPolicy,
      );
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    return {
      ok: true,
      input: {
        passwordMode: mode,
        mustChange: fields.must_change === 'on',
        revokeSessions: directory.offer.offers('revoke-sessions') && fields.revoke_sessions === 'on',
        // Only where the directory has lockouts: elsewhere the input stays as it always was.
        ...(directory.offer.offers('unlock') ? { unlock: fields.unlock === 'on' } : {}),
      },
      secret,
      // The technician typed it, so there is nothing to show back.
      reveal: mode === 'typed' ? null : { label: 'New password' },
    };
  },
  review: reviewPasswordReset,
  // The button names the action and the person, and nothing is removed: it runs at once.
  reviewFirst: () => false,
  submitLabel: (_values, target) => `Reset the password of ${target.displayName}`,
  Fields: PasswordResetFields,
};
