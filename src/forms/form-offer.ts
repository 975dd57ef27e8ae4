import { cannotSentence, capabilitiesOf, missingCapabilities } from '../connectors/directory/directory-capabilities.js';
import type { DirectoryCapability, DirectoryClient } from '../connectors/directory/types.js';
import type { WorkflowStep } from '../workflows/types.js';
import type { FormDefinition, FormDirectory } from './types.js';

/** A workflow step the form does without for this directory, and why. */
export type LeftOutStep = {
  key: string;
  /** What the step is for ("signing the user out of all sessions"). */
  what: string;
  missing: DirectoryCapability[];
  /** "Contoso AD cannot sign users out of their sessions." */
  reason: string;
};

/**
 * What a form is for one directory, from its declarations alone: the form's own needs and its
 * workflow's steps' needs against what the directory can do. The forms catalogue, the form page,
 * the submit and the engine all read it, so a directory is never offered what it cannot do.
 */
export type FormOffer =
  | {
      offered: true;
      /** The optional steps this directory cannot do, in the workflow's order. */
      leftOut: LeftOutStep[];
      /** Whether the step with this key runs for this directory. */
      offers(stepKey: string): boolean;
    }
  | {
      offered: false;
      /** "Contoso AD cannot list or remove sign-in (MFA) methods." */
      reason: string;
      missing: DirectoryCapability[];
      leftOut: LeftOutStep[];
      offers(stepKey: string): false;
    };

/**
 * Whether a form is offered for a directory with these capabilities (`capabilitiesOf(client)`, or
 * `connectorCapabilities(connector)` before any client exists), and which of its steps are left out.
 */
export function offerFor(
  form: { form: Pick<FormDefinition<unknown>, 'needs'>; workflow: { steps: Pick<WorkflowStep<never>, 'key' | 'needs' | 'optional'>[] } },
  capabilities: ReadonlySet<DirectoryCapability>,
  directoryName: string,
): FormOffer {
  const leftOut: LeftOutStep[] = [];
  const essentialMissing = new Set<DirectoryCapability>(missingCapabilities(form.form.needs ?? [], capabilities));
  for (const step of form.workflow.steps) {
    const missing = missingCapabilities(step.needs, capabilities);
    if (missing.length === 0) continue;
    if (step.optional === undefined) for (const capability of missing) essentialMissing.add(capability);
    else leftOut.push({ key: step.key, what: step.optional, missing, reason: `${directoryName} ${cannotSentence(missing)}.` });
  }
  if (essentialMissing.size > 0) {
    const missing = [...essentialMissing];
    return { offered: false, reason: `${directoryName} ${cannotSentence(missing)}.`, missing, leftOut, offers: () => false };
  }
  const left = new Set(leftOut.map((step) => step.key));
  return { offered: true, leftOut, offers: (stepKey) => !left.has(stepKey) };
}

/**
 * What a form knows of a directory when it renders, parses or renews a secret: the offer from the
 * client's capabilities, and the password policy for the user the form is for (none for a form
 * that creates its user: the directory's default then).
 */
export async function formDirectoryFor(
  registered: Parameters<typeof offerFor>[0] & { form: Pick<FormDefinition<unknown>, 'createsUser'> },
  directory: { config: { name: string }; client: DirectoryClient },
  target?: { id: string },
): Promise<FormDirectory> {
  const userId = registered.form.createsUser ? undefined : target?.id || undefined;
  return {
    name: directory.config.name,
    offer: offerFor(registered, capabilitiesOf(directory.client), directory.config.name),
    passwordPolicy: await directory.client.passwordPolicy(userId),
  };
}

/** The steps an execution records for this input: those the directory offers, with the input's labels. */
export function offeredSteps<I>(
  workflow: { steps: Pick<WorkflowStep<I>, 'key' | 'label' | 'labelFor'>[] },
  offer: FormOffer,
  input: I,
): { key: string; label: string }[] {
  return workflow.steps
    .filter((step) => offer.offers(step.key))
    .map((step) => ({ key: step.key, label: step.labelFor?.(input) ?? step.label }));
}
