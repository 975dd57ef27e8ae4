import type { Config } from '../../config/config.js';
import type { FormRegistry } from '../../forms/form-registry.js';
import { ToolboxError } from '../../lib/toolbox-error.js';
import type { LiveSettings } from '../settings/live-settings.js';
import { setInFile } from '../settings/save-psa-connection.js';
import { SETTINGS_KEYS } from '../settings/settings-documents.js';
import { type Actor, type WriteSettingsDeps, writeSettings } from '../settings/write-settings.js';

export type SetFormEnabledDeps = WriteSettingsDeps & {
  config: Pick<Config, 'forms'>;
  settings: Pick<LiveSettings, 'refresh' | 'current'>;
  /** The forms this build has, in list order: the only ones that can be enabled. */
  forms: Pick<FormRegistry, 'names' | 'labelOf'>;
};

/**
 * Enables or disables one form. The `forms` document holds the whole list, written over the
 * revision this instance read, so two admins toggling different forms at once cannot drop each
 * other's change silently (the second gets a conflict and tries again).
 */
export async function setFormEnabled(deps: SetFormEnabledDeps, formName: string, enabled: boolean, actor: Actor) {
  if (deps.config.forms.enabled) throw setInFile('The list of enabled forms');
  if (!deps.forms.names.includes(formName)) {
    throw new ToolboxError({
      code: 'TBX_ERR_NOT_FOUND',
      httpStatus: 404,
      message: `There is no form called "${formName}". Known forms: ${deps.forms.names.join(', ')}.`,
    });
  }
  // Read what the store holds now, so a change made on another instance is not taken for a conflict.
  await deps.settings.refresh();
  const current = deps.settings.current().forms;
  const before = current.enabled;
  const wanted = new Set(before);
  if (enabled) wanted.add(formName);
  else wanted.delete(formName);
  // List order, so the document (and the audit's before/after) reads the same way every time.
  const after = deps.forms.names.filter((name) => wanted.has(name));
  if (after.length === before.length && after.every((name) => before.includes(name))) {
    return { enabled: after, revision: current.revision };
  }
  const { revision } = await writeSettings(deps, {
    key: SETTINGS_KEYS.forms,
    value: { enabled: after },
    expectedRevision: current.revision,
    action: enabled ? 'forms.enable' : 'forms.disable',
    target: `form:${formName}`,
    before: { enabled: before },
    after: { enabled: after },
    actor,
  });
  return { enabled: after, revision };
}
