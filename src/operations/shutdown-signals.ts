import type { Logger } from '../lib/logger.js';

export type ShutdownSignalOptions = {
  close(options: { drainTimeoutMs: number }): Promise<void>;
  drainTimeoutMs: number;
  logger: Logger;
  /** process.exit, unless a test passes its own. */
  exit?: (code: number) => void;
  /** Extra time after the drain deadline before the process exits regardless (a hung close). */
  graceMs?: number;
};

/**
 * SIGTERM and SIGINT drain the service (see RunningToolbox.close) and exit 0; a second signal, or
 * a close that outlives the drain deadline by `graceMs`, exits 1 at once. Container platforms send
 * SIGTERM and kill a while later (Kubernetes: 30 s), hence the 25 s default drain.
 */
export function handleShutdownSignals(options: ShutdownSignalOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting without finishing the drain');
      exit(1);
      return;
    }
    stopping = true;
    options.logger.info(
      { signal, drainTimeoutMs: options.drainTimeoutMs },
      'draining: no new work; waiting for running requests and steps',
    );
    const hardStop = setTimeout(
      () => {
        options.logger.error('the drain did not finish in time: exiting');
        exit(1);
      },
      options.drainTimeoutMs + (options.graceMs ?? 5000),
    );
    hardStop.unref();
    options.close({ drainTimeoutMs: options.drainTimeoutMs }).then(
      () => {
        clearTimeout(hardStop);
        options.logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(hardStop);
        options.logger.error({ err: error }, 'stopping failed');
        exit(1);
      },
    );
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  // For tests: removes the handlers again.
  return () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
}
