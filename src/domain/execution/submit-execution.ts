import type { DirectoryUser } from '../../connectors/directory/types.js';
import type { DirectoryRegistry } from '../../engine/directory-registry.js';
import { NOTE_STEP, SECRET_TTL_MS } from '../../engine/run-execution.js';
import { formDirectoryFor, offeredSteps } from '../../forms/form-offer.js';
import type { FormRegistry } from '../../forms/form-registry.js';
import { loadFormData } from '../../forms/load-form-data.js';
import { type ChangeReview, type FieldErrors, type FormValues, NO_TARGET_USER } from '../../forms/types.js';
import type { JobQueue } from '../../jobs/types.js';
import type { Clock } from '../../lib/clock.js';
import { crashPoint } from '../../lib/crash-point.js';
import { newId } from '../../lib/ids.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { isToolboxError } from '../../lib/toolbox-error.js';
import type { LaunchRepo, Store, UserRecord } from '../../store/types.js';
import type { LaunchReads } from '../launch/launch-reads.js';
import type { LiveSettings } from '../settings/live-settings.js';
import { executionJob } from './execution-job.js';
import { reviewToken } from './review-token.js';

export { RUN_EXECUTION_JOB } from './execution-job.js';

export type SubmitExecutionDeps = {
  store: Pick<Store, 'executions'> & { launches: LaunchRepo };
  directories: DirectoryRegistry;
  /** The PSA connected now: a launch of another PSA does not run (its company maps elsewhere now). */
  settings: Pick<LiveSettings, 'current'>;
  forms: Pick<FormRegistry, 'get'>;
  jobQueue: JobQueue;
  secretBox: SecretBox;
  clock: Clock;
  /** How long an unrevealed secret is kept, sealed, for the technician to see. */
  secretTtlMs?: number;
  /** Told when a launch has its execution, so this process stops serving it from memory as unused. */
  launchReads?: Pick<LaunchReads, 'forget'>;
};

/** The field that carries the review token of a confirmed review. */
export const REVIEW_FIELD = '_review';

/** Submitted fields a review page may carry back: never a typed password, the CSRF token or the token itself. */
export function carriedValues(fields: FormValues): FormValues {
  const carried: FormValues = {};
  for (const [name, value] of Object.entries(fields))
    if (name !== 'password' && name !== '_csrf' && name !== REVIEW_FIELD) carried[name] = value;
  return carried;
}

export type SubmitExecutionResult =
  | { kind: 'not-found' }
  | { kind: 'expired' }
  | { kind: 'forbidden' }
  /** The launch came from another PSA than the one connected now; nothing was run. */
  | { kind: 'psa-changed' }
  | { kind: 'not-ready'; message: string }
  | { kind: 'invalid'; errors: FieldErrors; values: FormValues }
  /** The launch already ran: what was sent now was not run. */
  | { kind: 'used'; executionId: string }
  /**
   * Nothing runs yet: the technician sees what will change and confirms with `token`. `stale`: a
   * token came but no longer matches (the state or the fields changed since that review).
   */
  | { kind: 'review'; review: ChangeReview; token: string; values: FormValues; stale: boolean }
  | { kind: 'started'; executionId: string };

/**
 * A submitted form becomes an execution: the fields are checked, the new password (if any) is
 * sealed with the service key, the execution and its steps are recorded, and a job is queued. One
 * launch gives at most one execution, so a double click or a resubmitted page runs nothing twice.
 * A form that reviews first (it removes things) runs only when the fields come back with the token
 * of a review that still says the same (`reviewKey` keys it to the technician's session).
 */
export async function submitExecution(
  deps: SubmitExecutionDeps,
  launchId: string,
  technician: Pick<UserRecord, 'id' | 'email'>,
  fields: FormValues,
  reviewKey: string,
): Promise<SubmitExecutionResult> {
  const launch = await deps.store.launches.get(launchId);
  if (!launch) return { kind: 'not-found' };
  if (launch.technicianUserId !== technician.id) return { kind: 'forbidden' };
  // Before the expiry: a used launch leads to what it ran, however old.
  const used = await deps.store.executions.findByLaunch(launchId);
  if (used) return { kind: 'used', executionId: used.id };
  if (launch.psaKind !== (deps.settings.current().psa?.kind ?? null)) return { kind: 'psa-changed' };
  if (Date.parse(launch.expiresAt) <= deps.clock.now()) return { kind: 'expired' };
  const registered = deps.forms.get(launch.formName);
  const directory = deps.directories.forCompany(launch.companyId);
  if (!registered) return { kind: 'not-ready', message: `The form ${launch.formName} is not available.` };
  if (!directory) return { kind: 'not-ready', message: 'No directory serves this company.' };
  const { form, workflow } = registered;
  const userId = fields.user_id?.trim();
  const values = { ...fields, password: '' };
  if (!userId && !form.createsUser) return { kind: 'invalid', errors: { user_id: 'Choose the user this is for.' }, values };

  let target: DirectoryUser = NO_TARGET_USER;
  if (userId) {
    try {
      target = await directory.client.getUser(userId);
    } catch (error) {
      const message = isToolboxError(error) ? error.message : 'The user could not be read from the directory.';
      return { kind: 'invalid', errors: { user_id: message }, values };
    }
  }
  let formDirectory: Awaited<ReturnType<typeof formDirectoryFor>>;
  try {
    formDirectory = await formDirectoryFor(registered, directory, target);
  } catch (error) {
    const message = isToolboxError(error) ? error.message : 'The directory did not answer as expected; the details are in the service log.';
    return { kind: 'not-ready', message: `The directory's password policy could not be read, so nothing was run: ${message}` };
  }
  // The page never offers it, but a post can still come (an old page, a hand-made request).
  if (!formDirectory.offer.offered)
    return { kind: 'not-ready', message: `${registered.label} is not offered here: ${formDirectory.offer.reason}` };
  const data = await loadFormData(form, directory.client, target, directory.config.formDefaults[launch.formName]);
  const parsed = form.parse(fields, target, data, formDirectory);
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors, values };
  // The form's own output against its workflow's input schema: a mismatch is a bug in the form, never run.
  const conforms = registered.input.safeParse(parsed.input);
  if (!conforms.success) {
    throw new Error(`${launch.formName}: the form made an input its workflow does not take (${conforms.error.issues[0]?.message})`);
  }
  const verified = form.verify ? await form.verify({ directory: directory.client, input: parsed.input }) : {};
  if (Object.keys(verified).length > 0) return { kind: 'invalid', errors: verified, values };

  if (form.reviewFirst(parsed.input)) {
    let review: ChangeReview;
    try {
      review = await form.review({ input: parsed.input, target, data, directory: directory.client });
    } catch (error) {
      const message = isToolboxError(error)
        ? error.message
        : 'The directory did not answer as expected; the details are in the service log.';
      return { kind: 'invalid', errors: { [REVIEW_FIELD]: `What would change could not be read, so nothing was run: ${message}` }, values };
    }
    const token = reviewToken(reviewKey, launchId, parsed.input, review, parsed.runAt);
    const given = fields[REVIEW_FIELD];
    if (given !== token) return { kind: 'review', review, token, values: carriedValues(fields), stale: Boolean(given) };
  }

  const executionId = newId();
  const now = deps.clock.now();
  const { execution, created } = await deps.store.executions.createOnce(
    {
      id: executionId,
      launchId,
      psaKind: launch.psaKind,
      formName: launch.formName,
      technicianUserId: technician.id,
      technicianEmail: technician.email,
      ticketId: launch.ticketId,
      companyId: launch.companyId,
      contactId: launch.contactId,
      directoryId: directory.config.id,
      // A form that creates its user acts on the new account, not on the contact's.
      targetUserId: form.createsUser ? '' : target.id,
      targetDisplay: parsed.targetDisplay ?? `${target.displayName} (${target.userPrincipalName})`,
      inputs: {
        form: parsed.input,
        reveal: parsed.reveal,
        // Where the launch came from when not a screen pop (the ticket launcher, the pod), for the note.
        ...(launch.extraParams.via === 'pod' || launch.extraParams.via === 'launcher' ? { via: launch.extraParams.via } : {}),
      },
      secretSealed: parsed.secret === null ? null : deps.secretBox.seal(parsed.secret, executionId),
      // A scheduled run keeps its secret until a day after it runs: the technician comes back to see it.
      secretExpiresAt:
        parsed.secret === null
          ? null
          : new Date(parsed.runAt ? parsed.runAt + 86_400_000 : now + (deps.secretTtlMs ?? SECRET_TTL_MS)).toISOString(),
      // Only the steps this directory can do: the rest were not offered on the form.
      steps: [...offeredSteps(workflow, formDirectory.offer, parsed.input as never), NOTE_STEP],
      // Written with the execution, in its transaction: a crash cannot leave one without the other.
      job: executionJob(executionId, parsed.runAt ?? now),
    },
    new Date(now).toISOString(),
    deps.jobQueue.transactionalWriter,
  );
  crashPoint('submit:after-create');
  // Another request for the same launch got there first (a double click): this one ran nothing.
  if (!created) return { kind: 'used', executionId: execution.id };
  deps.launchReads?.forget(launchId);
  deps.jobQueue.notify();
  return { kind: 'started', executionId: execution.id };
}
