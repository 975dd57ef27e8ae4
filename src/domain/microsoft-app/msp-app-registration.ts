import type { DirectoryConnector } from '../../connectors/directory/types.js';
import type { RegisteredForm } from '../../forms/types.js';
import { formPermissions } from './check-msp-app.js';
import { consentCallbackUrl, microsoftSignInCallbackUrl } from './msp-app.js';

/** One application permission to add to the MSP app, and what it is for. */
export type RegistrationPermission = {
  /** e.g. `User.ReadWrite.All`; Exchange Online's is `Exchange.ManageAsApp` (under "Office 365 Exchange Online"). */
  name: string;
  api: 'Microsoft Graph' | 'Office 365 Exchange Online';
  /** The forms that need it, each marked whether it is enabled now. */
  forms: { label: string; enabled: boolean }[];
  /** Why, when not a form's (the toolbox's own needs). */
  why?: string;
  optional?: boolean;
};

export type MspAppRegistration = {
  redirectUris: { uri: string; why: string }[];
  permissions: RegistrationPermission[];
};

/** What the toolbox itself needs beside the forms (docs/microsoft-365.md, the permissions table). */
const TOOLBOX_PERMISSIONS: Omit<RegistrationPermission, 'forms' | 'api'>[] = [
  { name: 'Organization.Read.All', why: 'reading a connected tenant’s name and verified domains' },
  { name: 'Application.Read.All', why: 'the app’s own check, and finding the app in a customer tenant' },
  {
    name: 'RoleManagement.ReadWrite.Directory',
    why: 'assigning the Entra roles the forms need right after consent; without it the console lists the steps',
    optional: true,
  },
];

/**
 * The exact steps to register the MSP app (issue 13 §1), for the console: the web redirect URIs
 * for this `publicUrl`, and every application permission with the forms that need it (from the
 * same declarations the app's check compares against), enabled forms marked.
 */
export function describeMspAppRegistration(deps: {
  publicUrl: string;
  forms: readonly RegisteredForm[];
  enabledForms: readonly string[];
  capabilities: DirectoryConnector['capabilities'];
}): MspAppRegistration {
  const byPermission = new Map<string, RegistrationPermission>();
  const add = (name: string): RegistrationPermission => {
    let entry = byPermission.get(name);
    if (!entry) {
      entry = { name, api: name.startsWith('Exchange.') ? 'Office 365 Exchange Online' : 'Microsoft Graph', forms: [] };
      byPermission.set(name, entry);
    }
    return entry;
  };
  for (const form of deps.forms) {
    for (const name of formPermissions(deps.capabilities, form))
      add(name).forms.push({ label: form.label, enabled: deps.enabledForms.includes(form.name) });
  }
  for (const extra of TOOLBOX_PERMISSIONS) Object.assign(add(extra.name), extra);
  return {
    redirectUris: [
      { uri: consentCallbackUrl(deps.publicUrl), why: 'connecting customer tenants (admin consent)' },
      { uri: microsoftSignInCallbackUrl(deps.publicUrl), why: '“Sign in with Microsoft”' },
    ],
    permissions: [...byPermission.values()],
  };
}
