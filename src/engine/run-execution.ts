import { cannotSentence, capabilitiesOf, missingCapabilities } from '../connectors/directory/directory-capabilities.js';
import type { DirectoryCapability } from '../connectors/directory/types.js';
import type { PsaClient } from '../connectors/psa/types.js';
import type { JobLease, JobQueue } from '../jobs/types.js';
import type { Clock } from '../lib/clock.js';
import { crashPoint } from '../lib/crash-point.js';
import type { Logger } from '../lib/logger.js';
import type { SecretBox } from '../lib/secret-box.js';
import { isOutcomeUnknown, isToolboxError, type ToolboxError } from '../lib/toolbox-error.js';
import { type ExecutionStatus, LeaseLostError, type StepRecord, type StepStatus, type Store } from '../store/types.js';
import type { StepContext, VerifiedOutcome, Workflow, WorkflowStep } from '../workflows/types.js';
import { composeTicketNote } from './compose-ticket-note.js';
import type { DirectoryEntry, DirectoryRegistry } from './directory-registry.js';
import { overallStatus, type StatusStep } from './overall-status.js';
import { attemptTicketNote, type WriteTicketNoteDeps } from './write-ticket-note.js';

/**
 * The step every execution ends with; the engine owns it, not the workflow. It is bookkeeping: it
 * never counts towards the run's status (see overall-status.ts).
 */
export const NOTE_STEP = { key: 'ticket-note', label: 'Write an internal note on the ticket' };

export type RunExecutionDeps = {
  store: Store;
  psa: PsaClient;
  /** The PSA connected now; the note goes only to its execution's own PSA (see write-ticket-note.ts). */
  psaKind: WriteTicketNoteDeps['psaKind'];
  psaConnectors: WriteTicketNoteDeps['psaConnectors'];
  directories: DirectoryRegistry;
  workflows: Record<string, Workflow<never>>;
  secretBox: SecretBox;
  jobQueue: JobQueue;
  noteRetryDelaysMs?: number[];
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  /** The technician as the PSA knows them, to attribute the ticket note to (see write-ticket-note.ts). */
  authorFor?: WriteTicketNoteDeps['authorFor'];
};

const iso = (clock: Clock) => new Date(clock.now()).toISOString();

/** How long an unrevealed one-time secret is kept, sealed, for its technician. */
export const SECRET_TTL_MS = 15 * 60_000;

/**
 * Runs one execution: each workflow step in order, recorded as it goes (status, message, upstream
 * code, timing), then the ticket note. Safe to call again for the same execution (a retried or
 * recovered job): steps that already succeeded are not repeated, and a finished execution is left
 * alone.
 */
export async function runExecution(deps: RunExecutionDeps, executionId: string, lease?: JobLease): Promise<void> {
  const { store, clock } = deps;
  const execution = await store.executions.get(executionId);
  if (!execution) throw new Error(`Execution ${executionId} does not exist`);
  if (execution.status !== 'queued' && execution.status !== 'running') return;
  const log = deps.logger.child({ executionId, form: execution.formName });

  const workflow = deps.workflows[execution.formName];
  const directory = deps.directories.get(execution.directoryId);
  await store.executions.setStatus(executionId, 'running', iso(clock));
  if (!workflow || !directory) {
    const message = !workflow
      ? `No workflow is registered for ${execution.formName}.`
      : `Directory "${execution.directoryId}" is no longer configured.`;
    await store.executions.setStatus(executionId, 'failed', iso(clock), message);
    return;
  }

  const sealed = await store.executions.readSecret(executionId, iso(clock));
  let secret: string | null = null;
  if (sealed) {
    try {
      secret = deps.secretBox.open(sealed, executionId);
    } catch {
      log.error('the sealed secret could not be opened (was TOOLBOX_SECRET_KEY changed?)');
    }
  }

  const input = execution.inputs.form as never;
  const steps = workflow.steps;
  // What this directory can do now: a step it cannot do was left out at submit (no record), or,
  // if the directory changed since, is skipped here with the reason (see below).
  const capabilities = capabilitiesOf(directory.client);
  const records = await store.executions.steps(executionId);
  // Steps are matched by key: what a step recorded is its own, whatever else the list holds.
  const recordOf = new Map(records.map((record) => [record.key, record]));
  // What each step of this run changed, by seq. A step done before a restart is not here; the
  // status rule then counts its ok or warning as a change (it errs towards "partial").
  const changed = new Map<number, boolean>();
  let current = 0;
  // The values finished steps handed on, restored in order: a resumed run sees what an
  // uninterrupted one would have seen (the mailbox was converted, the new user's id).
  const facts: Record<string, unknown> = {};
  for (const step of steps) {
    const record = recordOf.get(step.key);
    if (record && isDone(record) && record.facts) Object.assign(facts, record.facts);
  }
  const context: StepContext<never> = {
    input,
    secret,
    directory: directory.client,
    directoryConfig: directory.config,
    targetUserId: execution.targetUserId,
    logger: log,
    facts,
    interrupted: false,
    async keepSecret(value) {
      await store.executions.setSecret(
        executionId,
        deps.secretBox.seal(value, executionId),
        new Date(clock.now() + SECRET_TTL_MS).toISOString(),
      );
    },
    markChanged() {
      changed.set(current, true);
    },
  };

  let stopped = false;
  let stopReason = 'Not run because an earlier step failed.';
  /**
   * A step whose outcome is not known stops the run as a failure would when the later steps need
   * it: they would act on what may not exist (the groups of an account whose creation is unknown).
   */
  const stopIfUnknown = (step: WorkflowStep<never>, status: StepStatus) => {
    if (status !== 'unknown' || !step.stopOnFailure) return;
    stopped = true;
    stopReason = 'Not run because whether an earlier step was done is not known; check it first.';
  };
  for (const step of steps) {
    const record = recordOf.get(step.key);
    const missing = missingCapabilities(step.needs, capabilities);
    if (!record) {
      // Left out at submit: this directory cannot do it (the form did not offer it).
      if (missing.length > 0) continue;
      // Only a workflow changed by an upgrade while this run waited: nowhere to record the step.
      log.warn({ step: step.key }, 'step has no record in this execution; not run');
      continue;
    }
    const seq = record.seq;
    if (isDone(record)) continue;
    if (stopped) {
      await store.executions.updateStep(executionId, seq, { status: 'skipped', message: stopReason }, lease);
      continue;
    }
    if (missing.length > 0) {
      // Recorded at submit, yet the directory cannot do it now (it was changed, or this is a run of
      // another directory's form): never called, and said so. A step the form cannot do without fails.
      const why = `Not available for ${directory.config.name}: it ${cannotSentence(missing)}.`;
      const optional = step.optional !== undefined;
      log.warn({ step: step.key, missing }, 'step needs a capability the directory lacks; not run');
      await store.executions.updateStep(
        executionId,
        seq,
        optional
          ? { status: 'skipped', message: why, finishedAt: iso(clock) }
          : { status: 'failed', message: why, upstreamCode: 'TBX_ERR_DIRECTORY_CAPABILITY_MISSING', finishedAt: iso(clock) },
        lease,
      );
      if (!optional && step.stopOnFailure) stopped = true;
      continue;
    }
    const started = clock.now();
    current = seq;
    // `running` in the record means an earlier run started this step and never recorded how it
    // ended (killed, or its job taken over): its writes may have happened.
    const interrupted = record.status === 'running';
    context.interrupted = interrupted;
    // Fenced: a worker whose job was taken over stops here, before it writes anything upstream.
    await store.executions.updateStep(executionId, seq, { status: 'running', startedAt: new Date(started).toISOString() }, lease);
    const before = snapshot(facts);
    try {
      const resolved = interrupted ? await resolveInterrupted(step, context) : 'run';
      if (resolved !== 'run') {
        if (resolved.status === 'unknown') log.warn({ step: step.key }, 'interrupted unrepeatable step: outcome unknown, not sent again');
        await store.executions.updateStep(
          executionId,
          seq,
          { ...resolved, finishedAt: iso(clock), durationMs: clock.now() - started, facts: factsSince(before, facts) },
          lease,
        );
        stopIfUnknown(step, resolved.status);
        continue;
      }
      crashPoint(`step:${step.key}:before`);
      let outcome: Awaited<ReturnType<typeof step.run>>;
      try {
        outcome = await step.run(context);
      } catch (error) {
        if (!(step.kind === 'change' && isToolboxError(error) && isOutcomeUnknown(error))) throw error;
        // An on-prem agent took a write and its answer was lost: the same as the toolbox being
        // interrupted during the step. Once, with the step's own rule: a repeatable or
        // check-then-act step reads the state and runs again; an unrepeatable one is verified or `unknown`.
        log.warn({ step: step.key }, 'the agent’s answer to a write was lost; handled as an interrupted step');
        const retried = await resolveLostAnswer(step, context, error);
        if (retried.status !== 'run') {
          await store.executions.updateStep(
            executionId,
            seq,
            { ...retried, finishedAt: iso(clock), durationMs: clock.now() - started, facts: factsSince(before, facts) },
            lease,
          );
          if (retried.status === 'unknown') changed.set(seq, true);
          stopIfUnknown(step, retried.status);
          continue;
        }
        outcome = retried.outcome;
      }
      crashPoint(`step:${step.key}:after`);
      // A hybrid company's change says which side made it (AD or Microsoft 365), in the run and the note.
      if (step.kind === 'change' && outcome.status !== 'skipped' && directory.placeOf) {
        const place = await placeOfStep(directory.placeOf, step.needs, execution.targetUserId);
        if (place) outcome.message = `${outcome.message} In ${place}.`;
      }
      if (outcome.changed !== undefined) changed.set(seq, outcome.changed || changed.get(seq) === true);
      await store.executions.updateStep(
        executionId,
        seq,
        {
          status: outcome.status,
          message: outcome.message,
          finishedAt: iso(clock),
          durationMs: clock.now() - started,
          facts: factsSince(before, facts),
        },
        lease,
      );
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      const known = isToolboxError(error);
      if (!known) log.error({ err: error, step: step.key }, 'step failed unexpectedly');
      else log.warn({ step: step.key, error: error.toLog() }, 'step failed');
      const upstream = known && error.upstream ? [error.upstream.status, error.upstream.code].filter(Boolean).join(' ') : null;
      await store.executions.updateStep(
        executionId,
        seq,
        {
          status: 'failed',
          message: known ? error.message : 'Failed unexpectedly; the details are in the service log.',
          upstreamCode: upstream || (known ? error.code : 'TBX_ERR_INTERNAL'),
          finishedAt: iso(clock),
          durationMs: clock.now() - started,
          facts: factsSince(before, facts),
        },
        lease,
      );
      if (step.stopOnFailure) {
        stopped = true;
        stopReason = 'Not run because an earlier step failed.';
      }
    }
  }

  await finishExecution(deps, executionId, workflow, changed, lease);
  log.info('execution finished');
}

/** Where the first of a step's needs that has one place is done; null when none has (or the lookup failed). */
async function placeOfStep(
  placeOf: NonNullable<DirectoryEntry['placeOf']>,
  needs: readonly DirectoryCapability[],
  userId: string,
): Promise<string | null> {
  for (const need of needs) {
    const place = await placeOf(need, userId).catch(() => null);
    if (place) return place;
  }
  return null;
}

/**
 * Ends an execution whose job failed for good (its last attempt threw: the database or the
 * service failed, not a step, which records its own failure). It must not stay `running`: steps
 * never started are marked not run, a step that was under way is `unknown` (its write may have
 * happened), the status follows the same rule as a finished run, and the note says so.
 */
export async function endAbandonedExecution(deps: RunExecutionDeps, executionId: string, reason: string, lease?: JobLease): Promise<void> {
  const { store, clock } = deps;
  const execution = await store.executions.get(executionId);
  if (!execution || (execution.status !== 'queued' && execution.status !== 'running')) return;
  const workflow = deps.workflows[execution.formName];
  // The first step left unfinished is where the run stopped: failed if it never started, not
  // known if it was under way (its write may have happened). Those after it were never run.
  let stoppedAt: number | undefined;
  for (const record of await store.executions.steps(executionId)) {
    if (record.key === NOTE_STEP.key || (record.status !== 'pending' && record.status !== 'running')) continue;
    const first = stoppedAt === undefined;
    stoppedAt ??= record.seq;
    const changes: Partial<StepRecord> = !first
      ? { status: 'skipped', message: 'Not run: the run stopped at an earlier step after an internal error.' }
      : record.status === 'running'
        ? {
            status: 'unknown',
            message:
              'The run stopped during this step after an internal error; whether it was done is not known. Check it in the directory before running the form again.',
            finishedAt: iso(clock),
          }
        : { status: 'failed', message: 'Not run: the run stopped before this step after an internal error.', finishedAt: iso(clock) };
    await store.executions.updateStep(executionId, record.seq, changes, lease);
  }
  deps.logger.error({ executionId, reason }, 'execution abandoned: its job failed on its last attempt');
  if (!workflow) {
    await store.executions.setStatus(executionId, 'failed', iso(clock), 'The run stopped after an internal error.');
    return;
  }
  await finishExecution(
    deps,
    executionId,
    workflow,
    new Map(),
    lease,
    'The run stopped after an internal error; the details are in the service log.',
  );
}

/** The end of every run: the secret kept only when it took effect, one status, the note, the status stored. */
async function finishExecution(
  deps: RunExecutionDeps,
  executionId: string,
  workflow: Workflow<never>,
  changed: Map<number, boolean>,
  lease: JobLease | undefined,
  errorMessage?: string,
): Promise<void> {
  const { store, clock } = deps;
  const execution = (await store.executions.get(executionId))!;
  const steps = workflow.steps;
  // Nothing to show when the secret never took effect (the reset failed, the pass was not issued)
  // or there is nothing to show back (the technician typed the password). Discarded, not "shown":
  // the page must not say a password was shown that never existed.
  const afterSteps = await store.executions.steps(executionId);
  const secretSet = afterSteps.some((s) => s.key === workflow.secretStepKey && s.status === 'ok');
  if (!secretSet || !execution.inputs.reveal) await store.executions.discardSecret(executionId);

  // One status for the note and the page, from the workflow's own steps: the note is bookkeeping.
  const status = overallStatus(
    afterSteps.map(
      (record): StatusStep => ({
        status: record.status,
        kind: record.key === NOTE_STEP.key ? 'bookkeeping' : kindOf(steps, record),
        changed: changed.get(record.seq),
      }),
    ),
  );
  await writeNote(deps, executionId, workflow.title, afterSteps, status, secretSet, lease);
  await store.executions.setStatus(executionId, status, iso(clock), errorMessage);
}

/** A recorded step's kind from the workflow; one it no longer has counts as a change (never hides one). */
const kindOf = (steps: { key: string; kind: 'check' | 'change' }[], record: StepRecord) =>
  steps.find((step) => step.key === record.key)?.kind ?? 'change';

/**
 * What to do with a step an earlier run started and never finished. A check, a repeatable or a
 * check-then-act step runs again (its contract makes that safe). An unrepeatable one is never sent
 * again blindly: it reads the state (`verifyInterrupted`); `not-done` runs it, an outcome is
 * recorded as found, and anything else marks it `unknown` with what to check.
 */
async function resolveInterrupted(
  step: WorkflowStep<never>,
  context: StepContext<never>,
  cause: 'restart' | 'agent' = 'restart',
): Promise<'run' | { status: StepStatus; message: string }> {
  if (step.kind === 'check' || step.idempotency !== 'unrepeatable') return 'run';
  let verified: VerifiedOutcome = null;
  try {
    verified = step.verifyInterrupted ? await step.verifyInterrupted(context) : null;
  } catch (error) {
    context.logger.warn({ step: step.key, err: error }, 'could not read back an interrupted step');
  }
  if (verified === 'not-done') return 'run';
  const what = cause === 'agent' ? 'The on-prem agent’s answer to this step was lost' : 'The toolbox was interrupted during this step';
  if (verified) return { status: verified.status, message: `${what} and read back: ${verified.message}` };
  return {
    status: 'unknown',
    message: `${cause === 'agent' ? `${what}; the toolbox` : `${what} and`} cannot tell whether it was done. It was not done again, so that nothing happens twice.${step.unknownAdvice ? ` ${step.unknownAdvice}` : ''}`,
  };
}

/**
 * A write whose answer an on-prem agent lost, handled as an interruption of its step (see
 * resolveInterrupted): a step that may run again does, once; if that fails too, whether the first
 * attempt changed anything is still not known, so the step is `unknown`, never `failed` (which
 * would read as "nothing happened").
 */
async function resolveLostAnswer(
  step: WorkflowStep<never>,
  context: StepContext<never>,
  lost: ToolboxError,
): Promise<{ status: 'run'; outcome: Awaited<ReturnType<WorkflowStep<never>['run']>> } | { status: StepStatus; message: string }> {
  context.interrupted = true;
  const resolved = await resolveInterrupted(step, context, 'agent');
  if (resolved !== 'run') return resolved;
  try {
    return { status: 'run', outcome: await step.run(context) };
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    const why = isToolboxError(error) ? error.message : 'it failed unexpectedly (the details are in the service log)';
    context.logger.warn({ step: step.key, err: isToolboxError(error) ? error.toLog() : error }, 'running again after a lost answer failed');
    return {
      status: 'unknown',
      message: `${lost.message} Trying again after reading the state failed: ${why} Check in the directory whether it was done before running the form again.${step.kind === 'change' && step.unknownAdvice ? ` ${step.unknownAdvice}` : ''}`,
    };
  }
}

// `unknown` is final too: an unrepeatable step whose outcome could not be read is never run again.
const isDone = (record: StepRecord) =>
  record.status === 'ok' || record.status === 'warning' || record.status === 'skipped' || record.status === 'unknown';

const snapshot = (facts: Record<string, unknown>) => new Map(Object.entries(facts).map(([key, value]) => [key, JSON.stringify(value)]));

/** The facts a step set or changed, saved with it; null when it handed nothing on. */
function factsSince(before: Map<string, string | undefined>, facts: Record<string, unknown>): Record<string, unknown> | null {
  const handed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(facts)) if (before.get(key) !== JSON.stringify(value)) handed[key] = value;
  return Object.keys(handed).length > 0 ? handed : null;
}

async function writeNote(
  deps: RunExecutionDeps,
  executionId: string,
  title: string,
  steps: StepRecord[],
  status: ExecutionStatus,
  secretSet: boolean,
  lease: JobLease | undefined,
): Promise<void> {
  const { store } = deps;
  const execution = (await store.executions.get(executionId))!;
  const noteRecord = steps.find((s) => s.key === NOTE_STEP.key);
  if (noteRecord === undefined) return;
  const noteSeq = noteRecord.seq;
  if (!execution.ticketId) {
    await store.executions.updateStep(
      executionId,
      noteSeq,
      { status: 'skipped', message: 'No ticket came with this screen pop, so no note was written.' },
      lease,
    );
    await store.executions.setNote(executionId, { status: 'skipped', text: null, error: null });
    return;
  }
  const workSteps = steps.filter((s) => s.key !== NOTE_STEP.key);
  const technician = await store.users.findById(execution.technicianUserId);
  const lines = composeTicketNote({
    execution,
    steps: workSteps,
    title,
    status,
    secretSet,
    technicianName: technician?.name ?? execution.technicianEmail,
    executionUrl: `${deps.publicUrl}/executions/${executionId}`,
  });
  await attemptTicketNote(deps, executionId, noteSeq, lines, 1, lease, noteRecord.status !== 'pending');
}
