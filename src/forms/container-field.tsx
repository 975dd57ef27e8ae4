import type { DirectoryClient, DirectoryContainer } from '../connectors/directory/types.js';

/**
 * The picker for a place in the directory (an AD organizational unit) that the onboarding and
 * offboarding forms share: a plain select (works without script), read from the directory's
 * `move` part. A customer's default (formDefaults) may name the OU by its DN or by its path as the
 * picker shows it ("Staff / Disabled users"); both are matched without regard to case.
 */

/** OUs beyond this many are not listed: a domain with more is better served by a narrower base DN. */
export const CONTAINER_LIMIT = 500;

/** The directory's containers, or null when it has none (no `move` part): the form then shows no picker. */
export async function loadContainers(directory: DirectoryClient): Promise<DirectoryContainer[] | null> {
  return directory.move ? directory.move.searchContainers('', { limit: CONTAINER_LIMIT }) : null;
}

/** The container a value names (its id, or its path as shown), or undefined. */
export function containerNamed(containers: readonly DirectoryContainer[], value: string | undefined): DirectoryContainer | undefined {
  const wanted = (value ?? '').trim().toLowerCase();
  if (!wanted) return undefined;
  return (
    containers.find((container) => container.id.toLowerCase() === wanted) ??
    containers.find((container) => container.path.toLowerCase() === wanted)
  );
}

export function ContainerSelect(props: {
  field: string;
  label: string;
  containers: readonly DirectoryContainer[];
  /** The submitted value, or the customer's default on the first render (an id or a path). */
  value: string | undefined;
  /** The first choice, with the value '' ("the domain's default place for new users"). */
  emptyLabel: string;
  hint?: string;
  error?: string | undefined;
}) {
  const selected = containerNamed(props.containers, props.value);
  // A default that names no OU (renamed, deleted, a typo) is said, not silently replaced.
  const unknownDefault = props.value?.trim() && !selected ? props.value.trim() : null;
  const describedBy = [props.hint ? `${props.field}-hint` : '', props.error ? `${props.field}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.field}>{props.label}</label>
      <select
        id={props.field}
        name={props.field}
        aria-describedby={describedBy || undefined}
        aria-invalid={props.error ? 'true' : undefined}
      >
        <option value="" selected={!selected}>
          {props.emptyLabel}
        </option>
        {props.containers.map((container) => (
          <option value={container.id} selected={selected?.id === container.id}>
            {container.path || container.name}
          </option>
        ))}
      </select>
      {props.hint ? (
        <small class="hint" id={`${props.field}-hint`}>
          {props.hint}
        </small>
      ) : null}
      {unknownDefault ? (
        <p class="warning" role="status">
          The customer’s default OU “{unknownDefault}” is not one of the OUs the toolbox can see: choose one here, and correct the default
          in the console.
        </p>
      ) : null}
      {props.error ? (
        <p class="error" role="alert" id={`${props.field}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
