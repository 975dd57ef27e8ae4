import type { Child } from 'hono/jsx';
import type { DirectoryRegistry } from '../../engine/directory-registry.js';
import type { FormDefinition, FormValues } from '../../forms/types.js';
import { ownEntry } from '../../lib/own-entry.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { LaunchRepo } from '../../store/types.js';

export type LoadPreviewResult =
  | { kind: 'not-found' }
  /** The form has no preview of this name: a wrong address, not a missing launch. */
  | { kind: 'unknown-preview' }
  | { kind: 'forbidden' }
  | { kind: 'failed'; message: string }
  | { kind: 'ok'; view: Child };

const MAX_FIELDS = 20;
const MAX_LENGTH = 200;

/**
 * A live preview of a launch's form (the sign-in name a new user will get, and whether it is free),
 * from the fields typed so far. Only the launch's own technician may ask; the form builds the
 * preview with the code it submits with. Not cached: availability is the point.
 */
export async function loadPreview(
  deps: { launches: LaunchRepo; directories: DirectoryRegistry; forms: Record<string, FormDefinition<unknown>> },
  launchId: string,
  technicianUserId: string,
  name: string,
  query: Record<string, string>,
): Promise<LoadPreviewResult> {
  const launch = await deps.launches.get(launchId);
  if (!launch) return { kind: 'not-found' };
  if (launch.technicianUserId !== technicianUserId) return { kind: 'forbidden' };
  const preview = ownEntry(ownEntry(deps.forms, launch.formName)?.previews, name);
  if (!preview) return { kind: 'unknown-preview' };
  const directory = deps.directories.forCompany(launch.companyId);
  if (!directory) return { kind: 'not-found' };
  const fields: FormValues = {};
  for (const [key, value] of Object.entries(query).slice(0, MAX_FIELDS)) fields[key] = value.slice(0, MAX_LENGTH);
  try {
    return { kind: 'ok', view: await preview({ directory: directory.client, fields }) };
  } catch (error) {
    return { kind: 'failed', message: isToolboxError(error) ? error.message : 'The directory did not answer as expected.' };
  }
}
