import type { DirectoryUser } from '../../connectors/directory/types.js';
import type { DirectoryRegistry } from '../../engine/directory-registry.js';
import { NOTE_STEP, SECRET_TTL_MS } from '../../engine/run-execution.js';
import { formDirectoryFor, offeredSteps } from '../../forms/form-offer.js';
import type { FormRegistry } from '../../forms/form-registry.js';
import { loadFormData } from '../../forms/load-form-data.js';
import { type ChangeReview, NO_TARGET_USER } from '../../forms/types.js';
import type { JobQueue } from '../../jobs/types.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { isToolboxError, ToolboxError } from '../../lib/toolbox-error.js';
import type { ExecutionRecord, Store, UserRecord } from '../../store/types.js';
import type { Actor } from '../settings/write-settings.js';
import { executionJob } from './execution-job.js';
import { reviewToken } from './review-token.js';

export type RerunExecutionDeps = {
  store: Pick<Store, 'executions' | 'audit'>;
  directories: DirectoryRegistry;
  /** The forms: their workflows, their input schemas, the review and what a re-run must make anew (a generated password). */
  forms: Pick<FormRegistry, 'get'>;
  /** The forms enabled now: a form an admin switched off is not run again through the back door. */
  enabledForms: readonly string[];
  jobQueue: JobQueue;
  secretBox: SecretBox;
  clock: Clock;
};

/** Where a re-run records the execution it repeats (the executions table has no column for it). */
export const RERUN_OF_KEY = 'rerunOf';

/** The execution a re-run repeats, or null for one started from a screen pop. */
export function rerunOf(execution: Pick<ExecutionRecord, 'inputs'>): string | null {
  const value = execution.inputs[RERUN_OF_KEY];
  return typeof value === 'string' ? value : null;
}

const refuse = (code: string, httpStatus: number, message: string) => new ToolboxError({ code, httpStatus, message });

type Technician = Pick<UserRecord, 'id' | 'email' | 'role'>;

/**
 * Everything a re-run needs, checked: the original (finished, the caller's or an admin's), its
 * workflow and form (still enabled), its directory, the inputs and the user read afresh.
 */
async function prepareRerun(deps: RerunExecutionDeps, originalId: string, technician: Technician) {
  const original = await deps.store.executions.get(originalId);
  if (!original) throw refuse('TBX_ERR_NOT_FOUND', 404, 'No execution has this id.');
  if (technician.role !== 'admin' && original.technicianUserId !== technician.id)
    throw refuse('TBX_ERR_FORBIDDEN', 403, 'This execution belongs to another technician; only they or an administrator can run it again.');
  if (original.status === 'queued' || original.status === 'running')
    throw refuse('TBX_ERR_RERUN_NOT_FINISHED', 409, 'This execution has not finished yet. Wait for it to finish before running it again.');

  const registered = deps.forms.get(original.formName);
  if (!registered)
    throw refuse('TBX_ERR_RERUN_FORM_UNAVAILABLE', 409, `The form ${original.formName} is not available in this toolbox any more.`);
  const { form, workflow } = registered;
  if (!deps.enabledForms.includes(original.formName))
    throw refuse(
      'TBX_ERR_RERUN_FORM_DISABLED',
      409,
      `The form ${original.formName} is disabled. An administrator can enable it under Admin → Forms; then run it again.`,
    );
  const directory = deps.directories.get(original.directoryId);
  if (!directory)
    throw refuse(
      'TBX_ERR_RERUN_DIRECTORY_GONE',
      409,
      `The directory "${original.directoryId}" this execution ran against is no longer configured. Open the form again from the ticket.`,
    );

  const input = { ...((original.inputs.form ?? {}) as Record<string, unknown>) };
  // A scheduled run repeated is run now: the original time has passed, and "again" means now.
  if ('scheduledFor' in input) input.scheduledFor = null;
  // Inputs stored by an older version of the form may not be what its workflow takes now.
  const valid = registered.input.safeParse(input);
  if (!valid.success)
    throw refuse(
      'TBX_ERR_RERUN_INPUTS_OUTDATED',
      409,
      `This execution's inputs are not what ${registered.label} takes in this version of the toolbox, so it cannot be run again as it was. Open the form again from the ticket.`,
    );
  let target: DirectoryUser = NO_TARGET_USER;
  if (original.targetUserId) {
    try {
      target = await directory.client.getUser(original.targetUserId);
    } catch (error) {
      throw new ToolboxError({
        code: 'TBX_ERR_RERUN_TARGET_UNREADABLE',
        httpStatus: 409,
        message: `The user could not be read from the directory, so nothing could be prepared: ${isToolboxError(error) ? error.message : 'the directory did not answer'}. Nothing was run.`,
        ...(isToolboxError(error) && error.upstream ? { upstream: error.upstream } : {}),
      });
    }
  }
  // Whom a new secret is for: named in the inputs (a user to be created), else the user read.
  const secretFor = {
    userPrincipalName: String(input.userPrincipalName ?? target.userPrincipalName),
    displayName: String(input.displayName ?? target.displayName),
  };
  let formDirectory: Awaited<ReturnType<typeof formDirectoryFor>>;
  try {
    formDirectory = await formDirectoryFor(registered, directory, target);
  } catch (error) {
    throw new ToolboxError({
      code: 'TBX_ERR_RERUN_DIRECTORY_UNREADABLE',
      httpStatus: 409,
      message: `The directory's password policy could not be read, so nothing was run: ${isToolboxError(error) ? error.message : 'the directory did not answer'}.`,
    });
  }
  const { offer } = formDirectory;
  if (!offer.offered)
    throw refuse('TBX_ERR_RERUN_FORM_NOT_OFFERED', 409, `${registered.label} is not offered for this directory any more: ${offer.reason}`);
  const renewSecret = () => {
    if (!form.renewSecret) return null;
    const renewed = form.renewSecret(input as never, secretFor, formDirectory.passwordPolicy);
    if (!renewed.ok) throw refuse('TBX_ERR_RERUN_NEEDS_PASSWORD', 409, renewed.message);
    return renewed.secret;
  };
  const review = async (): Promise<ChangeReview> => {
    const data = await loadFormData(form, directory.client, target, directory.config.formDefaults[original.formName]);
    try {
      return await form.review({ input: input as never, target, data, directory: directory.client });
    } catch (error) {
      throw new ToolboxError({
        code: 'TBX_ERR_RERUN_REVIEW_UNREADABLE',
        httpStatus: 409,
        message: `What would change could not be read from the directory, so nothing was run: ${isToolboxError(error) ? error.message : 'the directory did not answer'}.`,
      });
    }
  };
  return { original, workflow, offer, directory, input, renewSecret, review };
}

/**
 * What "Run again" would change, for the technician to confirm: the form's review of the same
 * inputs against the directory as it is now, and the token that confirms it (a consistency check
 * keyed to the caller: what runs must be what was reviewed, not an authorisation).
 */
export async function reviewRerun(
  deps: RerunExecutionDeps,
  originalId: string,
  technician: Technician,
): Promise<{ review: ChangeReview; token: string }> {
  const prepared = await prepareRerun(deps, originalId, technician);
  // A re-run that cannot happen (a typed password) is refused here, before anything is confirmed.
  prepared.renewSecret();
  const review = await prepared.review();
  return { review, token: reviewToken(technician.id, `rerun:${originalId}`, prepared.input, review) };
}

/**
 * Runs an execution again with the inputs it was given: a new execution (no launch) for the same
 * form, ticket, company, directory and user, by `technician` (who sees any new password once).
 * Secrets are never stored: the form makes its secret anew (`renewSecret`: a generated password is
 * generated again) or refuses (a typed password cannot be repeated; 409, open the form again).
 * With `reviewToken` (the console always sends it) the review is made again and must match, so
 * nothing runs that differs from what the technician confirmed.
 */
export async function rerunExecution(
  deps: RerunExecutionDeps,
  originalId: string,
  technician: Technician,
  actor: Actor,
  options: { reviewToken?: string | undefined } = {},
): Promise<{ executionId: string; rerunOf: string }> {
  const { original, workflow, offer, input, renewSecret, review } = await prepareRerun(deps, originalId, technician);
  // A refusal that no review changes (a typed password) is said first.
  const secret = renewSecret();
  if (options.reviewToken !== undefined) {
    const token = reviewToken(technician.id, `rerun:${originalId}`, input, await review());
    if (token !== options.reviewToken)
      throw refuse(
        'TBX_ERR_RERUN_REVIEW_CHANGED',
        409,
        'What would change is not what was reviewed: the directory changed since. Nothing was run; look at the review again.',
      );
  }
  const executionId = newId();

  const now = deps.clock.now();
  const nowIso = new Date(now).toISOString();
  const { execution } = await deps.store.executions.createOnce(
    {
      id: executionId,
      launchId: null,
      // The same ticket, of the same PSA: if that is not the PSA connected now, the note says so.
      psaKind: original.psaKind,
      formName: original.formName,
      technicianUserId: technician.id,
      technicianEmail: technician.email,
      ticketId: original.ticketId,
      companyId: original.companyId,
      contactId: original.contactId,
      directoryId: original.directoryId,
      targetUserId: original.targetUserId,
      targetDisplay: original.targetDisplay,
      inputs: { form: input, reveal: original.inputs.reveal ?? null, [RERUN_OF_KEY]: original.id },
      secretSealed: secret === null ? null : deps.secretBox.seal(secret, executionId),
      secretExpiresAt: secret === null ? null : new Date(now + SECRET_TTL_MS).toISOString(),
      steps: [...offeredSteps(workflow, offer, input as never), NOTE_STEP],
      job: executionJob(executionId, now),
    },
    nowIso,
    deps.jobQueue.transactionalWriter,
  );
  deps.jobQueue.notify();
  await deps.store.audit.append(
    {
      actorUserId: actor.userId,
      actorEmail: actor.email,
      action: 'execution.rerun',
      target: `execution:${original.id}`,
      before: null,
      after: { executionId: execution.id, form: original.formName, target: original.targetDisplay, ticketId: original.ticketId },
      requestId: actor.requestId,
    },
    nowIso,
  );
  return { executionId: execution.id, rerunOf: original.id };
}
