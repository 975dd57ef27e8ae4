import type { Config } from '../../config/config.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { LiveSettings } from '../settings/live-settings.js';
import { setInFile } from '../settings/save-psa-connection.js';
import { SETTINGS_KEYS, settingSecretAad } from '../settings/settings-documents.js';
import { type Actor, type WriteSettingsDeps, writeSettings } from '../settings/write-settings.js';

export const SCREENPOP_SECRET_MIN_LENGTH = 16;
export const SCREENPOP_SECRET_MAX_LENGTH = 256;

export type SetScreenpopSecretDeps = WriteSettingsDeps & {
  config: Pick<Config, 'screenpop'>;
  settings: Pick<LiveSettings, 'refresh' | 'current'>;
  secretBox: SecretBox;
};

const described = (isSet: boolean) => (isSet ? '(set)' : '(not set)');

/**
 * Sets, replaces or (with null) clears the screen-pop webhook secret: the value entered in
 * 1Stream as the Client API Key. Sealed at rest; the audit log says only whether one is set.
 * From the moment it is saved, a screen pop without it is refused.
 */
export async function setScreenpopSecret(deps: SetScreenpopSecretDeps, secret: string | null, actor: Actor) {
  if (deps.config.screenpop.secret) throw setInFile('The screen-pop secret');
  if (secret !== null) {
    const problem =
      secret.length < SCREENPOP_SECRET_MIN_LENGTH
        ? `must be at least ${SCREENPOP_SECRET_MIN_LENGTH} characters (a long random value; 1Stream accepts any value)`
        : secret.length > SCREENPOP_SECRET_MAX_LENGTH
          ? `must be at most ${SCREENPOP_SECRET_MAX_LENGTH} characters`
          : !/^[\x21-\x7e]+$/.test(secret)
            ? 'use printable characters without spaces (it travels in an HTTP header or a URL)'
            : undefined;
    if (problem) {
      throw new ToolboxError({
        code: 'TBX_ERR_VALIDATION',
        httpStatus: 400,
        message: `The webhook secret ${problem}. Nothing was changed.`,
        fields: [{ path: 'secret', message: problem }],
      });
    }
  }
  await deps.settings.refresh();
  const current = deps.settings.current().screenpop;
  const wasSet = current.secret !== undefined;
  const sealed = secret === null ? null : deps.secretBox.seal(secret, settingSecretAad(SETTINGS_KEYS.screenpop, 'secret'));
  const { revision } = await writeSettings(deps, {
    key: SETTINGS_KEYS.screenpop,
    value: { secret: sealed },
    expectedRevision: current.revision,
    action: secret === null ? 'screenpop.secret.clear' : wasSet ? 'screenpop.secret.replace' : 'screenpop.secret.set',
    target: 'screenpop',
    before: { secret: described(wasSet) },
    after: { secret: secret === null ? described(false) : wasSet ? '(changed)' : '(set)' },
    actor,
  });
  return { secretSet: secret !== null, revision };
}
