import type { PsaConnector, PsaScreenPopVariables } from '../../connectors/psa/types.js';
import type { FormRegistry } from '../../forms/form-registry.js';
import { screenPopTemplate } from '../../forms/screen-pop-template.js';
import type { Clock } from '../../lib/clock.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { Store } from '../../store/types.js';
import type { LiveSettings } from '../settings/live-settings.js';
import type { Actor } from '../settings/write-settings.js';

export type RevealScreenpopUrlsDeps = {
  store: Pick<Store, 'audit'>;
  settings: Pick<LiveSettings, 'current'> & { psaConnector(): Pick<PsaConnector, 'screenPop'> | undefined };
  clock: Clock;
  publicUrl: string;
  forms: Pick<FormRegistry, 'list'>;
};

/** The secret as it stands in a screen-pop URL shown on a page: never the value itself. */
export const MASKED_SECRET = '••••••••';

/** A form's screen-pop URL carrying the webhook secret (its `secret` query parameter). */
export function screenPopUrlWithSecret(publicUrl: string, formName: string, variables: PsaScreenPopVariables, secret: string): string {
  return `${screenPopTemplate(publicUrl, formName, variables)}&secret=${encodeURIComponent(secret)}`;
}

/** Refused while no PSA is connected: the URLs carry the PSA's own 1Stream variables. */
export const NO_PSA_FOR_URLS = () =>
  new ToolboxError({
    code: 'TBX_ERR_PSA_NOT_CONFIGURED',
    httpStatus: 409,
    message: 'Connect the PSA first (Admin → PSA connection): the screen-pop URLs carry its 1Stream variables.',
  });

/**
 * Every form's screen-pop URL with the webhook secret in it, so a URL pasted into 1Stream works as
 * it is (1Stream's Custom links carry query parameters, not headers). Only on an admin's request,
 * and audited: the value is a secret, so the audit says it was shown, never what it is.
 */
export async function revealScreenpopUrls(
  deps: RevealScreenpopUrlsDeps,
  actor: Actor,
): Promise<{ forms: { name: string; label: string; url: string }[] }> {
  const secret = deps.settings.current().screenpop.secret;
  const variables = deps.settings.psaConnector()?.screenPop;
  if (!variables) throw NO_PSA_FOR_URLS();
  if (!secret) {
    throw new ToolboxError({
      code: 'TBX_ERR_NO_SECRET',
      httpStatus: 409,
      message: 'No webhook secret is set: the screen-pop URLs work as they are shown.',
    });
  }
  await deps.store.audit.append(
    {
      actorUserId: actor.userId,
      actorEmail: actor.email,
      action: 'screenpop.secret.reveal',
      target: 'screenpop',
      before: null,
      after: { shown: 'screen-pop URLs with the secret' },
      requestId: actor.requestId,
    },
    new Date(deps.clock.now()).toISOString(),
  );
  return {
    forms: deps.forms.list.map((form) => ({
      name: form.name,
      label: form.label,
      url: screenPopUrlWithSecret(deps.publicUrl, form.name, variables, secret),
    })),
  };
}
