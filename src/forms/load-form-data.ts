import type { DirectoryClient, DirectoryUser } from '../connectors/directory/types.js';
import { isToolboxError } from '../lib/toolbox-error.js';
import type { FormData, FormDefinition } from './types.js';

/**
 * Runs a form's `load`, turning a failure into a message for the field instead of an error page:
 * a slow or failing directory must not break the form.
 */
export async function loadFormData(
  form: FormDefinition<unknown>,
  directory: DirectoryClient,
  target: DirectoryUser,
  defaults?: unknown,
): Promise<FormData> {
  if (!form.load) return null;
  try {
    return { ok: true, value: await form.load({ directory, target, defaults }) };
  } catch (error) {
    return {
      ok: false,
      message: isToolboxError(error) ? error.message : 'The directory did not answer as expected; the details are in the service log.',
    };
  }
}
