import { ToolboxError } from '../../lib/toolbox-error.js';
import { setInFile } from '../settings/save-psa-connection.js';
import { SETTINGS_KEYS } from '../settings/settings-documents.js';
import { type Actor, writeSettings } from '../settings/write-settings.js';
import type { SetFormEnabledDeps } from './set-form-enabled.js';

/**
 * Sets the whole list of enabled forms at once (the forms page's one table with a tick per form).
 * Written over `revision`, the one the admin saw: if someone changed the list meanwhile, the save
 * is refused rather than silently undoing their change. Audited as `forms.set`, with each form
 * enabled or disabled by this save named.
 */
export async function setEnabledForms(deps: SetFormEnabledDeps, enabled: string[], revision: string | null, actor: Actor) {
  if (deps.config.forms.enabled) throw setInFile('The list of enabled forms');
  const unknown = enabled.filter((name) => !deps.forms.names.includes(name));
  if (unknown.length > 0) {
    throw new ToolboxError({
      code: 'TBX_ERR_VALIDATION',
      httpStatus: 400,
      message: `There is no form called ${unknown.map((name) => `"${name}"`).join(', ')}. Known forms: ${deps.forms.names.join(', ')}.`,
      fields: [{ path: 'enabled', message: `Unknown form: ${unknown.join(', ')}.` }],
    });
  }
  await deps.settings.refresh();
  const current = deps.settings.current().forms;
  const before = current.enabled;
  // List order, so the document (and the audit's before/after) reads the same way every time.
  const after = deps.forms.names.filter((name) => enabled.includes(name));
  if (after.length === before.length && after.every((name) => before.includes(name))) {
    return { enabled: after, revision: current.revision };
  }
  const { revision: saved } = await writeSettings(deps, {
    key: SETTINGS_KEYS.forms,
    value: { enabled: after },
    expectedRevision: revision,
    action: 'forms.set',
    target: 'forms',
    before: { enabled: before },
    after: {
      enabled: after,
      turnedOn: after.filter((name) => !before.includes(name)),
      turnedOff: before.filter((name) => !(after as string[]).includes(name)),
    },
    actor,
  });
  return { enabled: after, revision: saved };
}
