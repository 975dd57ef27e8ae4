import type { DirectoryConfig } from '../config/config.js';
import type { DirectoryCapability, DirectoryClient } from '../connectors/directory/types.js';
import type { Logger } from '../lib/logger.js';

/**
 * The workflow port: the ordered steps behind a form. A step either returns an outcome or throws
 * (a ToolboxError whose message the technician reads). Workflows call connector ports only: no
 * HTTP, no SQL.
 */
export type StepOutcome = {
  status: 'ok' | 'warning' | 'skipped';
  message: string;
  /**
   * For a `change` step: false when it ended ok or with a warning yet changed nothing (sign-in was
   * already blocked; a synced account left for on-prem AD). Unset, an ok or warning outcome of a
   * change step counts as a change: the overall status then errs towards "partial", never towards
   * hiding a change.
   */
  changed?: boolean;
};

export type StepContext<I> = {
  input: I;
  /** The decrypted one-time secret of this execution (a new password), if any. */
  secret: string | null;
  directory: DirectoryClient;
  directoryConfig: DirectoryConfig;
  targetUserId: string;
  logger: Logger;
  /** Values earlier steps left for later ones and for the note (saved with each step; restored on resume). */
  facts: Record<string, unknown>;
  /**
   * True when an earlier run started this step and stopped (killed, taken over) before recording
   * its outcome: part of it may already be done. A check-then-act step looks before it writes.
   */
  interrupted: boolean;
  /**
   * Keeps a secret a step obtained (a Temporary Access Pass) to be shown once to the technician:
   * sealed in the store, never in a step message, the note or the log.
   */
  keepSecret(value: string): Promise<void>;
  /**
   * Tells the engine this step has changed the account even though it is about to fail (three
   * groups removed, the fourth refused): the run is then `partial`, not `failed`.
   */
  markChanged(): void;
};

/**
 * What a step is for. `check` reads and may refuse (the account check, the final read-back); it
 * never changes anything. `change` writes to the account. Only changes make a run `partial`
 * rather than `failed` (see engine/overall-status.ts).
 */
export type StepKind = 'check' | 'change';

/**
 * What running a change step again does, when a crash left its outcome unrecorded:
 * - `repeatable`: setting the same value again is harmless (a forwarding address, the sealed
 *   password of this execution, revoking sessions); the step is simply run again.
 * - `check-then-act`: the step reads the state before each write (is the user already in the
 *   group? is the mailbox already shared? does the user already exist?), so running it again
 *   writes only what is missing.
 * - `unrepeatable`: a second write would do something different (a second Temporary Access
 *   Pass). After an interruption the engine never runs it blindly: it calls `verifyInterrupted`,
 *   and without a clear answer marks the step `unknown` and says what to check.
 */
export type Idempotency = 'repeatable' | 'check-then-act' | 'unrepeatable';

/**
 * What an unrepeatable step found when it read the state after an interruption: an outcome to
 * record, `not-done` (safe to run it now), or null (cannot tell: the step is marked `unknown`).
 */
export type VerifiedOutcome = StepOutcome | 'not-done' | null;

type StepBase<I> = {
  key: string;
  label: string;
  /** The label for this input, when it says more than `label` ("Check the 3 accounts …"); recorded at submit. */
  labelFor?: (input: I) => string;
  /**
   * The directory capabilities the step calls (`DirectoryCapability`: a core area such as
   * `resetPassword`, or an optional part such as `sessions`). Lookups (users, groups) need none.
   * A part used only when the directory has it (the read-back looks at the mailbox if there is
   * one) is not listed: the step checks for it itself. The forms catalogue lists what proves each
   * need; the forms and the engine leave out or skip a step whose needs a directory lacks.
   */
  needs: DirectoryCapability[];
  /**
   * Set when the form still makes sense without this step, saying what it is for in a few words
   * ("signing the user out of all sessions"). A directory lacking one of `needs` then gets the
   * form without it: the form does not offer it, the run does not record it, and an engine that
   * meets it anyway skips it with the reason. Unset: the form is not offered for such a directory.
   */
  optional?: string;
  /**
   * In the forms catalogue, a failed permission check for this step's needs is listed as "only for
   * <optional>" rather than making the form "not ready" (the mailbox steps: Exchange Online is set
   * up apart, and many tenants never do).
   */
  advisory?: true;
  /** When this step fails, the remaining steps are skipped. */
  stopOnFailure: boolean;
  run(context: StepContext<I>): Promise<StepOutcome>;
};

/** A check only reads, so running it again is always safe; every change declares its idempotency. */
export type WorkflowStep<I> = StepBase<I> &
  (
    | { kind: 'check' }
    | {
        kind: 'change';
        idempotency: Idempotency;
        /** For an unrepeatable step: reads the state after an interruption (see VerifiedOutcome). */
        verifyInterrupted?: (context: StepContext<I>) => Promise<VerifiedOutcome>;
        /** For an unrepeatable step marked `unknown`: what the technician should check, in their words. */
        unknownAdvice?: string;
      }
  );

/**
 * What a workflow refuses about the account it acts on before anything is changed. The check step
 * enforces it when the run starts; the form page reads the same rules to warn before submit.
 */
export type AccountRules = {
  /**
   * Accounts holding a directory (admin) role are refused unless the directory allows them
   * (`allowPrivilegedTargets`). This sentence says, for the form page, what the refusal means for
   * this form ("The toolbox will refuse to reset this password …").
   */
  privileged: string;
  /** Why a synced account is refused, or absent when the change is fine for synced accounts too. */
  synced?: (userPrincipalName: string) => string;
};

export type Workflow<I> = {
  /** A title for the note and the execution page, e.g. "Password reset". */
  title: string;
  /**
   * Every step, in order, whatever the input: a step the technician did not ask for runs and
   * reports itself skipped ("Not requested."), so every run of a form on one directory records
   * the same steps (those the directory is offered). Steps read their input from the context.
   */
  steps: WorkflowStep<I>[];
  /**
   * The step whose success makes the execution's secret real (the password was set, the pass was
   * issued). If it did not succeed, the secret is destroyed instead of shown.
   */
  secretStepKey?: string;
  /** The account rules its check step applies to the target user; absent when it has none (onboarding). */
  accountRules?: AccountRules;
};
