import type { CapabilityProof, DirectoryConnector } from '../../connectors/directory/types.js';
import { type CheckLineState, checkLineState } from '../../connectors/systems-check.js';
import { FORM_CATALOGUE } from '../../forms/catalogue.js';
import type { FormDefinition } from '../../forms/types.js';
import type { DirectoryCheckDocument } from '../settings/directory-check-document.js';
import type { EffectiveSettings } from '../settings/live-settings.js';

export type RequirementState = 'pass' | 'fail' | 'not-run' | 'unverified' | 'not-checked' | 'not-reported';

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

/**
 * A check line's state as a form's requirement: an advisory permission the check found missing
 * (a warning there) is missing all the same for a form that needs it.
 */
const requirementState = (state: CheckLineState): RequirementState => (state === 'warning' ? 'fail' : state);

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * A form's needs in one directory kind's terms: its sign-in line, then what proves each capability
 * (a proof two capabilities share is listed once, required if either needs it wholly).
 */
function directoryRequirements(
  capabilities: DirectoryConnector<unknown>['capabilities'] | undefined,
  needs: FormDefinition<unknown>['needs'],
): (CapabilityProof & { partial?: string })[] {
  if (!capabilities) return [];
  const byCheck = new Map<string, CapabilityProof & { partial?: string }>([[capabilities.signIn.checkName, capabilities.signIn]]);
  for (const need of needs) {
    for (const proof of capabilities.proofs[need.capability]) {
      const seen = byCheck.get(proof.checkName);
      if (seen && !seen.partial) continue;
      byCheck.set(proof.checkName, need.partial && (!seen || seen.partial) ? { ...proof, partial: need.partial } : proof);
    }
  }
  return [...byCheck.values()];
}

/**
 * The forms catalogue: every form 1Stream can link to, whether it is enabled, and whether what
 * it needs is in place. The permissions come from each directory's last systems check (saved when
 * an admin runs it), so this page never calls Microsoft itself.
 */
export function describeFormsCatalogue(input: {
  settings: Pick<EffectiveSettings, 'psa' | 'directories' | 'companyMappings' | 'forms'>;
  /** The forms this build can run, with what each needs from a directory. */
  forms: Record<string, Pick<FormDefinition<unknown>, 'needs'>>;
  /** By kind: how each directory kind proves a capability. */
  directoryConnectors: Record<string, Pick<DirectoryConnector<unknown>, 'capabilities'>>;
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
    const needs = input.forms[form.name]?.needs ?? [];
    const permissions = settings.directories.map((directory): DirectoryRequirementsView => {
      const check = input.checks.get(directory.id);
      const requirements = directoryRequirements(input.directoryConnectors[directory.kind]?.capabilities, needs);
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
            state: requirementState(checkLineState(line)),
            message: line.message,
            ...(line.hint ? { hint: line.hint } : {}),
          };
        }),
      };
    });
    const permissionsOk = permissions.every(
      // A requirement the check could not verify (an Entra role) does not block; one it skipped does.
      (directory) =>
        directory.checkedAt !== null &&
        directory.items.every((item) => (item.state !== 'fail' && item.state !== 'not-run') || item.partial),
    );
    const available = form.name in input.forms;
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
