import { performance } from 'node:perf_hooks';
import type { LaunchReads } from '../domain/launch/launch-reads.js';

/**
 * Times each screen pop's PSA reads for the metrics, around the launch reads rather than inside
 * them: from the moment the webhook starts them to their result saved, labelled by whether the
 * form could be filled (`ready`) or a read failed (`failed`). The hot path gains one clock read
 * and one promise callback.
 */
export function instrumentLaunchReads(inner: LaunchReads, observe: (outcome: 'ready' | 'failed', seconds: number) => void): LaunchReads {
  return {
    ...inner,
    start(launch, inserted, prefetched) {
      // A launch from the ticket launcher reuses its reads: nothing to time.
      if (prefetched) return inner.start(launch, inserted, prefetched);
      const started = performance.now();
      inner.start(launch, inserted);
      inner.inFlight(launch.id)?.context.then(
        (context) => {
          const ok = context.company.ok && context.contact.ok && (context.ticket === null || context.ticket.ok);
          observe(ok ? 'ready' : 'failed', (performance.now() - started) / 1000);
        },
        () => observe('failed', (performance.now() - started) / 1000),
      );
    },
  };
}
