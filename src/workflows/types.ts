import type { DirectoryConfig } from '../config/config.js';
import type { DirectoryClient } from '../connectors/directory/types.js';
import type { Logger } from '../lib/logger.js';

/**
 * The workflow port: the ordered steps behind a form. A step either returns an outcome or throws
 * (a ToolboxError whose message the technician reads). Workflows call connector ports only: no
 * HTTP, no SQL.
 */
export type StepOutcome = { status: 'ok' | 'warning' | 'skipped'; message: string };

export type StepContext<I> = {
  input: I;
  /** The decrypted one-time secret of this execution (a new password), if any. */
  secret: string | null;
  directory: DirectoryClient;
  directoryConfig: DirectoryConfig;
  targetUserId: string;
  logger: Logger;
  /** Values earlier steps left for later ones and for the note. */
  facts: Record<string, unknown>;
  /**
   * Keeps a secret a step obtained (a Temporary Access Pass) to be shown once to the technician:
   * sealed in the store, never in a step message, the note or the log.
   */
  keepSecret(value: string): Promise<void>;
};

export type WorkflowStep<I> = {
  key: string;
  label: string;
  /** When this step fails, the remaining steps are skipped. */
  stopOnFailure: boolean;
  run(context: StepContext<I>): Promise<StepOutcome>;
};

export type Workflow<I> = {
  formName: string;
  /** A title for the note and the execution page, e.g. "Password reset". */
  title: string;
  steps(input: I): WorkflowStep<I>[];
  /**
   * The step whose success makes the execution's secret real (the password was set, the pass was
   * issued). If it did not succeed, the secret is destroyed instead of shown.
   */
  secretStepKey?: string;
};
