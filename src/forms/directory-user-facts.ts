import type { DirectoryUser } from '../connectors/directory/types.js';

/**
 * What tells two look-alike accounts apart ("Diego Siciliani" and "Diego Siciliani (admin)"), in
 * the order a technician reads them: title, department, enabled or disabled, cloud-only or
 * synced, and the last sign-in where the directory gives it. Shared by the launch page's user
 * choice and summary and by the forms' user pickers.
 */
export type DirectoryUserFacts = {
  /** Title and department, each only when the directory has it. */
  role: string[];
  state: 'enabled' | 'disabled';
  /** `on-premises`: an AD account itself (an AD directory's user, or a hybrid company's account not in the cloud yet). */
  source: 'cloud-only' | 'synced' | 'on-premises';
  /** "2026-11-30 08:04 UTC", "never", or null when the directory did not say. */
  lastSignIn: string | null;
};

export function directoryUserFacts(user: DirectoryUser): DirectoryUserFacts {
  return {
    role: [user.jobTitle, user.department].filter((v): v is string => Boolean(v?.trim())),
    state: user.accountEnabled ? 'enabled' : 'disabled',
    source: user.onPremisesSyncEnabled ? 'synced' : user.container || user.onPremisesAccount ? 'on-premises' : 'cloud-only',
    lastSignIn: user.lastSignIn === undefined ? null : user.lastSignIn === null ? 'never' : formatInstant(user.lastSignIn),
  };
}

/** Minutes are enough to tell "this morning" from "last year"; UTC says which clock it is. */
function formatInstant(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
