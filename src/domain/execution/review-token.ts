import { createHmac } from 'node:crypto';
import type { ChangeReview } from '../../forms/types.js';

/**
 * A token for "this is what the technician saw and confirmed": an HMAC, keyed per session, over
 * what will run (the parsed input and when) and what the review said. Recomputed on confirm from
 * the submitted fields and the directory as it is then; if anything differs (a tampered field, a
 * method registered meanwhile) the token differs and the review is shown again instead of running.
 */
export function reviewToken(key: string, subject: string, input: unknown, review: ChangeReview, runAt?: number): string {
  return createHmac('sha256', key)
    .update(JSON.stringify([subject, input, runAt ?? null, review.changes, review.when ?? null, review.action]))
    .digest('base64url');
}
