import type { DirectorySetupGuide } from '../../connectors/directory/types.js';
import type { DirectoryCheckDocument } from '../../domain/settings/directory-check-document.js';
import { CheckLineItem } from './check-line-view.js';

/**
 * Examples of each form's per-customer defaults, as docs/forms.md documents them, shown beside
 * the defaults editor. The form's own schema still decides what is valid.
 */
/**
 * What a directory connection needs in a customer's directory (for Microsoft 365: the app
 * registration's permissions and roles), from the connector itself, as its systems check tests it.
 * Shown where an admin is about to add a tenant, so the check passes the first time.
 */
export function AppRegistrationNeeds(props: { guide: DirectorySetupGuide }) {
  const { guide } = props;
  return (
    <>
      <p>{guide.intro}</p>
      <ul>
        {guide.permissions.map((permission) => (
          <li>
            <code>{permission.name}</code> <span class="muted">· {permission.why}</span>
          </li>
        ))}
      </ul>
      <ul>
        {guide.roles.map((role) => (
          <li>
            <strong>{role.name}</strong> <span class="muted">· {role.why}</span>
          </li>
        ))}
      </ul>
      <p class="muted">
        The systems check on each directory’s page tests all of this and says what is missing. See{' '}
        <a href="https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-register-app">
          Microsoft’s guide to registering an application
        </a>{' '}
        and <code>docs/configuration.md</code> (Directories) and <code>docs/forms.md</code> (each form’s permissions).
      </p>
    </>
  );
}

/** The last check's state in a few words, for the list: passed only when nothing failed or was skipped. */
export function CheckState(props: {
  check: { ok: boolean; ranAt: string; failed: string[]; notRun?: string[]; unverified?: string[] } | null;
}) {
  if (!props.check) return <span class="muted">not run yet</span>;
  const when = `${props.check.ranAt.slice(0, 16).replace('T', ' ')} UTC`;
  const unverified = props.check.unverified?.length ?? 0;
  if (props.check.ok) {
    return (
      <span class="status-succeeded">
        <span class="badge">{unverified > 0 ? 'passed' : 'all passed'}</span>{' '}
        <span class="muted">
          {unverified > 0 ? `${unverified} not verifiable · ` : ''}
          {when}
        </span>
      </span>
    );
  }
  const notRun = props.check.notRun?.length ?? 0;
  return (
    <span class="status-failed">
      <span class="badge">{`${props.check.failed.length} failed`}</span>{' '}
      <span class="muted">
        {notRun > 0 ? `${notRun} not run · ` : ''}
        {when}
      </span>
    </span>
  );
}

/** Each line of a systems check: its state, what happened, and what to do. */
export function CheckResults(props: { check: DirectoryCheckDocument }) {
  return (
    <ol class="steps directory-check">
      {props.check.results.map((line) => (
        <CheckLineItem line={line} codeLabel="Microsoft’s code" />
      ))}
    </ol>
  );
}
