import { connectorCapabilities } from '../../connectors/directory/directory-capabilities.js';
import type { CapabilityProof, DirectoryConnector } from '../../connectors/directory/types.js';
import { type CheckLineState, checkLineState } from '../../connectors/systems-check.js';
import { type FormOffer, offerFor } from '../../forms/form-offer.js';
import type { RegisteredForm } from '../../forms/types.js';
import type { DirectoryCheckDocument } from '../settings/directory-check-document.js';
import type { EffectiveSettings } from '../settings/live-settings.js';

export type RequirementState = 'pass' | 'fail' | 'not-run' | 'unverified' | 'not-checked' | 'not-reported';

export type DirectoryRequirementsView = {
  directoryId: string;
  directoryName: string;
  /** False when this directory cannot do what the form cannot do without (`notOffered` says what): its screen pops are refused. */
  offered: boolean;
  notOffered?: string;
  /** The form's optional steps this directory cannot do: the form is offered without them. */
  leftOut: { step: string; what: string; reason: string }[];
  /** When the last systems check ran; null when it never did. */
  checkedAt: string | null;
  items: { label: string; checkName: string; state: RequirementState; message: string; hint?: string; partial?: string }[];
};

export type FormCatalogueEntry = {
  name: string;
  label: string;
  /** True for every registered form: this build can run it (kept for API clients that read it). */
  available: boolean;
  enabled: boolean;
  needs: {
    psa: { ok: boolean; detail: string };
    directories: { ok: boolean; detail: string };
    companyMappings: { ok: boolean; detail: string };
    permissions: DirectoryRequirementsView[];
  };
  /**
   * Everything it needs is in place (partial needs aside) as far as the last checks tell, for every
   * directory it is offered to, and at least one directory is offered it.
   */
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

type Requirement = CapabilityProof & { partial?: string };

/**
 * A form's needs in one directory kind's terms, from the declarations of the steps offered there
 * (and the form's own needs): its sign-in line, then what proves each capability, in step order. A
 * proof is partial when the connector says so (Exchange Online for Entra's groups) or when only
 * advisory steps need it (the mailbox steps); a proof two needs share is listed once, required if
 * either needs it wholly, and partial texts are joined.
 */
function directoryRequirements(
  capabilities: DirectoryConnector<unknown>['capabilities'] | undefined,
  form: RegisteredForm,
  offer: FormOffer,
): Requirement[] {
  if (!capabilities) return [];
  const byCheck = new Map<string, Requirement>([[capabilities.signIn.checkName, capabilities.signIn]]);
  const add = (proof: CapabilityProof, partial: string | undefined) => {
    const seen = byCheck.get(proof.checkName);
    if (seen && !seen.partial) return;
    if (!partial) {
      const { partial: _unused, ...required } = proof;
      byCheck.set(proof.checkName, required);
      return;
    }
    const texts = [...new Set([...(seen?.partial ? seen.partial.split('; ') : []), partial])];
    byCheck.set(proof.checkName, { ...proof, partial: texts.join('; ') });
  };
  for (const capability of form.form.needs ?? []) for (const proof of capabilities.proofs[capability] ?? []) add(proof, proof.partial);
  for (const step of form.workflow.steps) {
    if (!offer.offers(step.key)) continue;
    for (const capability of step.needs) {
      for (const proof of capabilities.proofs[capability] ?? []) add(proof, proof.partial ?? (step.advisory ? step.optional : undefined));
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
  /** The forms this build can run, in list order, with what each step needs from a directory. */
  forms: readonly RegisteredForm[];
  /** By kind: what each directory kind can do, and how it proves each capability. */
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

  const forms = input.forms.map((form): FormCatalogueEntry => {
    const permissions = settings.directories.map((directory): DirectoryRequirementsView => {
      const check = input.checks.get(directory.id);
      const connector = input.directoryConnectors[directory.kind];
      // A kind this build no longer has offers nothing it can be held to: listed, with no requirements.
      const offer = connector ? offerFor(form, connectorCapabilities(connector), directory.name) : null;
      const requirements = offer?.offered ? directoryRequirements(connector?.capabilities, form, offer) : [];
      return {
        directoryId: directory.id,
        directoryName: directory.name,
        offered: offer?.offered ?? true,
        ...(offer && !offer.offered ? { notOffered: offer.reason } : {}),
        leftOut: (offer?.leftOut ?? []).map((step) => ({ step: step.key, what: step.what, reason: step.reason })),
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
    const offeredTo = permissions.filter((directory) => directory.offered);
    const permissionsOk = offeredTo.every(
      // A requirement the check could not verify (an Entra role) does not block; one it skipped does.
      (directory) =>
        directory.checkedAt !== null &&
        directory.items.every((item) => (item.state !== 'fail' && item.state !== 'not-run') || item.partial),
    );
    return {
      name: form.name,
      label: form.label,
      available: true,
      enabled: settings.forms.enabled.includes(form.name),
      needs: { psa, directories, companyMappings, permissions },
      ready: psa.ok && directories.ok && companyMappings.ok && offeredTo.length > 0 && permissionsOk,
    };
  });
  return { source: settings.forms.source, revision: settings.forms.revision, forms };
}
