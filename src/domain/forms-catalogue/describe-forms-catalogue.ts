import { FORM_CATALOGUE } from '../../forms/catalogue.js';
import type { DirectoryCheckDocument } from '../settings/directory-check-document.js';
import type { EffectiveSettings } from '../settings/live-settings.js';
import { FORM_DIRECTORY_REQUIREMENTS } from './form-requirements.js';

export type RequirementState = 'pass' | 'fail' | 'not-checked' | 'not-reported';

export type DirectoryRequirementsView = {
  directoryId: string;
  directoryName: string;
  /** When the last systems check ran; null when it never did. */
  checkedAt: string | null;
  items: { label: string; checkName: string; state: RequirementState; message: string; hint?: string; partial?: string }[];
};

export type FormCatalogueEntry = {
  name: string;
  label: string;
  /** False when this version cannot run the form yet. */
  available: boolean;
  enabled: boolean;
  needs: {
    psa: { ok: boolean; detail: string };
    directories: { ok: boolean; detail: string };
    companyMappings: { ok: boolean; detail: string };
    permissions: DirectoryRequirementsView[];
  };
  /** Everything it needs is in place (partial needs aside) as far as the last checks tell. */
  ready: boolean;
};

export type FormsCatalogueView = {
  source: EffectiveSettings['forms']['source'];
  revision: string | null;
  forms: FormCatalogueEntry[];
};

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * The forms catalogue: every form 1Stream can link to, whether it is enabled, and whether what
 * it needs is in place. The permissions come from each directory's last systems check (saved when
 * an admin runs it), so this page never calls Microsoft itself.
 */
export function describeFormsCatalogue(input: {
  settings: Pick<EffectiveSettings, 'psa' | 'directories' | 'companyMappings' | 'forms'>;
  availableForms: string[];
  checks: Map<string, DirectoryCheckDocument>;
}): FormsCatalogueView {
  const { settings } = input;
  const psa = settings.psa
    ? { ok: true, detail: `${settings.psa.label} is connected.` }
    : { ok: false, detail: 'The PSA is not connected yet: every form reads the ticket, company and contact from it.' };
  const directories = settings.directories.length
    ? { ok: true, detail: `${plural(settings.directories.length, 'directory', 'directories')} set up.` }
    : { ok: false, detail: 'No Microsoft 365 directory yet: the forms change users in a customer’s tenant.' };
  const companyMappings = settings.companyMappings.length
    ? { ok: true, detail: `${plural(settings.companyMappings.length, 'PSA company is', 'PSA companies are')} mapped to a directory.` }
    : { ok: false, detail: 'No PSA company is mapped to a directory yet: a screen pop would not know which tenant to use.' };

  const forms = FORM_CATALOGUE.map((form): FormCatalogueEntry => {
    const requirements = FORM_DIRECTORY_REQUIREMENTS[form.name] ?? [];
    const permissions = settings.directories.map((directory): DirectoryRequirementsView => {
      const check = input.checks.get(directory.id);
      return {
        directoryId: directory.id,
        directoryName: directory.name,
        checkedAt: check?.ranAt ?? null,
        items: requirements.map((requirement) => {
          const base = {
            label: requirement.label,
            checkName: requirement.checkName,
            ...(requirement.partial ? { partial: requirement.partial } : {}),
          };
          if (!check) return { ...base, state: 'not-checked' as const, message: 'Not checked yet.' };
          const line = check.results.find((result) => result.name === requirement.checkName);
          if (!line) {
            return {
              ...base,
              state: 'not-reported' as const,
              message: 'The last systems check did not report this (for example when it could not read the granted permissions).',
            };
          }
          return {
            ...base,
            state: line.ok ? ('pass' as const) : ('fail' as const),
            message: line.message,
            ...(line.hint ? { hint: line.hint } : {}),
          };
        }),
      };
    });
    const permissionsOk = permissions.every(
      (directory) => directory.checkedAt !== null && directory.items.every((item) => item.state !== 'fail' || item.partial),
    );
    const available = input.availableForms.includes(form.name);
    return {
      name: form.name,
      label: form.label,
      available,
      enabled: available && settings.forms.enabled.includes(form.name),
      needs: { psa, directories, companyMappings, permissions },
      ready: available && psa.ok && directories.ok && companyMappings.ok && permissionsOk,
    };
  });
  return { source: settings.forms.source, revision: settings.forms.revision, forms };
}
